"""Where state lives: ``DATABASE_URL`` (PostgreSQL) or a SQLite file in ``CAMAU_STATE_DIR``."""
from __future__ import annotations

import os
from pathlib import Path

STATE_DIR_ENV = "CAMAU_STATE_DIR"
DATABASE_URL_ENV = "DATABASE_URL"
DATABASE_URL_RO_ENV = "DATABASE_URL_RO"
DEFAULT_STATE_DIR = Path.home() / ".local" / "state" / "camau-map"
SQLITE_NAME = "camau.sqlite3"
UPLOAD_LIMIT_ENV = "CAMAU_MAX_UPLOAD_MB"


def state_dir() -> Path:
    configured = os.environ.get(STATE_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_STATE_DIR


def database_url() -> str:
    """The read-write database: ``DATABASE_URL`` when set, else the SQLite file (created on use)."""
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    return f"sqlite:///{state_dir() / SQLITE_NAME}"


def upload_limit_bytes() -> int:
    try:
        megabytes = float(os.environ.get(UPLOAD_LIMIT_ENV, "10"))
    except ValueError:
        megabytes = 10
    return int(max(megabytes, 0.1) * 1024 * 1024)
