"""Backing up and restoring the whole database (``manage.py backup`` / ``manage.py restore``).

The format, one file for both database kinds::

    CAMAU-MAP-BACKUP\\n
    {"format": "camau-map-backup", "format_version": 1, "database": "sqlite", "revision": "0006",
     "created_at": "2026-…+00:00", "payload": "sqlite3", "size": N, "sha256": "…", "tables": {…}}\\n
    <N bytes: a SQLite database file>

The payload is always a SQLite database at the schema revision it records (its own
``alembic_version`` says the same). From SQLite it is an online snapshot made with SQLite's backup
API (``sqlite3.Connection.backup``: consistent while the app keeps writing). From PostgreSQL it is
a copy of every table of the app, read in one REPEATABLE READ snapshot, into a SQLite file built
by this code's own migrations up to the database's revision (moments stored in UTC, as the app
stores them in SQLite).

Why a SQLite payload for PostgreSQL rather than ``pg_dump``: the schema already comes from the
migrations, so only the rows are needed; no ``pg_dump``/``pg_restore`` binary has to match the
server's major version; grants survive a restore (rows are replaced, tables are not dropped, so the
read-only role of the public map keeps its SELECT); an older backup is migrated in a temporary file
*before* the live database is touched (a failed migration changes nothing); and a backup of either
kind restores into either kind (SQLite → PostgreSQL to move a pilot to a server, and back).

A restore refuses, before touching anything: a file that is not a backup or is damaged
(magic line, manifest, size and SHA-256 of the payload, SQLite integrity check, no triggers or
views, row counts as in the manifest), a file larger than ``CAMAU_MAX_BACKUP_MB`` (default 1024),
a newer format, and a schema revision this code's migrations do not know (a backup from a newer
version of the app). Then it is all or nothing: on SQLite the checked (and, when older, migrated)
payload is copied into the live database with the backup API in one step, i.e. one write
transaction (no file is replaced, so WAL and the app's open connections are safe; readers keep
their snapshot; a writer that holds the database longer than a minute makes it give up); on
PostgreSQL the schema is first brought to this code's head (as every manage.py command does),
then every table of the app is emptied (TRUNCATE) and refilled in one transaction, sequences
reset; other tables in that database are left alone. The restored database holds exactly the rows
of the backup: accounts, sessions, sign-in failures and the audit log included (the restore itself
is not written into the audit log, which would then differ from the backup's).

The same limit bounds a backup: a database whose snapshot exceeds it is not written (it could not
be restored). Backup files are created readable by their owner only (they hold password hashes).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import sqlite3
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from storage.db import _alembic_config, make_engine, upgrade
from storage.readonly import sqlite_path
from storage.schema import metadata
from storage.settings import database_url

FORMAT = "camau-map-backup"
FORMAT_VERSION = 1
MAGIC = b"CAMAU-MAP-BACKUP\n"
PAYLOAD = "sqlite3"
MAX_MANIFEST_BYTES = 64 * 1024
BACKUP_LIMIT_ENV = "CAMAU_MAX_BACKUP_MB"
DEFAULT_BACKUP_MB = 1024
SQLITE_MAGIC = b"SQLite format 3\x00"
_CHUNK = 1024 * 1024
_BATCH = 1000
_LOCK_SECONDS = 60            # how long a SQLite restore waits for the app's writers


class _Busy(Exception):
    """The live SQLite database stayed locked by another writer."""


class BackupError(Exception):
    """A refused or failed backup or restore; the message (Vietnamese) says what and where."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Manifest:
    database: str                  # the kind backed up: "sqlite" or "postgresql"
    revision: str                  # its schema revision (alembic) at backup time
    created_at: str                # ISO 8601, UTC
    size: int                      # payload bytes
    sha256: str                    # of the payload
    tables: dict[str, int] = field(default_factory=dict)   # rows per table

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION, "database": self.database,
                           "revision": self.revision, "created_at": self.created_at, "payload": PAYLOAD,
                           "size": self.size, "sha256": self.sha256, "tables": self.tables},
                          ensure_ascii=False, sort_keys=True)

    @property
    def created(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created_at)


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    database: str                  # the kind restored into
    revision: str                  # the schema revision after the restore (this code's head)


