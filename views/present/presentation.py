"""Presentation (meeting) mode without Streamlit: slides, decks, their URL form and what a slide shows.

A slide is a prepared map view (indicator, classification, filters, zoom). A deck is the ordered
list the presenter steps through. The default deck is ``data/presentation_deck.json``; a deck the
presenter edits travels in the URL (``deck=``) as compressed JSON, so a prepared sequence is saved
as a link. Everything read from a file or a link is validated against the catalogue and the
district codes: a bad file names the slide and field, a bad link falls back with a notice.
"""
from __future__ import annotations

import base64
import binascii
import html
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from geo.classify import MAX_CLASSES, MIN_CLASSES, PALETTES, SCHEMES
from geo.units2025 import UNIT_SETS, UNITS_2023, UNITS_2025
from indicators.catalogue import DATA_DIR, Indicator
from indicators.table import PILOT, area_value
from l10n import fmt, labels
from l10n.messages import t, tn
from views.map.mapview import LegendEntry, LegendStyle, legend_row_html
from views.map.state import LANGUAGES, PILOT_CHOICES, MapState, Notice, QueryReader

DECK_FILE = DATA_DIR / "presentation_deck.json"
DECK_FORMAT = 1
# Manual breaks are left out: a slide keeps to the schemes that need no typed numbers.
SLIDE_SCHEMES = tuple(scheme for scheme in SCHEMES if scheme != "manual")
MAX_SLIDES = 30
MAX_TITLE = 120
MAX_DECK_PARAM = 6000          # characters of the encoded deck in a link
MAX_DECK_JSON = 64_000         # bytes once decompressed: a small link cannot expand into a large payload
MAX_DECK_DEPTH = 8             # nesting of [ and {: a deck needs 3 (deck, slides, slide, title/districts)
PROVINCE = "province"          # the ``zoom`` URL value that overrides a slide's district zoom
MAP_HEIGHT = 640               # the frame's height before the page's CSS sizes it to the screen
DISTRICT_LABEL_PX = 20         # label sizes on the projected map (at least 18 px, read across a room)
UNIT_LABEL_PX = 18
AREA_INDICATOR = "area_km2"    # orders the labels of a zoomed district, largest commune first
URL_PREFIX = "1"               # format of the encoded deck, so a later format can be told apart
_FIELDS = ("title", "indicator", "scheme", "classes", "palette", "districts", "pilot", "zoom")


@dataclass(frozen=True)
class Slide:
    indicator: str
    title: tuple[tuple[str, str], ...] = ()     # (language, text) pairs; empty: the indicator's name
    scheme: str = "quantiles"
    classes: int = 5
    palette: str = "YlGnBu"
    districts: tuple[str, ...] = ()             # district filter; empty: every district
    pilot: str = "all"
    zoom: str | None = None                     # a district code, or None for the whole province

    def title_in(self, lang: str) -> str:
        """The title in ``lang``, else in the other language, else ''."""
        titles = dict(self.title)
        return titles.get(lang) or next((text for text in titles.values() if text), "")


@dataclass(frozen=True)
class Deck:
    slides: tuple[Slide, ...]

    def __len__(self) -> int:
        return len(self.slides)

    def insert(self, position: int, slide: Slide) -> Deck:
        """With ``slide`` at ``position``; unchanged when the deck is full (MAX_SLIDES)."""
        if len(self.slides) >= MAX_SLIDES:
            return self
        slides = list(self.slides)
        slides.insert(max(0, min(position, len(slides))), slide)
        return Deck(tuple(slides))

    def replace_at(self, index: int, slide: Slide) -> Deck:
        return Deck(self.slides[:index] + (slide,) + self.slides[index + 1:])

    def remove(self, index: int) -> Deck:
        """Without slide ``index``; the last remaining slide is kept (a deck is never empty)."""
        if len(self.slides) <= 1:
            return self
        return Deck(self.slides[:index] + self.slides[index + 1:])

    def move(self, index: int, offset: int) -> Deck:
        target = max(0, min(index + offset, len(self.slides) - 1))
        slides = list(self.slides)
        slides.insert(target, slides.pop(index))
        return Deck(tuple(slides))


class DeckError(ValueError):
    """A deck that cannot be used. ``slide`` is the 1-based slide number (None for the deck as a
    whole), ``field`` what was wrong, ``value`` the offending value, shortened."""

    def __init__(self, field: str, value: object = "", slide: int | None = None):
        self.field, self.value, self.slide = field, repr(value)[:80], slide
        where = f"slide {slide}: " if slide is not None else ""
        super().__init__(f"{where}{field} = {self.value}")


