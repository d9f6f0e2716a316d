"""AppTest of every page when the published version was reported in the 2025 units: each page
defaults to that set, shows the figures as reported, refuses the 2023 view with a way out, and the
compare page puts a 2022–2024 period beside a 2025 one on the 2025 units."""
import datetime as dt
import json
import re

import pytest
import streamlit as st

from geo.reference import load_reference
from geo.units2025 import load_reference_2025
from indicators.catalogue import load_catalogue
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from storage import datasets
from storage.db import make_engine, upgrade
from tests.apptest import fresh_app, signed_in, use_own_database
from tests.test_import_units import abbreviated, grouped_report, teams_of, workbook_bytes
from tests.test_pages import layer_payload, map_component

AN_XUYEN, TAN_THANH, BAC_LIEU = "32002", "32025", "31825"
CANNOT = {"vi": "Không thể chia ngược", "en": "cannot honestly be divided back"}
SWITCH = {"vi": "Xem theo 64 đơn vị từ 01/07/2025", "en": "View on the 64 units from 1 July 2025"}


def reported_teams(code: str) -> int:
    return int(code) % 7 + 1


@pytest.fixture
def published_2025(monkeypatch, tmp_path):
    """A database of this test's own with the sample (2022, the 2023 units) and a published table
    reported in the 2025 units (period 2025: teams and VNeID dossiers of all 64 units)."""
    use_own_database(monkeypatch, tmp_path)
    engine = make_engine()
    upgrade(engine)
    ensure_sample_version(engine, read_sample_csv(), load_catalogue())
    units = load_reference_2025(load_reference()).units
    figures = [(code, "hamlet_teams", float(reported_teams(code))) for code in units["gso_code"]]
    figures += [(code, "vneid_dossiers", float(1000 + int(code) % 500)) for code in units["gso_code"]]
    with engine.begin() as connection:
        version = datasets.create_version(
            connection, period="2025", as_of=dt.date(2025, 9, 30), source="Sở KH&CN Cà Mau", illustrative=False,
            created_by="editor", file_name="bao_cao_64_xa.xlsx", file_sha256="c" * 64, sheet="Sheet1",
            rows_read=64, rows_matched=64, rows_rejected=0, note="", figures=figures, report=[], units="2025")
        datasets.publish(connection, version.id, "editor")
    engine.dispose()
    yield
    st.cache_resource.clear()


def open_page(page, script="app.py", **params):
    at = fresh_app(script)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def texts(at, kind):
    """The elements' text with Markdown escapes removed."""
    return " ".join(element.value for element in getattr(at, kind)).replace("\\", "")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_map_defaults_to_the_2025_units_and_shows_the_figures_as_reported(published_2025, lang):
    at = open_page("map", lang=lang, ind="hamlet_teams")
    payload = layer_payload(map_component(at))
    assert len(payload["styles"]) == 64 and at.radio(key="w_units").value == "2025"
    assert "units" not in at.query_params                     # the published set is the default
    assert payload["values"][BAC_LIEU] == str(reported_teams(BAC_LIEU))   # reported there, not "no data"
    assert not payload.get("notes")                           # as reported: no conversion mark
    caption = texts(at, "caption")
    assert ("báo cáo theo chính các đơn vị mới" if lang == "vi" else "reported in the new units") in caption
    # A ratio over the 2019 census says its denominator was converted; former Bạc Liêu has none.
    at = open_page("map", lang=lang, ind="vneid_per_1000")
    payload = layer_payload(map_component(at))
    assert payload["values"][BAC_LIEU] == 0
    assert ("mẫu số (điều tra 2019) quy đổi" if lang == "vi" else "denominator (2019 census) converted") \
        in payload["notes"][AN_XUYEN]
    assert ("ước tính" if lang == "vi" else "estimate") in payload["notes"][TAN_THANH]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_2023_view_of_2025_figures_says_it_cannot_and_offers_the_switch(published_2025, lang):
    at = open_page("map", lang=lang, units="2023", c="32005")
    assert CANNOT[lang] in texts(at, "warning") and not at.get("component_instance")
    at.button(key="switch_units_2025").click().run()
    assert not at.exception
    assert len(layer_payload(map_component(at))["styles"]) == 64 and "c" not in at.query_params


