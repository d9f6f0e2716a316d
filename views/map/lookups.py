"""What the map page's choosers need from a published table, worked out once per version and unit
set (cached by ``ui.streamlit_support``) rather than on every rerun."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from indicators.catalogue import Indicator
from indicators.table import has_districts, range_steps
from l10n import fmt


@dataclass(frozen=True)
class UnitLookups:
    codes: frozenset[str]
    names: dict[str, str]             # GSO code -> "Name (District)" on the 2023 units, "Name" on 2025
    by_name: tuple[str, ...]          # the codes in name order (the commune chooser's options)
    districts: dict[str, str]         # district code -> name, in code order; empty on the 2025 units


def unit_lookups(table: pd.DataFrame) -> UnitLookups:
    if has_districts(table):
        names = dict(zip(table["gso_code"], table["name"] + " (" + table["district"] + ")"))
        pairs = table[["district_code", "district"]].drop_duplicates().sort_values("district_code")
        districts = dict(zip(pairs["district_code"], pairs["district"]))
    else:
        names, districts = dict(zip(table["gso_code"], table["name"])), {}
    return UnitLookups(codes=frozenset(names), names=names, by_name=tuple(sorted(names, key=names.get)),
                       districts=districts)


@dataclass(frozen=True)
class RangeStops:
    """The value-range filter's stops, each with its label written the legend's way (26,5 in
    Vietnamese)."""
    steps: tuple[float, ...]
    labels: dict[float, str]


def range_stops(table: pd.DataFrame, indicator: Indicator, lang: str) -> RangeStops:
    steps = tuple(range_steps(table, indicator))
    return RangeStops(steps, {step: fmt.number(step, indicator.decimals, lang) for step in steps})
