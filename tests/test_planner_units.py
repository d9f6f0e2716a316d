"""The planner on the 2025 units: the domain (no district limits or balance, adjacency from the
2025 polygons, every constraint kept) and the page in both languages, its switch and scenarios."""
import pytest

from planner.geography import commune_geography
from planner.selection import Constraints
from planner.wave import PlanSettings, plan_wave
from tests.accounts import ensure_editor
from tests.html_tables import tables_in
from tests.test_planner_page import layer, metrics, open_planner, wave_codes

AN_XUYEN, TAN_THANH, HOA_THANH, BAC_LIEU = "32002", "32025", "32041", "31825"


@pytest.fixture(scope="module")
def table_2025(reference, reference_2025, catalogue):
    from indicators.conversion import commune_table_2025
    from indicators.sample import read_sample_csv
    return commune_table_2025(reference, reference_2025, read_sample_csv(), catalogue)


@pytest.fixture(scope="module")
def geography_2025(reference_2025):
    return commune_geography(reference_2025.communes)


def test_neighbours_come_from_the_2025_polygons(geography_2025):
    assert len(geography_2025.codes) == 64
    assert TAN_THANH in geography_2025.neighbours[AN_XUYEN] and HOA_THANH in geography_2025.neighbours[TAN_THANH]
    assert all(a in geography_2025.neighbours[b] for a in geography_2025.codes for b in geography_2025.neighbours[a])


def test_a_wave_on_the_2025_units_has_no_district_limits_or_balance(table_2025, catalogue, geography_2025):
    settings = PlanSettings(constraints=Constraints(size=4, district_min=2, district_max=1))
    result = plan_wave(table_2025, catalogue, geography_2025, settings)
    assert not result.has_districts and result.plan.feasible and len(result.plan.selected) == 4
    assert result.settings.constraints.district_min == 0 and result.settings.constraints.district_max is None
    assert (result.candidates["balance"] == 0).all()
    # Candidates are units known to have no team: never a former Bạc Liêu unit (status unknown).
    known_without = table_2025.loc[table_2025["pilot"].eq(False).fillna(False).astype(bool), "gso_code"]
    assert set(result.candidates.index) == set(known_without) and BAC_LIEU not in result.candidates.index
    assert result.totals.communes_total == 64


@pytest.mark.parametrize("lang, title", [("vi", "Huyện cũ"), ("en", "Former district")])
def test_the_planner_page_on_the_2025_units(app, lang, title):
    at = open_planner(app, units="2025", size="4", dmin="1", lang=lang)
    payload = layer(at)
    assert len(payload["styles"]) == 64 and len(wave_codes(payload)) == 4
    assert "communes-2025-" in payload["communes_url"]
    assert at.radio(key="p_units").value == "2025"
    assert not [n for n in at.number_input if n.key == "p_dmin"]
    assert "dmin" not in at.query_params and at.query_params["units"] == "2025"
    assert title in tables_in(at)[0].columns
    values = metrics(at)
    assert values["Xã trong đợt" if lang == "vi" else "Communes in the wave"] == "4"
    if lang == "vi":
        assert any("tiêu chí cân đối giữa các huyện" in w.value for w in at.warning)


def test_switching_the_planner_drops_the_other_sets_communes(app):
    at = open_planner(app, inc="32005", size="6")
    at.radio(key="p_units").set_value("2025").run()
    assert not at.exception
    assert at.query_params["units"] == "2025" and "inc" not in at.query_params and at.query_params["size"] == "6"
    assert len(wave_codes(layer(at))) == 6
    assert not any("bỏ qua" in caption.value for caption in at.caption)


def test_a_scenario_keeps_its_unit_set_and_is_compared_only_with_its_own(app):
    ensure_editor("planner_units_editor", "đơn-vị-2025-thử-nghiệm-789")
    at = app
    at.run()
    at.switch_page("pages/sign_in.py").run()
    at.text_input[0].set_value("planner_units_editor")
    at.text_input[1].set_value("đơn-vị-2025-thử-nghiệm-789")
    at.button[0].click().run()
    at.query_params["units"] = "2025"
    at.query_params["size"] = "3"
    at.switch_page("pages/planner.py").run()
    [ti for ti in at.text_input if ti.label == "Tên phương án"][0].set_value("Đợt 2025")
    [b for b in at.button if b.label == "Lưu phương án"][0].click().run()
    assert not at.exception
    scenarios = next(table for table in tables_in(at) if "Tên" in table.columns)
    assert scenarios.loc[scenarios["Tên"] == "Đợt 2025", "Đơn vị hành chính"].item() == "Đơn vị 2025"
    at.session_state["x_plan_compare"] = True
    at.run()
    assert not at.exception
    # Back on the 2022–2024 units the 2025 scenario is not offered for comparison.
    at.radio(key="p_units").set_value("2023").run()
    assert not at.exception
    assert any("cùng bộ đơn vị" in caption.value for caption in at.caption)
    compare_choices = [box for box in at.selectbox if box.key == "p_cmp_a"]
    assert not compare_choices or "Đợt 2025" not in " ".join(map(str, compare_choices[0].options))


def test_the_pilots_ratios_come_from_the_units_the_pilot_ran_in(app):
    def ratios_caption(at):
        return next(c.value for c in at.caption if "thí điểm" in c.value and "/1.000" in c.value.replace(" ", ""))

    old = ratios_caption(open_planner(app))
    new = ratios_caption(open_planner(app, units="2025"))
    assert old == new
