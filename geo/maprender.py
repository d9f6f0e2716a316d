"""Leaflet map rendering through folium, built for streamlit-folium's in-place updates.

The base map is data-free and byte-identical on every rerun, so streamlit-folium keeps the same
Leaflet map. Everything that changes (colours, values, selection) travels in a small layer added
with ``feature_group_to_add``; the geometry itself is a static file that the map's iframe loads
once. Only local assets are used: no CDN, no ``folium.Choropleth``, no branca colormap.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import MacroElement
from jinja2 import Template

MAP_HEIGHT = 620
STYLE_NORMAL, STYLE_NO_DATA, STYLE_FILTERED_OUT = 0, 1, 2
TILE_LAYERS = {"none": None, "osm": "OpenStreetMap"}
LAYER_SCRIPT = Path(__file__).resolve().parent / "choropleth_layer.js"


def use_local_leaflet(js_url: str, css_url: str) -> None:
    """Point folium at the self-hosted scripts (Leaflet, with our layer script in the same file:
    see geo.web_geometry.install_map_script) and CSS, and drop its other CDN assets (jQuery,
    Bootstrap, awesome-markers), which polygons and tooltips do not need."""
    folium.Map.default_js = [("leaflet", js_url)]
    folium.Map.default_css = [("leaflet_css", css_url)]


def base_map(bounds: tuple[float, float, float, float], tiles: str = "none") -> folium.Map:
    """A fresh data-free map. Never cache it: st_folium mutates the map it is given."""
    minx, miny, maxx, maxy = bounds
    # Fractional zoom lets the province fill the frame instead of the nearest whole zoom level.
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9,
                      tiles=TILE_LAYERS.get(tiles), min_zoom=7, max_zoom=15, zoom_snap=0.25, zoom_delta=0.5)
    MetricScale().add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]], padding=(8, 8))
    return fmap


class MetricScale(MacroElement):
    """Leaflet's scale bar in kilometres only (folium's ``control_scale`` adds miles too)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


@dataclass(frozen=True)
class LayerData:
    """What the map shows for one view. Every string is already HTML-escaped.

    ``styles`` maps a GSO code to (index into ``colours``, STYLE_*). ``values`` maps it to the
    value text without its unit, or to a key of ``missing`` when the commune has no value."""
    communes_url: str
    outlines_url: str
    colours: list[str]
    styles: dict[str, tuple[int, int]]
    values: dict[str, str | int]
    unit: str                              # appended to every value text, e.g. " người" or "%"
    missing: dict[int, str]                # e.g. {0: "Không có dữ liệu", 1: "Chưa triển khai"}
    header: str                            # indicator name
    footer: str                            # denominator, date, source, illustrative mark
    selected: str | None
    marker: dict | None                    # {"latlng": [lat, lon], "label": html}
    # Optional (presentation mode); at their defaults they are left out of the payload, so the
    # other maps send and draw exactly what they did before.
    fit: list | None = None                # [[south, west], [north, east]]: fly there when it changes
    labels: list | None = None             # [[lat, lon, html], ...]: permanent commune name labels
    line_scale: float = 1.0                # multiplies every outline width (thicker on a projector)
    notes: dict | None = None              # {gso_code: html}: a line under the value (converted, estimated)
    switch: str | None = None              # URL of the payloads the page can switch to next (see the script)
    projector: bool = False                # fill the frame, fractional zoom, close tooltips on a click
    view: list | None = None               # [lat, lon, zoom]: open here (a shared link's view), over ``fit``
    view_param: str | None = None          # the page's URL parameter a user's own pan and zoom are kept in

    def payload(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__
                if name not in _OPTIONAL_DEFAULTS or getattr(self, name) != _OPTIONAL_DEFAULTS[name]}

    def to_json(self) -> str:
        text = json.dumps(self.payload(), ensure_ascii=False, separators=(",", ":"))
        # The string is evaluated as script: never let it close a <script> element.
        return text.replace("</", "<\\/")


_OPTIONAL_DEFAULTS = {"fit": None, "labels": None, "line_scale": 1.0, "notes": None, "switch": None,
                      "projector": False, "view": None, "view_param": None}


def union_bounds(boxes: list[list[list[float]]]) -> list[list[float]]:
    """The smallest [[south, west], [north, east]] holding every box."""
    return [[min(box[0][0] for box in boxes), min(box[0][1] for box in boxes)],
            [max(box[1][0] for box in boxes), max(box[1][1] for box in boxes)]]


def group_bounds(frame, column: str) -> dict[str, list[list[float]]]:
    """Leaflet bounds [[south, west], [north, east]] of the geometries of each value of ``column``
    (e.g. the communes of each district), rounded to 5 decimals."""
    bounds = {}
    for key, group in frame.groupby(column):
        minx, miny, maxx, maxy = (round(float(x), 5) for x in group.total_bounds)
        bounds[str(key)] = [[miny, minx], [maxy, maxx]]
    return bounds


def group_points(frame, column: str) -> dict[str, list[float]]:
    """A label point [lat, lon] inside the union of the geometries of each value of ``column``."""
    points = {}
    for key, group in frame.groupby(column):
        point = group.geometry.union_all().representative_point()
        points[str(key)] = [round(point.y, 5), round(point.x, 5)]
    return points


class ChoroplethLayer(MacroElement):
    """The per-rerun call into the static layer script (geo/choropleth_layer.js)."""
    _template = Template("""
{% macro script(this, kwargs) %}
window.camauChoropleth({{ this._parent.get_name() }}, {{ this.payload }});
{% endmacro %}""")

    def __init__(self, payload_json: str):
        super().__init__()
        self._name = "ChoroplethLayer"
        self.payload = payload_json


def layer_group(payload_json: str) -> folium.FeatureGroup:
    """The feature group streamlit-folium adds to the map: one call of the layer script with
    ``payload_json`` (JSON text)."""
    group = folium.FeatureGroup(name="communes")
    ChoroplethLayer(payload_json).add_to(group)
    return group