def backup_limit_bytes() -> int:
    """``CAMAU_MAX_BACKUP_MB`` (default 1024; an unreadable value counts as the default)."""
    try:
        megabytes = float(os.environ.get(BACKUP_LIMIT_ENV, str(DEFAULT_BACKUP_MB)))
    except ValueError:
        megabytes = DEFAULT_BACKUP_MB
    if not math.isfinite(megabytes) or megabytes <= 0:
        megabytes = DEFAULT_BACKUP_MB
    return int(megabytes * 1024 * 1024)


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def _bytes(count: int) -> str:
    return f"{count:,} byte".replace(",", ".")


def _too_large(what: str, size: int, limit: int) -> BackupError:
    return BackupError(f"{what} có {_megabytes(size)}, vượt giới hạn {_megabytes(limit)} "
                       f"(đặt {BACKUP_LIMIT_ENV} để đổi giới hạn)", "too_large")


def known_revisions() -> list[str]:
    """This code's schema revisions, oldest first; the last one is the head."""
    script = ScriptDirectory.from_config(_alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def describe_database(url: sa.URL | str | None = None) -> str:
    """The database in words, password hidden: "tệp SQLite /…/camau.sqlite3" or "PostgreSQL postgresql+psycopg://…"."""
    url = sa.make_url(url or database_url())
    path = sqlite_path(url)
    return f"tệp SQLite {path}" if path is not None else f"PostgreSQL {url.render_as_string(hide_password=True)}"


# --- backup ------------------------------------------------------------------------------------

def create_backup(out: Path | str, url: str | None = None, *, limit_bytes: int | None = None) -> Manifest:
    """Write a backup of the database (``DATABASE_URL`` or the SQLite file) to ``out``, a new file
    (an existing one is never overwritten). Nothing in the database changes."""
    out = Path(out)
    parsed = sa.make_url(url or database_url())
    limit = backup_limit_bytes() if limit_bytes is None else limit_bytes
    if out.exists() or out.is_symlink():
        raise BackupError(f"{out} đã có; chọn một tên tệp khác (bản sao lưu cũ không bị ghi đè)", "exists")
    if not out.parent.is_dir():
        raise BackupError(f"không có thư mục {out.parent} để ghi {out.name}", "no_folder")
    live = sqlite_path(parsed)
    with tempfile.TemporaryDirectory(prefix=".camau-backup-", dir=out.parent) as folder:
        payload = Path(folder) / "payload.sqlite3"
        if live is not None:
            database = "sqlite"
            _snapshot_sqlite(live, payload)
        elif parsed.get_backend_name() == "postgresql":
            database = "postgresql"
            _snapshot_postgresql(parsed, payload)
        else:
            raise BackupError(f"không sao lưu được loại cơ sở dữ liệu {parsed.get_backend_name()}", "kind")
        connection = sqlite3.connect(payload)
        try:
            revision = _revision(connection)
            tables = _row_counts(connection)
        finally:
            connection.close()
        size = payload.stat().st_size
        if size > limit:
            raise _too_large(f"cơ sở dữ liệu ({describe_database(parsed)})", size, limit)
        manifest = Manifest(database=database, revision=revision, size=size, sha256=_sha256(payload),
                            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), tables=tables)
        partial = Path(folder) / "backup.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream, payload.open("rb") as source:
            stream.write(MAGIC + manifest.to_json().encode("utf-8") + b"\n")
            while chunk := source.read(_CHUNK):
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        _publish(partial, out)
    return manifest


