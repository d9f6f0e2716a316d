"""Check imported values against the catalogue and the 2019 census before anything is stored.

Every problem names the sheet, row and column, in Vietnamese. Rules: numbers only (typed the
Vietnamese way), never negative, whole numbers for counts, percentages from 0 to 100, a part never
larger than its whole (households guided ≤ the commune's households, dossiers ≤ its population),
and each commune at most once per table.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from importer.numbers import parse_vn_number
from indicators.catalogue import Indicator
from l10n import fmt

BOUND_LABELS = {"hh2019_total": "số hộ", "pop2019_total": "dân số"}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    message: str
    severity: str = "error"      # "error" blocks saving; "warning" is shown only

    def where(self) -> str:
        parts = [f"trang {self.sheet}"]
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        if self.column:
            parts.append(f"cột “{self.column}”")
        return ", ".join(parts)


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
            problems.append(Problem(row.sheet, row.row, None,
                                    f"xã đã có ở dòng {first_row_of[row.gso_code]}: mỗi xã chỉ một dòng"))
            continue
        first_row_of[row.gso_code] = row.row
        for column, indicator_id in mapping.items():
            if indicator_id is None or column not in row.cells:
                continue
            value, problem = check_value(row.cells[column], catalogue[indicator_id],
                                         census.loc[row.gso_code] if row.gso_code in census.index else None)
            if problem:
                problems.append(Problem(row.sheet, row.row, column, problem))
            elif value is not None:
                figures.append((row.gso_code, indicator_id, value))
    return figures, problems


def check_value(raw: object, indicator: Indicator, census_row: pd.Series | None) -> tuple[float | None, str | None]:
    """(value, None) for a good cell, (None, None) for an empty one, (None, message) otherwise."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or (isinstance(raw, float) and math.isnan(raw)):
        return None, None
    try:
        value = parse_vn_number(raw)
    except ValueError:
        return None, f"“{str(raw)[:40]}” không phải là số"
    if value < 0:
        return None, f"số âm ({fmt.number_compact(value)}) không hợp lệ"
    if indicator.unit["vi"] == "%" and value > 100:
        return None, f"tỷ lệ {fmt.number_compact(value)}% vượt quá 100%"
    if indicator.decimals == 0 and not float(value).is_integer():
        return None, f"{fmt.number_compact(value)} phải là số nguyên ({indicator.unit['vi']})"
    if indicator.upper_bound and census_row is not None:
        bound = float(census_row[indicator.upper_bound])
        if value > bound:
            return None, (f"{fmt.number_compact(value)} lớn hơn {BOUND_LABELS.get(indicator.upper_bound, indicator.upper_bound)} "
                          f"của xã ({fmt.number_compact(bound)}, năm 2019): số liệu không hợp lý")
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
            warnings.append(Problem(sheet, row, column,
                                    f"dòng “{group_label}” ghi {fmt.number_compact(value)}, cộng các xã được "
                                    f"{fmt.number_compact(summed[indicator_id])}", "warning"))
    return warnings
