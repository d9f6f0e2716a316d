"""The views one click away, for the map to switch to before the server answers.

geo/choropleth_layer.js restyles the map from these payloads the moment the page's widget changes
("Switching before the server answers"); the rerun that follows sends the same payload. So they
are built by the page's own code (``build_view``) for the state the click leads to, and a payload
here is never anything the server would not send itself.
"""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from geo.maprender import LayerData
from geo.web_geometry import PublishedGeometry
from indicators.catalogue import Indicator, ReportFigure, Source
from l10n.messages import t
from views.map.mapview import build_view
from views.map.state import MapState

INDICATOR_WIDGET = "w_indicator"


def indicator_label(indicator: Indicator, lang: str) -> str:
    """The indicator as the map page's picker names it (the switch matches on this text)."""
    mark = f" · {t('illustrative', lang)}" if indicator.illustrative else ""
    return indicator.name[lang] + mark


def indicator_switch_key(state: MapState) -> MapState:
    """What the payloads of ``indicator_switch`` depend on: the state without its indicator, the
    chosen commune (the map keeps its own) and the value range (it applies to one indicator only)."""
    return replace(state, indicator="", commune=None, value_min=None, value_max=None)


def indicator_switch(table: pd.DataFrame, catalogue: dict[str, Indicator], sources: dict[str, Source],
                     state: MapState, geometry: PublishedGeometry, model_figure: ReportFigure | None,
                     lang: str, value_sources: pd.DataFrame | None = None) -> dict:
    """Every indicator's payload in ``state``'s classes, palette and filters, keyed by the
    picker's label."""
    base = replace(state, commune=None, value_min=None, value_max=None)
    options = {}
    for indicator in catalogue.values():
        view = build_view(table, catalogue, sources, replace(base, indicator=indicator.id), geometry, model_figure,
                          lang, value_sources)
        options[indicator_label(indicator, lang)] = view.layer.payload()
    return {"widget": INDICATOR_WIDGET, "keep_selection": True, "options": options}


def buttons_switch(layers: dict[str, LayerData], shortcuts: dict[str, str] | None = None) -> dict:
    """The payload each button (by its widget key) leads to, e.g. the next and previous slide;
    ``shortcuts`` maps a key (``KeyboardEvent.key``, e.g. "PageDown") to the button it presses."""
    return {"keep_selection": False, "buttons": {key: layer.payload() for key, layer in layers.items()},
            "keys": dict(shortcuts or {})}
