"""Editor accounts stored in the database.

Passwords are hashed with argon2id (argon2-cffi).

Sign-in failures are stored in the database (so a lock survives a restart and holds across server
processes) with the client's address (see auth/client.py; an IPv6 client counts by its /64
network, which one machine usually holds whole). Two limits, each over ``WINDOW``:

* ``MAX_FAILURES`` for one name from one address: that name is refused from that address only.
  The same editor signing in from another address is not affected, so a flood against a name
  cannot lock its editor out.
* ``ADDRESS_MAX_FAILURES`` from one address, whatever the names: that address is refused.

While a limit holds, even the right password is refused. Unknown names and wrong passwords get the
same answer and cost one argon2 verification each (a dummy hash stands in for an unknown name),
and so does a refused attempt.

Bounded growth: a refused attempt writes nothing, so an address adds at most
``ADDRESS_MAX_FAILURES`` failure rows and as many ``sign_in_failed`` audit rows per window, plus
one ``sign_in_locked`` audit row each time a limit is reached; rows older than the window are
deleted on every attempt.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from auth import sessions
from auth.client import UNKNOWN
from storage.datasets import now, record_audit
from storage.schema import login_failures, users
from storage.settings import session_hours

MAX_FAILURES = 5
ADDRESS_MAX_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
EDITOR = "editor"
_NAME_STORED = 80        # longer names (never a real account) are stored cut to this length

_hasher = PasswordHasher()
# Verified against when the user does not exist or the attempt is refused, so every attempt costs
# one argon2 verification with the same parameters as a real one.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class AccountError(ValueError):
    """A user name or password that cannot be used."""


@dataclass(frozen=True)
class SignIn:
    ok: bool
    username: str | None
    reason: str          # "ok", "invalid" or "locked"
    token: str | None = None   # the new session's token for the cookie (auth/sessions.py)


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


def address_key(address: str | None) -> str:
    """What the limits count by: the IPv4 address, the IPv6 /64 network, or the text as given."""
    if not address:
        return UNKNOWN
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _failures(connection: sa.Connection, since: dt.datetime, address: str, username: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(login_failures).where(
        login_failures.c.address == address, login_failures.c.at > since)
    if username is not None:
        query = query.where(login_failures.c.username == username)
    return connection.execute(query).scalar()


def sign_in(engine: sa.Engine, username: str, password: str, at: dt.datetime | None = None,
            address: str | None = None) -> SignIn:
    """Check a sign-in attempt from ``address`` (the client's address, see auth/client.py); a
    success opens a session (its token in ``SignIn.token``) and writes the one audit row."""
    at = at or now()
    since = at - WINDOW
    username = (username or "").strip().lower()
    stored_name = username[:_NAME_STORED]
    key = address_key(address)
    details = {"address": key}
    with engine.begin() as connection:
        connection.execute(login_failures.delete().where(login_failures.c.at <= since))
        from_address = _failures(connection, since, key)
        for_name = _failures(connection, since, key, stored_name)
        if from_address >= ADDRESS_MAX_FAILURES or for_name >= MAX_FAILURES:
            _hasher_verify(_DUMMY_HASH, password)  # same cost as a real attempt; nothing is written
            return SignIn(False, None, "locked")
        row = connection.execute(sa.select(users.c.id, users.c.password_hash)
                                 .where(users.c.username == username)).first()
        ok = _hasher_verify(row.password_hash if row else _DUMMY_HASH, password) and row is not None
        if not ok:
            connection.execute(login_failures.insert().values(address=key, username=stored_name, at=at))
            record_audit(connection, stored_name or "?", "sign_in_failed", stored_name, details)
            if from_address + 1 == ADDRESS_MAX_FAILURES or for_name + 1 == MAX_FAILURES:
                scope = "address" if from_address + 1 == ADDRESS_MAX_FAILURES else "name"
                record_audit(connection, stored_name or "?", "sign_in_locked", stored_name,
                             details | {"limit": scope, "minutes": int(WINDOW.total_seconds() // 60)})
            return SignIn(False, None, "invalid")
        if _hasher.check_needs_rehash(row.password_hash):
            connection.execute(users.update().where(users.c.id == row.id)
                               .values(password_hash=_hasher.hash(password)))
        connection.execute(login_failures.delete().where(login_failures.c.address == key,
                                                         login_failures.c.username == stored_name))
        record_audit(connection, username, "sign_in", username, details)
        token = sessions.create_session(connection, username, at, dt.timedelta(hours=session_hours()))
        return SignIn(True, username, "ok", token)


def _hasher_verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def editor_count(connection: sa.Connection) -> int:
    return connection.execute(sa.select(sa.func.count()).select_from(users)).scalar()
