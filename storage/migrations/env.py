"""Alembic environment, run from storage.db.upgrade (no alembic.ini).

SQLite needs two fixes, measured in shared/notes/storage-and-sign-in.md: pysqlite does not wrap
DDL in a transaction (a failed migration would leave half its changes), and batch mode with
foreign keys on would delete child rows through ON DELETE CASCADE.
"""
import sqlalchemy as sa
from alembic import context

from storage.schema import metadata

config = context.config


def _sqlite_transactional(engine: sa.Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


def _run(connection: sa.Connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=is_sqlite,
                      transactional_ddl=True if is_sqlite else None)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url"), poolclass=sa.pool.NullPool)
    if engine.dialect.name == "sqlite":
        _sqlite_transactional(engine)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


run_migrations_online()
