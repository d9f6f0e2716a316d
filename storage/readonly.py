"""A database connection that cannot write: SQLite opened with ``mode=ro``, or PostgreSQL through
the SELECT-only role named by ``DATABASE_URL_RO``. Used by the public view."""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

from storage.settings import DATABASE_URL_RO_ENV, database_url


def sqlite_path(url: sa.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def make_read_only_engine(url: str | None = None) -> sa.Engine:
    """Raises FileNotFoundError when the SQLite file does not exist (a read-only connection must
    not create it) and RuntimeError when PostgreSQL has no read-only role configured."""
    parsed = sa.make_url(url or database_url())
    path = sqlite_path(parsed)
    if path is not None:
        if not path.is_file():
            raise FileNotFoundError(path)
        return sa.create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    read_only_url = os.environ.get(DATABASE_URL_RO_ENV, "").strip()
    if not read_only_url:
        raise RuntimeError(f"{DATABASE_URL_RO_ENV} must name a read-only PostgreSQL role")
    return sa.create_engine(read_only_url, pool_pre_ping=True)
