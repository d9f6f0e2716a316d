"""Backups on both backends (storage/backup.py, manage.py backup/restore): a restore brings back
every table exactly as it was at backup time after more imports, publications, accounts and
sign-ins; files that are no backup, damaged, too large or from a newer schema are refused and
change nothing; a failure halfway through a PostgreSQL restore changes nothing; an older schema's
backup is migrated up; a backup of either kind restores into the other; the command line; the
nightly systemd units (deploy/systemd/camau-backup.*)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

import tests.corpus as corpus
from auth import accounts
from importer.pipeline import ImportOptions, analyse
from importer.unit_sets import unit_set_indexes
from indicators.rounds import expected_units
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from publicsite.build import current_site
from services import editing
from storage import backup, datasets, rounds
from storage.db import _alembic_config, make_engine, upgrade
from storage.schema import metadata
from storage.settings import DATABASE_URL_ENV

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "mật-khẩu-sao-lưu-đủ-dài"
ADDRESS = "203.0.113.7"
HEAD = backup.known_revisions()[-1]


# --- helpers ------------------------------------------------------------------------------------

def contents(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table of the app, in key order, and the schema revision. Moments are
    compared as instants (SQLite hands them back without their zone, UTC)."""
    with engine.connect() as connection:
        tables = {table.name: [tuple(_instant(value) for value in row) for row in connection.execute(
            sa.select(table).order_by(*table.primary_key.columns))] for table in metadata.sorted_tables}
        tables["alembic_version"] = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return tables


def _instant(value):
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return value


@pytest.fixture(scope="module")
def unit_sets(reference, reference_2025):
    return unit_set_indexes(reference, reference_2025)


@pytest.fixture(scope="module")
def report_files(reference, tmp_path_factory):
    """The importer's realistic reports (tests/corpus.py): a province compilation, a district
    report, a CSV with GSO codes."""
    return corpus.write_corpus(tmp_path_factory.mktemp("corpus"), reference.units)


@pytest.fixture
def analysed(unit_sets, catalogue, report_files):
    def run(name: str):
        analysis = analyse(report_files[name].read_bytes(), name, unit_sets=unit_sets, catalogue=catalogue,
                           options=ImportOptions())
        assert analysis.valid, analysis.errors
        return analysis
    return run


def fill(engine: sa.Engine, catalogue, analysed, reference) -> None:
    """A database in use: the sample, two editors, sign-ins (a session, a failure), an imported and
    published province report, a reporting round with a district's submission, a saved scenario."""
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    editing.create_editor(engine, "bien_tap", PASSWORD)
    editing.create_editor(engine, "lanh_dao", PASSWORD)
    assert accounts.sign_in(engine, "bien_tap", PASSWORD, address=ADDRESS).ok
    assert not accounts.sign_in(engine, "lanh_dao", "sai-mat-khau", address=ADDRESS).ok
    version = editing.import_version(engine, analysed("bao_cao_tinh.xlsx"), period="2022", as_of=dt.date(2022, 12, 31),
                                     source="Sở TT&TT Cà Mau", note="báo cáo tỉnh", user="bien_tap", publish=True)
    round_ = editing.create_round(engine, period="6 tháng đầu năm 2026", units="2023", due=dt.date(2026, 7, 15),
                                  indicators=["hamlet_teams", "team_members"], user="bien_tap")
    editing.submit(engine, analysed("bao_cao_huyen.xlsx"), round_id=round_.id, sender="UBND huyện Đầm Dơi",
                   area=None, district_of=dict(zip(reference.units["gso_code"], reference.units["district_code"])),
                   user="bien_tap")
    editing.save_scenario(engine, user="bien_tap", name="Đợt 1", note="", query={"units": "2023"},
                          version_id=version.id, selected=["32005", "32025"], totals={"households": 1},
                          illustrative=False)


