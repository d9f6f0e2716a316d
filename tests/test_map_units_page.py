"""AppTest of the map page on the 2025 units: the switch, the URL, converted values and their
marks, former Bạc Liêu units with no data, the crosswalk explorer, and the features that have
no 2025 form yet saying so."""
import pytest

from tests.html_tables import tables_in
from tests.test_pages import layer_payload, map_component, open_page

AN_XUYEN, TAN_THANH, BAC_LIEU = "32002", "32025", "31825"
PHUONG_1 = "32005"


@pytest.mark.parametrize("lang, converted, estimated, outside, no_data", [
    ("vi", "Quy đổi từ đơn vị cũ (2022–2024)", "ước tính", "Bạc Liêu cũ", "Không có dữ liệu"),
    ("en", "Converted from the former units (2022–2024)", "estimate", "Former Bạc Liêu", "No data"),
])
def test_the_map_draws_the_64_units_with_converted_values_and_their_marks(app, lang, converted, estimated,
                                                                            outside, no_data):
    at = open_page(app, "map", units="2025", ind="population_2019", lang=lang)
    payload = layer_payload(map_component(at))
    assert payload["communes_url"].startswith("/app/static/geo/communes-2025-")
    assert len(payload["styles"]) == len(payload["values"]) == 64
    assert payload["values"][AN_XUYEN] == ("70.252" if lang == "vi" else "70,252")   # 6 old wards, whole
    assert payload["notes"][AN_XUYEN] == converted
    assert estimated in payload["notes"][TAN_THANH]
    assert outside in payload["notes"][BAC_LIEU]
    assert payload["values"][BAC_LIEU] == 0 and payload["missing"]["0"] == no_data     # no data, not zero
    assert at.radio(key="w_units").value == "2025"
    assert at.query_params["units"] == "2025"
    assert [m for m in at.multiselect if m.key == "w_districts"] == []              # no districts since 2025
    assert any("64" in caption.value and "Bạc Liêu" in caption.value for caption in at.caption)


def test_switching_the_unit_set_keeps_the_indicator_and_drops_the_commune(app):
    at = open_page(app, "map", ind="vneid_per_1000", c=PHUONG_1, d="964")
    assert at.selectbox(key="w_commune").value == PHUONG_1
    at.radio(key="w_units").set_value("2025").run()
    assert not at.exception
    assert dict(at.query_params) == {"ind": "vneid_per_1000", "units": "2025"}
    assert at.selectbox(key="w_indicator").value == "vneid_per_1000"
    assert at.selectbox(key="w_commune").value is None
    assert not any("bỏ qua" in caption.value for caption in at.caption)          # no stray notice
    assert len(layer_payload(map_component(at))["styles"]) == 64
    at.radio(key="w_units").set_value("2023").run()
    assert "units" not in at.query_params and len(layer_payload(map_component(at))["styles"]) == 101


def test_a_2025_unit_lists_what_it_was_formed_from(app):
    at = open_page(app, "map", units="2025", c=TAN_THANH)
    assert any("Phường Tân Thành" in header.value for header in at.subheader)
    panel, pieces = tables_in(at)[:2]
    assert "Hạng trong tỉnh" in panel.columns and "Hạng trong huyện" not in panel.columns
    tac_van = pieces[pieces["Đơn vị cũ"] == "Xã Tắc Vân"].iloc[0]
    assert tac_van["Phần nhập vào"] == "Một phần" and tac_van["Tỷ lệ dùng để quy đổi"].startswith("58,6%")
    assert "Tắc Vân" in tac_van["Văn bản sáp nhập"]


def test_a_former_bac_lieu_unit_says_so(app):
    at = open_page(app, "map", units="2025", c=BAC_LIEU, lang="en")
    assert any("formed from no former Cà Mau unit" in caption.value for caption in at.caption)


def test_a_2023_unit_lists_where_it_went(app):
    at = open_page(app, "map", c="32029")
    pieces = tables_in(at)[1]
    assert set(pieces["Đơn vị mới"]) == {"Phường Tân Thành", "Phường Hoà Thành"}


