"""Which unit set a report is written in: the 101 units of 2022–2024 ("2023") or the 64 units of
the merged province ("2025").

Codes alone cannot tell: every 2025 unit reuses the code of one old unit it absorbed (32002 was
Phường 4 and is now Phường An Xuyên), and 27 names exist in both sets (Xã Khánh Bình, Phường Tân
Thành, …), most with other territory. So detection weighs the whole table:

1. A row *fits* a set when it matches a unit of that set by code or by name, or names several of
   its units (a bare "Tân Thành" is Xã or Phường Tân Thành in 2022–2024), without the fuzzy step
   and without a disagreement between its code and its name.
2. Rows that fit only one set decide. When some rows fit only the 2023 units and others only the
   2025 units, the file mixes the two and is refused, naming those rows.
3. When every row fits both sets, district rows or a district column say "2023": the 2025 units
   have no districts. Otherwise the file cannot tell, and the editor chooses.
4. When no row fits either set, nothing can be matched whatever the set: the rows are reported
   unmatched against the first set offered (the 2023 units).

A name is never matched across sets: after detection (or the editor's choice) every row is
matched against the chosen set only.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from geo.reference import ReferenceData
from geo.units2025 import UNITS_2023, UNITS_2025, Reference2025
from importer.errors import ImportFileError, Message
from importer.layout import TableRow
from importer.matcher import AMBIGUOUS, CommuneMatcher
from indicators.conversion import census_bounds_2025

# Rows listed in the mixed-set refusal, per set: enough to find them, not a page of text.
MAX_ROWS_NAMED = 8


@dataclass(frozen=True)
class UnitSetIndex:
    """One unit set as the importer needs it: its matcher and the census bounds by unit code
    (NaN: no bound, e.g. where the 2025 figure would be an estimate)."""
    id: str
    matcher: CommuneMatcher
    census: pd.DataFrame


@dataclass(frozen=True)
class Detection:
    units: str                  # the chosen set's id
    chosen_by: str              # "editor", "rows" (rows that fit one set only), "districts" or "nothing"
    only_fits: int              # data rows that fit only the chosen set (0 when the editor chose)

    @property
    def message(self) -> Message:
        """What was decided and why, for the editor ("units.rows", "units.districts", "units.nothing",
        "units.editor")."""
        return Message(f"units.{self.chosen_by}", {"units": self.units, "count": self.only_fits})


def fitting_sets(row: TableRow, indexes: Sequence[UnitSetIndex]) -> set[str]:
    fits = set()
    for index in indexes:
        match = index.matcher.match(row.label, row.code, fuzzy=False)
        if (match.matched and not match.conflict) or match.status == AMBIGUOUS:
            fits.add(index.id)
    return fits


def detect_unit_set(rows: Sequence[TableRow], indexes: Mapping[str, UnitSetIndex], *, has_district_column: bool,
                    file_name: str, chosen: str | None = None) -> Detection:
    """The unit set of a table (the rule in the module docstring); ``chosen`` is the editor's
    override. Raises ``ImportFileError`` "mixed_units" or "units_undetermined"."""
    if chosen is not None:
        if chosen not in indexes:
            raise ImportFileError("units_unavailable", {"file": file_name, "units": chosen})
        return Detection(chosen, "editor", 0)
    if len(indexes) == 1:
        (only,) = indexes
        return Detection(only, "editor", 0)
    data = [row for row in rows if row.kind == "data"]
    fits = {row.row: fitting_sets(row, list(indexes.values())) for row in data}
    only = {units: [row for row in data if fits[row.row] == {units}] for units in indexes}
    deciding = [units for units, found in only.items() if found]
    if len(deciding) > 1:
        raise ImportFileError("mixed_units", {"file": file_name, **{
            f"rows_{units}": _row_list(only[units]) for units in indexes}})
    if deciding:
        return Detection(deciding[0], "rows", len(only[deciding[0]]))
    groups = [row for row in rows if row.kind == "group"]
    old = indexes.get(UNITS_2023.id)
    if old is not None and (has_district_column or any(old.matcher.is_district_label(row.label) for row in groups)):
        return Detection(UNITS_2023.id, "districts", 0)
    if not any(fits.values()):
        return Detection(next(iter(indexes)), "nothing", 0)
    raise ImportFileError("units_undetermined", {"file": file_name})


def _row_list(rows: list[TableRow]) -> str:
    named = [f"{row.row} ({row.label.strip()[:40] or row.code or ''})" for row in rows[:MAX_ROWS_NAMED]]
    return ", ".join(named) + (f", … (+{len(rows) - MAX_ROWS_NAMED})" if len(rows) > MAX_ROWS_NAMED else "")


def unit_set_indexes(reference: ReferenceData, reference_2025: Reference2025 | None) -> list[UnitSetIndex]:
    """The unit sets a report may be in: the 2023 units, and the 2025 units when their reference
    files are there (their census bounds converted through the crosswalk)."""
    indexes = [UnitSetIndex(UNITS_2023.id, CommuneMatcher(reference.units), reference.population.set_index("gso_code"))]
    if reference_2025 is not None:
        indexes.append(UnitSetIndex(UNITS_2025.id, CommuneMatcher(reference_2025.units, aliases={}),
                                    census_bounds_2025(reference, reference_2025)))
    return indexes
