"""2022–2024 unit data shown on the 2025 units, through the official crosswalk.

- Counts move with the crosswalk: a ``whole`` piece carries its old unit's whole value; a split
  unit's value is shared among its pieces by their area weights (``geo.units2025.piece_weights``)
  and rounded by the largest-remainder rule within the old unit, so every old unit's value, and
  so every province total, is kept exactly.
- Ratios are not converted: ``commune_table_2025`` recomputes them from converted numerators and
  denominators.
- A new unit has a value only when every old piece feeding it has one. The 25 former Bạc Liêu
  units were never in Cà Mau's datasets: no data, never zero.
- A pilot-only count (teams, members, households guided) counts as zero in an old commune known to
  have no team (the app shows no value there either), so such a commune adds nothing to its new
  unit and does not make it unknown; in a commune whose status is unknown it is unknown.
- A new unit has a team when any old piece feeding it had one; ``pilot_household_share`` is the
  share of its 2019 households that lived in piloted old communes.
- ``estimated`` marks a new unit whose values involved a split old unit.

The other direction (2025 data on the 2023 units) cannot be done honestly and is not offered.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from geo.reference import ReferenceData
from geo.units2025 import UNITS_2023, Reference2025
from indicators.catalogue import CONVERTED, DENOMINATOR_CONVERTED, Indicator, Source
from indicators.published import PublishedDataset, effective_catalogue
from indicators.table import AREA_COLUMN, CENSUS_COLUMNS, commune_table, indicator_table, raw_commune_frame

ID_COLUMNS_2025 = ["gso_code", "name", "type", "former_district"]


def count_columns(catalogue: dict[str, Indicator]) -> list[str]:
    """The raw columns that are counts: every catalogue column, numerator and denominator except
    the area, which each unit set takes from its own polygons."""
    columns = dict.fromkeys(CENSUS_COLUMNS)
    for indicator in catalogue.values():
        if indicator.kind == "number":
            columns.update(dict.fromkeys(c for c in (indicator.column, indicator.numerator, indicator.denominator) if c))
    columns.pop(AREA_COLUMN, None)
    return list(columns)


def pilot_only_columns(catalogue: dict[str, Indicator]) -> list[str]:
    return [i.column for i in catalogue.values() if i.kind == "number" and i.column and i.applies_to == "pilot"]


def apportion(values: pd.Series, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Each crosswalk piece's share of its old unit's value (``values`` by old code; NaN = no
    data). Whole-number values are shared in whole numbers by the largest remainder within the
    old unit (ties to the lower new code), so the pieces of a unit add up to its value exactly."""
    pieces = crosswalk[["old_gso_code", "new_code", "weight"]].copy()
    pieces["value"] = pieces["old_gso_code"].map(values).astype(float)
    exact = pieces["value"] * pieces["weight"]
    whole_number = np.isfinite(pieces["value"]) & (pieces["value"] == np.round(pieces["value"]))
    floor = np.floor(exact + 1e-9)
    left = (pieces["value"] - floor.groupby(pieces["old_gso_code"]).transform("sum")).round()
    fraction = (exact - floor).where(whole_number, -1.0)
    order = pieces.assign(fraction=fraction).sort_values(["old_gso_code", "fraction", "new_code"],
                                                         ascending=[True, False, True])
    place = order.groupby("old_gso_code").cumcount().reindex(pieces.index)
    rounded = floor + (place < left).astype(float)
    pieces["share"] = rounded.where(whole_number, exact)
    return pieces


def _sum_or_unknown(pieces: pd.DataFrame, new_codes: pd.Index) -> pd.Series:
    """Sum of the pieces' shares per new unit; NaN when any piece has no value, or no piece feeds it."""
    grouped = pieces.groupby("new_code")["share"]
    totals = grouped.sum(min_count=1).where(grouped.count() == grouped.size())
    return totals.reindex(new_codes)