def _publish(partial: Path, out: Path) -> None:
    """Give the finished file its name at once; never over an existing file."""
    try:
        os.link(partial, out)
    except FileExistsError:
        raise BackupError(f"{out} đã có; chọn một tên tệp khác", "exists") from None
    except OSError:                     # a file system without hard links
        if out.exists():
            raise BackupError(f"{out} đã có; chọn một tên tệp khác", "exists") from None
        os.rename(partial, out)
    folder = os.open(out.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _snapshot_sqlite(live: Path, payload: Path) -> None:
    if not live.is_file():
        raise BackupError(f"chưa có cơ sở dữ liệu: không có tệp {live}", "no_database")
    source = sqlite3.connect(live, timeout=30)
    target = sqlite3.connect(payload)
    try:
        source.backup(target)                           # the online backup API: one consistent snapshot
        target.execute("PRAGMA journal_mode=DELETE")    # a self-contained file, not WAL
    except sqlite3.DatabaseError as error:
        raise BackupError(f"không đọc được tệp SQLite {live}: {error}", "database") from error
    finally:
        target.close()
        source.close()


def _snapshot_postgresql(url: sa.URL, payload: Path) -> None:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")   # one snapshot for every table
            revision = _pg_revision(connection, url)
            if revision not in known_revisions():
                raise BackupError(f"cơ sở dữ liệu ({describe_database(url)}) ở lược đồ {revision}, mới hơn mã này "
                                  f"({known_revisions()[-1]}); dùng phiên bản ứng dụng mới hơn để sao lưu", "newer")
            copy = sa.create_engine(f"sqlite:///{payload}", poolclass=sa.pool.NullPool)
            command.upgrade(_alembic_config(f"sqlite:///{payload}"), revision)
            target_tables = sa.MetaData()
            target_tables.reflect(copy)
            with copy.begin() as target:
                for table in target_tables.sorted_tables:
                    if table.name == "alembic_version":
                        continue
                    source = sa.Table(table.name, sa.MetaData(), autoload_with=connection)
                    columns = [source.c[column.name] for column in table.columns]
                    query = sa.select(*columns).order_by(*source.primary_key.columns)
                    result = connection.execution_options(stream_results=True).execute(query)
                    for rows in result.partitions(_BATCH):
                        target.execute(table.insert(), [{name: _utc_naive(value) for name, value in row._mapping.items()}
                                                        for row in rows])
            copy.dispose()
            connection.rollback()
    except sa.exc.OperationalError as error:
        raise BackupError(f"không kết nối được {describe_database(url)}: {error.orig}", "database") from error
    except sa.exc.NoSuchTableError as error:
        raise BackupError(f"cơ sở dữ liệu ({describe_database(url)}) thiếu bảng {error}", "database") from error
    finally:
        engine.dispose()


def _pg_revision(connection: sa.Connection, url: sa.URL) -> str:
    if not sa.inspect(connection).has_table("alembic_version"):
        raise BackupError(f"cơ sở dữ liệu ({describe_database(url)}) chưa được khởi tạo: không có bảng alembic_version",
                          "no_database")
    revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    if revision is None:
        raise BackupError(f"cơ sở dữ liệu ({describe_database(url)}) không ghi phiên bản lược đồ", "no_database")
    return revision


def _utc_naive(value):
    """A moment as SQLite holds the app's moments: UTC, without a zone."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _revision(connection: sqlite3.Connection) -> str:
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        rows = []
    if len(rows) != 1:
        raise BackupError("cơ sở dữ liệu chưa được khởi tạo (không ghi phiên bản lược đồ)", "no_database")
    return rows[0][0]


def _row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [name for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- reading a backup -------------------------------------------------------------------------

def read_backup(path: Path | str, payload: Path | None = None, *, limit_bytes: int | None = None) -> Manifest:
    """The checked manifest of the backup at ``path`` (``BackupError`` when it is none, is damaged,
    too large or newer than this code); with ``payload``, the SQLite database is also written there
    and checked."""
    path = Path(path)
    limit = backup_limit_bytes() if limit_bytes is None else limit_bytes
    not_backup = f"{path} không phải tệp sao lưu của ứng dụng này"
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise BackupError(f"{not_backup} (không phải một tệp thường)", "not_backup")
        size = info.st_size
        stream = path.open("rb")
    except FileNotFoundError:
        raise BackupError(f"không có tệp {path}", "missing") from None
    except OSError as error:
        raise BackupError(f"không đọc được {path}: {error.strerror}", "unreadable") from None
    with stream:
        if size == 0:
            raise BackupError(f"{path} là tệp rỗng, không phải tệp sao lưu", "empty")
        if size > limit + len(MAGIC) + MAX_MANIFEST_BYTES:
            raise _too_large(f"tệp {path}", size, limit)
        if stream.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{not_backup} (thiếu dòng đầu {MAGIC.decode().strip()})", "not_backup")
        line = stream.readline(MAX_MANIFEST_BYTES)
        if not line.endswith(b"\n"):
            raise BackupError(f"tệp sao lưu {path} bị cắt cụt hoặc hỏng (phần mô tả không trọn vẹn)", "damaged")
        manifest = _manifest(line, path)
        remaining = size - len(MAGIC) - len(line)
        if manifest.size > limit:
            raise _too_large(f"bản sao lưu {path}", manifest.size, limit)
        if remaining != manifest.size:
            problem = (f"thiếu {_bytes(manifest.size - remaining)}" if remaining < manifest.size
                       else f"thừa {_bytes(remaining - manifest.size)}")
            raise BackupError(f"tệp sao lưu {path} bị cắt cụt hoặc hỏng ({problem} so với phần mô tả)", "damaged")
        digest = hashlib.sha256()
        sink = payload.open("wb") if payload is not None else None
        try:
            for chunk in iter(lambda: stream.read(_CHUNK), b""):
                digest.update(chunk)
                if sink is not None:
                    sink.write(chunk)
        finally:
            if sink is not None:
                sink.close()
    if digest.hexdigest() != manifest.sha256:
        raise BackupError(f"tệp sao lưu {path} bị hỏng (mã kiểm tra SHA-256 không khớp)", "damaged")
    _check_revision(manifest.revision, path)
    if payload is not None:
        _check_payload(payload, manifest, path)
    return manifest


def _manifest(line: bytes, path: Path) -> Manifest:
    damaged = BackupError(f"tệp sao lưu {path} bị hỏng (phần mô tả không đọc được)", "damaged")
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise damaged from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise damaged
    version = data.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise damaged
    if version > FORMAT_VERSION:
        raise BackupError(f"tệp sao lưu {path} theo định dạng {version}, mới hơn định dạng mã này đọc được "
                          f"({FORMAT_VERSION}); hãy cập nhật ứng dụng trước khi khôi phục", "newer_format")
    try:
        manifest = Manifest(database=str(data["database"]), revision=str(data["revision"]),
                            created_at=str(data["created_at"]), size=int(data["size"]), sha256=str(data["sha256"]),
                            tables={str(k): int(v) for k, v in dict(data.get("tables", {})).items()})
        dt.datetime.fromisoformat(manifest.created_at)
    except (KeyError, TypeError, ValueError):
        raise damaged from None
    if data.get("payload") != PAYLOAD or manifest.size < 0:
        raise damaged
    return manifest


def _check_revision(revision: str, path: Path) -> None:
    known = known_revisions()
    if revision not in known:
        raise BackupError(f"tệp sao lưu {path} có lược đồ cơ sở dữ liệu {revision}, mã này không biết "
                          f"(các lược đồ đã biết: {known[0]}…{known[-1]}): bản sao lưu từ một phiên bản ứng dụng "
                          "mới hơn? Hãy cập nhật ứng dụng trước khi khôi phục", "newer")


def _check_payload(payload: Path, manifest: Manifest, path: Path) -> None:
    damaged = f"tệp sao lưu {path} bị hỏng"
    with payload.open("rb") as stream:
        if stream.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{damaged} (nội dung không phải cơ sở dữ liệu SQLite)", "damaged")
    connection = None
    try:
        connection = sqlite3.connect(f"file:{payload}?mode=ro", uri=True)
        if connection.execute("PRAGMA integrity_check").fetchall() != [("ok",)]:
            raise BackupError(f"{damaged} (SQLite báo lỗi toàn vẹn)", "damaged")
        if connection.execute("SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view')").fetchone()[0]:
            raise BackupError(f"{damaged} (có trigger hoặc view, ứng dụng không tạo những thứ này)", "damaged")
        revision = _revision(connection)
        counts = _row_counts(connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{damaged} ({error})", "damaged") from None
    finally:
        if connection is not None:
            connection.close()
    if revision != manifest.revision or counts != manifest.tables:
        raise BackupError(f"{damaged} (nội dung không khớp với phần mô tả)", "damaged")


# --- restore -----------------------------------------------------------------------------------

def restore_backup(path: Path | str, url: str | None = None, *, limit_bytes: int | None = None) -> Restored:
    """Replace every row of the database (``DATABASE_URL`` or the SQLite file) with the backup's,
    migrated up to this code's schema when older. All or nothing; nothing changes when refused."""
    parsed = sa.make_url(url or database_url())
    live = sqlite_path(parsed)
    if live is None and parsed.get_backend_name() != "postgresql":
        raise BackupError(f"không khôi phục được vào loại cơ sở dữ liệu {parsed.get_backend_name()}", "kind")
    head = known_revisions()[-1]
    with tempfile.TemporaryDirectory(prefix="camau-restore-") as folder:
        payload = Path(folder) / "restore.sqlite3"
        manifest = read_backup(path, payload, limit_bytes=limit_bytes)
        if manifest.revision != head:
            copy = sa.create_engine(f"sqlite:///{payload}", poolclass=sa.pool.NullPool)
            try:
                upgrade(copy)           # in the temporary copy: the live database is not touched yet
            except Exception as error:  # any failed migration is a refusal
                raise BackupError(f"không nâng cấp được bản sao lưu {path} từ lược đồ {manifest.revision} "
                                  f"lên {head}: {error}", "migration") from error
            finally:
                copy.dispose()
        if live is not None:
            _restore_sqlite(payload, live)
            return Restored(manifest, "sqlite", head)
        _restore_postgresql(payload, parsed)
        return Restored(manifest, "postgresql", head)


def _restore_sqlite(payload: Path, live: Path) -> None:
    live.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(payload)
    target = sqlite3.connect(live, timeout=1)         # the wait for writers is bounded below
    try:
        target.execute("PRAGMA journal_mode=WAL")      # as the app opens it (a new file, too)
        page_size = target.execute("PRAGMA page_size").fetchone()[0]
        if source.execute("PRAGMA page_size").fetchone()[0] != page_size:
            # In WAL mode the backup API needs equal page sizes; the copy is ours to rewrite.
            source.execute(f"PRAGMA page_size={int(page_size)}")
            source.execute("VACUUM")
        # Every page in one step: one write transaction on the live database, readers keep their
        # snapshot, a crash midway leaves the old content. Python retries while another connection
        # writes; the deadline keeps a stuck writer from holding the restore forever.
        deadline = time.monotonic() + _LOCK_SECONDS

        def _waited(status: int, _remaining: int, _total: int) -> None:
            if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
                raise _Busy

        source.backup(target, pages=-1, progress=_waited)
    except _Busy:
        raise BackupError(f"tệp SQLite {live} đang bị một tiến trình khác ghi suốt {_LOCK_SECONDS} giây; "
                          "hãy dừng ứng dụng rồi khôi phục lại", "busy") from None
    except sqlite3.DatabaseError as error:
        raise BackupError(f"không ghi được vào tệp SQLite {live}: {error}", "database") from error
    finally:
        target.close()
        source.close()


def _restore_postgresql(payload: Path, url: sa.URL) -> None:
    engine = make_engine(url.render_as_string(hide_password=False))
    copy = sa.create_engine(f"sqlite:///{payload}", poolclass=sa.pool.NullPool)
    try:
        try:
            upgrade(engine)             # the live schema at this code's head (as any manage.py command does)
        except Exception as error:
            raise BackupError(f"không đưa được {describe_database(url)} lên lược đồ của mã này: {error}",
                              "database") from error
        tables = metadata.sorted_tables
        with copy.connect() as source, engine.begin() as target:
            target.exec_driver_sql("TRUNCATE " + ", ".join(target.dialect.identifier_preparer.quote(t.name)
                                                           for t in tables))
            for table in tables:
                for batch in _rows(source, table):
                    target.execute(table.insert(), batch)
            for table in tables:
                column = table.autoincrement_column
                if column is not None:
                    target.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                        f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 1), "
                        f"(SELECT MAX({column.name}) FROM {table.name}) IS NOT NULL)"),
                        {"table": table.name, "column": column.name})
    except sa.exc.DBAPIError as error:
        raise BackupError(f"không khôi phục được vào {describe_database(url)}: {error.orig}", "database") from error
    finally:
        copy.dispose()
        engine.dispose()


def _rows(source: sa.Connection, table: sa.Table) -> Iterator[list[dict]]:
    """The copy's rows of ``table`` in batches, moments given back their zone (UTC)."""
    moments = [c.name for c in table.columns if isinstance(c.type, sa.DateTime)]
    result = source.execute(sa.select(table).order_by(*table.primary_key.columns))
    for rows in result.partitions(_BATCH):
        batch = []
        for row in rows:
            values = dict(row._mapping)
            for name in moments:
                if values[name] is not None and values[name].tzinfo is None:
                    values[name] = values[name].replace(tzinfo=dt.UTC)
            batch.append(values)
        yield batch
