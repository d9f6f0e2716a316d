"""Editor accounts: hashing, uniform failures, rate limiting per address that survives a restart,
and the client address behind a proxy."""
import datetime as dt
import statistics
import time

import pytest
import sqlalchemy as sa
from alembic import command

from auth import accounts
from auth.accounts import (
    ADDRESS_MAX_FAILURES,
    MAX_FAILURES,
    WINDOW,
    AccountError,
    address_key,
    create_editor,
    editor_count,
    sign_in,
)
from auth.client import ProxySettingError, client_address, trusted_proxies
from storage.db import _alembic_config, make_engine, upgrade
from storage.schema import audit_log, login_failures, users

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
        assert sign_in(engine, "bien_tap", "sai", at=start + dt.timedelta(minutes=minute),
                       address="203.0.113.7").reason == "invalid"
    locked = sign_in(engine, "bien_tap", PASSWORD, at=start + dt.timedelta(minutes=MAX_FAILURES),
                     address="203.0.113.7")
    assert (locked.ok, locked.reason) == (False, "locked")
    later = start + dt.timedelta(minutes=MAX_FAILURES - 1) + WINDOW + dt.timedelta(seconds=1)
    assert sign_in(engine, "bien_tap", PASSWORD, at=later, address="203.0.113.7").ok


ATTACKER, EDITOR_DESK = "198.51.100.66", "10.20.0.15"


def test_a_flood_against_a_name_never_locks_out_its_editor_from_another_address(engine, editor):
    """Issue 11: five wrong passwords for an editor's name, from anywhere, used to lock that editor
    out for 15 minutes, again and again."""
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
    for second in range(3 * MAX_FAILURES):
        sign_in(engine, "bien_tap", f"đoán {second}", at=start + dt.timedelta(seconds=second), address=ATTACKER)
    during = start + dt.timedelta(minutes=1)
    # The attacker's address is locked for that name, even with the right password…
    assert sign_in(engine, "bien_tap", PASSWORD, at=during, address=ATTACKER).reason == "locked"
    # …but the editor at their own desk signs in.
    assert sign_in(engine, "bien_tap", PASSWORD, at=during, address=EDITOR_DESK).ok
    # And the lock on the attacker's address does not spill over to the editor's failures either:
    # the editor's own typo leaves them 4 tries, not 0.
    assert sign_in(engine, "bien_tap", "typo", at=during, address=EDITOR_DESK).reason == "invalid"
    assert sign_in(engine, "bien_tap", PASSWORD, at=during, address=EDITOR_DESK).ok


def test_an_address_that_tries_many_names_is_locked_for_all_of_them(engine, editor):
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
    for n in range(ADDRESS_MAX_FAILURES):
        assert sign_in(engine, f"ten_{n}", "sai", at=start, address=ATTACKER).reason == "invalid"
    # A name it never tried, even with the right password, is refused from there…
    assert sign_in(engine, "bien_tap", PASSWORD, at=start, address=ATTACKER).reason == "locked"
    # …and accepted from anywhere else.
    assert sign_in(engine, "bien_tap", PASSWORD, at=start, address=EDITOR_DESK).ok


def test_ipv6_clients_count_by_their_64_network(engine, editor):
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_key("::ffff:192.0.2.4") == "192.0.2.4"
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
    for n in range(MAX_FAILURES):      # a new address of the same /64 for every attempt
        sign_in(engine, "bien_tap", "sai", at=start, address=f"2001:db8:1:2::{n + 1:x}")
    assert sign_in(engine, "bien_tap", PASSWORD, at=start, address="2001:db8:1:2::ffff").reason == "locked"
    assert sign_in(engine, "bien_tap", PASSWORD, at=start, address="2001:db8:1:3::1").ok


def test_failures_and_audit_rows_stay_bounded_under_a_flood(engine, editor):
    start = dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)
    attempts = 0
    for n in range(3 * ADDRESS_MAX_FAILURES):       # fresh names: each would be a new key
        sign_in(engine, f"khong_co_{n}" + "x" * 200, "sai", at=start, address=ATTACKER)
        attempts += 1
    for _ in range(10):                             # and one name again and again
        sign_in(engine, "bien_tap", "sai", at=start, address=ATTACKER)
        attempts += 1
    with engine.connect() as connection:
        failures = connection.execute(sa.select(login_failures.c.address, login_failures.c.username)).all()
        actions = connection.execute(sa.select(audit_log.c.action, audit_log.c.target)).all()
    assert attempts == 70 and len(failures) == ADDRESS_MAX_FAILURES
    assert max(len(name) for _, name in failures) <= 80
    assert [a for a, _ in actions].count("sign_in_failed") == ADDRESS_MAX_FAILURES
    assert [a for a, _ in actions].count("sign_in_locked") == 1
    # Rows older than the window go at the next attempt, wherever it comes from.
    sign_in(engine, "bien_tap", PASSWORD, at=start + WINDOW + dt.timedelta(seconds=1), address=EDITOR_DESK)
    with engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(login_failures)).scalar() == 0


