"""The public embed's URL parameters: indicator, period, district, commune, language, height and
unit set.

Only indicators the public may see are accepted. Anything unknown or malformed falls back to the
default with a notice; nothing in the URL can produce an error page.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from geo.units2025 import UNIT_SETS, UNITS_2023
from views.map.state import LANGUAGES, Notice, QueryReader

DEFAULT_HEIGHT, MIN_HEIGHT, MAX_HEIGHT = 400, 250, 1200
_CODE = re.compile(r"^\d{5}$")
_DISTRICT = re.compile(r"^\d{3}$")


@dataclass(frozen=True)
class PublicState:
    indicator: str
    period: str | None = None
    district: str | None = None
    commune: str | None = None
    lang: str = "vi"
    height: int = DEFAULT_HEIGHT
    units: str = UNITS_2023.id


def read_public_state(params: Mapping[str, str], indicators: list[str], periods: list[str],
                      district_codes, commune_codes, default_units: str = UNITS_2023.id
                      ) -> tuple[PublicState, list[Notice]]:
    """``indicators`` are the public indicator ids (the first is the default); ``periods`` the
    periods that may be shown; the district and commune codes are those of the link's unit set
    (``views.map.state.read_units``)."""
    reader = QueryReader(params)
    district = reader.raw("d")
    if district is not None and not (_DISTRICT.match(district) and district in set(district_codes)):
        reader.reject("d", district)
        district = None
    commune = reader.raw("c")
    if commune is not None and not (_CODE.match(commune) and commune in set(commune_codes)):
        reader.reject("c", commune)
        commune = None
    state = PublicState(
        indicator=reader.choice("ind", indicators, indicators[0]),
        period=reader.choice("period", periods, None),
        district=district,
        commune=commune,
        lang=reader.choice("lang", LANGUAGES, "vi"),
        height=reader.integer("h", MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT),
        units=reader.choice("units", list(UNIT_SETS), default_units),
    )
    return state, reader.notices


def public_query(state: PublicState) -> dict[str, str]:
    """The query string for a public view (defaults kept explicit: an embed code must not change
    meaning if a default changes later)."""
    query = {"ind": state.indicator, "lang": state.lang, "h": str(state.height)}
    if state.period:
        query["period"] = state.period
    if state.district:
        query["d"] = state.district
    if state.commune:
        query["c"] = state.commune
    query["units"] = state.units
    return query
