"""Where a slide puts the map (its fit and permanent labels), and the slides one click away, for the
map to switch to before the server answers (views/map/switch.py)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from geo.maprender import LayerData
from geo.web_geometry import PublishedGeometry
from indicators.catalogue import Indicator, ReportFigure, Source
from views.map.mapview import build_view
from views.map.switch import buttons_switch
from views.present.presentation import Deck, PresentState, district_labels, map_state, step, unit_zoom, zoom_of

LINE_SCALE = 1.6   # outlines thick enough to see on a projector
NEXT_BUTTON, PREVIOUS_BUTTON = "present_next", "present_prev"
NEXT_SHORTCUT, PREVIOUS_SHORTCUT = "PageDown", "PageUp"


@dataclass(frozen=True)
class SlidePlaces:
    """What placing a slide on the map needs. On the 2022–2024 units each district's bounds and
    label point; on the 2025 units each unit's bounds (``district_bounds`` is None)."""
    province: list                                   # [[south, west], [north, east]]
    centroids: Mapping[str, tuple[float, float]]
    unit_names: Mapping[str, str]
    district_bounds: Mapping[str, list] | None = None
    district_points: Mapping[str, list[float]] | None = None
    unit_bounds: Mapping[str, list] | None = None


def slide_layer(layer: LayerData, table: pd.DataFrame, zoom: str | None, places: SlidePlaces) -> LayerData:
    """``layer`` fitted to the area shown (``zoom``: a district, a 2025 unit or None for the
    province) with its permanent labels and projector outlines."""
    if places.district_bounds is not None:
        fit = places.district_bounds[zoom] if zoom else places.province
        names = district_labels(table, places.centroids, zoom, places.district_points)
    elif zoom:
        fit, names = unit_zoom(places.unit_bounds, places.centroids, places.unit_names, zoom)
    else:   # 64 names would cover the map; the units are named in their tooltips and when zoomed
        fit, names = places.province, None
    return replace(layer, fit=fit, labels=names, line_scale=LINE_SCALE, projector=True)


def slide_switch(table: pd.DataFrame, catalogue: dict[str, Indicator], sources: dict[str, Source],
                 state: PresentState, deck: Deck, geometry: PublishedGeometry, model_figure: ReportFigure | None,
                 places: SlidePlaces, lang: str, value_sources: pd.DataFrame | None = None) -> dict:
    """The next and previous slides' payloads, as the page would draw them, for their buttons and
    keyboard shortcuts."""
    layers = {}
    for button, offset in ((NEXT_BUTTON, 1), (PREVIOUS_BUTTON, -1)):
        target = step(state, deck, offset)
        slide = deck.slides[target.slide]
        view = build_view(table, catalogue, sources, map_state(slide, lang, state.units), geometry, model_figure,
                          lang, value_sources)
        layers[button] = slide_layer(view.layer, table, zoom_of(slide, target), places)
    return buttons_switch(layers, {NEXT_SHORTCUT: NEXT_BUTTON, PREVIOUS_SHORTCUT: PREVIOUS_BUTTON})