def more(engine: sa.Engine, analysed, reference) -> None:
    """What happens after the backup: more imports and publications, a round published, a rollback,
    accounts, sign-ins and a scenario deleted."""
    editing.import_version(engine, analysed("ma_gso.xlsx"), period="2023", as_of=dt.date(2023, 12, 31),
                           source="UBND huyện", note="", user="lanh_dao", publish=True)
    with engine.connect() as connection:
        [open_round] = [r for r in rounds.list_rounds(connection) if r.status == rounds.OPEN]
    editing.publish_round(engine, open_round.id, units=expected_units(reference.units), user="lanh_dao",
                          allow_incomplete=True)
    editing.rollback(engine, "lanh_dao")
    editing.create_editor(engine, "moi_them", PASSWORD)
    assert accounts.sign_in(engine, "moi_them", PASSWORD, address="198.51.100.1").ok
    assert not accounts.sign_in(engine, "bien_tap", "sai", address="198.51.100.1").ok
    with engine.connect() as connection:
        scenario_id = connection.exec_driver_sql("SELECT max(id) FROM plan_scenarios").scalar()
    editing.delete_scenario(engine, user="bien_tap", scenario_id=scenario_id)


def split(data: bytes) -> tuple[dict, bytes]:
    """A backup's manifest and payload."""
    assert data.startswith(backup.MAGIC)
    manifest, payload = data[len(backup.MAGIC):].split(b"\n", 1)
    return json.loads(manifest), payload


def wrap(manifest: dict, payload: bytes) -> bytes:
    """A backup file around ``payload`` whose size and checksum are right."""
    manifest = manifest | {"size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    return backup.MAGIC + json.dumps(manifest).encode() + b"\n" + payload


def edited_payload(data: bytes, tmp_path: Path, *statements: str) -> bytes:
    """The backup ``data`` with SQL run in its payload (manifest counts kept in step)."""
    manifest, payload = split(data)
    database = tmp_path / "edited.sqlite3"
    database.write_bytes(payload)
    connection = sqlite3.connect(database)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    manifest["tables"] = {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
                          for name in manifest["tables"]}
    manifest["revision"] = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    connection.close()
    return wrap(manifest, database.read_bytes())


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


needs_postgres = pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
                                    reason="DATABASE_URL names no PostgreSQL")


@pytest.fixture(autouse=True)
def _shared_postgres_left_empty():
    """The PostgreSQL tests here fill the shared test database; empty it after each, so the pages'
    tests that follow find what the app makes of an empty database (the sample version 0 only)."""
    yield
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        _reset_postgres(url)


# --- the round trip -----------------------------------------------------------------------------

def test_restore_brings_back_every_table_as_it_was_at_backup_time(engine, database_url, catalogue, analysed,
                                                                  reference, tmp_path):
    fill(engine, catalogue, analysed, reference)
    before = contents(engine)
    assert before["users"] and before["editor_sessions"] and before["login_failures"] and before["plan_scenarios"]
    assert len(before["dataset_versions"]) == 2 and before["round_submissions"]
    out = tmp_path / "camau.backup"
    manifest = backup.create_backup(out, database_url)
    assert (manifest.revision, manifest.database) == (HEAD, engine.dialect.name)
    assert manifest.tables["dataset_versions"] == 2 and manifest.tables["users"] == 2
    assert out.stat().st_mode & 0o777 == 0o600         # password hashes inside: the owner's only
    assert backup.read_backup(out) == manifest

    more(engine, analysed, reference)
    changed = contents(engine)
    for table in ("dataset_versions", "version_values", "publications", "audit_log", "users", "editor_sessions",
                  "login_failures", "report_rounds", "plan_scenarios"):
        assert changed[table] != before[table], table

    restored = backup.restore_backup(out, database_url)
    assert (restored.manifest, restored.database, restored.revision) == (manifest, engine.dialect.name, HEAD)
    assert contents(engine) == before
    with engine.connect() as connection:
        assert datasets.published_version(connection).number == 1
    # The restored database goes on working: new rows take fresh ids (PostgreSQL's sequences follow).
    version = editing.import_version(engine, analysed("ma_gso.xlsx"), period="2023", as_of=dt.date(2023, 12, 31),
                                     source="UBND huyện", note="", user="bien_tap")
    assert version.number == 2 and version.id > max(row[0] for row in before["dataset_versions"])
    assert accounts.sign_in(engine, "bien_tap", PASSWORD, address=ADDRESS).ok


