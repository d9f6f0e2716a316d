"""AppTest of every page: no exception, the right elements, URL state round trips, bad links."""
import json
import re

import pytest

from geo.reference import ENV_VAR
from tests.apptest import fresh_app
from tests.html_tables import tables_in
from ui.map_widgets import clicked_code


def open_page(at, page, **params):
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def map_component(at):
    components = at.get("component_instance")
    assert len(components) == 1
    return json.loads(components[0].proto.json_args)


def layer_payload(args):
    match = re.search(r"window\.camauChoropleth\(\w+, (\{.*\})\);", args["feature_group"], re.S)
    return json.loads(match.group(1).replace("<\\/", "</"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_shows_the_report_scorecard(app, lang):
    at = open_page(app, "overview", lang=lang)
    values = {metric.label: metric.value for metric in at.metric}
    if lang == "vi":
        assert values["Hồ sơ định danh điện tử (VNeID) đã thu nhận"] == "233.175"
        assert values["Xã/phường/thị trấn thí điểm Tổ công nghệ số cộng đồng"] == "45/101"
        assert values["Tài khoản Mobile Money (VNPT; Viettel)"] == "trên 21.000"
    else:
        assert values["Electronic identification (VNeID) dossiers collected"] == "233,175"
    assert {"21/24", "19/25", "3/28"} <= set(values.values())
    assert any("10/02/2023" in caption.value for caption in at.caption)
    assert any("CaMau-G" in markdown.value for markdown in at.markdown)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_about_page_lists_sources_and_caveats(app, lang):
    at = open_page(app, "about", lang=lang)
    text = " ".join(m.value for m in at.markdown)
    assert "censusVN2009" in text and "MIT" in text and "GPL-3.0" in text
    assert ("2019" in text) and ("150–200 m" in text)
    assert len(at.dataframe) == 2


def test_map_page_sends_101_features_and_only_local_assets(app):
    at = open_page(app, "map")
    args = map_component(at)
    # Leaflet and the layer script in one file (geo.web_geometry.install_map_script)
    [script] = args["js_links"]
    assert re.fullmatch(r"/app/static/js/leaflet-choropleth-[0-9a-f]{12}\.js", script)
    assert args["css_links"] == ["/app/static/leaflet-1.9.3/leaflet.css"]
    assert all(link.startswith("/app/static/") for link in args["js_links"] + args["css_links"])
    assert "https://" not in args["script"] + args["feature_group"] + args["header"] + args["html"]
    payload = layer_payload(args)
    assert len(payload["styles"]) == len(payload["values"]) == 101
    assert len(args["feature_group"]) + len(args["script"]) + len(args["header"]) < 10_000
    assert payload["communes_url"].startswith("/app/static/geo/communes-")
    assert args["returned_objects"] == ["last_active_drawing", "last_object_clicked_count"]
    assert len(args["feature_group"]) < 10_000


def test_map_query_parameters_round_trip(app):
    at = open_page(app, "map", ind="population_density", scheme="fisher_jenks", k="4", pal="Blues",
                   d="964", c="32005")
    assert at.selectbox(key="w_indicator").value == "population_density"
    assert at.selectbox(key="w_scheme").value == "fisher_jenks"
    assert at.number_input(key="w_classes").value == 4
    assert at.multiselect(key="w_districts").value == ["964"]
    assert at.selectbox(key="w_commune").value == "32005"
    assert dict(at.query_params) == {"ind": "population_density", "scheme": "fisher_jenks", "k": "4",
                                     "pal": "Blues", "d": "964", "c": "32005"}
    assert any("Phường 1" in header.value for header in at.subheader)
    panel = tables_in(at)[0]
    assert len(panel) >= 16 and "Hạng trong tỉnh" in panel.columns

    at.selectbox(key="w_indicator").set_value("population_2019").run()
    assert at.query_params["ind"] == "population_2019"
    at.radio(key="w_pilot").set_value("pilot").run()
    assert at.query_params["pilot"] == "pilot" and not at.exception
    payload = layer_payload(map_component(at))
    faded = [code for code, (_, style) in payload["styles"].items() if style == 2]
    assert len(faded) == 101 - 12  # only the 12 illustrative pilots of the city remain


def flat(bounds: list[list[float]]) -> list[float]:
    return [number for corner in bounds for number in corner]


def test_chosen_districts_fit_the_map_and_a_shared_view_holds_until_they_change(app, reference):
    """The payload's ``fit`` is the province, or the chosen districts' bounds (the map flies there);
    a link's ``view`` (written by the map when a user moved it) opens the map there, stays in the
    URL while the districts stay, and is dropped when they change."""
    at = open_page(app, "map")
    province = layer_payload(map_component(at))
    minx, miny, maxx, maxy = reference.communes.total_bounds
    assert flat(province["fit"]) == pytest.approx([miny, minx, maxy, maxx], abs=1e-4)
    assert province["view_param"] == "view" and "view" not in province and "view" not in at.query_params

    at = open_page(fresh_app(), "map", view="9.2,105.1,11.5", d="964")
    payload = layer_payload(map_component(at))
    city = reference.communes[reference.communes["district_code"] == "964"].total_bounds
    assert flat(payload["fit"]) == pytest.approx([city[1], city[0], city[3], city[2]], abs=1e-4)
    assert payload["view"] == [9.2, 105.1, 11.5]
    assert dict(at.query_params) == {"d": "964", "view": "9.2000,105.1000,11.5"}
    at.selectbox(key="w_indicator").set_value("population_2019").run()         # the view stays
    assert at.query_params["view"] == "9.2000,105.1000,11.5"
    at.multiselect(key="w_districts").set_value(["964", "966"]).run()          # a new area: the map flies
    payload = layer_payload(map_component(at))
    assert "view" not in at.query_params and "view" not in payload
    both = reference.communes[reference.communes["district_code"].isin(["964", "966"])].total_bounds
    assert flat(payload["fit"]) == pytest.approx([both[1], both[0], both[3], both[2]], abs=1e-4)


@pytest.mark.parametrize("view", ["9.2,105.1", "91,105.1,10", "9.2,105.1,40", "nan,105,10", "9," * 30])
def test_a_bad_shared_view_is_dropped_with_a_notice(app, view):
    at = open_page(app, "map", view=view)
    assert "view" not in at.query_params and "view" not in layer_payload(map_component(at))
    assert any("bỏ qua" in caption.value for caption in at.caption)


def test_widget_changes_update_the_map_in_place(app):
    at = open_page(app, "map")
    element = at.get("component_instance")[0].proto.id
    before = layer_payload(map_component(at))["styles"]
    at.selectbox(key="w_indicator").set_value("population_2019").run()
    assert at.get("component_instance")[0].proto.id == element
    assert layer_payload(map_component(at))["styles"] != before


@pytest.mark.parametrize("params", [
    {"ind": "<script>alert(1)</script>", "k": "99", "c": "<img src=x onerror=alert(1)>"},
    {"c": "99999", "d": "abc", "min": "nan", "scheme": "manual", "breaks": "x"},
])
def test_hostile_links_fall_back_with_a_notice(app, params):
    at = open_page(app, "map", **params)
    assert at.selectbox(key="w_indicator").value == "pilot_status"
    assert any("bỏ qua" in caption.value for caption in at.caption)
    assert "c" not in at.query_params


def test_manual_breaks_typed_the_vietnamese_way(app):
    at = open_page(app, "map", ind="population_2019", scheme="manual", breaks="10000,20000")
    assert at.text_input(key="w_breaks").value == "10.000; 20.000"
    at.text_input(key="w_breaks").set_value("8.000; 12.000; 25.000").run()
    assert at.query_params["breaks"] == "8000,12000,25000"
    at.text_input(key="w_breaks").set_value("ba; năm").run()
    assert not at.exception and at.warning


def test_map_click_value_is_read_safely():
    codes = {"32005"}
    assert clicked_code({"last_active_drawing": {"properties": {"gso_code": "32005"}}}, codes) == "32005"
    assert clicked_code({"last_active_drawing": {"properties": {"gso_code": "99999"}}}, codes) is None
    assert clicked_code({"last_active_drawing": {"type": "Feature", "properties": {}}}, codes) is None
    assert clicked_code(None, codes) is None


def test_missing_reference_directory_gives_a_clear_page(app, monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "khong-co"))
    at = open_page(app, "map")
    assert str(tmp_path / "khong-co") in at.error[0].value
    assert "CAMAU_REFERENCE_DIR" in at.info[0].value
    assert not at.get("component_instance")


def test_value_range_belongs_to_its_indicator(app):
    at = open_page(app, "map", ind="population_2019", min="10000", max="20000")
    assert at.select_slider(key="w_range_population_2019").value == (10000.0, 20000.0)
    assert at.query_params["min"] == "10000"
    at.selectbox(key="w_indicator").set_value("households_guided_share").run()
    assert not at.exception
    assert "min" not in at.query_params and "max" not in at.query_params


def test_data_table_is_drawn_only_while_its_section_is_open(app):
    at = open_page(app, "map", ind="population_2019")
    assert not tables_in(at)
    at.session_state["x_table"] = True
    at.run()
    table = tables_in(at)[0]
    assert len(table) == 101 and "Lớp" in table.columns


def test_ranking_is_drawn_when_opened_and_outlines_the_selected_commune(app):
    at = open_page(app, "map", ind="population_density", d="964", c="32005")
    assert not [h for h in at.get("html") if "camau-bars" in h.proto.body]
    at.session_state["x_chart"] = True
    at.run()
    bars = next(h.proto.body for h in at.get("html") if "camau-bars" in h.proto.body)
    assert bars.count('role="listitem"') == 17 and bars.count("outline:2px solid #000") == 1


PUBLIC_PAGES = ["overview", "map", "compare", "present", "planner", "about", "sign_in"]
EDITOR_PAGES = ["import_data", "rounds", "versions", "audit"]


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_every_page_runs_in_both_languages(app, page, lang):
    at = open_page(app, page, lang=lang)
    assert not at.error, [e.value for e in at.error]
    # The interface is in the chosen language: no Vietnamese navigation label leaks into English.
    titles = " ".join(element.value for element in [*at.title, *at.header, *at.subheader])
    if lang == "en":
        assert not re.search(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", titles.lower()), titles


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("page", EDITOR_PAGES)
def test_every_editor_page_runs_in_both_languages(app, page, lang):
    app.session_state["editor_user"] = "apptest_viewer"
    at = open_page(app, page, lang=lang)
    assert not at.error, [e.value for e in at.error]


def test_map_settings_survive_a_visit_to_another_page(app):
    at = open_page(app, "map", ind="population_density", k="4")
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/map.py").run()
    assert not at.exception
    assert at.selectbox(key="w_indicator").value == "population_density"
    assert at.number_input(key="w_classes").value == 4


@pytest.mark.parametrize("lang, mark, foreign", [("vi", ",", "."), ("en", ".", ",")])
def test_value_range_stops_are_written_like_the_legend(app, lang, mark, foreign):
    # Regression: st.slider printed "11.00" beside a legend that says "11,7".
    at = open_page(app, "map", ind="households_guided_share", lang=lang)
    stops = at.select_slider(key="w_range_households_guided_share").options
    decimals = [s for s in stops if not s.endswith(mark + "0") and (mark in s)]
    assert decimals and not any(foreign in s for s in stops), stops[:10]


def vega_charts(at) -> dict[str, tuple[dict, list]]:
    """The page's Vega-Lite charts by their spec's name: (spec, the rows of every dataset)."""
    from streamlit import dataframe_util

    charts = {}
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        rows = [row for dataset in element.proto.datasets
                for row in dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data).to_dict("records")]
        charts[spec["name"]] = (spec, rows)
    return charts


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_draws_the_timeline_and_task_charts_in_the_language(app, lang):
    from indicators.timeline import LOWER, province_timeline
    from l10n import fmt
    from l10n.fmt import vega_locale
    from l10n.messages import t
    from views.overview.timeline import METRIC_LABELS, ROLLOUT_METRICS, TASK_FIGURE_IDS, value_text

    at = open_page(app, "overview", lang=lang)
    charts = vega_charts(at)
    assert set(charts) == {"tasks", "events", *ROLLOUT_METRICS, "households_guided", "dti_rank"}
    for metric in (*ROLLOUT_METRICS, "households_guided", "dti_rank"):
        spec, _ = charts[metric]
        assert t(METRIC_LABELS[metric], lang) in shown_title(spec)
        assert spec["description"].startswith(t(METRIC_LABELS[metric], lang))
        assert spec["config"]["locale"] == vega_locale(lang)
    assert t("overview.tasks.title", lang) in shown_title(charts["tasks"][0])

    # Lower bounds keep their flag and are written "> 210.000" / "> 210,000"; the 53% is nowhere.
    _, rows = charts["households_guided"]
    guided = [p for p in province_timeline() if p.metric == "households_guided" and p.plot]
    flagged = {row["value"]: row for row in rows if row.get("bound") == LOWER}
    for point in guided:
        assert flagged[point.value]["value_text"].startswith(value_text(point, lang))
        assert value_text(point, lang) == "> " + fmt.number(point.value, 0, lang)
    assert not any(re.search(r"\b53\s?%", str(value)) for _, rows in charts.values() for row in rows
                   for value in row.values())

    # The task bars: done and target from the report's fraction rows, labelled "21/24".
    _, rows = charts["tasks"]
    tasks = {figure.id: figure for figure in report_figures() if figure.id in TASK_FIGURE_IDS}
    assert {row["text"] for row in rows if "text" in row} == {
        f"{fmt.number(f.value, 0, lang)}/{fmt.number(f.target, 0, lang)}" for f in tasks.values()}

    # The table alternative: every timeline figure with its source's address.
    [expander] = at.expander
    assert expander.label == t("overview.timeline.table", lang)
    [table] = at.dataframe
    assert len(table.value) == len(province_timeline())
    assert t("overview.timeline.col.url", lang) in table.value.columns
    assert any(t("overview.timeline.sources", lang, sources="") in caption.value for caption in at.caption)
    assert not at.warning                                   # the reference data are here


def shown_title(spec: dict) -> str:
    """A chart's title; a title wrapped on phones is an expression holding the one-line text."""
    title = spec["title"]["text"]
    return title if isinstance(title, str) else title["expr"]


def report_figures():
    from indicators.catalogue import load_report

    return load_report()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_without_reference_data_still_shows_the_figures_and_says_what_is_missing(app, monkeypatch,
                                                                                         tmp_path, lang):
    from l10n.messages import t

    missing = tmp_path / "khong-co"
    monkeypatch.setenv(ENV_VAR, str(missing))
    at = open_page(app, "overview", lang=lang)
    [warning] = at.warning
    assert str(missing) in warning.value.replace("\\", "")
    assert t("nav.map", lang) in warning.value and t("nav.planner", lang) in warning.value
    assert {"21/24", "19/25", "3/28"} <= {metric.value for metric in at.metric}
    assert len(vega_charts(at)) == 7 and len(at.dataframe) == 1