class _CountingHasher:
    """The real argon2 hasher, recording each verification's algorithm, version and parameters."""
    def __init__(self, real):
        self.real, self.calls = real, []

    def verify(self, password_hash, password):
        self.calls.append(password_hash.split("$")[1:4])
        return self.real.verify(password_hash, password)

    def __getattr__(self, name):
        return getattr(self.real, name)


def _verifications(monkeypatch):
    counting = _CountingHasher(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", counting)
    return counting.calls


def test_unknown_and_known_names_cost_one_argon2_verification_of_the_same_kind(engine, editor, monkeypatch):
    calls = _verifications(monkeypatch)
    answers = [sign_in(engine, "bien_tap", "sai", address="192.0.2.1"),
               sign_in(engine, "khong_co_ai", "sai", address="192.0.2.2"),
               sign_in(engine, "", "", address="192.0.2.3")]
    for _ in range(MAX_FAILURES):
        sign_in(engine, "bien_tap", "sai", address="192.0.2.4")
    calls.clear()
    answers.append(sign_in(engine, "bien_tap", PASSWORD, address="192.0.2.4"))     # locked
    assert {(a.ok, a.username) for a in answers} == {(False, None)}
    assert [a.reason for a in answers] == ["invalid", "invalid", "invalid", "locked"]
    assert len(calls) == 1
    with engine.connect() as connection:
        stored = connection.execute(sa.select(users.c.password_hash)).scalar()
    assert calls[0] == stored.split("$")[1:4]       # the dummy hash has the real hashes' parameters


def test_unknown_and_known_names_take_the_same_time(engine, editor):
    """The timing class: an unknown name is not answered measurably faster than a known one."""
    def timed(name, n):
        start = time.perf_counter()
        sign_in(engine, name, "sai", address=f"192.0.2.{n}")
        return time.perf_counter() - start
    known = [timed("bien_tap", n) for n in range(1, 6)]
    unknown = [timed("khong_co_ai", n) for n in range(11, 16)]
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.6 < ratio < 1.6, (known, unknown)
    assert min(unknown) > 0.02          # an argon2 verification, not a table look-up (~1 ms)


def test_migration_from_name_keyed_failures_keeps_accounts(database_url):
    """0002 → 0003 on real data: accounts and the audit log stay, the old per-name counters go."""
    engine = make_engine(database_url)
    url = engine.url.render_as_string(hide_password=False)
    try:
        command.upgrade(_alembic_config(url), "0002")
        with engine.begin() as connection:
            connection.execute(users.insert().values(username="bien_tap", password_hash="$argon2id$x",
                                                     role="editor", created_at=dt.datetime.now(dt.UTC)))
            connection.execute(sa.text("INSERT INTO login_failures (key, at) VALUES ('user:bien_tap', :at)"),
                               {"at": dt.datetime.now(dt.UTC)})
        upgrade(engine)
        columns = {c["name"] for c in sa.inspect(engine).get_columns("login_failures")}
        assert columns == {"id", "address", "username", "at"}
        with engine.connect() as connection:
            assert connection.execute(sa.select(users.c.username)).scalars().all() == ["bien_tap"]
            assert connection.execute(sa.select(sa.func.count()).select_from(login_failures)).scalar() == 0
        command.downgrade(_alembic_config(url), "0002")
        assert {c["name"] for c in sa.inspect(engine).get_columns("login_failures")} == {"id", "key", "at"}
        upgrade(engine)
    finally:
        engine.dispose()


# --- the client address --------------------------------------------------------------------------

PROXY = trusted_proxies("127.0.0.1, ::1 10.0.0.0/24")


@pytest.mark.parametrize("peer, forwarded, expected", [
    (None, "1.2.3.4", "-"),                                  # no network peer (command line)
    ("198.51.100.9", None, "198.51.100.9"),                  # direct client
    ("198.51.100.9", "10.9.9.9", "198.51.100.9"),            # XFF from a peer that is no proxy: ignored
    ("127.0.0.1", None, "127.0.0.1"),                        # the proxy itself, no header
    ("127.0.0.1", "203.0.113.5", "203.0.113.5"),             # nginx: $remote_addr
    ("127.0.0.1", "6.6.6.6, 203.0.113.5", "203.0.113.5"),    # nginx: $proxy_add_x_forwarded_for, forged left
    ("127.0.0.1", "203.0.113.5, 10.0.0.7", "203.0.113.5"),   # two proxies in a row
    ("127.0.0.1", "10.0.0.8, 10.0.0.7", "10.0.0.8"),         # only proxies: the farthest one
    ("127.0.0.1", "junk, 203.0.113.5", "203.0.113.5"),
    ("127.0.0.1", "203.0.113.5, junk", "127.0.0.1"),         # unparseable nearest hop: the proxy itself
    ("127.0.0.1", "[2001:db8::1]:4711", "2001:db8::1"),
    ("127.0.0.1", "203.0.113.5:5555", "203.0.113.5"),
    ("::ffff:127.0.0.1", "203.0.113.5", "203.0.113.5"),
])
def test_client_address_trusts_forwarded_for_only_from_configured_proxies(peer, forwarded, expected):
    assert client_address(peer, forwarded, PROXY) == expected


def test_no_proxy_is_trusted_by_default(monkeypatch):
    monkeypatch.delenv("CAMAU_TRUSTED_PROXIES", raising=False)
    assert trusted_proxies() == ()
    assert client_address("127.0.0.1", "203.0.113.5", trusted_proxies()) == "127.0.0.1"


def test_a_bad_proxy_setting_is_refused_with_the_fix(monkeypatch):
    monkeypatch.setenv("CAMAU_TRUSTED_PROXIES", "127.0.0.1, nginx.local")
    with pytest.raises(ProxySettingError, match="'nginx.local' is not an IP address.*CAMAU_TRUSTED_PROXIES=127.0.0.1"):
        trusted_proxies()


def test_success_clears_failures(engine, editor):
    for _ in range(MAX_FAILURES - 1):
        sign_in(engine, "bien_tap", "sai")
    assert sign_in(engine, "bien_tap", PASSWORD).ok
    for _ in range(MAX_FAILURES - 1):
        sign_in(engine, "bien_tap", "sai")
    assert sign_in(engine, "bien_tap", PASSWORD).ok


# --- sessions that survive a reload (auth/sessions.py) -------------------------------------------

def test_a_sign_in_opens_one_session_and_writes_one_audit_row(engine, editor):
    from auth import sessions

    result = sign_in(engine, editor, PASSWORD)
    assert result.ok and isinstance(result.token, str) and len(result.token) >= 43
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT token_hash FROM editor_sessions")).scalars().all()
        # A page load with the cookie finds the editor again: no sign-in, no audit row.
        for _ in range(3):
            assert sessions.session_user(connection, result.token, dt.datetime.now(dt.UTC)) == editor
        audit = connection.execute(sa.select(audit_log.c.action)).scalars().all()
    assert stored and result.token not in stored[0]          # only the hash is kept
    assert audit.count("sign_in") == 1


def test_a_session_ends_when_it_expires_is_revoked_or_its_account_is_gone(engine, editor):
    from auth import sessions

    now = dt.datetime(2026, 12, 5, 8, tzinfo=dt.UTC)
    with engine.begin() as connection:
        token = sessions.create_session(connection, editor, now, dt.timedelta(hours=12))
        other = sessions.create_session(connection, editor, now, dt.timedelta(hours=12))
    with engine.begin() as connection:
        assert sessions.session_user(connection, token, now + dt.timedelta(hours=11)) == editor
        assert sessions.session_user(connection, token, now + dt.timedelta(hours=12)) is None      # expired
        sessions.revoke_session(connection, token, now + dt.timedelta(hours=1))
        assert sessions.session_user(connection, token, now + dt.timedelta(hours=2)) is None       # signed out
        assert sessions.session_user(connection, other, now + dt.timedelta(hours=2)) == editor  # another tab's
        for bad in (None, "", "x" * 1000, token + "x", 42):
            assert sessions.session_user(connection, bad, now) is None
        connection.execute(users.delete().where(users.c.username == editor))
        assert sessions.session_user(connection, other, now + dt.timedelta(hours=2)) is None       # account gone