def test_a_backup_does_not_change_the_database_and_never_overwrites(engine, database_url, catalogue, analysed,
                                                                    reference, tmp_path):
    fill(engine, catalogue, analysed, reference)
    before = contents(engine)
    out = tmp_path / "camau.backup"
    backup.create_backup(out, database_url)
    first = out.read_bytes()
    with pytest.raises(backup.BackupError) as refused:
        backup.create_backup(out, database_url)
    assert refused.value.kind == "exists" and str(out) in str(refused.value)
    assert out.read_bytes() == first and contents(engine) == before
    with pytest.raises(backup.BackupError) as refused:
        backup.create_backup(tmp_path / "khong-co" / "camau.backup", database_url)
    assert refused.value.kind == "no_folder"
    with pytest.raises(backup.BackupError) as refused:
        backup.create_backup(tmp_path / "nho.backup", database_url, limit_bytes=10_000)
    assert refused.value.kind == "too_large" and "CAMAU_MAX_BACKUP_MB" in str(refused.value)
    assert not (tmp_path / "nho.backup").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".camau-backup")) == []


def test_backup_of_a_missing_sqlite_database_is_refused_without_creating_it(tmp_path):
    live = tmp_path / "state" / "camau.sqlite3"
    with pytest.raises(backup.BackupError) as refused:
        backup.create_backup(tmp_path / "x.backup", f"sqlite:///{live}")
    assert refused.value.kind == "no_database" and str(live) in str(refused.value)
    assert not live.exists() and not (tmp_path / "x.backup").exists()


# --- refusals -----------------------------------------------------------------------------------

