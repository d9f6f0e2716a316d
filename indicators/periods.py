"""Reporting periods of an indicator, its commune values in one period, and the change between two.

Which periods an indicator has (the rule):

1. Only versions that are *in publication* count: the publication log is replayed as a stack (a
   publish pushes, a rollback pops, as ``storage.datasets.rollback`` reads it), so a version an
   editor withdrew by rolling back is not offered, while every version published and never
   withdrawn is, whether or not it is the one on the map today. Version 0, the illustrative
   sample, is at the bottom of the stack.
2. An indicator counts for a version only if the version holds values for its stored column(s):
   a plain indicator needs its own values; a ratio needs its numerator and, when the denominator
   is stored too, the denominator (census denominators come from the reference data and are the
   same for every period). Indicators computed from the reference data alone (population, area)
   are not versioned and have no periods; the pilot-status category is not compared.
3. Per period label, the version highest in the stack wins (the most recently published, e.g. a
   correction of the same period supersedes the first import, and an official table for the
   sample's period supersedes the sample).

Periods are ordered by their as-of date, then label. A period's values are what the map would
show with that version published, except that an indicator the version lacks is not filled in
from the sample (it has no period there instead).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from geo.reference import ReferenceData
from geo.units2025 import UNITS_2023, Reference2025
from indicators.catalogue import Indicator
from indicators.conversion import NotInUnits, commune_table_2025
from indicators.published import (
    PILOT_INDICATOR,
    Provenance,
    PublishedDataset,
    dataset_frame,
    importable_indicators,
    own_pilot_rows,
)
from indicators.table import commune_table
from storage import queries
from storage.schema import values as values_table

CHANGE_COUNT, CHANGE_POINTS, CHANGE_RATE = "count", "points", "rate"


@dataclass(frozen=True)
class Period:
    label: str               # the version's reporting period, e.g. "2023"
    version_id: int
    version_number: int
    as_of: dt.date
    source: str
    illustrative: bool
    units: str = UNITS_2023.id   # the unit set of the version's codes

    def provenance(self) -> Provenance:
        return Provenance(self.version_number, self.label, self.as_of, self.source, self.illustrative)


def publication_stack(history: list[tuple]) -> list[int]:
    """Version numbers in publication, oldest first, from ``queries.publication_history`` rows
    (newest first: at, action, by, number)."""
    return queries.replay_publications((number, action) for _at, action, _by, number in reversed(history))


def stored_ids(indicator: Indicator, catalogue: dict[str, Indicator]) -> set[str] | None:
    """The imported indicator ids whose values this indicator needs, or None when it is not
    versioned (computed from reference data alone, or a category)."""
    by_column = {i.column: i.id for i in importable_indicators(catalogue)}
    if indicator.kind != "number":
        return None
    if indicator.column is not None:
        return {by_column[indicator.column]} if indicator.column in by_column else None
    if indicator.numerator not in by_column:
        return None
    return {by_column[c] for c in (indicator.numerator, indicator.denominator) if c in by_column}


def indicator_periods(indicator: Indicator, catalogue: dict[str, Indicator],
                      stack: list[queries.VersionInfo], held: dict[int, set[str]]) -> list[Period]:
    """The periods of one indicator (the rule in the module docstring). ``stack``: versions in
    publication, oldest first; ``held``: version id -> indicator ids it holds values for."""
    needed = stored_ids(indicator, catalogue)
    if needed is None:
        return []
    chosen: dict[str, queries.VersionInfo] = {}
    for version in stack:
        if needed <= held.get(version.id, set()):
            chosen.pop(version.period, None)   # re-insert: the newest publication decides
            chosen[version.period] = version
    periods = [Period(v.period, v.id, v.number, v.as_of, v.source, v.illustrative, v.units) for v in chosen.values()]
    return sorted(periods, key=lambda p: (p.as_of, p.label))


def available_periods(connection: sa.Connection, catalogue: dict[str, Indicator]) -> dict[str, list[Period]]:
    """Every catalogue indicator's periods (empty list: not comparable). Reads only."""
    by_number = {v.number: v for v in queries.list_versions(connection)}
    stack = [by_number[n] for n in publication_stack(queries.publication_history(connection))]
    rows = connection.execute(
        sa.select(values_table.c.version_id, values_table.c.indicator).distinct()
        .where(values_table.c.version_id.in_({v.id for v in stack}))).all()
    held: dict[int, set[str]] = {}
    for version_id, indicator_id in rows:
        held.setdefault(version_id, set()).add(indicator_id)
    return {i.id: indicator_periods(i, catalogue, stack, held) for i in catalogue.values()}


