"""Writing versioned commune tables. Every import is a new version; nothing is overwritten in place.

Publishing and rolling back only append a row to ``publications``: the published version is the
newest row's version, and the history of what was public when stays readable. Version 0 is the
illustrative sample, created on first use and published until an editor publishes another.
Callers own the transaction (``with engine.begin() as connection``), so an import, its audit
entry and its publication are all or nothing. Reading lives in ``storage.queries``, re-exported
here for the editors' pages.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping

import sqlalchemy as sa

from storage.queries import (  # noqa: F401
    DATASET,
    DatasetError,
    ReportRow,
    VersionInfo,
    get_version,
    list_versions,
    publication_history,
    published_version,
    recent_audit,
    replay_publications,
    round_versions,
    version_by_number,
    version_report,
    version_values,
)
from storage.schema import audit_log, match_rows, publications, values, versions


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_audit(connection: sa.Connection, username: str, action: str, target: str, details: dict) -> None:
    connection.execute(audit_log.insert().values(
        at=now(), username=username, action=action, target=target,
        details=json.dumps(details, ensure_ascii=False, default=str)))


def create_version(connection: sa.Connection, *, period: str, as_of: dt.date, source: str, illustrative: bool,
                   created_by: str, file_name: str, file_sha256: str, sheet: str, rows_read: int,
                   rows_matched: int, rows_rejected: int, note: str,
                   figures: Iterable[tuple[str, str, float]], report: Iterable[ReportRow],
                   dataset: str = DATASET, number: int | None = None, units: str = "2023",
                   round_id: int | None = None, value_sources: Mapping[tuple[str, str], int] | None = None
                   ) -> VersionInfo:
    """Store a new version with its values (gso_code, indicator, value), in the unit set ``units``,
    and its match report; for a reporting round's version, the round and the submission each value
    came from (``value_sources``, keyed by (gso_code, indicator))."""
    if number is None:
        latest = connection.execute(
            sa.select(sa.func.max(versions.c.number)).where(versions.c.dataset == dataset)).scalar()
        number = 1 if latest is None else max(latest + 1, 1)
    version_id = connection.execute(versions.insert().values(
        dataset=dataset, number=number, period=period, as_of=as_of, source=source, illustrative=illustrative,
        created_at=now(), created_by=created_by, file_name=file_name, file_sha256=file_sha256, sheet=sheet,
        rows_read=rows_read, rows_matched=rows_matched, rows_rejected=rows_rejected, note=note, units=units, round_id=round_id,
    )).inserted_primary_key[0]
    sources = value_sources or {}
    value_rows = [{"version_id": version_id, "gso_code": code, "indicator": indicator, "value": float(value),
                   "submission_id": sources.get((code, indicator))}
                  for code, indicator, value in figures]
    if value_rows:
        connection.execute(values.insert(), value_rows)
    report_rows = [{"version_id": version_id, "position": position, "sheet": r.sheet, "row": r.row,
                    "label": r.label, "gso_code": r.gso_code, "status": r.status, "reason": r.reason}
                   for position, r in enumerate(report)]
    if report_rows:
        connection.execute(match_rows.insert(), report_rows)
    return get_version(connection, version_id)


def publish(connection: sa.Connection, version_id: int, by: str, action: str = "publish",
            dataset: str = DATASET) -> VersionInfo:
    version = get_version(connection, version_id)
    current = published_version(connection, dataset)
    if current is not None and current.id == version.id:
        raise DatasetError(f"phiên bản {version.number} đang được công bố", "already_published")
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
    stack = replay_publications(log)
    if len(stack) < 2:
        raise DatasetError("không có phiên bản nào trước đó để quay lại", "no_earlier")
    return publish(connection, stack[-2], by, action="rollback", dataset=dataset)


