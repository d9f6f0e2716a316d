"""Editor accounts: hashing, uniform failures, rate limiting that survives a restart."""
import datetime as dt

import pytest
import sqlalchemy as sa

from auth.accounts import MAX_FAILURES, WINDOW, AccountError, create_editor, editor_count, sign_in
from storage.schema import users

PASSWORD = "mật-khẩu-dài-đủ-12"


@pytest.fixture
def editor(engine):
    with engine.begin() as connection:
        create_editor(connection, "Bien_Tap", PASSWORD)
    return "bien_tap"


def test_password_is_stored_hashed_with_argon2id(engine, editor):
    with engine.connect() as connection:
        stored = connection.execute(sa.select(users.c.password_hash)).scalar()
        assert editor_count(connection) == 1
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.parametrize("username, password", [("ab", PASSWORD), ("tên có dấu", PASSWORD), ("ok_name", "short"),
                                                ("x" * 50, PASSWORD)])
def test_bad_accounts_are_refused(engine, username, password):
    with engine.begin() as connection, pytest.raises(AccountError):
        create_editor(connection, username, password)


def test_duplicate_account_is_refused(engine, editor):
    with engine.begin() as connection, pytest.raises(AccountError):
        create_editor(connection, "BIEN_TAP", PASSWORD)


def test_sign_in_success_and_uniform_failures(engine, editor):
    assert sign_in(engine, " Bien_Tap ", PASSWORD) .ok
    wrong = sign_in(engine, "bien_tap", "sai mật khẩu")
    unknown = sign_in(engine, "khong_co", PASSWORD)
    assert (wrong.ok, wrong.reason) == (unknown.ok, unknown.reason) == (False, "invalid")


def test_lockout_after_repeated_failures_then_window_expires(engine, editor):
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
    for minute in range(MAX_FAILURES):
        assert sign_in(engine, "bien_tap", "sai", at=start + dt.timedelta(minutes=minute)).reason == "invalid"
    locked = sign_in(engine, "bien_tap", PASSWORD, at=start + dt.timedelta(minutes=MAX_FAILURES))
    assert (locked.ok, locked.reason) == (False, "locked")
    later = start + dt.timedelta(minutes=MAX_FAILURES - 1) + WINDOW + dt.timedelta(seconds=1)
    assert sign_in(engine, "bien_tap", PASSWORD, at=later).ok


def test_success_clears_failures(engine, editor):
    for _ in range(MAX_FAILURES - 1):
        sign_in(engine, "bien_tap", "sai")
    assert sign_in(engine, "bien_tap", PASSWORD).ok
    for _ in range(MAX_FAILURES - 1):
        sign_in(engine, "bien_tap", "sai")
    assert sign_in(engine, "bien_tap", PASSWORD).ok
