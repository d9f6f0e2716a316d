"""The one way tests start an AppTest of the editors' app or the public view."""
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent


def fresh_app(script: str = "app.py") -> AppTest:
    """An AppTest of ``script`` (the editors' app) with Streamlit's caches emptied, so
    no engine, table or view cached by an earlier test (on another database) leaks in."""
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(str(REPO / script), default_timeout=60)


def use_own_database(monkeypatch, tmp_path) -> None:
    """Point the app at a database of the test's own (others publish versions in the shared one)
    and forget every cached engine and table; call ``st.cache_resource.clear()`` again after."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CAMAU_STATE_DIR", str(tmp_path))
    st.cache_resource.clear()


def signed_in(at: AppTest, username: str, password: str) -> AppTest:
    """``at`` after signing in on the sign-in page (the account must exist)."""
    at.run()
    at.switch_page("pages/sign_in.py").run()
    at.text_input[0].set_value(username)
    at.text_input[1].set_value(password)
    at.button[0].click().run()
    assert not at.exception and at.session_state["editor_user"] == username, at.exception
    return at
