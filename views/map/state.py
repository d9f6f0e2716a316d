"""The map view's whole state, read from and written to the URL query string.

Every view is a shareable link. Reading never fails: an unknown or malformed value falls back to
its default and is reported as a notice, so a hand-edited or hostile link cannot break the page.
Values are written in a plain, language-neutral form (``1234.5``, ``964,966``), and defaults are
left out to keep links short.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from geo.classify import MAX_CLASSES, MIN_CLASSES, PALETTES, SCHEMES
from geo.units2025 import UNIT_SETS, UNITS_2023
from indicators.table import NOT_PILOT, PILOT

UNIT_TYPES = {"xa": "Xã", "phuong": "Phường", "thi_tran": "Thị trấn"}
PILOT_CHOICES = ("all", PILOT, NOT_PILOT)
LANGUAGES = ("vi", "en")
DEFAULT_INDICATOR = "pilot_status"
_CODE = re.compile(r"^\d{5}$")
_DISTRICT = re.compile(r"^\d{3}$")


@dataclass(frozen=True)
class MapState:
    indicator: str = DEFAULT_INDICATOR
    scheme: str = "quantiles"
    classes: int = 5
    palette: str = "YlGnBu"
    breaks: tuple[float, ...] = ()
    districts: tuple[str, ...] = ()
    types: tuple[str, ...] = ()          # keys of UNIT_TYPES
    pilot: str = "all"
    value_min: float | None = None
    value_max: float | None = None
    commune: str | None = None
    lang: str = "vi"
    # A link without ``units`` shows the published data's own unit set; the pages pass it as
    # ``default_units`` to the readers and writers below.
    units: str = UNITS_2023.id


@dataclass(frozen=True)
class Notice:
    param: str
    value: str


@dataclass
class QueryReader:
    """Reads query parameters one by one; every rejected value becomes a notice."""

    params: Mapping[str, str]
    notices: list[Notice] = field(default_factory=list)

    def raw(self, name: str) -> str | None:
        value = self.params.get(name)
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else None
        return None if value is None or str(value) == "" else str(value)

    def reject(self, name: str, value: str) -> None:
        self.notices.append(Notice(name, value[:80]))

    def choice(self, name: str, allowed, default):
        value = self.raw(name)
        if value is None:
            return default
        if value in allowed:
            return value
        self.reject(name, value)
        return default

    def integer(self, name: str, low: int, high: int, default: int) -> int:
        value = self.raw(name)
        if value is None:
            return default
        # isascii: str.isdigit also accepts "²" and other digits that int() refuses; the length:
        # int() refuses more than 4,300 digits with a ValueError, and no limit here needs 19.
        if len(value) <= 18 and value.isascii() and value.isdigit() and low <= int(value) <= high:
            return int(value)
        self.reject(name, value)
        return default

    def number(self, name: str) -> float | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
        self.reject(name, value)
        return None

    def items(self, name: str, valid) -> tuple[str, ...]:
        value = self.raw(name)
        if value is None:
            return ()
        items = [item.strip() for item in value.split(",") if item.strip()]
        good = tuple(dict.fromkeys(item for item in items if valid(item)))
        if len(good) != len(items):
            self.reject(name, value)
        return good


def read_units(params: Mapping[str, str], default_units: str = UNITS_2023.id) -> str:
    """The unit set named by the link (``units=2023|2025``), else ``default_units`` (the published
    data's set), read before the rest: the commune codes the link may name depend on it. A bad
    value is reported by ``read_state``."""
    value = QueryReader(params).raw("units")
    return value if value in UNIT_SETS else default_units


def read_state(params: Mapping[str, str], indicators, district_codes, commune_codes,
               default_units: str = UNITS_2023.id) -> tuple[MapState, list[Notice]]:
    """Parse query parameters against what exists (indicator ids, district and commune codes of
    the link's unit set)."""
    reader = QueryReader(params)
    scheme = reader.choice("scheme", SCHEMES, "quantiles")
    breaks: tuple[float, ...] = ()
    if scheme == "manual":
        breaks = _read_breaks(reader)
        if not breaks:
            scheme = "quantiles"
    district_codes, commune_codes = set(district_codes), set(commune_codes)
    commune = reader.raw("c")
    if commune is not None and not (_CODE.match(commune) and commune in commune_codes):
        reader.reject("c", commune)
        commune = None
    state = MapState(
        indicator=reader.choice("ind", list(indicators), DEFAULT_INDICATOR),
        scheme=scheme,
        classes=reader.integer("k", MIN_CLASSES, MAX_CLASSES, 5),
        palette=reader.choice("pal", PALETTES, "YlGnBu"),
        breaks=breaks,
        districts=reader.items("d", lambda c: bool(_DISTRICT.match(c)) and c in district_codes),
        types=reader.items("t", lambda t: t in UNIT_TYPES),
        pilot=reader.choice("pilot", PILOT_CHOICES, "all"),
        value_min=reader.number("min"),
        value_max=reader.number("max"),
        commune=commune,
        lang=reader.choice("lang", LANGUAGES, "vi"),
        units=reader.choice("units", list(UNIT_SETS), default_units),
    )
    if state.value_min is not None and state.value_max is not None and state.value_min > state.value_max:
        reader.reject("min", reader.raw("min") or "")
        state = replace(state, value_min=None, value_max=None)
    return state, reader.notices


VIEW_PARAM = "view"
# A shared view lies on or near the province (the merged province of 2025, with a margin).
VIEW_LATITUDES, VIEW_LONGITUDES, VIEW_ZOOMS = (7.5, 10.5), (103.5, 107.0), (6.0, 18.0)
_MAX_VIEW_TEXT = 40


@dataclass(frozen=True)
class Viewport:
    """Where a user moved the map: its centre and zoom. In the URL (``view=lat,lon,zoom``) only
    after the user moved the map, so a default view keeps a short link."""
    lat: float
    lon: float
    zoom: float

    def param(self) -> str:
        return f"{self.lat:.4f},{self.lon:.4f},{round(self.zoom, 2):g}"

    def payload(self) -> list[float]:
        return [self.lat, self.lon, self.zoom]


def read_viewport(params: Mapping[str, str]) -> tuple[Viewport | None, list[Notice]]:
    """The ``view`` of a shared link, if it is three numbers on or near the province."""
    reader = QueryReader(params)
    value = reader.raw(VIEW_PARAM)
    if value is None:
        return None, []
    try:
        lat, lon, zoom = (float(part) for part in value.split(",")) if len(value) <= _MAX_VIEW_TEXT else ()
    except ValueError:
        lat = lon = zoom = math.nan
    ranges = ((lat, VIEW_LATITUDES), (lon, VIEW_LONGITUDES), (zoom, VIEW_ZOOMS))
    if not all(math.isfinite(number) and low <= number <= high for number, (low, high) in ranges):
        reader.reject(VIEW_PARAM, value)
        return None, reader.notices
    return Viewport(lat, lon, zoom), []


def _read_breaks(reader: QueryReader) -> tuple[float, ...]:
    value = reader.raw("breaks")
    if value is None:
        reader.reject("breaks", "")
        return ()
    try:
        breaks = tuple(float(part) for part in value.split(","))
    except ValueError:
        breaks = ()
    ok = (MIN_CLASSES - 1 <= len(breaks) <= MAX_CLASSES - 1
          and all(math.isfinite(b) for b in breaks)
          and all(a < b for a, b in zip(breaks, breaks[1:])))
    if not ok:
        reader.reject("breaks", value)
        return ()
    return breaks


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def write_state(state: MapState, default_units: str = UNITS_2023.id) -> dict[str, str]:
    """Query parameters for the state, defaults omitted (``default_units``: the published data's set)."""
    default = MapState()
    out: dict[str, str] = {}
    if state.indicator != default.indicator:
        out["ind"] = state.indicator
    if state.scheme != default.scheme:
        out["scheme"] = state.scheme
    if state.scheme == "manual":
        out["breaks"] = ",".join(_plain(b) for b in state.breaks)
    elif state.classes != default.classes:
        out["k"] = str(state.classes)
    if state.palette != default.palette:
        out["pal"] = state.palette
    if state.districts:
        out["d"] = ",".join(state.districts)
    if state.types:
        out["t"] = ",".join(state.types)
    if state.pilot != default.pilot:
        out["pilot"] = state.pilot
    if state.value_min is not None:
        out["min"] = _plain(state.value_min)
    if state.value_max is not None:
        out["max"] = _plain(state.value_max)
    if state.commune:
        out["c"] = state.commune
    if state.lang != default.lang:
        out["lang"] = state.lang
    if state.units != default_units:
        out["units"] = state.units
    return out
