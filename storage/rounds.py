"""Reporting rounds: reading and writing rounds, their submissions and the submissions' values.

A round is a period label, a unit set, an optional due date and the indicators expected. Every
import is filed into a round as a submission (who sent it, for which area, when, from which file)
with its values. The round's table is its submissions merged unit by unit
(``indicators.rounds.merge``); publishing a round stores that table as a version
(``storage.datasets``) whose values remember the submission each came from. Callers own the
transaction, as in ``storage.datasets``.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from storage.schema import rounds, submission_values, submissions

OPEN, CLOSED = "open", "closed"
ROUND, FILE = "round", "file"   # a reporting round, or one file imported as its period's whole table


class RoundError(Exception):
    """A round that does not exist or cannot take the action; ``kind`` names the reason for the
    page ("unknown_round", "closed", "wrong_units", "no_submissions", "incomplete", "conflicts")."""

    def __init__(self, message: str, kind: str, details: object = None):
        super().__init__(message)
        self.kind = kind
        self.details = details


@dataclass(frozen=True)
class Round:
    id: int
    period: str
    units: str
    due: dt.date | None
    indicators: tuple[str, ...]
    status: str
    created_at: dt.datetime
    created_by: str
    approved_by: str | None = None   # approvals are reset by every new submission
    kind: str = ROUND


@dataclass(frozen=True)
class Submission:
    id: int
    round_id: int
    sender: str
    area: str | None
    file_name: str
    file_sha256: str
    sheet: str
    rows_read: int
    rows_matched: int
    outside_area: tuple[str, ...]
    note: str
    created_at: dt.datetime
    created_by: str


def _round(row) -> Round:
    return Round(row.id, row.period, row.units, row.due, tuple(json.loads(row.indicators)), row.status,
                 row.created_at, row.created_by, row.approved_by, row.kind)


def _submission(row) -> Submission:
    return Submission(row.id, row.round_id, row.sender, row.area, row.file_name, row.file_sha256, row.sheet,
                      row.rows_read, row.rows_matched, tuple(json.loads(row.outside_area)), row.note,
                      row.created_at, row.created_by)


def create_round(connection: sa.Connection, *, period: str, units: str, due: dt.date | None,
                 indicators: Iterable[str], created_by: str, at: dt.datetime, status: str = OPEN,
                 kind: str = ROUND) -> Round:
    period = period.strip()
    if not period:
        raise RoundError("kỳ báo cáo trống", "no_period")
    round_id = connection.execute(rounds.insert().values(
        period=period[:40], units=units, due=due, indicators=json.dumps(list(indicators)), status=status,
        kind=kind, created_at=at, created_by=created_by)).inserted_primary_key[0]
    return get_round(connection, round_id)


def get_round(connection: sa.Connection, round_id: int, for_update: bool = False) -> Round:
    query = sa.select(rounds).where(rounds.c.id == round_id)
    # Two editors filing into one round at once: the row lock (PostgreSQL) orders them; SQLite
    # writers are serialised by the database itself.
    row = connection.execute(query.with_for_update() if for_update else query).one_or_none()
    if row is None:
        raise RoundError(f"không có đợt báo cáo {round_id}", "unknown_round")
    return _round(row)


def list_rounds(connection: sa.Connection) -> list[Round]:
    return [_round(row) for row in connection.execute(sa.select(rounds).order_by(rounds.c.id.desc())).all()]


def set_status(connection: sa.Connection, round_id: int, status: str) -> None:
    connection.execute(rounds.update().where(rounds.c.id == round_id).values(status=status))


def set_approval(connection: sa.Connection, round_id: int, by: str | None, at: dt.datetime | None) -> None:
    connection.execute(rounds.update().where(rounds.c.id == round_id).values(approved_by=by, approved_at=at))


def add_submission(connection: sa.Connection, *, round_id: int, sender: str, area: str | None, file_name: str,
                   file_sha256: str, sheet: str, rows_read: int, rows_matched: int, outside_area: Iterable[str],
                   note: str, created_by: str, at: dt.datetime,
                   figures: Iterable[tuple[str, str, float]]) -> Submission:
    submission_id = connection.execute(submissions.insert().values(
        round_id=round_id, sender=sender.strip()[:200], area=area, file_name=file_name[:255],
        file_sha256=file_sha256, sheet=sheet[:120], rows_read=rows_read, rows_matched=rows_matched,
        outside_area=json.dumps(sorted(outside_area)), note=note, created_at=at, created_by=created_by,
    )).inserted_primary_key[0]
    rows = [{"submission_id": submission_id, "gso_code": code, "indicator": indicator, "value": float(value)}
            for code, indicator, value in figures]
    if rows:
        connection.execute(submission_values.insert(), rows)
    return _submission(connection.execute(sa.select(submissions).where(submissions.c.id == submission_id)).one())


def round_submissions(connection: sa.Connection, round_id: int) -> list[Submission]:
    """The round's submissions, oldest first (the order in which they merge)."""
    query = sa.select(submissions).where(submissions.c.round_id == round_id).order_by(submissions.c.id)
    return [_submission(row) for row in connection.execute(query).all()]


def round_values(connection: sa.Connection, round_id: int) -> pd.DataFrame:
    """Every value of every submission of the round: submission_id, gso_code, indicator, value,
    oldest submission first."""
    query = (sa.select(submission_values.c.submission_id, submission_values.c.gso_code,
                       submission_values.c.indicator, submission_values.c.value)
             .join(submissions, submissions.c.id == submission_values.c.submission_id)
             .where(submissions.c.round_id == round_id)
             .order_by(submission_values.c.submission_id, submission_values.c.gso_code, submission_values.c.indicator))
    return pd.DataFrame(connection.execute(query).all(), columns=["submission_id", "gso_code", "indicator", "value"])
