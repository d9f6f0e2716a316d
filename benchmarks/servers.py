"""Helpers shared by the benchmark scripts: `name: value` output and loopback server processes."""
from __future__ import annotations

import socket
import subprocess


def emit(name: str, value) -> None:
    print(f"{name}: {value}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
