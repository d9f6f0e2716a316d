"""Saved planner scenarios. Deleting only marks the row, so the audit trail (written by
``services.editing`` in the same transaction) keeps pointing at something."""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from storage.datasets import now
from storage.schema import scenarios

MAX_NAME = 120
MAX_NOTE = 2000


class ScenarioError(ValueError):
    """A scenario that cannot be saved or deleted; ``kind`` names why (for the message)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Scenario:
    id: int
    name: str
    note: str
    query: dict[str, str]
    version_id: int
    selected: list[str]
    totals: dict
    illustrative: bool
    created_at: object
    created_by: str


def _scenario(row) -> Scenario:
    return Scenario(row.id, row.name, row.note, json.loads(row.query), row.version_id, json.loads(row.selected),
                    json.loads(row.totals), row.illustrative, row.created_at, row.created_by)


def list_scenarios(connection: sa.Connection) -> list[Scenario]:
    rows = connection.execute(sa.select(scenarios).where(scenarios.c.deleted_at.is_(None))
                              .order_by(scenarios.c.id.desc()))
    return [_scenario(row) for row in rows]


def get_scenario(connection: sa.Connection, scenario_id: int) -> Scenario | None:
    row = connection.execute(sa.select(scenarios).where(scenarios.c.id == scenario_id,
                                                        scenarios.c.deleted_at.is_(None))).first()
    return _scenario(row) if row else None


def save_scenario(connection: sa.Connection, *, username: str, name: str, note: str, query: dict[str, str],
                  version_id: int, selected: list[str], totals: dict, illustrative: bool) -> int:
    name, note = name.strip(), note.strip()
    if not name:
        raise ScenarioError("name_missing")
    if len(name) > MAX_NAME:
        raise ScenarioError("name_too_long")
    if len(note) > MAX_NOTE:
        raise ScenarioError("note_too_long")
    scenario_id = connection.execute(scenarios.insert().values(
        name=name, note=note, query=json.dumps(query, ensure_ascii=False, sort_keys=True), version_id=version_id,
        selected=json.dumps(selected), totals=json.dumps(totals, ensure_ascii=False), illustrative=illustrative,
        created_at=now(), created_by=username)).inserted_primary_key[0]
    return scenario_id


def delete_scenario(connection: sa.Connection, *, username: str, scenario_id: int) -> str:
    """Mark the scenario deleted; returns its name for the audit trail."""
    scenario = get_scenario(connection, scenario_id)
    if scenario is None:
        raise ScenarioError("not_found")
    connection.execute(scenarios.update().where(scenarios.c.id == scenario_id)
                       .values(deleted_at=now(), deleted_by=username))
    return scenario.name