def version_dataset(connection: sa.Connection, catalogue: dict[str, Indicator], version_id: int) -> PublishedDataset:
    """One version's own values, without the sample's indicators (unlike the map).

    Pilot status (which pilot-only indicators depend on) comes from the version's own
    pilot-status values, else from its team counts (as ``indicators.published`` does), else from
    the sample (version 0), as the map would show it.
    """
    version = queries.get_version(connection, version_id)
    long = queries.version_values(connection, version_id)
    long = long[long["indicator"].isin({i.id for i in importable_indicators(catalogue)})]
    pilot = own_pilot_rows(queries.version_values(connection, version_id))
    sample = queries.version_values(connection, queries.version_by_number(connection, 0).id)
    sample_pilot = sample[sample["indicator"] == PILOT_INDICATOR]
    if version.units == UNITS_2023.id:
        old = dataset_frame(long, sample_pilot if pilot is None else pilot, catalogue)
        return PublishedDataset(version.units, old, None, {})
    own = dataset_frame(long, sample_pilot.iloc[0:0] if pilot is None else pilot, catalogue)
    return PublishedDataset(version.units, dataset_frame(long.iloc[0:0], sample_pilot, catalogue), own, {})


def period_table(connection: sa.Connection, reference: ReferenceData, catalogue: dict[str, Indicator],
                 version_id: int, reference_2025: Reference2025 | None = None) -> pd.DataFrame:
    """The commune table (one row per commune, one column per indicator) of one version; with
    ``reference_2025``, on the 2025 units (2023-units figures converted, ``indicators.conversion``).
    ``NotInUnits`` for a 2025-units version without ``reference_2025``."""
    data = version_dataset(connection, catalogue, version_id)
    if reference_2025 is not None:
        return commune_table_2025(reference, reference_2025, data.old, catalogue, data.own)
    if data.units != UNITS_2023.id:
        raise NotInUnits(data.units)
    return commune_table(reference, data.old, catalogue)


def change_kind(indicator: Indicator) -> str:
    """Counts change by their difference; shares (unit "%") by percentage points; other ratios
    (per 1,000 people, per km²) by the difference in the rate."""
    if indicator.column is not None:
        return CHANGE_COUNT
    return CHANGE_POINTS if indicator.unit["vi"] == "%" else CHANGE_RATE


@dataclass(frozen=True)
class Change:
    kind: str                 # CHANGE_COUNT, CHANGE_POINTS or CHANGE_RATE
    difference: pd.Series     # B − A; NaN when either period has no value (never 0)
    percent: pd.Series        # (B − A) / A × 100 for counts with A > 0; NaN otherwise


def compute_change(before: pd.Series, after: pd.Series, indicator: Indicator) -> Change:
    """The change from period A (``before``) to period B (``after``), commune by commune (the two
    series share their index)."""
    before = pd.to_numeric(before, errors="coerce").astype(float)
    after = pd.to_numeric(after, errors="coerce").astype(float)
    # Rounded far below any shown decimal, so 26.3 − 26.2 lands in the class its label says.
    difference = (after - before).round(9)
    kind = change_kind(indicator)
    if kind == CHANGE_COUNT:
        percent = (difference / before.where(before > 0) * 100).round(9)
    else:
        percent = pd.Series(np.nan, index=difference.index)
    return Change(kind, difference, percent)