# --- Reading and writing slides ---------------------------------------------------------------

def slide_from_dict(data: object, position: int, indicators: Iterable[str], district_codes: Iterable[str]) -> Slide:
    """A slide from its JSON object; raises DeckError naming slide ``position`` and the field."""
    def bad(field: str, value: object = "") -> DeckError:
        return DeckError(field, value, position)

    if not isinstance(data, Mapping):
        raise bad("slide", data)
    unknown = [key for key in data if key not in _FIELDS]
    if unknown:
        raise bad("field", unknown[0])
    districts = set(district_codes)

    def choice(field: str, allowed, default):
        value = data.get(field, default)
        if not isinstance(value, str) or value not in allowed:
            raise bad(field, value)
        return value

    title = data.get("title", {})
    if not isinstance(title, Mapping) or any(lang not in LANGUAGES or not isinstance(text, str) or len(text) > MAX_TITLE
                                             for lang, text in title.items()):
        raise bad("title", title)
    classes = data.get("classes", 5)
    if isinstance(classes, bool) or not isinstance(classes, int) or not MIN_CLASSES <= classes <= MAX_CLASSES:
        raise bad("classes", classes)
    chosen = data.get("districts", [])
    if (not isinstance(chosen, list) or len(set(chosen)) != len(chosen)
            or not all(isinstance(code, str) and code in districts for code in chosen)):
        raise bad("districts", chosen)
    zoom = data.get("zoom")
    if zoom is not None and not (isinstance(zoom, str) and zoom in districts):
        raise bad("zoom", zoom)
    return Slide(
        indicator=choice("indicator", set(indicators), None),
        title=tuple((lang, text.strip()) for lang, text in title.items() if text.strip()),
        scheme=choice("scheme", SLIDE_SCHEMES, "quantiles"), classes=classes,
        palette=choice("palette", PALETTES, "YlGnBu"), districts=tuple(chosen),
        pilot=choice("pilot", PILOT_CHOICES, "all"), zoom=zoom)


def slide_to_dict(slide: Slide) -> dict:
    """The slide's JSON object, defaults left out (short links)."""
    default = Slide(slide.indicator)
    out: dict = {"indicator": slide.indicator}
    if slide.title:
        out["title"] = dict(slide.title)
    for field in ("scheme", "classes", "palette", "pilot", "zoom"):
        if getattr(slide, field) != getattr(default, field):
            out[field] = getattr(slide, field)
    if slide.districts:
        out["districts"] = list(slide.districts)
    return out


def deck_from_dict(data: object, indicators: Iterable[str], district_codes: Iterable[str]) -> Deck:
    if not isinstance(data, Mapping) or data.get("version") != DECK_FORMAT:
        raise DeckError("version", data.get("version") if isinstance(data, Mapping) else data)
    slides = data.get("slides")
    if not isinstance(slides, list) or not 1 <= len(slides) <= MAX_SLIDES:
        raise DeckError("slides", len(slides) if isinstance(slides, list) else slides)
    indicators, district_codes = list(indicators), list(district_codes)
    return Deck(tuple(slide_from_dict(item, number, indicators, district_codes)
                      for number, item in enumerate(slides, start=1)))


def deck_to_dict(deck: Deck) -> dict:
    return {"version": DECK_FORMAT, "slides": [slide_to_dict(slide) for slide in deck.slides]}


def load_deck(indicators: Iterable[str], district_codes: Iterable[str], path: Path | None = None) -> Deck:
    """The deck in ``path`` (default DECK_FILE); raises DeckError (field "file" when it is not
    readable JSON)."""
    path = path or DECK_FILE
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DeckError("file", f"{Path(path).name}: {error}") from None
    return deck_from_dict(data, indicators, district_codes)


def encode_deck(deck: Deck) -> str:
    """The deck as a short URL-safe text: format prefix + base64url(zlib(JSON)), no padding."""
    raw = json.dumps(deck_to_dict(deck), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return URL_PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii").rstrip("=")


def decode_deck(text: str, indicators: Iterable[str], district_codes: Iterable[str]) -> Deck:
    """The deck in a link; raises DeckError for anything that is not a valid deck."""
    if not isinstance(text, str) or not text.startswith(URL_PREFIX) or len(text) > MAX_DECK_PARAM:
        raise DeckError("deck", text)
    body = text[len(URL_PREFIX):]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_DECK_JSON)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ValueError("too large or truncated")
        document = raw.decode("utf-8")
        if _nesting_depth(document) > MAX_DECK_DEPTH:
            raise ValueError("nested too deeply")
        data = json.loads(document)
    except (ValueError, binascii.Error, zlib.error, UnicodeDecodeError, RecursionError):
        raise DeckError("deck", text) from None
    return deck_from_dict(data, indicators, district_codes)