def test_files_that_are_no_usable_backup_are_refused_and_change_nothing(engine, database_url, catalogue,
                                                                        analysed, reference, tmp_path):
    fill(engine, catalogue, analysed, reference)
    good = tmp_path / "camau.backup"
    backup.create_backup(good, database_url)
    data = good.read_bytes()
    manifest, payload = split(data)
    more(engine, analysed, reference)
    before = contents(engine)
    live_sqlite = tmp_path / "live-copy.sqlite3"          # a bare SQLite database is no backup either
    copy = sqlite3.connect(live_sqlite)
    copy.execute("CREATE TABLE t (x)")
    copy.commit()
    copy.close()
    flipped = bytearray(data)
    flipped[-5000] ^= 0xFF
    cases = {
        "rong.backup": (b"", "empty", "rỗng"),
        "ngau_nhien.bin": (random.Random(16).randbytes(50_000), "not_backup", "không phải tệp sao lưu"),
        "bao_cao.csv": ((ROOT / "data" / "province_report_2023.csv").read_bytes(), "not_backup",
                        "không phải tệp sao lưu"),
        "camau.sqlite3": (live_sqlite.read_bytes(), "not_backup", "không phải tệp sao lưu"),
        "cat_cut.backup": (data[: len(data) // 2], "damaged", "cắt cụt"),
        "cat_dau.backup": (data[:40], "damaged", "cắt cụt"),
        "thua.backup": (data + b"\0" * 10, "damaged", "thừa 10 byte"),
        "hong.backup": (bytes(flipped), "damaged", "SHA-256"),
        "mo_ta_hong.backup": (backup.MAGIC + b"{khong phai json\n" + payload, "damaged", "phần mô tả"),
        "khong_phai_sqlite.backup": (wrap(manifest, random.Random(1).randbytes(8192)), "damaged",
                                     "không phải cơ sở dữ liệu SQLite"),
        "khong_khop.backup": (wrap(manifest | {"tables": {}}, payload), "damaged", "không khớp"),
        "moi_hon.backup": (edited_payload(data, tmp_path, "UPDATE alembic_version SET version_num = '0099_future'"),
                           "newer", "0099_future"),
        "dinh_dang_moi.backup": (wrap(manifest | {"format_version": 2}, payload), "newer_format", "định dạng 2"),
        "trigger.backup": (edited_payload(data, tmp_path, "CREATE TRIGGER t AFTER INSERT ON users BEGIN "
                                                          "DELETE FROM audit_log; END"), "damaged", "trigger"),
    }
    for name, (content, kind, words) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(backup.BackupError) as refused:
            backup.restore_backup(path, database_url)
        assert refused.value.kind == kind, (name, str(refused.value))
        assert str(path) in str(refused.value) and words in str(refused.value), (name, str(refused.value))
        assert contents(engine) == before, name
    for path, kind in ((tmp_path / "khong_co.backup", "missing"), (tmp_path, "not_backup")):
        with pytest.raises(backup.BackupError) as refused:
            backup.restore_backup(path, database_url)
        assert refused.value.kind == kind and str(path) in str(refused.value)
    with pytest.raises(backup.BackupError) as refused:
        backup.restore_backup(good, database_url, limit_bytes=10_000)
    assert refused.value.kind == "too_large" and "vượt giới hạn" in str(refused.value)
    assert contents(engine) == before
    backup.restore_backup(good, database_url)               # the good one still restores
    assert contents(engine) != before


def test_a_sqlite_restore_waits_for_a_writer_then_gives_up_leaving_the_data(engine, database_url, catalogue,
                                                                            analysed, reference, tmp_path,
                                                                            monkeypatch):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's locking")
    fill(engine, catalogue, analysed, reference)
    out = tmp_path / "camau.backup"
    backup.create_backup(out, database_url)
    more(engine, analysed, reference)
    before = contents(engine)
    monkeypatch.setattr(backup, "_LOCK_SECONDS", 0.5)
    writer = sqlite3.connect(sa.make_url(database_url).database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")                 # the app in the middle of a write
    with pytest.raises(backup.BackupError) as refused:
        backup.restore_backup(out, database_url)
    assert refused.value.kind == "busy" and "dừng ứng dụng" in str(refused.value)
    writer.execute("ROLLBACK")
    writer.close()
    assert contents(engine) == before


@needs_postgres
def test_a_postgresql_restore_failing_halfway_leaves_the_old_data(catalogue, analysed, reference, tmp_path):
    """SQLite accepts a user name longer than its column; PostgreSQL refuses it while inserting the
    accounts, after other tables were emptied and refilled: the transaction leaves the old data."""
    url = os.environ["DATABASE_URL"]
    _reset_postgres(url)
    engine = make_engine(url)
    upgrade(engine)
    fill(engine, catalogue, analysed, reference)
    good = tmp_path / "camau.backup"
    backup.create_backup(good, url)
    more(engine, analysed, reference)
    before = contents(engine)
    bad = tmp_path / "qua_dai.backup"
    bad.write_bytes(edited_payload(good.read_bytes(), tmp_path, f"UPDATE users SET username = '{'x' * 200}' "
                                                                "WHERE username = 'lanh_dao'"))
    with pytest.raises(backup.BackupError) as refused:
        backup.restore_backup(bad, url)
    assert refused.value.kind == "database" and "PostgreSQL" in str(refused.value)
    assert "camau_owner_pw" not in str(refused.value)
    assert contents(engine) == before
    engine.dispose()


# --- older schemas and other database kinds ------------------------------------------------------

def test_a_backup_of_an_older_schema_is_restored_and_migrated_up(database_url, catalogue, analysed, reference,
                                                                 tmp_path):
    engine = make_engine(database_url)
    command.upgrade(_alembic_config(engine.url.render_as_string(hide_password=False)), "0004")
    at = dt.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    with engine.begin() as connection:
        for version_id, number in ((1, 0), (2, 1)):
            connection.execute(sa.text(
                "INSERT INTO dataset_versions (id, dataset, number, period, as_of, source, illustrative, created_at, "
                "created_by, file_name, file_sha256, sheet, rows_read, rows_matched, rows_rejected, note, units) "
                "VALUES (:id, 'commune_indicators', :number, '2023', :as_of, 'UBND', :ill, :at, 'ed', 'f.xlsx', 'x', "
                "'s', 2, 2, 0, '', '2023')"), {"id": version_id, "number": number, "as_of": dt.date(2023, 12, 31),
                                                "ill": number == 0, "at": at})
            connection.execute(sa.text("INSERT INTO version_values (version_id, gso_code, indicator, value) "
                                       "VALUES (:v, '32005', 'hamlet_teams', :value)"), {"v": version_id, "value": 7.5})
        connection.execute(sa.text("INSERT INTO publications (dataset, version_id, action, at, by) "
                                   "VALUES ('commune_indicators', 2, 'publish', :at, 'ed')"), {"at": at})
        connection.execute(sa.text("INSERT INTO users (username, password_hash, role, created_at) "
                                   "VALUES ('cu', 'argon2-hash', 'editor', :at)"), {"at": at})
        connection.execute(sa.text("INSERT INTO audit_log (at, username, action, target, details) "
                                   "VALUES (:at, 'ed', 'publish', 'version 1', '{}')"), {"at": at})
        if connection.dialect.name == "postgresql":     # the ids above were given, not drawn
            connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('dataset_versions', 'id'), 2)")
    old = {name: contents_of(engine, name) for name in ("dataset_versions", "version_values", "publications",
                                                         "users", "audit_log")}
    out = tmp_path / "cu.backup"
    assert backup.create_backup(out, database_url).revision == "0004"
    upgrade(engine)                     # the app moved on and wrote more
    fill(engine, catalogue, analysed, reference)

    restored = backup.restore_backup(out, database_url)
    assert (restored.manifest.revision, restored.revision) == ("0004", HEAD)
    assert {name: contents_of(engine, name, columns=[c for c, *_ in old[name][0]]) for name in old} == old
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == HEAD
        assert datasets.published_version(connection).number == 1
        versions = {v.number: v for v in datasets.list_versions(connection)}
        assert versions[0].round_id is None and versions[1].round_id is not None   # migration 0005 ran
        assert rounds.get_round(connection, versions[1].round_id).kind == rounds.FILE
        assert connection.exec_driver_sql("SELECT count(*) FROM editor_sessions").scalar() == 0
    engine.dispose()


def contents_of(engine: sa.Engine, name: str, columns: list[str] | None = None) -> list[tuple]:
    """A table's rows as (column, value) pairs, in key order (the columns of an older schema)."""
    table = metadata.tables[name]
    selected = [table.c[c] for c in columns] if columns else [
        c for c in table.columns if c.name in {"id", "dataset", "number", "period", "as_of", "source", "illustrative",
                                               "created_at", "created_by", "file_name", "file_sha256", "sheet",
                                               "rows_read", "rows_matched", "rows_rejected", "note", "version_id",
                                               "gso_code", "indicator", "value", "action", "at", "by", "username",
                                               "password_hash", "role", "target", "details"}]
    with engine.connect() as connection:
        return [tuple((column.name, _instant(value)) for column, value in zip(selected, row))
                for row in connection.execute(sa.select(*selected).order_by(*table.primary_key.columns))]


@needs_postgres
@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_a_backup_restores_into_the_other_database_kind(direction, catalogue, analysed, reference, tmp_path):
    postgres = os.environ["DATABASE_URL"]
    _reset_postgres(postgres)
    sqlite = f"sqlite:///{tmp_path / 'state' / 'camau.sqlite3'}"
    source_url, target_url = (sqlite, postgres) if direction == "sqlite-to-postgresql" else (postgres, sqlite)
    source, target = make_engine(source_url), make_engine(target_url)
    upgrade(source)
    upgrade(target)
    fill(source, catalogue, analysed, reference)
    fill(target, catalogue, analysed, reference)
    more(target, analysed, reference)
    out = tmp_path / "camau.backup"
    manifest = backup.create_backup(out, source_url)
    assert manifest.database == source.dialect.name
    assert backup.restore_backup(out, target_url).database == target.dialect.name
    assert contents(target) == contents(source)
    editing.create_editor(target, "sau_khoi_phuc", PASSWORD)     # ids go on after the restored ones
    source.dispose()
    target.dispose()


# --- the command line ---------------------------------------------------------------------------

def manage(*args: str, database: str, state: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120,
                          env={**os.environ, DATABASE_URL_ENV: database, "CAMAU_STATE_DIR": str(state), **env})


def test_the_command_line_backs_up_and_restores(engine, database_url, catalogue, analysed, reference, tmp_path):
    fill(engine, catalogue, analysed, reference)
    before = contents(engine)
    out = tmp_path / "sao_luu" / "camau-2026-12-05.backup"
    out.parent.mkdir()
    saved = manage("backup", "--out", str(out), database=database_url, state=tmp_path)
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout.startswith("Đã sao lưu") and str(out) in saved.stdout and "2 phiên bản" in saved.stdout
    again = manage("backup", "--out", str(out), database=database_url, state=tmp_path)
    assert again.returncode == 2 and again.stderr.startswith("Không sao lưu được:") and "đã có" in again.stderr

    more(engine, analysed, reference)
    changed = contents(engine)
    not_backup = ROOT / "data" / "province_report_2023.csv"
    refused = manage("restore", str(not_backup), database=database_url, state=tmp_path)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith(f"Không khôi phục được: {not_backup} không phải tệp sao lưu")
    assert "không thay đổi" in refused.stderr and "camau_owner_pw" not in refused.stderr
    too_large = manage("restore", str(out), database=database_url, state=tmp_path, CAMAU_MAX_BACKUP_MB="0.01")
    assert too_large.returncode == 2 and "vượt giới hạn" in too_large.stderr
    assert contents(engine) == changed

    public = tmp_path / "public-site"
    restored = manage("restore", str(out), database=database_url, state=tmp_path, CAMAU_PUBLIC_DIR=str(public))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith("Đã khôi phục") and str(out) in restored.stdout
    assert contents(engine) == before
    # The public static site follows the published version, which the restore changed (2 → 1).
    assert "Đã dựng lại bản đồ công khai" in restored.stdout
    assert current_site(public)["version_number"] == 1


# --- the nightly backup unit --------------------------------------------------------------------

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
SYSTEM_UNITS = next((p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir()), None)


@pytest.mark.skipif(SYSTEMD_ANALYZE is None or SYSTEM_UNITS is None, reason="no systemd-analyze (Debian: systemd)")
def test_the_backup_units_verify_and_keep_fourteen_dated_backups(tmp_path):
    units = ["camau-backup.service", "camau-backup.timer"]
    root = tmp_path / "root"
    shutil.copytree(SYSTEM_UNITS, root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    (root / "etc" / "systemd" / "system").mkdir(parents=True)
    (root / "bin").mkdir()
    (root / "bin" / "sh").write_text("#!/bin/sh\n")
    (root / "bin" / "sh").chmod(0o755)
    for name in units:
        shutil.copy(ROOT / "deploy" / "systemd" / name, root / "etc" / "systemd" / "system" / name)
    run = subprocess.run([SYSTEMD_ANALYZE, "verify", f"--root={root}", *units], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and run.stdout == "" and run.stderr == "", run.stdout + run.stderr
    # The pruning command as systemd hands it to the shell ($$ and %% unescaped), on 20 dated files.
    service = (ROOT / "deploy" / "systemd" / "camau-backup.service").read_text(encoding="utf-8")
    [backup_line, prune_line] = [line.split("=", 1)[1] for line in service.splitlines()
                                 if line.startswith("ExecStart=")]
    assert "manage.py backup --out" in backup_line and "/var/backups/camau/camau-" in backup_line
    folder = tmp_path / "backups"
    folder.mkdir()
    names = [f"camau-2026-{month:02d}-{day:02d}-023000.backup" for month in (11, 12) for day in range(1, 11)]
    for name in [*names, "ghi-chu.txt"]:
        (folder / name).write_text("")
    command = prune_line.removeprefix("/bin/sh -c ").strip("'").replace("/var/backups/camau", str(folder))
    subprocess.run(["/bin/sh", "-c", command.replace("$$", "$").replace("%%", "%")], check=True, timeout=30)
    assert sorted(p.name for p in folder.iterdir()) == sorted(names[-14:]) + ["ghi-chu.txt"]
