"""Engines and migrations. SQLite by default (WAL, foreign keys on); PostgreSQL by URL."""
from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.settings import DATABASE_URL_RO_ENV, database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_path(url: sa.URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def make_engine(url: str | None = None) -> sa.Engine:
    """The read-write engine. A SQLite file's folder is created on first use."""
    parsed = sa.make_url(url or database_url())
    path = _sqlite_path(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA foreign_keys=ON")
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True)


def make_read_only_engine(url: str | None = None) -> sa.Engine:
    """An engine that cannot write: SQLite opened with mode=ro, or PostgreSQL through the
    SELECT-only role in ``DATABASE_URL_RO``."""
    parsed = sa.make_url(url or database_url())
    path = _sqlite_path(parsed)
    if path is not None:
        return sa.create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    read_only_url = os.environ.get(DATABASE_URL_RO_ENV, "").strip()
    if not read_only_url:
        raise RuntimeError(f"{DATABASE_URL_RO_ENV} must name a read-only PostgreSQL role")
    return sa.create_engine(read_only_url, pool_pre_ping=True)


def _alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation: a URL-encoded password's % must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration. Existing data are kept."""
    url = engine.url.render_as_string(hide_password=False)
    command.upgrade(_alembic_config(url), "head")


def is_current(engine: sa.Engine) -> bool:
    head = ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