def _nesting_depth(document: str) -> int:
    """The deepest nesting of JSON arrays and objects in ``document`` (strings skipped), found in
    one pass without recursion: json.loads recurses once per level and a 64 kB document of "["
    would exhaust the interpreter's stack (RecursionError) before any check of the deck."""
    depth = deepest = 0
    in_string = escaped = False
    for char in document:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


# --- URL state --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PresentState:
    slide: int = 0                  # 0-based index into the deck
    zoom: str | None = None         # None: the slide's own zoom; PROVINCE or a district code (on the
                                    # 2025 units, a unit's code): the presenter's
    deck: Deck | None = None        # a custom deck carried in the link; None: the default deck
    lang: str = "vi"
    units: str = UNITS_2023.id


def read_present_state(params: Mapping[str, str], indicators: Iterable[str], district_codes: Iterable[str],
                       unit_codes: Iterable[str] = (), default_units: str = UNITS_2023.id
                       ) -> tuple[PresentState, list[Notice]]:
    """Parse ``deck``, ``slide`` (1-based), ``zoom``, ``lang`` and ``units``. Never raises: a bad
    value falls back to its default and becomes a notice. Decks name 2022–2024 districts whatever
    the unit set (``district_codes``); on the 2025 units ``zoom`` is one of ``unit_codes``."""
    reader = QueryReader(params)
    district_codes = list(district_codes)
    units = reader.choice("units", list(UNIT_SETS), default_units)
    deck = None
    encoded = reader.raw("deck")
    if encoded is not None:
        try:
            deck = decode_deck(encoded, indicators, district_codes)
        except DeckError:
            reader.reject("deck", encoded)
    slide = reader.integer("slide", 1, len(deck) if deck else MAX_SLIDES, 1) - 1
    zoom_codes = district_codes if units == UNITS_2023.id else list(unit_codes)
    state = PresentState(slide=slide, zoom=reader.choice("zoom", [PROVINCE, *zoom_codes], None),
                         deck=deck, lang=reader.choice("lang", LANGUAGES, "vi"), units=units)
    return state, reader.notices


def clamp_slide(state: PresentState, deck: Deck) -> PresentState:
    """The state with its slide index inside ``deck`` (a default deck may have fewer slides than
    the link's ``slide``)."""
    return replace(state, slide=min(state.slide, len(deck) - 1))


def write_present_state(state: PresentState, default_deck: Deck, default_units: str = UNITS_2023.id) -> dict[str, str]:
    out = {"slide": str(state.slide + 1)}
    if state.zoom is not None:
        out["zoom"] = state.zoom
    if state.deck is not None and state.deck != default_deck:
        out["deck"] = encode_deck(state.deck)
    if state.lang != "vi":
        out["lang"] = state.lang
    if state.units != default_units:
        out["units"] = state.units
    return out


def step(state: PresentState, deck: Deck, offset: int) -> PresentState:
    """The next (``offset`` 1) or previous (-1) slide, shown with its own zoom."""
    return replace(state, slide=max(0, min(state.slide + offset, len(deck) - 1)), zoom=None)


def zoom_of(slide: Slide, state: PresentState) -> str | None:
    """The district shown (on the 2025 units, the unit), or None for the province: the
    presenter's choice over the slide's. A slide's district zoom does not apply to the 2025 units."""
    if state.zoom is None:
        return slide.zoom if state.units == UNITS_2023.id else None
    return None if state.zoom == PROVINCE else state.zoom


def zoom_to(state: PresentState, slide: Slide, district: str | None) -> PresentState:
    """Show ``district`` (None: the province); no override when it is what the slide shows anyway."""
    if district == zoom_of(slide, replace(state, zoom=None)):
        return replace(state, zoom=None)
    return replace(state, zoom=district if district is not None else PROVINCE)


def current_view(slide: Slide, state: PresentState) -> Slide:
    """The slide as it is shown now, zoom included (what "add the current view" saves)."""
    return replace(slide, zoom=zoom_of(slide, state))


FORM_FIELDS = ("title", "indicator", "scheme", "classes", "palette", "districts", "pilot", "zoom")


