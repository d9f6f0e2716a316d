"""An editor account in the tests' database (CAMAU_STATE_DIR, set by tests/conftest.py)."""
import contextlib

import sqlalchemy as sa

from auth.accounts import AccountError
from services.editing import create_editor
from storage.db import make_engine, upgrade


def ensure_editor(username: str, password: str) -> sa.Engine:
    """The migrated database with this editor in it (created once; later calls find it)."""
    engine = make_engine()
    upgrade(engine)
    with contextlib.suppress(AccountError):   # created by an earlier test in this database
        create_editor(engine, username, password)
    return engine
