"""Upload limits on the editors' app, as the launch script starts it (issue 11 §3; the public map is
now static files behind nginx, which takes no upload at all).

Before: app.py kept Streamlit's 200 MB default, and an anonymous visitor could PUT 5 × 100 MB into
its own session's upload store (the editors' import page is the only uploader). Now
scripts/run-app.sh passes CAMAU_MAX_UPLOAD_MB (rounded up to whole MB, Streamlit's unit) and
.streamlit/config.toml carries the same default for any other launcher.

The scripts run for real (with CAMAU_SKIP_SETUP=1: the shared virtualenv is not reinstalled);
the uploads go over HTTP to a real session, with the XSRF cookie, as a browser would send them.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from storage.settings import DEFAULT_UPLOAD_MB, streamlit_upload_mb, upload_limit_bytes
from tests.streamlit_session import free_port, streamlit_session, upload

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


@pytest.mark.parametrize("setting, expected_mb, expected_bytes", [
    (None, 10, 10 * MB), ("25", 25, 25 * MB), ("2.5", 3, int(2.5 * MB)), ("0.01", 1, int(0.1 * MB)),
    ("abc", 10, 10 * MB), ("nan", 10, 10 * MB), ("inf", 10, 10 * MB),
])
def test_streamlit_limit_follows_the_setting(monkeypatch, setting, expected_mb, expected_bytes):
    if setting is None:
        monkeypatch.delenv("CAMAU_MAX_UPLOAD_MB", raising=False)
    else:
        monkeypatch.setenv("CAMAU_MAX_UPLOAD_MB", setting)
    assert streamlit_upload_mb() == expected_mb
    assert upload_limit_bytes() == expected_bytes


def test_the_repositorys_streamlit_config_has_the_default_limit():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == DEFAULT_UPLOAD_MB


@pytest.fixture
def launch(tmp_path):
    """``launch(script, port_variable)``: ``bash scripts/SCRIPT`` with CAMAU_MAX_UPLOAD_MB=2 on a
    free loopback port; returns its base URL. Stopped (by its PID) after the test."""
    started: list[subprocess.Popen] = []

    def start(script: str, port_variable: str) -> str:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "STREAMLIT_"))} | {
            "CAMAU_SKIP_SETUP": "1", "CAMAU_MAX_UPLOAD_MB": "2", port_variable: str(port),
            "CAMAU_STATE_DIR": str(tmp_path / "state")}
        log = tmp_path / f"{script}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(["bash", f"scripts/{script}", "--server.headless", "true",
                                        "--browser.gatherUsageStats", "false"], cwd=REPO, env=env, stdout=out,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"{script} exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=1):
                    return base
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"{script} not healthy after 90 s:\n{log.read_text(errors='replace')[-3000:]}")

    yield start
    for process in started:            # bash exec'd streamlit: one process, this PID
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_editors_app_refuses_uploads_above_camau_max_upload_mb(launch):
    base = launch("run-app.sh", "CAMAU_PORT")
    with streamlit_session(base) as (http, xsrf, session_id):
        assert upload(base, http, xsrf, session_id, int(1.5 * MB)) == 204
        assert upload(base, http, xsrf, session_id, int(2.5 * MB)) == 413     # was accepted up to 200 MB
