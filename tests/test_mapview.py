"""What the map shows: escaped tooltips, legend counts, grey no-data class, filters, chart, panel."""
import json

import pandas as pd
import pytest

from geo.classify import NO_DATA_COLOUR
from geo.maprender import STYLE_FILTERED_OUT, STYLE_NO_DATA, STYLE_NORMAL, LayerData
from geo.web_geometry import PublishedGeometry, commune_tip_html
from views.map.mapview import build_view, chart_rows, class_label, legend_entries, panel_rows, table_rows
from views.map.state import MapState

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def geometry(reference):
    points = reference.communes.geometry.representative_point()
    return PublishedGeometry("/app/static/geo/c.geojson", "/app/static/geo/o.geojson", 0, 0,
                             {c: (p.y, p.x) for c, p in zip(reference.communes["gso_code"], points)},
                             tuple(reference.communes.total_bounds))


@pytest.fixture(scope="module")
def model(report):
    return next(figure for figure in report if figure.gso_code)


def view_for(table, catalogue, sources, geometry, model, lang="vi", **state):
    return build_view(table, catalogue, sources, MapState(**state), geometry, model, lang)


def test_tooltip_escapes_a_hostile_commune_name():
    tip = commune_tip_html(HOSTILE, "Huyện <b>X</b>", "Xã & co")
    assert "<img" not in tip and "&lt;img src=x onerror=alert(1)&gt;" in tip
    assert "&lt;b&gt;X&lt;/b&gt;" in tip and "Xã &amp; co" in tip


def test_layer_payload_cannot_close_a_script_element():
    layer = LayerData("/a", "/b", ["#fff"], {"32005": (0, 0)}, {"32005": "</script><script>alert(1)"},
                      "", {0: "-"}, "h", "f", None, None)
    script = layer.to_json()
    assert "</script>" not in script
    assert json.loads(script.replace("<\\/", "</"))["values"]["32005"].startswith("</script>")


def test_hostile_name_in_the_table_is_escaped_in_every_map_string(table, catalogue, sources, geometry, model):
    hostile = table.copy()
    hostile.loc[hostile["gso_code"] == "32005", "name"] = HOSTILE
    view = view_for(hostile, catalogue, sources, geometry, model, indicator="population_2019", commune="32005")
    payload = view.layer.to_json()
    assert "<img" not in payload
    # The panel and chart are rendered by Streamlit as text; the raw name reaches them unchanged.
    rows = chart_rows(hostile, view, "32005", "vi")
    assert HOSTILE in rows["name"].tolist()


def test_category_map_counts_pilots(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model)
    assert [(entry.label, entry.count) for entry in view.legend] == [("Đã thí điểm", 45), ("Chưa thí điểm", 56)]
    assert view.layer.values["32005"] == "Đã thí điểm" and view.layer.unit == ""


def test_pilot_only_indicator_shows_not_deployed_in_grey(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="households_guided_share")
    no_data = [entry for entry in view.legend if entry.kind == "no_data"]
    assert no_data and no_data[0].count == 56 and no_data[0].colour == NO_DATA_COLOUR
    assert "Chưa triển khai" in no_data[0].label
    assert sum(entry.count for entry in view.legend if entry.kind == "class") == 45
    not_piloted = table.loc[~table["pilot"], "gso_code"].iloc[0]
    colour_index, style = view.layer.styles[not_piloted]
    assert (view.layer.colours[colour_index], style) == (NO_DATA_COLOUR, STYLE_NO_DATA)
    assert view.layer.missing[view.layer.values[not_piloted]] == "Chưa triển khai"
    assert view.texts[table["gso_code"] == not_piloted].item() == "Chưa triển khai"
    assert all(view.layer.colours[index] != NO_DATA_COLOUR
               for index, style in view.layer.styles.values() if style == STYLE_NORMAL)


def test_tooltip_carries_unit_denominator_date_source_and_illustrative_mark(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="vneid_per_1000")
    assert "Dữ liệu minh họa" in view.layer.header and "Dữ liệu minh họa" in view.layer.footer
    assert "Mẫu số: Dân số 2019" in view.layer.footer and "10/02/2023" in view.layer.footer
    assert "Nguồn:" in view.layer.footer
    assert view.layer.unit == " hồ sơ/1.000 dân" and view.layer.values["32005"] == "98,2"
    real = view_for(table, catalogue, sources, geometry, model, indicator="population_2019")
    assert "minh họa" not in real.layer.header + real.layer.footer
    assert real.layer.values["32005"] + real.layer.unit == "14.501 người"
    assert real.texts[table["gso_code"] == "32005"].item() == "14.501 người"


def test_filters_fade_communes_and_legend_counts_only_shown(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="population_2019",
                    districts=("964",), scheme="quantiles", classes=4)
    city = set(table.loc[table["district_code"] == "964", "gso_code"])
    assert int(view.mask.sum()) == len(city) == 17
    assert sum(entry.count for entry in view.legend if entry.kind == "class") == 17
    filtered = [entry for entry in view.legend if entry.kind == "filtered"]
    assert filtered[0].count == 84
    for code, (_, style) in view.layer.styles.items():
        assert (style == STYLE_FILTERED_OUT) == (code not in city)


