"""The one way tests start an AppTest of the editors' app or the public view."""
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent


def fresh_app(script: str = "app.py") -> AppTest:
    """An AppTest of ``script`` (the editors' app or public.py) with Streamlit's caches emptied, so
    no engine, table or view cached by an earlier test (on another database) leaks in."""
    st.cache_resource.clear()
    st.cache_data.clear()
    return AppTest.from_file(str(REPO / script), default_timeout=60)
