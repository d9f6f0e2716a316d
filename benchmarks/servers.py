"""Helpers shared by the benchmark scripts: `name: value` output and loopback server processes."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path


def emit(name: str, value) -> None:
    print(f"{name}: {value}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def upload_limit_args(public: bool = False) -> list[str]:
    """``--server.maxUploadSize`` as scripts/run-app.sh (CAMAU_MAX_UPLOAD_MB) or
    scripts/run-public.sh (1) pass it."""
    repo = str(Path(__file__).resolve().parent.parent)
    if repo not in sys.path:
        sys.path.insert(0, repo)
    from storage.settings import PUBLIC_UPLOAD_MB, streamlit_upload_mb

    return ["--server.maxUploadSize", str(PUBLIC_UPLOAD_MB if public else streamlit_upload_mb())]


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
