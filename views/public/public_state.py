"""What a public link names: indicator, district, commune, language and unit set, and the height
of the iframe that embeds it. The static site (publicsite/site.js) reads these parameters back,
checking each against what the site holds; anything unknown falls back with a notice."""
from __future__ import annotations

from dataclasses import dataclass

from geo.units2025 import UNITS_2023

DEFAULT_HEIGHT = 400


@dataclass(frozen=True)
class PublicState:
    indicator: str
    district: str | None = None
    commune: str | None = None
    lang: str = "vi"
    height: int = DEFAULT_HEIGHT       # the iframe's, not the link's: the page fills whatever frame it is in
    units: str = UNITS_2023.id


def public_query(state: PublicState) -> dict[str, str]:
    """The query string for a public view (defaults kept explicit: an embed code must not change
    meaning if a default changes later)."""
    query = {"ind": state.indicator, "lang": state.lang}
    if state.district:
        query["d"] = state.district
    if state.commune:
        query["c"] = state.commune
    query["units"] = state.units
    return query
