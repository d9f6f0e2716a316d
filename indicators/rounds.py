"""A reporting round's table and its completeness, from its submissions (``storage.rounds``).

- **Merge**: the round's table is its submissions merged unit by unit; for each (unit, indicator)
  the value of the latest submission wins, and remembers that submission.
- **Conflicts**: a new submission that would replace a value with a different one is a conflict,
  which the editor confirms before it is filed (equal values are not conflicts).
- **Out of area**: units of a submission that lie outside its sender's district.
- **Completeness**: per unit, which expected indicators are in and which are missing, and whether
  they came in late (after the due date) or are overdue (still missing after it); per district on
  the 2022–2024 units. A province total states how many units it covers.

Pure functions on frames; nothing here reads or writes the database.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

MERGED_COLUMNS = ["gso_code", "indicator", "value", "submission_id"]
IN, MISSING, LATE, OVERDUE = "in", "missing", "late", "overdue"


def merge(values: pd.DataFrame) -> pd.DataFrame:
    """The latest submission's value per (gso_code, indicator), from ``storage.rounds.round_values``
    (submission_id, gso_code, indicator, value)."""
    if values.empty:
        return pd.DataFrame(columns=MERGED_COLUMNS)
    latest = values.sort_values("submission_id").drop_duplicates(["gso_code", "indicator"], keep="last")
    return latest[MERGED_COLUMNS].sort_values(["gso_code", "indicator"]).reset_index(drop=True)


@dataclass(frozen=True)
class Conflict:
    gso_code: str
    indicator: str
    current: float
    incoming: float
    current_submission: int


def conflicts(merged: pd.DataFrame, figures: Iterable[tuple[str, str, float]]) -> list[Conflict]:
    """Where ``figures`` (gso_code, indicator, value) would replace a different value in the round."""
    current = {(row.gso_code, row.indicator): (row.value, row.submission_id) for row in merged.itertuples(index=False)}
    found = []
    for code, indicator, value in figures:
        if (code, indicator) in current and current[(code, indicator)][0] != float(value):
            old, submission = current[(code, indicator)]
            found.append(Conflict(code, indicator, float(old), float(value), int(submission)))
    return found


def outside_area(codes: Iterable[str], area: str | None, district_of: Mapping[str, str]) -> list[str]:
    """The units among ``codes`` that are not in the sender's district ``area`` (None: the whole
    province, so none). ``district_of`` maps unit codes to district codes (2022–2024 units)."""
    if area is None:
        return []
    return sorted({code for code in codes if district_of.get(code) != area})


def unit_completeness(merged: pd.DataFrame, units: pd.DataFrame, indicators: list[str],
                      submitted_on: Mapping[int, dt.date], due: dt.date | None, today: dt.date) -> pd.DataFrame:
    """One row per unit of ``units`` (gso_code, name, and ``group`` when grouped): ``received`` and
    ``expected`` indicator counts, ``missing`` (the expected indicator ids not in), ``status`` (IN,
    LATE: in but some value came after the due date, MISSING, OVERDUE: missing after the due date)
    and ``last_received`` (the date of the latest submission that gave it a value)."""
    expected = set(indicators)
    held = merged[merged["indicator"].isin(expected)]
    per_unit = held.groupby("gso_code")
    received = per_unit["indicator"].agg(set)
    last_submission = per_unit["submission_id"].max()
    rows = []
    for unit in units.itertuples(index=False):
        got = received.get(unit.gso_code, set())
        missing = sorted(expected - got)
        last = submitted_on.get(int(last_submission[unit.gso_code])) if unit.gso_code in last_submission else None
        late = due is not None and last is not None and last > due
        if missing:
            status = OVERDUE if due is not None and today > due else MISSING
        else:
            status = LATE if late else IN
        rows.append({**unit._asdict(), "received": len(got), "expected": len(expected), "missing": missing,
                     "status": status, "last_received": last})
    return pd.DataFrame(rows)


def group_completeness(per_unit: pd.DataFrame) -> pd.DataFrame:
    """Per group (district): units in full, units partly in, units with nothing, and the units
    still missing something, as DHIS2's reporting-rate summary counts them."""
    rows = []
    for group, members in per_unit.groupby("group", sort=True):
        complete = members["received"] == members["expected"]
        rows.append({"group": group, "units": len(members), "complete": int(complete.sum()),
                     "partial": int(((members["received"] > 0) & ~complete).sum()),
                     "none": int((members["received"] == 0).sum()),
                     "late": int((members["status"] == LATE).sum()),
                     "missing_units": members.loc[~complete, "name"].tolist()})
    return pd.DataFrame(rows)


def covered_total(merged: pd.DataFrame, indicator: str) -> tuple[float, int]:
    """(province total of a count, number of units it covers)."""
    held = merged[merged["indicator"] == indicator]
    return float(held["value"].sum()), int(held["gso_code"].nunique())


def gaps(per_unit: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(unit name, missing indicator ids) for every unit still missing something."""
    return [(row.name, row.missing) for row in per_unit.itertuples(index=False) if row.missing]


def expected_units(units: pd.DataFrame) -> pd.DataFrame:
    """gso_code, name and ``group`` (the district on the 2022–2024 units; "" on the 2025 units,
    which have no districts) of a unit set's units, the ones a round expects."""
    group = units["district"] if "district" in units.columns else pd.Series("", index=units.index)
    return pd.DataFrame({"gso_code": units["gso_code"], "name": units["name"], "group": group}).reset_index(drop=True)


def status_report(round_id: int, merged: pd.DataFrame, per_unit: pd.DataFrame, counts: list[str]) -> dict:
    """Completeness as plain data (``manage.py round status --json``): per group, per unit, and each
    count's province total with the number of units it covers."""
    units = len(per_unit)
    totals = {}
    for indicator in counts:
        total, covered = covered_total(merged, indicator)
        totals[indicator] = {"total": total, "units": covered, "of": units}
    return {
        "round": round_id,
        "complete": int((per_unit["received"] == per_unit["expected"]).sum()), "units": units,
        "groups": group_completeness(per_unit).to_dict("records"),
        "per_unit": [{"gso_code": row.gso_code, "name": row.name, "group": row.group, "received": row.received,
                      "expected": row.expected, "missing": row.missing, "status": row.status,
                      "last_received": row.last_received.isoformat() if row.last_received else None}
                     for row in per_unit.itertuples(index=False)],
        "totals": totals,
    }