def convert_raw(raw_old: pd.DataFrame, reference_2025: Reference2025, catalogue: dict[str, Indicator]) -> pd.DataFrame:
    """The 64 units' raw columns from the 101 units' (``indicators.table.raw_commune_frame``):
    converted counts, the pilot status, ``pilot_household_share``, ``converted`` (fed by old
    units at all), ``estimated`` (fed by a split unit), ``former_district`` (the district when
    every old piece lay in one, else NaN) and the new unit's own area."""
    crosswalk = reference_2025.crosswalk
    new_codes = pd.Index(reference_2025.units["gso_code"], name="gso_code")
    old = raw_old.set_index("gso_code")
    known_no_team = old["pilot"].eq(False).fillna(False).astype(bool)
    unknown_status = old["pilot"].isna()

    new = pd.DataFrame(index=new_codes)
    for column in count_columns(catalogue):
        values = pd.to_numeric(old[column], errors="coerce").astype(float)
        if column in pilot_only_columns(catalogue):
            # As on the 2022–2024 map: nothing where there is known to be no team, and no value where
            # the status is unknown (a figure there would be counted into a piloted 2025 unit).
            values = values.mask(known_no_team, 0.0).mask(unknown_status)
        new[column] = _sum_or_unknown(apportion(values, crosswalk), new_codes)

    pilot = crosswalk["old_gso_code"].map(old["pilot"]).astype("boolean")
    by_new = pilot.groupby(crosswalk["new_code"])
    any_team = by_new.apply(lambda s: bool(s.eq(True).any()))
    all_known = by_new.apply(lambda s: bool(s.notna().all()))
    status = pd.Series(pd.NA, index=any_team.index, dtype="boolean")
    status[any_team] = True
    status[~any_team & all_known] = False
    new["pilot"] = status.reindex(new_codes).astype("boolean")

    households = apportion(pd.to_numeric(old["hh2019_total"], errors="coerce"), crosswalk)
    households["team"] = pilot.to_numpy()
    piloted = households["share"].where(households["team"].eq(True).fillna(False).astype(bool), 0.0)
    unknown = households.groupby("new_code")["team"].apply(lambda s: bool(s.isna().any()))
    share = piloted.groupby(households["new_code"]).sum() / households.groupby("new_code")["share"].sum()
    new["pilot_household_share"] = (share.where(~unknown) * 100).reindex(new_codes)

    fed = set(crosswalk["new_code"])
    split = set(crosswalk.loc[crosswalk["relation"] != "whole", "new_code"])
    new["converted"] = new.index.isin(list(fed))
    new["estimated"] = new.index.isin(list(split))
    districts = crosswalk["old_gso_code"].map(old["district"]).groupby(crosswalk["new_code"])
    new["former_district"] = districts.agg(lambda s: s.iloc[0] if s.nunique() == 1 else np.nan).reindex(new_codes)

    frame = new.reset_index().merge(reference_2025.units[["gso_code", "name", "type"]], on="gso_code",
                                    how="left", validate="1:1")
    return frame.merge(reference_2025.communes[["gso_code", AREA_COLUMN]], on="gso_code", how="left", validate="1:1")


def census_bounds_2025(ref: ReferenceData, reference_2025: Reference2025) -> pd.DataFrame:
    """The 2019 census counts (``CENSUS_COLUMNS``) on the 2025 units, indexed by their codes, for
    the importer's upper bounds: only for a unit formed from whole old units. Elsewhere NaN: a
    split unit's share is an estimate, which must never refuse a reported figure, and the former
    Bạc Liêu units are not in Cà Mau's census."""
    crosswalk = reference_2025.crosswalk
    census = ref.population.set_index("gso_code")
    new_codes = pd.Index(reference_2025.units["gso_code"], name="gso_code")
    bounds = pd.DataFrame({column: _sum_or_unknown(apportion(pd.to_numeric(census[column], errors="coerce"),
                                                             crosswalk), new_codes)
                           for column in CENSUS_COLUMNS}, index=new_codes)
    split = crosswalk.loc[crosswalk["relation"] != "whole", "new_code"]
    bounds.loc[bounds.index.isin(list(split))] = np.nan
    return bounds


BOUNDARIES_2025_SOURCE = "boundaries_2025"


