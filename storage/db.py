"""Engines and migrations. SQLite by default (WAL, foreign keys on); PostgreSQL by URL.

Several replicas of the editors' app (deploy/systemd/camau-editors@.service) share one database
and may start at the same moment. Migrations therefore run under one lock (``schema_lock``):
PostgreSQL's session-level advisory lock on a fixed key, or an exclusive ``flock`` of a file next to
the SQLite database (SQLite's own locking is not enough: a deferred transaction that read the old
schema fails at once with "database is locked" when another process migrated meanwhile). The first
holder migrates; the others wait, then find the schema at head and change nothing.

    python -m storage.db upgrade      # what camau-editors@.service runs before each replica starts
"""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.readonly import make_read_only_engine, sqlite_path  # noqa: F401 (re-exported)
from storage.settings import database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_lock's key for this application's schema changes: the bytes "camau-db" (a bigint).
MIGRATION_LOCK_KEY = int.from_bytes(b"camau-db", "big")


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


@contextlib.contextmanager
def schema_lock(engine: sa.Engine) -> Iterator[None]:
    """Held by one process at a time, across processes and machines sharing the database:
    PostgreSQL ``pg_advisory_lock(MIGRATION_LOCK_KEY)`` on a connection of its own (autocommit, so
    no transaction stays open; the server releases the lock if the process dies), or ``flock`` on
    ``<database>.lock`` for a SQLite file. An in-memory SQLite database has no other user."""
    path = sqlite_path(engine.url)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif path is not None:
        import fcntl  # POSIX; the app is deployed on Debian

        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_name(path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    else:
        yield


def upgrade(engine: sa.Engine, seed: Callable[[sa.Engine], None] | None = None) -> None:
    """Bring the schema to the newest migration. Existing data are kept. ``seed`` (the app's first
    data, e.g. the published sample) runs under the same lock, so replicas starting together
    neither migrate twice nor seed twice."""
    url = engine.url.render_as_string(hide_password=False)
    with schema_lock(engine):
        command.upgrade(_alembic_config(url), "head")
        if seed is not None:
            seed(engine)


def is_current(engine: sa.Engine) -> bool:
    head = ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head


if __name__ == "__main__":       # python -m storage.db upgrade (deploy/systemd/camau-editors@.service)
    if sys.argv[1:] != ["upgrade"]:
        sys.exit("usage: python -m storage.db upgrade")
    _engine = make_engine()
    upgrade(_engine)
    _engine.dispose()
