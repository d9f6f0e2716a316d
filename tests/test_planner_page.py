"""AppTest of the rollout planner page: defaults, settings from the URL, map clicks, conflicts,
exports and saved scenarios."""
import json
import re

import pytest

from l10n.text import plain
from storage import queries
from storage.scenarios import list_scenarios
from tests.accounts import ensure_editor
from tests.html_tables import tables_in
from ui.plan_widgets import toggled

EDITOR = "planner_editor"
PASSWORD = "kế-hoạch-thử-nghiệm-456"


def open_planner(at, **params):
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page("pages/planner.py").run()
    assert not at.exception, at.exception
    return at


def layer(at, key_index=0):
    components = at.get("component_instance")
    args = json.loads(components[key_index].proto.json_args)
    match = re.search(r"window\.camauChoropleth\(\w+, (\{.*\})\);", args["feature_group"], re.S)
    return json.loads(match.group(1).replace("<\\/", "</"))


def wave_codes(payload):
    return {code for code, (colour, _) in payload["styles"].items() if colour == 1}


def metrics(at):
    return {metric.label: metric.value for metric in at.metric}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_default_plan_is_a_wave_of_ten(app, lang):
    at = open_planner(app, lang=lang)
    payload = layer(at)
    assert len(wave_codes(payload)) == 10
    assert sum(1 for colour, _ in payload["styles"].values() if colour == 0) == 45
    values = metrics(at)
    if lang == "vi":
        assert values["Xã trong đợt"] == "10" and values["Xã có tổ sau đợt"] == "55/101"
        assert any("Dữ liệu minh họa" in w.value for w in at.warning)
        assert any("Xã kế tiếp là" in m.value for m in at.markdown)
    else:
        assert values["Communes in the wave"] == "10" and values["Communes with teams after the wave"] == "55/101"
        assert any("The next commune is" in m.value for m in at.markdown)
    wave_table = tables_in(at)[0]
    assert len(wave_table) == 10
    xlsx, csv = at.get("download_button")
    # The CSV says it is for other software; Excel users take the Excel file (real numbers).
    assert not xlsx.proto.help and ("Excel" in csv.proto.help) and (("dấu phẩy" in csv.proto.help) == (lang == "vi"))


def test_settings_come_from_the_url_and_go_back_to_it(app):
    at = open_planner(app, size="6", dmax="1", w="5,0,0,0,0")
    assert len(wave_codes(layer(at))) == 6
    districts = list(tables_in(at)[0]["Huyện"])
    assert len(districts) == 6 and len(set(districts)) == 6      # at most one per district
    assert metrics(at)["Xã trong đợt"] == "6"
    assert at.query_params["size"] == "6" and at.query_params["dmax"] == "1" and at.query_params["w"] == "5,0,0,0,0"
    assert at.slider(key="p_w_reach").value == 5 and at.slider(key="p_w_density").value == 0
    # A widget change is written back to the URL.
    at.number_input(key="p_size").set_value(8).run()
    assert at.query_params["size"] == "8" and len(wave_codes(layer(at))) == 8


def test_conflicting_limits_are_named(app):
    at = open_planner(app, size="3", dmin="1")
    assert any("Không thể thỏa cùng lúc" in e.value for e in at.error)
    text = " ".join(m.value for m in at.markdown)
    assert "quy mô đợt 3 xã" in text and "tối thiểu 1 xã ở" in text
    assert not wave_codes(layer(at))
    assert not at.get("download_button")


@pytest.mark.parametrize("params", [{"w": "<script>alert(1)</script>"}, {"size": "-1", "exc": "'; DROP TABLE x"},
                                    {"inc": "99999", "prox": "nowhere", "tpk": "nan"}])
def test_hostile_links_give_a_notice(app, params):
    at = open_planner(app, **params)
    assert any("Bỏ qua tham số không hợp lệ" in c.value for c in at.caption)
    assert len(wave_codes(layer(at))) == 10


def test_click_toggles_the_lists():
    assert toggled("1", [], [], ["1", "2"]) == ([], ["1"])          # in the wave: excluded
    assert toggled("3", [], [], ["1", "2"]) == (["3"], [])          # outside it: included
    assert toggled("1", [], ["1"], ["2"]) == ([], [])               # excluded: exclusion undone
    assert toggled("3", ["3"], [], ["3"]) == ([], [])               # included: inclusion undone


