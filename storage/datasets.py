"""Versioned commune tables. Every import is a new version; nothing is overwritten in place.

Publishing and rolling back only append a row to ``publications``: the published version is the
newest row's version, and the history of what was public when stays readable. Version 0 is the
illustrative sample, created on first use and published until an editor publishes another.
Callers own the transaction (``with engine.begin() as connection``), so an import, its audit
entry and its publication are all or nothing.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from storage.schema import audit_log, match_rows, publications, values, versions

DATASET = "commune_indicators"


class DatasetError(Exception):
    """A publishing action that cannot be done (e.g. rollback with nothing to roll back to)."""


@dataclass(frozen=True)
class VersionInfo:
    id: int
    number: int
    period: str
    as_of: dt.date
    source: str
    illustrative: bool
    created_at: dt.datetime
    created_by: str
    file_name: str
    file_sha256: str
    sheet: str
    rows_read: int
    rows_matched: int
    rows_rejected: int
    note: str


@dataclass(frozen=True)
class ReportRow:
    sheet: str
    row: int
    label: str
    gso_code: str | None
    status: str
    reason: str


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _info(row) -> VersionInfo:
    fields = {name: getattr(row, name) for name in VersionInfo.__dataclass_fields__}
    return VersionInfo(**fields)


def record_audit(connection: sa.Connection, username: str, action: str, target: str, details: dict) -> None:
    connection.execute(audit_log.insert().values(
        at=now(), username=username, action=action, target=target,
        details=json.dumps(details, ensure_ascii=False, default=str)))


def recent_audit(connection: sa.Connection, limit: int = 200) -> pd.DataFrame:
    query = sa.select(audit_log.c.at, audit_log.c.username, audit_log.c.action, audit_log.c.target,
                      audit_log.c.details).order_by(audit_log.c.id.desc()).limit(limit)
    return pd.DataFrame(connection.execute(query).mappings().all(),
                        columns=["at", "username", "action", "target", "details"])


def create_version(connection: sa.Connection, *, period: str, as_of: dt.date, source: str, illustrative: bool,
                   created_by: str, file_name: str, file_sha256: str, sheet: str, rows_read: int,
                   rows_matched: int, rows_rejected: int, note: str,
                   figures: Iterable[tuple[str, str, float]], report: Iterable[ReportRow],
                   dataset: str = DATASET, number: int | None = None) -> VersionInfo:
    """Store a new version with its values (gso_code, indicator, value) and its match report."""
    if number is None:
        latest = connection.execute(
            sa.select(sa.func.max(versions.c.number)).where(versions.c.dataset == dataset)).scalar()
        number = 1 if latest is None else max(latest + 1, 1)
    version_id = connection.execute(versions.insert().values(
        dataset=dataset, number=number, period=period, as_of=as_of, source=source, illustrative=illustrative,
        created_at=now(), created_by=created_by, file_name=file_name, file_sha256=file_sha256, sheet=sheet,
        rows_read=rows_read, rows_matched=rows_matched, rows_rejected=rows_rejected, note=note,
    )).inserted_primary_key[0]
    value_rows = [{"version_id": version_id, "gso_code": code, "indicator": indicator, "value": float(value)}
                  for code, indicator, value in figures]
    if value_rows:
        connection.execute(values.insert(), value_rows)
    report_rows = [{"version_id": version_id, "position": position, "sheet": r.sheet, "row": r.row,
                    "label": r.label, "gso_code": r.gso_code, "status": r.status, "reason": r.reason}
                   for position, r in enumerate(report)]
    if report_rows:
        connection.execute(match_rows.insert(), report_rows)
    return get_version(connection, version_id)


def get_version(connection: sa.Connection, version_id: int) -> VersionInfo:
    row = connection.execute(sa.select(versions).where(versions.c.id == version_id)).one_or_none()
    if row is None:
        raise DatasetError(f"không có phiên bản id {version_id}")
    return _info(row)


def version_by_number(connection: sa.Connection, number: int, dataset: str = DATASET) -> VersionInfo:
    row = connection.execute(sa.select(versions).where(
        versions.c.dataset == dataset, versions.c.number == number)).one_or_none()
    if row is None:
        raise DatasetError(f"không có phiên bản số {number}")
    return _info(row)


def list_versions(connection: sa.Connection, dataset: str = DATASET) -> list[VersionInfo]:
    rows = connection.execute(sa.select(versions).where(versions.c.dataset == dataset)
                              .order_by(versions.c.number.desc())).all()
    return [_info(row) for row in rows]


def publication_history(connection: sa.Connection, dataset: str = DATASET) -> list[tuple]:
    query = (sa.select(publications.c.at, publications.c.action, publications.c.by, versions.c.number)
             .join(versions, versions.c.id == publications.c.version_id)
             .where(publications.c.dataset == dataset).order_by(publications.c.id.desc()))
    return [tuple(row) for row in connection.execute(query).all()]


def published_version(connection: sa.Connection, dataset: str = DATASET) -> VersionInfo | None:
    version_id = connection.execute(
        sa.select(publications.c.version_id).where(publications.c.dataset == dataset)
        .order_by(publications.c.id.desc()).limit(1)).scalar()
    return None if version_id is None else get_version(connection, version_id)


def publish(connection: sa.Connection, version_id: int, by: str, action: str = "publish",
            dataset: str = DATASET) -> VersionInfo:
    version = get_version(connection, version_id)
    current = published_version(connection, dataset)
    if current is not None and current.id == version.id:
        raise DatasetError(f"phiên bản {version.number} đang được công bố")
    connection.execute(publications.insert().values(
        dataset=dataset, version_id=version.id, action=action, at=now(), by=by))
    return version


def rollback(connection: sa.Connection, by: str, dataset: str = DATASET) -> VersionInfo:
    """Publish again the version that was public before the current one. The log is read as a
    stack (a publish pushes, a rollback pops), so repeated rollbacks walk further back instead
    of bringing back the version just withdrawn."""
    log = connection.execute(
        sa.select(publications.c.version_id, publications.c.action).where(publications.c.dataset == dataset)
        .order_by(publications.c.id)).all()
    stack: list[int] = []
    for version_id, action in log:
        if action == "rollback":
            stack.pop()
        else:
            stack.append(version_id)
    if len(stack) < 2:
        raise DatasetError("không có phiên bản nào trước đó để quay lại")
    return publish(connection, stack[-2], by, action="rollback", dataset=dataset)


def version_values(connection: sa.Connection, version_id: int) -> pd.DataFrame:
    query = sa.select(values.c.gso_code, values.c.indicator, values.c.value).where(values.c.version_id == version_id)
    return pd.DataFrame(connection.execute(query).all(), columns=["gso_code", "indicator", "value"])


def version_report(connection: sa.Connection, version_id: int) -> pd.DataFrame:
    query = (sa.select(match_rows.c.sheet, match_rows.c.row, match_rows.c.label, match_rows.c.gso_code,
                       match_rows.c.status, match_rows.c.reason)
             .where(match_rows.c.version_id == version_id).order_by(match_rows.c.position))
    return pd.DataFrame(connection.execute(query).all(),
                        columns=["sheet", "row", "label", "gso_code", "status", "reason"])
