"""Where state lives: ``DATABASE_URL`` (PostgreSQL) or a SQLite file in ``CAMAU_STATE_DIR``."""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path

STATE_DIR_ENV = "CAMAU_STATE_DIR"
DATABASE_URL_ENV = "DATABASE_URL"
DATABASE_URL_RO_ENV = "DATABASE_URL_RO"
DEFAULT_STATE_DIR = Path.home() / ".local" / "state" / "camau-map"
SQLITE_NAME = "camau.sqlite3"
UPLOAD_LIMIT_ENV = "CAMAU_MAX_UPLOAD_MB"
SESSION_HOURS_ENV = "CAMAU_SESSION_HOURS"     # how long an editor's sign-in lasts (default 12 hours)
ROUND_APPROVAL_ENV = "CAMAU_ROUND_APPROVAL"   # "1": a round is published only after a second editor approves it
DEFAULT_UPLOAD_MB = 10          # also server.maxUploadSize in .streamlit/config.toml
PUBLIC_UPLOAD_MB = 1            # the public view has no uploader; Streamlit's smallest limit


def state_dir() -> Path:
    configured = os.environ.get(STATE_DIR_ENV, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_STATE_DIR


def database_url() -> str:
    """The read-write database: ``DATABASE_URL`` when set, else the SQLite file (created on use)."""
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    return f"sqlite:///{state_dir() / SQLITE_NAME}"


def upload_limit_mb() -> float:
    """``CAMAU_MAX_UPLOAD_MB`` (default 10, at least 0.1; an unreadable value counts as the default)."""
    try:
        megabytes = float(os.environ.get(UPLOAD_LIMIT_ENV, str(DEFAULT_UPLOAD_MB)))
    except ValueError:
        megabytes = DEFAULT_UPLOAD_MB
    if not math.isfinite(megabytes):
        megabytes = DEFAULT_UPLOAD_MB
    return max(megabytes, 0.1)


def upload_limit_bytes() -> int:
    return int(upload_limit_mb() * 1024 * 1024)


def streamlit_upload_mb() -> int:
    """``server.maxUploadSize`` for the editors' app: whole megabytes (Streamlit's unit), rounded
    up, so that Streamlit refuses a larger body before reading it and the importer's exact check
    (``upload_limit_bytes``) still decides at the edge."""
    return max(1, math.ceil(upload_limit_mb()))


if __name__ == "__main__":      # used by scripts/run-app.sh: python -m storage.settings upload-mb
    if sys.argv[1:] != ["upload-mb"]:
        sys.exit("usage: python -m storage.settings upload-mb")
    print(streamlit_upload_mb())


def round_approval_required() -> bool:
    """Whether a reporting round needs a second editor's approval before it is published."""
    return os.environ.get(ROUND_APPROVAL_ENV, "").strip().lower() in ("1", "true", "yes")


def session_hours() -> float:
    """How long an editor's sign-in lasts, from 0.1 to 720 hours (default 12)."""
    try:
        hours = float(os.environ.get(SESSION_HOURS_ENV, "12"))
    except ValueError:
        return 12.0
    return min(max(hours, 0.1), 720.0) if hours == hours else 12.0
