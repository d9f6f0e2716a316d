"""ui.commune_map sends the map component exactly what streamlit-folium's st_folium would send."""
from dataclasses import replace

import pytest
import streamlit_folium

from geo.maprender import MAP_HEIGHT, base_map, layer_group
from ui.commune_map import commune_map, component_args, rendered_base
from ui.settings import base_tiles
from ui.streamlit_support import map_assets, map_view, published_version
from views.map.state import MapState


def _captured(monkeypatch, call) -> dict:
    sent = {}
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
    call()
    sent.pop("on_change")
    return sent


@pytest.mark.parametrize("units,indicator,clicks,height", [
    ("2023", "vneid_per_1000", True, MAP_HEIGHT),
    ("2023", "pilot_status", False, 420),
    ("2025", "population_2019", True, MAP_HEIGHT),
])
def test_the_component_receives_what_st_folium_sends(monkeypatch, units, indicator, clicks, height):
    geometry = map_assets(units)
    layer = map_view(published_version().id, MapState(indicator=indicator, units=units), "vi").layer
    returned = ["last_active_drawing", "last_object_clicked_count"] if clicks else []
    theirs = _captured(monkeypatch, lambda: streamlit_folium.st_folium(
        base_map(geometry.bounds, base_tiles()), key="k", feature_group_to_add=layer_group(layer.to_json()), height=height,
        use_container_width=True, returned_objects=returned))
    ours = _captured(monkeypatch, lambda: commune_map(layer, geometry.bounds, key="k", height=height, clicks=clicks))
    assert ours == theirs
    assert layer.to_json() in ours["feature_group"]


def test_a_payload_that_looks_like_folium_markup_is_sent_unchanged():
    # st_folium rewrites {{'name'}} (its element references) in the script it sends; the payload is
    # data and is put in after that step, untouched.
    geometry = map_assets("2023")
    layer = replace(map_view(published_version().id, MapState(indicator="vneid_per_1000"), "vi").layer,
                    footer="{{'abc'}} marker_5f9d46")
    base = rendered_base(geometry.bounds, base_tiles(), "k", ((), ()))
    args = component_args(layer, base, MAP_HEIGHT, clicks=False)
    assert args["feature_group"].count(layer.to_json()) == 1 and "{{'abc'}}" in args["feature_group"]
    assert "__camau_layer_payload__" not in args["feature_group"]