def catalogue_2025(catalogue: dict[str, Indicator], sources: dict[str, Source],
                   own_columns: frozenset[str] = frozenset()) -> dict[str, Indicator]:
    """The catalogue for the 2025 units. The area is measured on the 2025 polygons, so it names
    them as its source and date. Every other indicator says how its values were made
    (``Indicator.conversion``): reported in the 2025 units (its columns in ``own_columns``),
    converted from the 2022–2024 units, or a reported numerator over a converted census
    denominator."""
    polygons = sources[BOUNDARIES_2025_SOURCE]
    measured = {AREA_COLUMN}

    def conversion(indicator: Indicator) -> str:
        if indicator.kind != "number":
            return "" if indicator.column in own_columns else CONVERTED
        if indicator.column is not None:
            return "" if indicator.column in own_columns | measured else CONVERTED
        if indicator.numerator not in own_columns | measured:
            return CONVERTED
        return "" if indicator.denominator in own_columns | measured else DENOMINATOR_CONVERTED

    return {key: replace(indicator, source_id=polygons.id, as_of=polygons.date)
            if indicator.column == AREA_COLUMN else replace(indicator, conversion=conversion(indicator))
            for key, indicator in catalogue.items()}


def _with_own_values(raw: pd.DataFrame, own: pd.DataFrame, own_columns: frozenset[str]) -> pd.DataFrame:
    """The converted 2025 frame with a 2025-units version's own values in place of the converted
    ones: a unit the version does not list has no value, whatever the old data said. With its
    own team counts the pilot status is its own too (and the household share, which describes
    converted old communes, does not apply)."""
    raw = raw.copy()
    mine = own.set_index("gso_code").reindex(raw["gso_code"])
    for column in own_columns - {"pilot"}:
        raw[column] = mine[column].to_numpy()
    if "pilot" in own_columns:
        raw["pilot"] = mine["pilot"].astype("boolean").to_numpy()
        raw["pilot_household_share"] = np.nan
    return raw


def commune_table_2025(ref: ReferenceData, reference_2025: Reference2025, dataset: pd.DataFrame,
                       catalogue: dict[str, Indicator], own: pd.DataFrame | None = None) -> pd.DataFrame:
    """``indicators.table.commune_table`` on the 64 units of 2025: the 101 units' dataset and
    census converted, ratios recomputed from converted parts, with the conversion columns. ``own``:
    a 2025-units version's values, used as reported (the census denominators stay converted)."""
    raw = convert_raw(raw_commune_frame(ref, dataset), reference_2025, catalogue)
    if own is not None:
        raw = _with_own_values(raw, own, own_columns(own))
    table = indicator_table(raw, ID_COLUMNS_2025, catalogue)
    extra = raw.set_index("gso_code")[["pilot_household_share", "converted", "estimated"]]
    return table.join(extra, on="gso_code")


def own_columns(own: pd.DataFrame | None) -> frozenset[str]:
    """The raw columns a 2025-units version reported itself ("pilot" when its teams say it)."""
    if own is None:
        return frozenset()
    columns = {c for c in own.columns if c not in ("gso_code", "pilot") and own[c].notna().any()}
    return frozenset(columns | ({"pilot"} if own["pilot"].notna().any() else set()))


class NotInUnits(Exception):
    """Figures reported in the 2025 units asked for on the 2023 units: they cannot be divided
    back among the old communes honestly."""


def tables_in_units(ref: ReferenceData, reference_2025: Reference2025 | None, data: PublishedDataset,
                    catalogue: dict[str, Indicator], sources: dict[str, Source], units: str
                    ) -> tuple[pd.DataFrame, dict[str, Indicator], dict[str, Source]]:
    """(commune table, effective catalogue, sources) of a version's data in ``units``: the one
    place that decides between the 2023 table, the converted 2025 table and refusing
    (``NotInUnits``). ``reference_2025`` is needed for the 2025 units only."""
    effective, effective_sources = effective_catalogue(catalogue, sources, data.provenance)
    if units == UNITS_2023.id:
        if data.units != UNITS_2023.id:
            raise NotInUnits(data.units)
        return commune_table(ref, data.old, effective), effective, effective_sources
    effective = catalogue_2025(effective, effective_sources, own_columns(data.own))
    return (commune_table_2025(ref, reference_2025, data.old, effective, data.own),
            effective, effective_sources)
