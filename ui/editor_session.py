"""Who is signed in (for this browser tab) and the guard for editor pages."""
from __future__ import annotations

import streamlit as st

from l10n.messages import t

USER_KEY = "editor_user"


def current_user() -> str | None:
    return st.session_state.get(USER_KEY)


def sign_in_as(username: str) -> None:
    st.session_state[USER_KEY] = username


def sign_out() -> None:
    st.session_state.pop(USER_KEY, None)


def require_editor(lang: str) -> str:
    """The signed-in editor, or a notice with a link to the sign-in page and a stop."""
    user = current_user()
    if user is None:
        st.warning(t("auth.required", lang))
        st.page_link("pages/sign_in.py", label=t("nav.sign_in", lang), icon=":material/login:")
        st.stop()
    return user
