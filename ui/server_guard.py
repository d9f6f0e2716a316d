"""A visitor's websocket cannot clear the caches of every session.

Streamlit handles the ``clear_cache`` message (the "Clear cache" menu item) for any session,
signed in or not, by emptying ``st.cache_data`` and ``st.cache_resource`` for the whole process
(``AppSession._handle_clear_cache_request``); no configuration option turns it off (Streamlit
1.67: the handler checks nothing, ``client.toolbarMode = "viewer"`` only hides the menu item). A
script sending it in a loop makes every page rebuild its geometry, reference data and database
engine on every run.

Both apps call ``refuse_global_cache_clearing()`` first: the message then clears only the
sender's own session state (as Streamlit also does), never the shared caches. The app's caches
are keyed by version id, so nobody needs to clear them; a restart does. The replacement is
installed on the class when the first script run of the process starts, so it holds for every
session after that (before it, the caches are still empty). tests/test_server_guard.py checks it
against a real server, and fails if a Streamlit upgrade renames the handler.
"""
from __future__ import annotations

from streamlit.runtime.app_session import AppSession

_HANDLER = "_handle_clear_cache_request"


def _clear_own_session_state_only(self: AppSession) -> None:
    self._session_state.clear()


def refuse_global_cache_clearing() -> None:
    if not hasattr(AppSession, _HANDLER):
        raise RuntimeError(f"streamlit.runtime.app_session.AppSession has no {_HANDLER} any more: "
                           "check how this Streamlit version handles the clear_cache message (ui/server_guard.py)")
    if getattr(AppSession, _HANDLER) is not _clear_own_session_state_only:
        setattr(AppSession, _HANDLER, _clear_own_session_state_only)
