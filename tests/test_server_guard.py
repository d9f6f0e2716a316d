"""Any visitor could empty every cache of the server with one websocket message (issue 11: "a
clear_cache websocket message … any visitor clears every cache"). Streamlit has no option against
it; ui/server_guard.py narrows the message to the sender's own session state. Checked on a real
server of each app: the caches, as /_stcore/metrics lists them, survive the message."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.streamlit_session import free_port, script_run

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def server(tmp_path):
    """``server(script, *args)``: ``streamlit run SCRIPT`` on a free loopback port with its own
    state directory (app.py creates the database there); stopped by PID."""
    started: list[subprocess.Popen] = []
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")} | {
        "CAMAU_STATE_DIR": str(tmp_path / "state")}

    def start(script: str, *args: str) -> str:
        port = free_port()
        log = tmp_path / f"{script}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", script, "--server.address", "127.0.0.1", "--server.port",
                 str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false", *args],
                cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"{script} exited:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                if requests.get(base + "/_stcore/health", timeout=1).status_code == 200:
                    return base
            except requests.RequestException:
                time.sleep(0.2)
        pytest.fail(f"{script} not healthy:\n{log.read_text(errors='replace')[-3000:]}")

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def lookups(base: str) -> dict[tuple[str, str], int]:
    """(cached function, "hit" or "miss") -> count, from /_stcore/metrics. (cache_memory_bytes is
    no witness: it keeps the last size of a cleared cache.)"""
    text = requests.get(base + "/_stcore/metrics", timeout=10).text
    return {(name, result): int(count) for name, result, count in re.findall(
        r'^cache_lookups_total\{cache="([^"]+)",cache_type="st_cache_(?:data|resource)",result="(hit|miss)"\} (\d+)',
        text, re.M)}


def misses(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    return {name: n for (name, result), n in counts.items() if result == "miss" and n}


def send_clear_cache(ws) -> None:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    message = BackMsg()
    message.clear_cache = True
    ws.send(message.SerializeToString())
    ws.ping().wait(10)          # the server has read the message (it handles BackMsgs in order)
    time.sleep(0.5)


def clear_then_run_again(base: str, page_name: str = "") -> None:
    with script_run(base, page_name=page_name) as ws:
        before = lookups(base)
        assert misses(before), "the page fills its caches"
        send_clear_cache(ws)
    with script_run(base, page_name=page_name):
        after = lookups(base)
    # Nothing is computed again (without the guard every filled cache misses a second time)…
    assert misses(after) == misses(before)
    # …and the second run did use the caches.
    hits = lambda counts: sum(n for (_, result), n in counts.items() if result == "hit")
    assert hits(after) > hits(before)


def test_a_clear_cache_message_leaves_the_editors_apps_caches(server):
    clear_then_run_again(server("app.py"), page_name="ban-do")
