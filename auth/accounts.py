"""Editor accounts stored in the database.

Passwords are hashed with argon2id (argon2-cffi). Sign-in failures are counted per user name in
the database, so a lock survives a restart and holds across server processes; after
``MAX_FAILURES`` within ``WINDOW`` even the right password is refused until the window passes.
Unknown users and wrong passwords get the same answer and take the same time.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from storage.datasets import now, record_audit
from storage.schema import login_failures, users

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
EDITOR = "editor"

_hasher = PasswordHasher()
# Verified against when the user does not exist, so both cases cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class AccountError(ValueError):
    """A user name or password that cannot be used."""


@dataclass(frozen=True)
class SignIn:
    ok: bool
    username: str | None
    reason: str          # "ok", "invalid" or "locked"


def create_editor(connection: sa.Connection, username: str, password: str) -> str:
    """Store a new editor account; returns the normalised user name."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("tên đăng nhập gồm 3–40 ký tự: chữ thường không dấu, số, dấu chấm, gạch")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự")
    exists = connection.execute(sa.select(users.c.id).where(users.c.username == username)).first()
    if exists:
        raise AccountError(f"tài khoản {username} đã có")
    connection.execute(users.insert().values(username=username, password_hash=_hasher.hash(password),
                                             role=EDITOR, created_at=now()))
    return username


def _recent_failures(connection: sa.Connection, key: str, at: dt.datetime) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(login_failures).where(
        login_failures.c.key == key, login_failures.c.at > at - WINDOW)).scalar()


def sign_in(engine: sa.Engine, username: str, password: str, at: dt.datetime | None = None) -> SignIn:
    at = at or now()
    username = (username or "").strip().lower()
    key = f"user:{username}"
    with engine.begin() as connection:
        if _recent_failures(connection, key, at) >= MAX_FAILURES:
            _hasher_verify(_DUMMY_HASH, password)  # same cost as a real attempt
            record_audit(connection, username or "?", "sign_in_locked", username, {})
            return SignIn(False, None, "locked")
        row = connection.execute(sa.select(users.c.id, users.c.password_hash)
                                 .where(users.c.username == username)).first()
        ok = _hasher_verify(row.password_hash if row else _DUMMY_HASH, password) and row is not None
        if not ok:
            connection.execute(login_failures.insert().values(key=key, at=at))
            record_audit(connection, username or "?", "sign_in_failed", username, {})
            return SignIn(False, None, "invalid")
        if _hasher.check_needs_rehash(row.password_hash):
            connection.execute(users.update().where(users.c.id == row.id)
                               .values(password_hash=_hasher.hash(password)))
        connection.execute(login_failures.delete().where(login_failures.c.key == key))
        record_audit(connection, username, "sign_in", username, {})
        return SignIn(True, username, "ok")


def _hasher_verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def editor_count(connection: sa.Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(users)).scalar()