def form_values(slide: Slide, lang: str) -> dict:
    """The slide as the preparation form's values (``FORM_FIELDS``); the whole province is
    PROVINCE there, because a select box shows None as "nothing chosen"."""
    return {"title": slide.title_in(lang), "indicator": slide.indicator, "scheme": slide.scheme,
            "classes": slide.classes, "palette": slide.palette, "districts": list(slide.districts),
            "pilot": slide.pilot, "zoom": slide.zoom or PROVINCE}


def edited_slide(original: Slide, lang: str, title: str, indicator: str, scheme: str, classes: int, palette: str,
                 districts, pilot: str, zoom: str | None) -> Slide:
    """The slide the form describes. An unchanged title keeps the original's titles in both
    languages; a typed one is kept in the language it was typed in."""
    text = title.strip()[:MAX_TITLE]
    titles = original.title if text == original.title_in(lang) else ((lang, text),) if text else ()
    return Slide(indicator=indicator, title=titles, scheme=scheme, classes=int(classes), palette=palette,
                 districts=tuple(districts), pilot=pilot, zoom=None if zoom in (None, PROVINCE) else zoom)


def map_state(slide: Slide, lang: str, units: str = UNITS_2023.id) -> MapState:
    """The slide's map; its district filter does not apply to the 2025 units (there are none)."""
    return MapState(indicator=slide.indicator, scheme=slide.scheme, classes=slide.classes, palette=slide.palette,
                    districts=slide.districts if units == UNITS_2023.id else (), pilot=slide.pilot, lang=lang,
                    units=units)


def unit_zoom(bounds: Mapping[str, list[list[float]]], centroids: Mapping[str, tuple[float, float]],
              names: Mapping[str, str], code: str, margin: float = 0.6) -> tuple[list, list[list]]:
    """On the 2025 units (no districts), a click zooms to the unit with its surroundings: the
    unit's bounds grown by ``margin`` of their size on each side, and the names of the units whose
    label point falls inside, for permanent labels."""
    (south, west), (north, east) = bounds[code]
    grow_lat, grow_lon = (north - south) * margin, (east - west) * margin
    fit = [[south - grow_lat, west - grow_lon], [north + grow_lat, east + grow_lon]]
    inside = [other for other, (lat, lon) in centroids.items()
              if fit[0][0] <= lat <= fit[1][0] and fit[0][1] <= lon <= fit[1][1]]
    # The unit clicked first: when labels collide, the map keeps the earlier one.
    order = sorted(inside, key=lambda other: (other != code, other))
    return fit, [[*centroids[other], html.escape(str(names[other])), UNIT_LABEL_PX] for other in order
                 if other in names]


def slide_title(slide: Slide, indicator: Indicator, lang: str) -> str:
    return slide.title_in(lang) or indicator.name[lang]


# --- What the slide shows besides the map -------------------------------------------------------

def district_labels(table: pd.DataFrame, centroids: Mapping[str, tuple[float, float]],
                    district: str | None,
                    district_points: Mapping[str, list[float]] | None = None) -> list[list] | None:
    """[lat, lon, escaped name, font px] for permanent map labels: each commune of ``district`` when
    zoomed to it, the largest first (where labels would collide, the map keeps the earlier ones);
    at province level each district's name at its label point (when ``district_points``)."""
    if district is None:
        if not district_points:
            return None
        names = table[["district_code", "district"]].drop_duplicates()
        return [[*district_points[code], html.escape(str(name)), DISTRICT_LABEL_PX]
                for code, name in zip(names["district_code"], names["district"]) if code in district_points]
    rows = table.loc[table["district_code"] == district]
    if AREA_INDICATOR in rows:
        rows = rows.sort_values(AREA_INDICATOR, ascending=False, kind="stable")
    return [[*centroids[code], html.escape(str(name)), UNIT_LABEL_PX] for code, name in zip(rows["gso_code"], rows["name"])
            if code in centroids]


@dataclass(frozen=True)
class AreaFigure:
    label: str
    value: str


