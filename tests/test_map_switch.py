"""The map's switch files: payloads one click away (views/map/switch.py) and their writer
(ui/map_switch.py)."""
import json
from dataclasses import replace

import pytest

from geo.web_geometry import PublishedGeometry
from ui import map_switch
from views.map.mapview import build_view
from views.map.state import MapState
from views.map.switch import indicator_label, indicator_switch, indicator_switch_key


@pytest.fixture(scope="module")
def geometry(reference):
    points = reference.communes.geometry.representative_point()
    return PublishedGeometry("/app/static/geo/c.geojson", "/app/static/geo/o.geojson", 0, 0,
                             {c: (p.y, p.x) for c, p in zip(reference.communes["gso_code"], points)},
                             tuple(reference.communes.total_bounds))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_indicator_is_the_payload_the_server_would_send(table, catalogue, sources, geometry, lang):
    state = MapState(indicator="population_2019", scheme="fisher_jenks", classes=4, palette="Blues",
                     districts=("964",), commune="32005", value_min=1.0, lang=lang)
    switch = indicator_switch(table, catalogue, sources, state, geometry, None, lang)
    assert switch["widget"] == "w_indicator" and switch["keep_selection"] is True
    assert list(switch["options"]) == [indicator_label(i, lang) for i in catalogue.values()]
    for indicator in catalogue.values():
        # what a rerun computes after the change: the value range applied to the old indicator only
        after = replace(state, indicator=indicator.id, value_min=None, commune=None)
        expected = build_view(table, catalogue, sources, after, geometry, None, lang).layer.payload()
        assert switch["options"][indicator_label(indicator, lang)] == expected


def test_labels_mark_illustrative_indicators(catalogue):
    marked = [i for i in catalogue.values() if i.illustrative]
    assert marked and all(indicator_label(i, "vi").endswith(" · Dữ liệu minh họa") for i in marked)


def test_the_key_ignores_only_what_the_payloads_do_not_depend_on():
    state = MapState(indicator="population_2019", commune="32005", value_max=3.0)
    assert indicator_switch_key(state) == indicator_switch_key(replace(state, indicator="households_2019", commune=None,
                                                                       value_max=None))
    assert indicator_switch_key(state) != indicator_switch_key(replace(state, palette="Reds"))
    assert indicator_switch_key(state) != indicator_switch_key(replace(state, districts=("964",)))


def test_files_are_written_whole_once_and_pruned(tmp_path, monkeypatch):
    monkeypatch.setattr(map_switch, "KEEP_FILES", 3)
    monkeypatch.setattr(map_switch, "static_url", lambda: "/app/static")
    calls = []

    def make(n):
        calls.append(n)
        return {"options": {"x": n}}

    urls = [map_switch.switch_url(("test", n), lambda n=n: make(n), directory=tmp_path) for n in range(5)]
    again = map_switch.switch_url(("test", 4), lambda: make(99), directory=tmp_path)
    map_switch.wait_for_switch_files()
    assert again == urls[4] and all(u.startswith("/app/static/switch/switch-") for u in urls)
    assert sorted(calls) == [0, 1, 2, 3, 4]                    # once per key
    files = sorted(tmp_path.glob("switch-*.json"))
    assert len(files) == 3                                     # the newest kept
    assert json.loads((tmp_path / urls[4].rsplit("/", 1)[1]).read_text()) == {"options": {"x": 4}}
    assert not list(tmp_path.glob(".*"))                       # no half-written file left


def test_a_failed_build_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(map_switch, "static_url", lambda: "/app/static")

    def broken():
        raise ValueError("no data")

    map_switch.switch_url(("test", "broken"), broken, directory=tmp_path)
    map_switch.wait_for_switch_files()
    assert not list(tmp_path.iterdir())