@pytest.mark.parametrize("indicator", ["vneid_per_1000", "pilot_status", "households_guided_share"])
def test_legend_counts_follow_the_area_shown(table, catalogue, sources, geometry, model, indicator):
    """The presentation's legend counts the communes of the district it zooms to: every commune of
    the district is counted once, in its class (or category, or no-data reason), or as filtered out."""
    view = view_for(table, catalogue, sources, geometry, model, indicator=indicator, districts=("964", "966"))
    province = legend_entries(table, catalogue[indicator], view.classification, view.mask, None, "vi")
    assert province == view.legend
    for district in ("964", "968"):
        within = table["district_code"] == district
        legend = legend_entries(table, catalogue[indicator], view.classification, view.mask, within, "vi")
        assert sum(entry.count for entry in legend) == int(within.sum())
        assert sum(e.count for e in legend if e.kind == "filtered") == int((within & ~view.mask).sum())
        if view.classification is not None:
            for entry, value_class in zip(legend, view.classification.classes):
                assert entry.count == int((within & view.mask & (view.classification.class_of == value_class.index)).sum())


def test_value_range_filter(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="population_2019",
                    value_min=10000, value_max=20000)
    shown = table.loc[view.mask, "population_2019"]
    assert shown.between(10000, 20000).all() and len(shown) == table["population_2019"].between(10000, 20000).sum()


def test_bad_manual_breaks_fall_back_with_an_error(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="population_2019", scheme="manual",
                    breaks=(5,))
    assert view.breaks_error and view.classification.scheme == "quantiles"


def test_class_labels_are_half_open(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="population_2019",
                    scheme="equal_interval", classes=3)
    labels = [entry.label for entry in view.legend]
    assert "– dưới" in labels[0] and "– dưới" in labels[1] and "dưới" not in labels[2]
    manual = view_for(table, catalogue, sources, geometry, model, indicator="population_2019", scheme="manual",
                      breaks=(10000.0, 20000.0))
    assert [entry.label for entry in manual.legend[:3]] == ["dưới 10.000", "10.000 – dưới 20.000",
                                                            "từ 20.000 trở lên"]
    indicator = catalogue["population_2019"]
    assert "under" in class_label(view.classification.classes[0], indicator, "en")


def test_chart_rows_follow_filters_rank_and_highlight(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="population_density",
                    districts=("964",))
    rows = chart_rows(table, view, "32005", "vi")
    assert len(rows) == 17 and rows["population_density"].is_monotonic_decreasing
    assert rows.loc[rows["selected"], "gso_code"].tolist() == ["32005"]


def test_panel_lists_every_indicator_with_ranks(table, catalogue):
    panel = panel_rows(table, catalogue, "32005", "vi")
    assert len(panel) == len(catalogue)
    row = panel.set_index("Chỉ tiêu").loc["Dân số 2019"]
    expected = int((table["population_2019"] > 14501).sum()) + 1
    assert row["Hạng trong tỉnh"] == f"{expected}/101" and row["Hạng trong huyện"].endswith("/17")
    assert panel.set_index("Chỉ tiêu").loc["Chữ ký số", "Ghi chú"] == "Dữ liệu minh họa"


def test_model_marker_is_at_phuong_1(table, catalogue, sources, geometry, model):
    view = view_for(table, catalogue, sources, geometry, model)
    assert view.layer.marker["latlng"] == list(geometry.centroids["32005"])
    assert "Khóm 6" in view.layer.marker["label"]


def test_text_alternative_lists_every_shown_commune_with_value_and_class(table, catalogue, sources, geometry,
                                                                        model):
    view = view_for(table, catalogue, sources, geometry, model, indicator="hamlet_teams", districts=("964",))
    rows = table_rows(table, view, "vi")
    assert len(rows) == 17
    assert set(rows.columns) >= {"Mã GSO", "Xã, phường, thị trấn", "Lớp"}
    value_column = "Tổ công nghệ số cộng đồng cấp khóm/ấp (Dữ liệu minh họa)"
    not_piloted = rows[rows[value_column] == "Chưa triển khai"]
    assert len(not_piloted) == 5 and (not_piloted["Lớp"] == "Chưa triển khai (xã chưa thí điểm)").all()
    assert rows["Lớp"].notna().all()


def test_unknown_pilot_status_is_no_data_not_not_deployed(table, catalogue, sources, geometry, model):
    partial = table.copy()
    partial["pilot"] = partial["pilot"].astype("boolean")
    partial.loc[partial["gso_code"] == "31999", "pilot"] = pd.NA
    partial.loc[partial["gso_code"] == "31999", ["hamlet_teams", "pilot_status"]] = None
    view = view_for(partial, catalogue, sources, geometry, model, indicator="hamlet_teams")
    kinds = {entry.label: entry.count for entry in view.legend if entry.kind == "no_data"}
    assert kinds == {"Chưa triển khai (xã chưa thí điểm)": 56, "Không có dữ liệu": 1}
    assert view.texts[partial["gso_code"] == "31999"].item() == "Không có dữ liệu"
    rows = table_rows(partial, view, "vi").set_index("Mã GSO")
    assert rows.loc["31999", "Lớp"] == "Không có dữ liệu"
    pilots = view_for(partial, catalogue, sources, geometry, model)
    assert [e.count for e in pilots.legend if e.kind == "no_data"] == [1]


def test_html_table_escapes_every_cell():
    from views.map.mapview import html_table
    text = html_table(pd.DataFrame({"<b>Xã</b>": [HOSTILE, None]}), caption="a & b")
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "&lt;b&gt;Xã&lt;/b&gt;" in text and "<caption>a &amp; b</caption>" in text
