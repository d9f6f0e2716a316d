"""Editors' sign-in sessions that survive a reload or a new tab.

A successful sign-in creates a session: a random 256-bit token (``secrets``) goes to the browser
in a cookie, and only its SHA-256 is stored, with the user, an expiry (``CAMAU_SESSION_HOURS``,
default 12 h) and a revocation time. A page load with the cookie finds the user again without a
new sign-in (and without a new audit row); signing out revokes the session at once, so the cookie
is worthless even if it was copied. A stored hash of a random token needs no secret key: nothing
here signs or encrypts anything.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from storage.schema import editor_sessions, users

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100     # a token is 43 characters; anything longer is not one of ours


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(connection: sa.Connection, username: str, at: dt.datetime, lifetime: dt.timedelta) -> str:
    """A new session for ``username``; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    connection.execute(editor_sessions.insert().values(
        token_hash=_digest(token), username=username, created_at=at, expires_at=at + lifetime))
    return token


def session_user(connection: sa.Connection, token: object, at: dt.datetime) -> str | None:
    """The editor of a live session (not expired, not revoked, account still there), else None."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = connection.execute(
        sa.select(editor_sessions.c.username, editor_sessions.c.expires_at, editor_sessions.c.revoked_at)
        .join(users, users.c.username == editor_sessions.c.username)
        .where(editor_sessions.c.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= at:
        return None
    return row.username


def revoke_session(connection: sa.Connection, token: object, at: dt.datetime) -> None:
    if isinstance(token, str) and token and len(token) <= MAX_TOKEN_LENGTH:
        connection.execute(editor_sessions.update().where(
            editor_sessions.c.token_hash == _digest(token), editor_sessions.c.revoked_at.is_(None))
            .values(revoked_at=at))


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands stored moments back without their zone; they are stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
