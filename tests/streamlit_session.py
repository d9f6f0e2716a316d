"""A Streamlit session as a browser opens one, over plain HTTP and the websocket, for tests that
talk to a real server (tests/test_upload_limits.py, tests/test_nginx.py, tests/test_server_guard.py)."""
from __future__ import annotations

import contextlib
import socket
import time

import pytest
import requests


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_session(base: str):
    """A Streamlit session as a browser opens one: the XSRF cookie, then the websocket (kept open:
    the session lives as long as it); yields (HTTP session with the cookie, XSRF token, session id)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    http = requests.Session()
    assert http.get(base + "/_stcore/health", timeout=10).status_code == 200
    xsrf = http.cookies.get("_streamlit_xsrf")
    assert xsrf
    host = base.removeprefix("http://")
    with connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit", xsrf], origin=base,
                 additional_headers={"Cookie": f"_streamlit_xsrf={xsrf}"}, open_timeout=10) as ws:
        message = BackMsg()
        message.rerun_script.query_string = ""
        ws.send(message.SerializeToString())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            forward = ForwardMsg()
            forward.ParseFromString(ws.recv(timeout=60))
            if forward.WhichOneof("type") == "new_session":
                yield http, xsrf, forward.new_session.initialize.session_id
                return
        pytest.fail("no new_session message")


def upload(base: str, http: requests.Session, xsrf: str, session_id: str, size: int) -> int:
    response = http.put(f"{base}/_stcore/upload_file/{session_id}/f{size}", headers={"X-Xsrftoken": xsrf},
                        files={"file": ("bao_cao.csv", b"x" * size, "text/csv")}, timeout=60)
    return response.status_code


@contextlib.contextmanager
def script_run(base: str, query_string: str = "", page_name: str = ""):
    """A session whose script has run to the end (its caches filled) on ``page_name`` (a page's
    url_path; default: the main page); yields the open websocket (``websockets.sync`` connection)
    for further BackMsgs."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    http = requests.Session()
    assert http.get(base + "/_stcore/health", timeout=10).status_code == 200
    xsrf = http.cookies.get("_streamlit_xsrf")
    host = base.removeprefix("http://")
    with connect(f"ws://{host}/_stcore/stream", subprotocols=["streamlit", xsrf], origin=base,
                 additional_headers={"Cookie": f"_streamlit_xsrf={xsrf}"}, open_timeout=10,
                 max_size=None) as ws:
        message = BackMsg()
        message.rerun_script.query_string = query_string
        message.rerun_script.page_name = page_name
        ws.send(message.SerializeToString())
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            forward = ForwardMsg()
            forward.ParseFromString(ws.recv(timeout=180))
            if forward.WhichOneof("type") == "script_finished":
                yield ws
                return
        pytest.fail("no script_finished message")