def test_excluding_a_commune_replaces_it_in_the_wave(app):
    at = open_planner(app)
    first = wave_codes(layer(at))
    clicked = sorted(first)[0]
    at.session_state["p_exc"] = [clicked]     # what a click on it does (see test_click_toggles_the_lists)
    at.run()
    assert not at.exception
    second = wave_codes(layer(at))
    assert clicked not in second and len(second) == 10 and len(first & second) == 9
    assert at.query_params["exc"] == clicked
    assert layer(at)["styles"][clicked] == [2, 1]    # the rest's colour, dashed


def test_editors_save_compare_and_delete_scenarios(app):
    engine = ensure_editor(EDITOR, PASSWORD)
    at = app
    at.run()
    at.switch_page("pages/sign_in.py").run()
    at.text_input[0].set_value(EDITOR)
    at.text_input[1].set_value(PASSWORD)
    at.button[0].click().run()
    at.switch_page("pages/planner.py").run()
    # Editors' text is shown as typed: no HTML, no markdown link or outside image.
    for name, size in (("Phương án <b>A</b> — 10 xã", "10"), ("B ![x](https://evil.example/p.png) — 5 xã", "5")):
        at.query_params["size"] = size
        at.run()
        form_name = [ti for ti in at.text_input if ti.label == "Tên phương án"][0]
        form_name.set_value(name)
        [ta for ta in at.text_area if ta.label == "Ghi chú"][0].set_value("ghi chú " + size)
        [b for b in at.button if b.label == "Lưu phương án"][0].click().run()
        assert not at.exception, at.exception
        assert any(plain(name) in s.value for s in at.success)
        assert "](https://" not in " ".join(s.value for s in at.success)
    with engine.connect() as connection:
        audit = queries.recent_audit(connection)
    assert (audit["action"] == "scenario_save").sum() >= 2
    # Compare the two newest scenarios side by side.
    at.session_state["x_plan_compare"] = True
    at.run()
    assert not at.exception
    assert len(at.get("component_instance")) == 3
    text = " ".join(t.value for t in at.markdown)
    assert "Chỉ có trong A" in text and "Có trong cả hai: 5 xã" in text
    # Delete the newest.
    newest = at.selectbox(key="p_scenario").value
    [b for b in at.button if b.label == "Xóa phương án"][0].click().run()
    assert not at.exception
    with engine.connect() as connection:
        assert newest not in [s.id for s in list_scenarios(connection)]
        assert "scenario_delete" in queries.recent_audit(connection)["action"].tolist()


def test_public_visitors_see_no_save_or_delete(app):
    at = open_planner(app)
    labels = [b.label for b in at.button]
    assert "Lưu phương án" not in labels and "Xóa phương án" not in labels
    assert any("Biên tập viên đăng nhập" in c.value for c in at.caption)


def test_settings_survive_a_visit_to_another_page(app):
    at = open_planner(app, size="7", w="4,1,3,2,2")
    at.switch_page("pages/overview.py").run()
    at.switch_page("pages/planner.py").run()
    assert not at.exception
    # Streamlit dropped the planner's widget values while it was away: they come back from the URL.
    assert at.slider(key="p_w_reach").value == 4 and at.number_input(key="p_size").value == 7
    assert len(wave_codes(layer(at))) == 7


def test_notes_for_settings_that_do_less_than_expected(app):
    at = open_planner(app, w="0,0,0,0,0")
    assert any("Mọi trọng số đều bằng 0" in w.value for w in at.warning)
    at = open_planner(app, w="3,1,3,2,2", adopt="-")
    assert any("chưa chọn chỉ tiêu nào" in w.value for w in at.warning)


def test_assumptions_are_typed_the_vietnamese_way(app):
    at = open_planner(app)
    assert at.text_input(key="p_tpk").value == "2,26" and at.text_input(key="p_cov").value == "26,2"
    teams = metrics(at)["Tổ cần thành lập"]
    at.text_input(key="p_tpk").set_value("4,5").run()
    assert at.query_params["tpk"] == "4.5" and metrics(at)["Tổ cần thành lập"] != teams
    # Something that is not a number (or is out of range) is named and the default is kept.
    at.text_input(key="p_tpk").set_value("nhiều").run()
    assert any("Không đọc được “nhiều”" in e.value for e in at.error)
    assert "tpk" not in at.query_params and metrics(at)["Tổ cần thành lập"] == teams


def test_assumptions_in_english_and_back_from_a_link(app):
    at = open_planner(app, lang="en", tpk="3.25", mpt="5", cov="30")
    assert at.text_input(key="p_tpk").value == "3.25" and at.text_input(key="p_cov").value == "30"
    assert at.query_params["tpk"] == "3.25" and at.query_params["cov"] == "30"
