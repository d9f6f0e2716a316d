"""The commune map every page draws: a data-free Leaflet base map that streamlit-folium keeps across
reruns (one per key), with the page's layer added in place.

streamlit-folium's ``st_folium`` rebuilds and renders the folium map on every rerun (about 5 ms
here: branca compiles each rendered script as a jinja template), although the base map is the same
on every rerun and only the layer's payload changes. So the base map and the layer's wrapper are
rendered by streamlit-folium's own helpers once per (bounds, tiles, key), and a rerun only puts the
payload in and calls the component. tests/test_commune_map.py checks that the component receives
exactly what ``st_folium`` would send, so an upgrade of streamlit-folium that changes its output
fails there rather than on the map.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import folium
import folium.elements
import streamlit as st
import streamlit_folium

from geo.maprender import MAP_HEIGHT, LayerData, base_map, layer_group
from ui.settings import base_tiles

# What a click on a commune sends back (see ui.map_widgets.clicked_code).
CLICK_OBJECTS = ("last_active_drawing", "last_object_clicked_count")
CLICK_DEFAULTS = {"last_object_clicked_count": None, "last_active_drawing": None}   # in st_folium's order
_PAYLOAD_SLOT = "__camau_layer_payload__"
_GROUP_ID = "feature_group_0"


@dataclass(frozen=True)
class RenderedBase:
    """What ``st_folium`` sends for the base map and the layer's wrapper, for one key."""
    script: str
    header: str
    html: str
    map_id: str
    hash_key: str          # the component's widget key (st_folium's generate_js_hash)
    group_script: str      # the feature group's script, with _PAYLOAD_SLOT where the payload goes
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]


@st.cache_resource(show_spinner=False, max_entries=32)
def rendered_base(bounds: tuple[float, float, float, float], tiles: str, key: str,
                  links: tuple[tuple, tuple]) -> RenderedBase:
    """streamlit-folium's rendering of a fresh base map and of a layer group around the payload
    slot, step by step as ``st_folium`` does it (same helpers, same order). ``links`` are folium's
    script and CSS links (set by ui.map_assets), which the rendering reads: part of the key."""
    fmap = base_map(bounds, tiles)
    fmap.render()
    html, header = streamlit_folium._get_html(fmap), streamlit_folium._get_header(fmap)
    script = streamlit_folium._get_map_string(fmap)
    map_id = streamlit_folium.get_full_id(fmap)
    group = layer_group(_PAYLOAD_SLOT)
    group_script = streamlit_folium._get_feature_group_string(group, map=fmap, idx=0)
    css_links, js_links = [], []
    for element in _walk(fmap):
        css_links.extend(href for _, href in getattr(element, "default_css", []))
        js_links.extend(src for _, src in getattr(element, "default_js", []))
    return RenderedBase(script=script, header=header, html=html, map_id=map_id,
                        hash_key=streamlit_folium.generate_js_hash(script, key, False), group_script=group_script,
                        css_links=tuple(dict.fromkeys(css_links)), js_links=tuple(dict.fromkeys(js_links)))


def _walk(element):
    if isinstance(element, folium.elements.JSCSSMixin):
        yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def component_args(layer: LayerData, base: RenderedBase, height: int, clicks: bool) -> dict:
    """The component's arguments but ``on_change``: those of ``st_folium(base_map(...),
    feature_group_to_add=layer_group(layer.to_json()), use_container_width=True, ...)``."""
    returned = list(CLICK_OBJECTS) if clicks else []
    return {
        "script": base.script, "header": base.header, "html": base.html, "id": base.map_id, "key": base.hash_key,
        "height": height, "width": None, "returned_objects": returned, "default": dict(CLICK_DEFAULTS) if clicks else {},
        "zoom": None, "center": None, "feature_group": base.group_script.replace(_PAYLOAD_SLOT, layer.to_json()),
        "return_on_hover": False, "layer_control": None, "pixelated": False,
        "css_links": list(base.css_links), "js_links": list(base.js_links), "wrap_longitude": False,
    }


def commune_map(layer: LayerData, bounds: tuple[float, float, float, float], key: str, height: int = MAP_HEIGHT,
                clicks: bool = False, on_change: Callable[[], None] | None = None) -> None:
    base = rendered_base(bounds, base_tiles(), key,
                         (tuple(folium.Map.default_js), tuple(folium.Map.default_css)))

    def changed() -> None:
        # As st_folium does: the value is kept under the page's key as well as the component's.
        st.session_state[key] = st.session_state.get(base.hash_key, {})
        if on_change is not None:
            on_change()

    streamlit_folium._component_func(**component_args(layer, base, height, clicks), on_change=changed)