def area_figure(table: pd.DataFrame, catalogue: Mapping[str, Indicator], indicator: Indicator,
                shown: pd.Series, area: str, lang: str) -> AreaFigure:
    """One figure for the current indicator over the communes ``shown`` (filters and zoom):
    pilot communes out of the communes shown for the pilot status, the total of a count, the ratio of the totals
    for a ratio (not the mean of the communes' ratios), else the median of the communes."""
    frame = table.loc[shown]
    name = indicator.name[lang]
    if indicator.kind == "category":
        pilots = int((frame[indicator.id] == PILOT).sum())
        return AreaFigure(t("present.area.pilot", lang, area=area),
                          f"{fmt.number(pilots, 0, lang)}/{fmt.number(len(frame), 0, lang)}")
    aggregate = area_value(frame, indicator, catalogue)
    if aggregate is not None:
        label = labels.label(labels.AREA_FIGURE, aggregate.how, lang, indicator=name, area=area)
        if not aggregate.whole:
            label += " · " + t("area.partial", lang, covered=aggregate.covered, communes=aggregate.communes)
        return AreaFigure(label, fmt.with_unit(aggregate.value, indicator.unit[lang], indicator.decimals, lang))
    median = frame[indicator.id].median()
    median = None if pd.isna(median) else float(median)
    return AreaFigure(labels.label(labels.AREA_FIGURE, "median", lang, indicator=name, area=area),
                      fmt.with_unit(median, indicator.unit[lang], indicator.decimals, lang))


def legend_strip_html(legend: list[LegendEntry], lang: str) -> str:
    """The legend with large swatches and text, readable across a room: as many columns as fit."""
    items = [legend_row_html(entry.colour, entry.label, tn("legend.count", entry.count, lang),
                             entry.kind != "class", LEGEND_PROJECTOR, hatched=entry.kind == "filtered") for entry in legend]
    return ('<div class="camau-present-legend" style="display:grid;grid-template-columns:repeat(auto-fill,'
            'minmax(15rem,1fr));column-gap:1.2rem;row-gap:.3rem">' + "".join(items) + "</div>")


LEGEND_PROJECTOR = LegendStyle("gap:.5rem;font-size:clamp(1.05rem,2.3vh,1.25rem);line-height:1.3",
                               "width:2.4rem;height:1.4rem;flex:none", "2px", "#222", "#222")
# Widths of the side column and the map, per unit set: the province of 2022–2024 is taller than wide,
# the merged province of 2025 about as wide as tall.
SIDE_AND_MAP = {UNITS_2023.id: (1.2, 1), UNITS_2025.id: (1.1, 1.2)}

# Projector theme, injected on this page only. The map's frame is as tall as the screen less the
# top bar (Streamlit sets the frame's height in pixels; the layer script fills it); the side column
# uses large type, dark text on white (captions 20 px, #222: contrast 15:1) and a thick focus ring.
# Sizes shrink with the screen's height so that a 1280×720 screen still shows everything.
PROJECTOR_CSS = """<style>
.block-container{padding:3.75rem 1.2rem .5rem 1.2rem;max-width:100%}
.block-container [data-testid="stVerticalBlock"]{gap:clamp(.25rem,.75vh,.6rem)}
.block-container h1{font-size:clamp(1.5rem,3.4vh,2.3rem);line-height:1.2;color:#111;margin:0;padding:0}
.st-key-present_map_box iframe{height:calc(100vh - 4.3rem) !important}
[data-testid="stMetricLabel"] p{font-size:clamp(1rem,2vh,1.2rem);color:#222;white-space:normal}
[data-testid="stMetricLabel"] > div{overflow:visible;white-space:normal}
[data-testid="stMetricValue"]{font-size:clamp(1.6rem,4vh,2.6rem);color:#0b3d91;font-weight:700}
.block-container [data-testid="stCaptionContainer"], .block-container [data-testid="stCaptionContainer"] p{
  font-size:1.25rem;line-height:1.3;color:#222;opacity:1}
.st-key-present_units label p{font-size:1.1rem;color:#222}
.block-container button p{font-size:clamp(1.05rem,2.2vh,1.25rem);font-weight:600}
.block-container button:focus-visible{outline:4px solid #111;outline-offset:2px}
.camau-present-counter{font-size:clamp(1.2rem,2.8vh,1.6rem);font-weight:700;color:#111;text-align:center}
.camau-present-area{font-size:clamp(1.25rem,2.6vh,1.5rem);font-weight:700;color:#111}
.camau-present-legend-title{font-size:clamp(1.25rem,2.4vh,1.4rem);font-weight:700;color:#111;margin-bottom:.2rem}
@media (max-height:800px){
  [data-testid="stMetricLabel"] p{font-size:.9rem;line-height:1.2}
  [data-testid="stMetricValue"]{font-size:1.55rem}
  .block-container [data-testid="stCaptionContainer"] p{line-height:1.22}
}
</style>"""
