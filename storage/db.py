"""Engines and migrations. SQLite by default (WAL, foreign keys on); PostgreSQL by URL."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.readonly import make_read_only_engine, sqlite_path  # noqa: F401 (re-exported)
from storage.settings import database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | None = None) -> sa.Engine:
    """The read-write engine. A SQLite file's folder is created on first use."""
    parsed = sa.make_url(url or database_url())
    path = sqlite_path(parsed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"timeout": 30})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA foreign_keys=ON")
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True)


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
