"""Check imported values against the catalogue and the 2019 census before anything is stored.

Every problem names the sheet, row and column, with a code and its parameters (numbers as
numbers); ``l10n.importing`` says it in the reader's language. Rules: numbers only (typed the
Vietnamese way), never negative, whole numbers for counts, percentages from 0 to 100, a part never
larger than its whole (households guided ≤ the commune's households, dossiers ≤ its population),
and each commune at most once per table.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from importer.errors import Message
from importer.numbers import parse_vn_number
from indicators.catalogue import Indicator

# The census column a value may not exceed, as a code for the message ("households", "population").
BOUND_KINDS = {"hh2019_total": "households", "pop2019_total": "population"}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    code: str
    params: dict = field(default_factory=dict)
    severity: str = "error"      # "error" blocks saving; "warning" is shown only

    @property
    def message(self) -> Message:
        return Message(self.code, self.params)


@dataclass(frozen=True)
class MatchedRow:
    sheet: str
    row: int
    gso_code: str
    cells: dict[str, object]     # column label -> raw cell value


def check_rows(rows: Iterable[MatchedRow], mapping: dict[str, str | None], catalogue: dict[str, Indicator],
               census: pd.DataFrame) -> tuple[list[tuple[str, str, float]], list[Problem]]:
    """Parse and check every mapped cell. ``census`` is indexed by gso_code and holds the columns
    named by the catalogue's ``upper_bound``. Returns the values (gso_code, indicator, value) of
    the clean cells and every problem found."""
    figures: list[tuple[str, str, float]] = []
    problems: list[Problem] = []
    first_row_of: dict[str, int] = {}
    for row in rows:
        if row.gso_code in first_row_of:
            problems.append(Problem(row.sheet, row.row, None, "row.duplicate", {"first_row": first_row_of[row.gso_code]}))
            continue
        first_row_of[row.gso_code] = row.row
        census_row = None   # looked up once per row, and only when a mapped cell needs it
        for column, indicator_id in mapping.items():
            if indicator_id is None or column not in row.cells:
                continue
            if census_row is None and catalogue[indicator_id].upper_bound and row.gso_code in census.index:
                census_row = census.loc[row.gso_code]
            value, problem = check_value(row.cells[column], catalogue[indicator_id], census_row)
            if problem:
                problems.append(Problem(row.sheet, row.row, column, problem.code, problem.params))
            elif value is not None:
                figures.append((row.gso_code, indicator_id, value))
    return figures, problems


def check_value(raw: object, indicator: Indicator, census_row: pd.Series | None) -> tuple[float | None, Message | None]:
    """(value, None) for a good cell, (None, None) for an empty one, (None, problem) otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, float) and math.isnan(raw)):
        return None, None
    try:
        value = parse_vn_number(raw)
    except ValueError:
        return None, Message("value.not_number", {"text": str(raw)[:40]})
    if value < 0:
        return None, Message("value.negative", {"value": value})
    if indicator.unit["vi"] == "%" and value > 100:
        return None, Message("value.over_100", {"value": value})
    if indicator.decimals == 0 and not float(value).is_integer():
        return None, Message("value.not_whole", {"value": value, "unit": dict(indicator.unit)})
    if indicator.upper_bound and census_row is not None:
        bound = float(census_row[indicator.upper_bound])
        if value > bound:
            return None, Message("value.over_census", {"value": value, "bound": bound,
                                                       "bound_kind": BOUND_KINDS.get(indicator.upper_bound, "census")})
    return value, None


def cross_check_totals(group_label: str, sheet: str, row: int, reported: dict[str, object],
                       summed: dict[str, float], mapping: dict[str, str | None]) -> list[Problem]:
    """Warnings where a district or total row's figure differs from the sum of its communes."""
    warnings = []
    for column, indicator_id in mapping.items():
        if indicator_id is None or column not in reported or indicator_id not in summed:
            continue
        try:
            value = parse_vn_number(reported[column])
        except ValueError:
            continue
        if abs(value - summed[indicator_id]) > 0.5:
            warnings.append(Problem(sheet, row, column, "total.mismatch",
                                    {"label": group_label, "reported": value, "summed": summed[indicator_id]},
                                    "warning"))
    return warnings