def test_a_bad_unit_set_falls_back_with_a_notice(app):
    at = open_page(app, "map", units="2024")
    assert any("bỏ qua" in caption.value and "units" in caption.value for caption in at.caption)
    assert len(layer_payload(map_component(at))["styles"]) == 101


def test_the_open_sections_work_on_the_2025_units(app):
    at = open_page(app, "map", units="2025", ind="households_guided_share", c=AN_XUYEN)
    for section in ("x_table", "x_chart", "x_export", "x_embed"):
        at.session_state[section] = True
    at.run()
    assert not at.exception
    table = tables_in(at)[-1]
    assert len(table) == 64 and "Huyện cũ" in table.columns and "Quy đổi" in table.columns
    assert table.loc[table["Mã GSO"] == AN_XUYEN, "Huyện cũ"].item() == "Thành phố Cà Mau"
    assert table.loc[table["Mã GSO"] == BAC_LIEU, "Huyện cũ"].item() == "Bạc Liêu cũ"      # as the ranking says
    assert [h for h in at.get("html") if "camau-bars" in h.proto.body]
    infos = " ".join(info.value for info in at.info)
    assert "Bản tóm tắt huyện chỉ có trên đơn vị 2022–2024" in infos
    assert len(at.get("download_button")) == 5                   # picture and data files, no district brief


def test_the_panel_says_how_a_unit_was_converted_and_no_model_star_without_its_ward(app):
    at = open_page(app, "map", units="2025", c=TAN_THANH)
    captions = [caption.value for caption in at.caption]
    assert any("ước tính" in caption for caption in captions)
    assert not any("★" in caption for caption in captions)          # Phường 1 is inside An Xuyên now
    assert layer_payload(map_component(at)).get("marker") is None


def test_the_embed_code_carries_the_unit_set(app):
    at = open_page(app, "map", units="2025", ind="population_density")
    at.session_state["x_embed"] = True
    at.run()
    codes = [code.value for code in at.code]
    assert any("units=2025" in code and "<iframe" in code for code in codes)


def test_the_ranking_on_the_2025_units_counts_every_unit(app):
    import re as regex

    at = open_page(app, "map", units="2025")                       # pilot status: counts per former district
    at.session_state["x_chart"] = True
    at.run()
    bars = next(h.proto.body for h in at.get("html") if "camau-bars" in h.proto.body)
    counted = sum(int(n) for n in regex.findall(r"title=\"(?:Đã thí điểm|Chưa thí điểm): (\d+)\"", bars))
    assert counted == 39 and "Nhiều huyện cũ" in bars             # 28 + 11, none dropped
    at.selectbox(key="w_indicator").set_value("population_2019").run()
    at.session_state["x_chart"] = True       # a new title (no illustrative mark): a new, closed section
    at.run()
    bars = next(h.proto.body for h in at.get("html") if "camau-bars" in h.proto.body)
    assert bars.count('role="listitem"') == 39 and "nan" not in bars
    assert any("64/64 xã, phường thỏa bộ lọc" in caption.value for caption in at.caption)


def test_after_switching_to_2025_every_widget_change_sticks(app):
    at = open_page(app, "map")
    at.radio(key="w_units").set_value("2025").run()
    seen = []
    for choice in ("pilot", "not_pilot", "all", "pilot", "not_pilot"):
        at.radio(key="w_pilot").set_value(choice).run()
        assert not at.exception
        seen.append(at.radio(key="w_pilot").value)
    assert seen == ["pilot", "not_pilot", "all", "pilot", "not_pilot"]
    assert at.query_params["pilot"] == "not_pilot"


def test_the_area_on_2025_is_measured_not_converted(app):
    at = open_page(app, "map", units="2025", ind="area_km2")
    payload = layer_payload(map_component(at))
    assert payload.get("notes") is None                                  # no "estimate" on a measured area
    assert isinstance(payload["values"][BAC_LIEU], str)                  # former Bạc Liêu units have an area
    assert "01/07/2025" in payload["footer"] and "2013" not in payload["footer"]
    at.session_state["x_chart"] = True
    at.run()
    bars = next(h.proto.body for h in at.get("html") if "camau-bars" in h.proto.body)
    assert bars.count("Bạc Liêu cũ") == 25
