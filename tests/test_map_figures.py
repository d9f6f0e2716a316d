"""The map page's on-demand charts (views/map/distribution.py): where each commune lies among the
map's classes, and the indicator by district aggregated honestly; in Vietnamese and English."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from indicators.table import PILOT, area_value
from tests import test_mapview
from tests.test_mapview import view_for
from tests.test_pages import map_component, open_page, vega_charts
from views.map.distribution import distribution_panel, district_panel

geometry, model = test_mapview.geometry, test_mapview.model     # the same fixtures


def layer_rows(spec: dict) -> list[list[dict]]:
    """Each layer's rows (Altair puts them in the spec's datasets, and data the layers share on top)."""
    datasets, shared = spec.get("datasets", {}), spec.get("data", {}).get("name")
    return [datasets[layer.get("data", {}).get("name", shared)] for layer in spec["layer"]]


def test_distribution_places_every_shown_commune_in_its_class_colour(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="vneid_per_1000", districts=("964", "966"),
                    commune="32005")
    panel = distribution_panel(table, view, "32005", "vi")
    bands, dots, *selected = layer_rows(panel.spec)
    shown = table.loc[view.mask & table["vneid_per_1000"].notna()]
    assert len(dots) == len(shown) == 25
    assert sorted(d["value"] for d in dots) == pytest.approx(sorted(shown["vneid_per_1000"]))
    assert [d["colour"] for d in dots] == view.colours[shown.index].tolist()
    assert {b["colour"] for b in bands} == {c.colour for c in view.classification.classes}
    assert selected and selected[0][0]["name"] == "Phường 1"
    assert panel.spec["description"].startswith("Biểu đồ chấm: 25 xã")
    assert panel.spec["config"]["locale"]["number"]["decimal"] == ","
    # a category has no value axis: the ranking section counts it
    assert distribution_panel(table, view_for(table, catalogue, sources, geometry, model), None, "vi") is None


@pytest.mark.parametrize("indicator", ["vneid_dossiers", "vneid_per_1000", "households_guided_share"])
def test_district_bars_add_up_honestly(table, catalogue, sources, geometry, model, indicator):
    """A count's bar is the district's total, a ratio's the ratio of its totals (not a mean of the
    communes' ratios); a district whose figure misses some communes is marked."""
    view = view_for(table, catalogue, sources, geometry, model, indicator=indicator)
    panel = district_panel(table, catalogue, view, "en")
    bars = layer_rows(panel.spec)[0]          # the bars, then their value labels
    assert len(bars) == 9
    for bar in bars:
        communes = table[table["district"] == bar["district"]]
        expected = area_value(communes, catalogue[indicator], catalogue)
        assert bar["value"] == pytest.approx(expected.value)
        assert bar["whole"] == expected.whole and (bar["coverage"] == "") == expected.whole
    assert [bar["value"] for bar in bars] == sorted((bar["value"] for bar in bars), reverse=True)
    if catalogue[indicator].column is None:      # a ratio: not the mean of the communes' ratios
        city = next(bar for bar in bars if bar["district"] == "Thành phố Cà Mau")
        ratios = table.loc[table["district"] == "Thành phố Cà Mau", indicator]
        assert city["value"] != pytest.approx(ratios.mean())


def test_district_bars_of_the_pilot_status_count_pilots_out_of_the_communes(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="pilot_status", pilot="all")
    _, bars, _ = layer_rows(district_panel(table, catalogue, view, "vi").spec)   # behind them: the communes
    for bar in bars:
        communes = table[table["district"] == bar["district"]]
        assert bar["value"] == int((communes["pilot_status"] == PILOT).sum()) and bar["of"] == len(communes)
    assert sum(bar["value"] for bar in bars) == int((table["pilot_status"] == PILOT).sum())


def test_no_district_bars_on_the_2025_units(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="vneid_dossiers")
    assert district_panel(table.drop(columns=["district_code"]), catalogue, view, "vi") is None


@pytest.mark.parametrize("lang, title, thousands", [("vi", "Theo huyện", "."), ("en", "By district", ",")])
def test_the_section_draws_both_charts_only_when_open(app, lang, title, thousands):
    at = open_page(app, "map", ind="vneid_dossiers", lang=lang)
    assert not vega_charts(at)                         # closed: nothing drawn on the map's rerun
    at.session_state["x_figures"] = True
    at.run()
    assert not at.exception
    charts = vega_charts(at)
    assert set(charts) == {"distribution", "districts"}
    spec, rows = charts["districts"]
    assert json.dumps(spec["title"], ensure_ascii=False).count(title) >= 1
    assert spec["config"]["locale"]["number"]["thousands"] == thousands
    assert len([row for row in rows if "district" in row and "of" in row]) >= 9
    payload_before = map_component(at)["feature_group"]
    at.session_state["x_figures"] = False
    at.run()
    assert not vega_charts(at) and map_component(at)["feature_group"] == payload_before


def test_the_section_on_the_2025_units_has_the_distribution_only(app):
    at = open_page(app, "map", ind="vneid_per_1000", units="2025")
    at.session_state["x_figures"] = True
    at.run()
    assert not at.exception
    assert set(vega_charts(at)) == {"distribution"}
    assert any("huyện" in caption.value for caption in at.caption)
    spec, rows = vega_charts(at)["distribution"]
    dots = pd.DataFrame([row for row in rows if "spread" in row])
    assert 0 < len(dots) <= 64 and dots["value"].notna().all()     # the units with a (converted) value
    assert spec["description"].startswith(f"Biểu đồ chấm: {len(dots)} xã")
