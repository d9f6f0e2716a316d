"""Who is signed in and the guard for editor pages.

A sign-in lasts across reloads and new tabs: its session token (auth/sessions.py) is kept in a
cookie that the next page load sends, and looked up then (no new sign-in, no new audit row).
Streamlit has no API to set a cookie from the server outside ``st.login`` (which needs an identity
provider), so the cookie is written by a zero-height component script on the app's own origin:
SameSite=Strict (no other site's page can send it), Secure on HTTPS, Max-Age = the session's
lifetime. Not HttpOnly, which only the server could set: everything shown is escaped (ui/text.py)
so no page runs foreign script, and the token is worth nothing once signed out or expired.
"""
from __future__ import annotations

import datetime as dt
import json

import streamlit as st
import streamlit.components.v1 as components

from auth import sessions
from auth.client import LOOPBACK, client_address, trusted_proxies
from l10n.messages import t
from storage.settings import session_hours
from ui.streamlit_support import engine

USER_KEY = "editor_user"
COOKIE = "camau_editor_session"
_TOKEN_KEY = "_editor_session_token"
_COOKIE_PENDING = "_editor_cookie_pending"     # the token to write (or "" to clear) on this run


def current_user() -> str | None:
    """The signed-in editor: this tab's session, else the session named by the cookie."""
    user = st.session_state.get(USER_KEY)
    if user is not None or st.session_state.get(_TOKEN_KEY) == "":
        return user
    token = st.context.cookies.get(COOKIE) if st.context.cookies else None
    if not isinstance(token, str) or not token:
        st.session_state[_TOKEN_KEY] = ""      # looked once per tab session; sign-in sets it again
        return None
    with engine().connect() as connection:
        user = sessions.session_user(connection, token, dt.datetime.now(dt.UTC))
    st.session_state[_TOKEN_KEY] = token if user else ""
    if user:
        st.session_state[USER_KEY] = user
    return user


def sign_in_as(username: str, token: str | None = None) -> None:
    st.session_state[USER_KEY] = username
    if token:
        st.session_state[_TOKEN_KEY] = token
        st.session_state[_COOKIE_PENDING] = token


def sign_out() -> None:
    """Revoke the session (the cookie is then worthless everywhere) and clear the cookie."""
    token = st.session_state.get(_TOKEN_KEY) or (st.context.cookies.get(COOKIE) if st.context.cookies else None)
    if token:
        with engine().begin() as connection:
            sessions.revoke_session(connection, token, dt.datetime.now(dt.UTC))
    st.session_state.pop(USER_KEY, None)
    st.session_state[_TOKEN_KEY] = ""
    st.session_state[_COOKIE_PENDING] = ""


def write_session_cookie() -> None:
    """Write (or clear) the session cookie when a sign-in or sign-out asked for it; the app calls
    this on every run, and it draws nothing otherwise."""
    token = st.session_state.pop(_COOKIE_PENDING, None)
    if token is None:
        return
    max_age = int(session_hours() * 3600) if token else 0
    # json.dumps quotes the token (URL-safe base64: letters, digits, "-" and "_") as a JS string.
    components.html(f"""<script>
const secure = window.parent.location.protocol === "https:" ? "; Secure" : "";
window.parent.document.cookie = {json.dumps(COOKIE)} + "=" + {json.dumps(token)} +
  "; Path=/; Max-Age={max_age}; SameSite=Strict" + secure;
</script>""", height=0)


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
