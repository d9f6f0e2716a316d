"""Reading versioned commune tables: versions, the published one, values and match reports.

Nothing here writes; the public view imports only this module of ``storage`` (see
tests/test_public.py, which checks its import graph).
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from storage.schema import audit_log, match_rows, publications, rounds, submissions, values, versions

DATASET = "commune_indicators"


class DatasetError(Exception):
    """A version that does not exist, or a publishing action that cannot be done. ``kind``
    ("unknown_version", "already_published", "no_earlier") lets a page word it in its language;
    the message is the command line's Vietnamese."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


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
    units: str           # the unit set its codes belong to: "2023" or "2025"
    round_id: int | None   # the reporting round it publishes (storage.rounds)


@dataclass(frozen=True)
class ReportRow:
    sheet: str
    row: int
    label: str
    gso_code: str | None
    status: str
    reason: str


def _info(row) -> VersionInfo:
    fields = {name: getattr(row, name) for name in VersionInfo.__dataclass_fields__}
    return VersionInfo(**fields)


def recent_audit(connection: sa.Connection, limit: int = 200) -> pd.DataFrame:
    query = sa.select(audit_log.c.at, audit_log.c.username, audit_log.c.action, audit_log.c.target,
                      audit_log.c.details).order_by(audit_log.c.id.desc()).limit(limit)
    return pd.DataFrame(connection.execute(query).mappings().all(),
                        columns=["at", "username", "action", "target", "details"])


def get_version(connection: sa.Connection, version_id: int) -> VersionInfo:
    row = connection.execute(sa.select(versions).where(versions.c.id == version_id)).one_or_none()
    if row is None:
        raise DatasetError(f"không có phiên bản id {version_id}", "unknown_version")
    return _info(row)


def version_by_number(connection: sa.Connection, number: int, dataset: str = DATASET) -> VersionInfo:
    row = connection.execute(sa.select(versions).where(
        versions.c.dataset == dataset, versions.c.number == number)).one_or_none()
    if row is None:
        raise DatasetError(f"không có phiên bản số {number}", "unknown_version")
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


def replay_publications(log: Iterable[tuple[object, str]]) -> list:
    """The versions in publication, oldest first, from the publication log read oldest first as
    (version, action) pairs: a publish pushes, a rollback pops."""
    stack: list = []
    for version, action in log:
        if action == "rollback":
            stack.pop()
        else:
            stack.append(version)
    return stack


def published_version(connection: sa.Connection, dataset: str = DATASET) -> VersionInfo | None:
    # One statement: every page run asks this first.
    latest = (sa.select(publications.c.version_id).where(publications.c.dataset == dataset)
              .order_by(publications.c.id.desc()).limit(1).scalar_subquery())
    row = connection.execute(sa.select(versions).where(versions.c.id == latest)).one_or_none()
    return None if row is None else _info(row)


def round_versions(connection: sa.Connection, round_id: int) -> list[VersionInfo]:
    """The versions made from a reporting round, oldest first."""
    rows = connection.execute(sa.select(versions).where(versions.c.round_id == round_id).order_by(versions.c.id)).all()
    return [_info(row) for row in rows]


def round_indicators(connection: sa.Connection, round_id: int) -> frozenset[str]:
    """The indicator ids a reporting round expected, so a unit without a value has not reported;
    none for a round that is one file imported as its period's whole table (a unit it lacks has no
    data). Read here so the public side need not import storage.rounds, which writes."""
    found = connection.execute(sa.select(rounds.c.indicators).where(
        rounds.c.id == round_id, rounds.c.kind == "round")).scalar()
    return frozenset(json.loads(found)) if found else frozenset()


def value_sources(connection: sa.Connection, version_id: int) -> pd.DataFrame:
    """Who sent each value of a round's version and when: gso_code, indicator, sender, created_at
    (empty for versions whose values do not name a submission, such as the sample)."""
    query = (sa.select(values.c.gso_code, values.c.indicator, submissions.c.sender, submissions.c.created_at)
             .join(submissions, submissions.c.id == values.c.submission_id)
             .where(values.c.version_id == version_id))
    return pd.DataFrame(connection.execute(query).all(), columns=["gso_code", "indicator", "sender", "created_at"])


def version_values(connection: sa.Connection, version_id: int) -> pd.DataFrame:
    query = sa.select(values.c.gso_code, values.c.indicator, values.c.value).where(values.c.version_id == version_id)
    return pd.DataFrame(connection.execute(query).all(), columns=["gso_code", "indicator", "value"])


def version_report(connection: sa.Connection, version_id: int) -> pd.DataFrame:
    query = (sa.select(match_rows.c.sheet, match_rows.c.row, match_rows.c.label, match_rows.c.gso_code,
                       match_rows.c.status, match_rows.c.reason)
             .where(match_rows.c.version_id == version_id).order_by(match_rows.c.position))
    return pd.DataFrame(connection.execute(query).all(),
                        columns=["sheet", "row", "label", "gso_code", "status", "reason"])
