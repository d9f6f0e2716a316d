"""Who is signed in (for this browser tab) and the guard for editor pages."""
from __future__ import annotations

import streamlit as st

from auth.client import LOOPBACK, client_address, trusted_proxies
from l10n.messages import t

USER_KEY = "editor_user"


def current_user() -> str | None:
    return st.session_state.get(USER_KEY)


def sign_in_as(username: str) -> None:
    st.session_state[USER_KEY] = username


def sign_out() -> None:
    st.session_state.pop(USER_KEY, None)


def request_address() -> str:
    """The browser's address for the sign-in limits (auth/client.py): the websocket's TCP peer, or
    the client named by X-Forwarded-For when that peer is in CAMAU_TRUSTED_PROXIES.

    ``st.context.ip_address`` is None for a loopback peer (127.0.0.1, ::1), the usual place of a
    proxy on the same machine; with no session at all it is also None, and there are then no
    headers to trust."""
    peer = st.context.ip_address
    peer = peer if isinstance(peer, str) and peer else LOOPBACK      # (AppTest gives a mock here)
    forwarded = ", ".join(h for h in st.context.headers.get_all("X-Forwarded-For") if isinstance(h, str))
    return client_address(peer, forwarded, trusted_proxies())


def require_editor(lang: str) -> str:
    """The signed-in editor, or a notice with a link to the sign-in page and a stop."""
    user = current_user()
    if user is None:
        st.warning(t("auth.required", lang))
        st.page_link("pages/sign_in.py", label=t("nav.sign_in", lang), icon=":material/login:")
        st.stop()
    return user
