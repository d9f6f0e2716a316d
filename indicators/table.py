"""The commune indicator table: one row per commune, one column per catalogue indicator."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.reference import ReferenceData
from indicators.catalogue import Indicator

PILOT, NOT_PILOT = "pilot", "not_pilot"
ID_COLUMNS = ["gso_code", "name", "type", "district_code", "district"]
CENSUS_COLUMNS = ["pop2019_total", "pop2019_urban", "hh2019_total"]
AREA_COLUMN = "area_km2_geodesic"   # from each unit set's own polygons, never converted


def commune_table(ref: ReferenceData, sample: pd.DataFrame,
                  catalogue: dict[str, Indicator]) -> pd.DataFrame:
    """Join reference attributes, census figures, geodesic area and ``sample`` (the illustrative
    dataset, ``indicators.sample.read_sample_csv``) by GSO code, then compute every catalogue
    indicator as a column (NaN = no value)."""
    return indicator_table(raw_commune_frame(ref, sample), ID_COLUMNS, catalogue)


def raw_commune_frame(ref: ReferenceData, dataset: pd.DataFrame) -> pd.DataFrame:
    """The 101 units' raw columns: identity, 2019 census, geodesic area, the dataset's columns and
    the pilot status (True, False or <NA> when a published table does not cover the commune)."""
    raw = ref.units[ID_COLUMNS].merge(
        ref.population[["gso_code", *CENSUS_COLUMNS]], on="gso_code", how="left", validate="1:1",
    ).merge(
        ref.communes[["gso_code", AREA_COLUMN]], on="gso_code", how="left", validate="1:1",
    ).merge(dataset, on="gso_code", how="left", validate="1:1")
    # The census leaves the urban count blank for wholly rural communes: that is zero, not unknown.
    raw["pop2019_urban"] = raw["pop2019_urban"].fillna(0)
    raw["pilot"] = raw["pilot"].astype("boolean")
    return raw


def indicator_table(raw: pd.DataFrame, id_columns: list[str], catalogue: dict[str, Indicator]) -> pd.DataFrame:
    """``id_columns`` and the pilot status of ``raw``, then one column per catalogue indicator."""
    table = raw[[*id_columns, "pilot"]].copy()
    for indicator in catalogue.values():
        table[indicator.id] = indicator_values(raw, indicator)
    return table.sort_values("gso_code").reset_index(drop=True)


def indicator_values(raw: pd.DataFrame, indicator: Indicator) -> pd.Series:
    if indicator.kind == "category":
        return raw[indicator.column].map({True: PILOT, False: NOT_PILOT})
    if indicator.column is not None:
        values = pd.to_numeric(raw[indicator.column], errors="coerce").astype(float)
    else:
        numerator = pd.to_numeric(raw[indicator.numerator], errors="coerce").astype(float)
        denominator = pd.to_numeric(raw[indicator.denominator], errors="coerce").astype(float)
        values = (numerator / denominator.where(denominator > 0)) * indicator.scale
    if indicator.applies_to == "pilot":
        values = values.where(raw["pilot"].fillna(False).astype(bool))
    return values.astype(float)


@dataclass(frozen=True)
class AreaValue:
    """One number indicator over an area: ``how`` is "total" (a count's sum) or "ratio" (the
    numerator's sum over the denominator's × scale, never a mean of the communes' ratios), over
    ``covered`` of the area's ``communes``. Where a pilot-only indicator has no value because the
    commune is known to have no team, the commune counts with zero (nobody was guided there); a
    commune with no data or an unknown status is left out, and then the figure is not the whole
    area's: ``whole`` says which."""
    how: str
    value: float | None
    covered: int
    communes: int

    @property
    def whole(self) -> bool:
        return self.covered == self.communes


def area_value(frame: pd.DataFrame, indicator: Indicator, catalogue: dict[str, Indicator]) -> AreaValue | None:
    """The area figure of a count or of a ratio of two catalogue columns; None for anything else,
    where the caller summarises the communes' values its own way."""
    present = frame[indicator.id].notna()
    structural_zero = (frame["pilot"].map(known_not_pilot).astype(bool) & ~present
                       if indicator.applies_to == "pilot" else pd.Series(False, index=frame.index))
    if indicator.column is not None:
        covered = present | structural_zero
        total = frame.loc[present, indicator.id].sum() if present.any() else None
        return AreaValue("total", total, int(covered.sum()), len(frame))
    by_column = {other.column: other for other in catalogue.values() if other.column}
    numerator, denominator = by_column.get(indicator.numerator), by_column.get(indicator.denominator)
    if numerator is None or denominator is None:
        return None
    covered = present | (structural_zero & frame[denominator.id].notna())
    top = frame.loc[present, numerator.id].sum()
    bottom = frame.loc[covered, denominator.id].sum()
    value = top / bottom * indicator.scale if covered.any() and bottom > 0 else None
    return AreaValue("ratio", value, int(covered.sum()), len(frame))


def has_districts(table: pd.DataFrame) -> bool:
    """The table is in the 2022–2024 units: the 2025 units (``indicators.conversion``) have none."""
    return "district_code" in table.columns


def has_team(table: pd.DataFrame) -> pd.Series:
    """True where the commune is known to have a pilot team (False when it has none or is unknown)."""
    return table["pilot"].fillna(False).astype(bool)


def known_not_pilot(pilot) -> bool:
    """True only when the commune is known to have no pilot team (not when it is unknown)."""
    return pilot is not pd.NA and pilot is not None and not bool(pilot)


@dataclass(frozen=True)
class Filters:
    districts: tuple[str, ...] = ()   # district codes; empty = all
    types: tuple[str, ...] = ()       # "Xã", "Phường", "Thị trấn"; empty = all
    pilot: str = "all"                # "all", PILOT or NOT_PILOT
    value_min: float | None = None
    value_max: float | None = None


def filter_mask(table: pd.DataFrame, indicator: Indicator, filters: Filters) -> pd.Series:
    """True for the communes that pass every filter. A value range excludes communes with no
    value, because their value cannot be said to lie in it."""
    mask = pd.Series(True, index=table.index)
    if filters.districts:
        mask &= table["district_code"].isin(filters.districts)
    if filters.types:
        mask &= table["type"].isin(filters.types)
    if filters.pilot == PILOT:
        mask &= has_team(table)
    elif filters.pilot == NOT_PILOT:
        mask &= (~table["pilot"]).fillna(False).astype(bool)
    if indicator.kind == "number" and (filters.value_min is not None or filters.value_max is not None):
        values = table[indicator.id]
        in_range = values.notna()
        if filters.value_min is not None:
            in_range &= values >= filters.value_min
        if filters.value_max is not None:
            in_range &= values <= filters.value_max
        mask &= in_range
    return mask


@dataclass(frozen=True)
class Rank:
    position: int    # 1 = best (highest unless lower is better); ties share the best position
    out_of: int      # communes with a value in the group


def rank_of(table: pd.DataFrame, indicator: Indicator, gso_code: str,
            group_codes: Iterable[str] | None = None) -> Rank | None:
    """The commune's rank among ``group_codes`` (default: the whole province), or None when it
    has no value."""
    frame = table if group_codes is None else table[table["gso_code"].isin(list(group_codes))]
    values = frame.set_index("gso_code")[indicator.id].dropna()
    if indicator.kind != "number" or gso_code not in values.index:
        return None
    ascending = indicator.higher_is_better == "lower"
    positions = values.rank(method="min", ascending=ascending)
    return Rank(int(positions[gso_code]), int(len(values)))


def value_bounds(table: pd.DataFrame, indicator: Indicator) -> tuple[float, float] | None:
    values = table[indicator.id].dropna() if indicator.kind == "number" else pd.Series(dtype=float)
    if values.empty:
        return None
    return float(np.floor(values.min())), float(np.ceil(values.max()))


def range_steps(table: pd.DataFrame, indicator: Indicator) -> list[float]:
    """The stops of a value-range filter: the communes' values rounded as the indicator is shown,
    between the rounded-out bounds of ``value_bounds`` (at most one stop per commune, plus two)."""
    bounds = value_bounds(table, indicator)
    if bounds is None:
        return []
    values = table[indicator.id].dropna().astype(float).round(indicator.decimals)
    return sorted({*bounds, *values.tolist()})