def test_switching_to_2023_and_back_keeps_the_link_explicit(published_2025):
    at = open_page("map", ind="vneid_dossiers")
    at.radio(key="w_units").set_value("2023").run()
    assert at.query_params["units"] == "2023" and CANNOT["vi"] in texts(at, "warning")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compare_puts_a_2022_period_beside_the_2025_one_on_the_2025_units(published_2025, lang):
    at = open_page("compare", lang=lang, ind="vneid_dossiers", a="2022", b="2025", mode="change")
    assert "units" not in at.query_params
    info = texts(at, "info")
    assert ("đã được quy đổi sang 64 đơn vị mới" if lang == "vi" else "is converted to the 64 new units") in info
    [component] = at.get("component_instance")
    args = json.loads(component.proto.json_args)
    payload = json.loads(re.search(r"window\.camauChoropleth\(\w+, (\{.*\})\);", args["feature_group"], re.S)
                         .group(1).replace("<\\/", "</"))
    assert len(payload["styles"]) == 64
    assert isinstance(payload["values"][AN_XUYEN], str)       # both periods have a value: a change
    assert payload["values"][BAC_LIEU] != payload["values"][AN_XUYEN]   # 2022 has none there: no change


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_compare_on_the_2023_units_leaves_out_the_2025_period_and_says_why(published_2025, lang):
    at = open_page("compare", lang=lang, units="2023", ind="vneid_dossiers")
    info = texts(at, "info")
    assert ("Kỳ 2025 được báo cáo theo 64 đơn vị" if lang == "vi" else "Period 2025 was reported on the 64 units") in info
    assert at.selectbox(key="w_cmp_a").options == at.selectbox(key="w_cmp_b").options
    assert all("2025" not in option for option in at.selectbox(key="w_cmp_a").options)
    at.button(key="switch_units_2025").click().run()
    assert not at.exception and "units" not in at.query_params      # the default again
    [component] = at.get("component_instance")
    assert '"communes-2025-' in component.proto.json_args or "communes-2025-" in component.proto.json_args


@pytest.mark.parametrize("page", ["planner", "present", "overview"])
def test_the_other_pages_work_on_2025_figures(published_2025, page):
    at = open_page(page)
    if page == "planner":
        assert at.radio(key="p_units").value == "2025"
    if page == "present":
        assert len(layer_payload(map_component(at))["styles"]) == 64


# --- the editors' flow: import a 64-row report, publish, roll back -------------------------------



def test_an_editor_imports_a_64_row_report_publishes_it_and_rolls_back(own_editor_database, reference_2025):
    at = signed_in(fresh_app(), *own_editor_database)
    at.switch_page("pages/import_data.py").run()
    at.file_uploader[0].upload("bao_cao_64.xlsx", grouped_report(reference_2025.units, abbreviated)).run()
    assert not at.exception
    assert "Bộ đơn vị: 64 xã, phường từ 01/07/2025 (tự nhận biết: 37 dòng chỉ có trong bộ này)" in texts(at, "info")
    assert "64 dòng xã · 64 khớp · 0 bị loại" in texts(at, "markdown")
    next(b for b in at.button if b.label == "Lưu và công bố").click().run()
    assert not at.exception
    at.query_params["ind"] = "hamlet_teams"
    at.switch_page("pages/map.py").run()
    payload = layer_payload(map_component(at))
    assert len(payload["styles"]) == 64 and payload["values"][BAC_LIEU] == str(teams_of(BAC_LIEU))
    at.switch_page("pages/versions.py").run()
    assert list(at.dataframe[0].value["Đơn vị hành chính"]) == ["Đơn vị 2025", "Đơn vị 2022–2024"]
    next(b for b in at.button if b.label.startswith("Quay lại")).click().run()
    at.query_params.pop("units", None)
    at.switch_page("pages/map.py").run()
    assert len(layer_payload(map_component(at))["styles"]) == 101   # the sample again, in its own units


def test_a_mixed_file_is_refused_on_the_page_and_the_editor_can_choose_the_set(own_editor_database):
    at = signed_in(fresh_app(), *own_editor_database)
    at.switch_page("pages/import_data.py").run()
    mixed = workbook_bytes([["STT", "Tên xã", "Số tổ"], [1, "Phường 1", 3], [2, "Phường An Xuyên", 5]])
    at.file_uploader[0].upload("tron.xlsx", mixed).run()
    assert "trộn hai bộ đơn vị" in texts(at, "error") and "2 (Phường 1)" in texts(at, "error")
    at.radio[0].set_value("2025").run()
    assert not at.exception and "do người nhập chọn" in texts(at, "info")
    assert [r for r in at.dataframe[0].value["Kết quả"]] == ["không tìm thấy", "khớp đúng"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_map_pages_sections_and_exports_work_on_reported_2025_figures(published_2025, lang):
    at = open_page("map", lang=lang, ind="vneid_per_1000", c=AN_XUYEN)
    for section in ("x_table", "x_chart", "x_export", "x_embed"):
        at.session_state[section] = True
    at.run()
    assert not at.exception
    assert ("mẫu số (điều tra 2019) quy đổi" if lang == "vi" else "denominator (2019 census) converted") \
        in texts(at, "caption")
