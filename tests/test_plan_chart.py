"""The planner's score breakdown chart (views/plan/score_chart.py): one bar per commune of the wave,
highest score first, stacked from each weighted criterion's part, the parts adding up to the score
the table shows; fixed, colour-blind-safe criterion colours; in Vietnamese and English."""
from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest
from streamlit import dataframe_util

from l10n import fmt, labels
from l10n.messages import t
from planner.geography import commune_geography
from planner.scoring import CRITERIA, Weights
from planner.wave import PlanSettings, plan_wave
from tests.apptest import fresh_app, use_own_database
from tests.html_tables import tables_in
from tests.test_classify import CVD_MATRICES, DISTINCT_CATEGORIES_MIN_DELTA_E, seen_difference
from tests.test_planner_page import open_planner
from views.plan.plan_view import CRITERION_COLOURS, score_text, wave_rows
from views.plan.score_chart import breakdown_rows, wave_score_panel

# The parts are unrounded; the score is rounded to planner.scoring.SCORE_DECIMALS (4) places.
SCORE_ROUNDING = 0.5e-4


@pytest.fixture(scope="module")
def geography(reference):
    return commune_geography(reference.communes)


@pytest.fixture(scope="module")
def result(table, catalogue, geography):
    return plan_wave(table, catalogue, geography, PlanSettings())


def spec_layers(spec: dict, datasets: dict[str, list[dict]]) -> list[list[dict]]:
    return [datasets[layer["data"]["name"]] for layer in spec["layer"]]


def page_chart(at) -> tuple[dict, list[list[dict]]] | None:
    """The page's breakdown chart: its spec and each layer's rows (Streamlit sends the datasets apart)."""
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if spec.get("name") == "wave_scores":
            datasets = {dataset.name: dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data)
                        .to_dict("records") for dataset in element.proto.datasets}
            return spec, spec_layers(spec, datasets)
    return None


# --- The view model ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_parts_of_each_bar_add_up_to_its_score_in_the_wave_s_order(result, lang):
    rows = breakdown_rows(result, lang)
    wave = result.candidates[result.candidates["selected"]]
    assert list(dict.fromkeys(rows["code"])) == list(wave.sort_values("score", ascending=False, kind="stable").index)
    # The same communes, in the same order, as the wave list beside the map.
    assert list(dict.fromkeys(rows["commune"])) == list(wave_rows(result, lang)[t("plan.col.commune", lang)])
    for code, parts in rows.groupby("code"):
        assert parts["part"].sum() == pytest.approx(wave.at[code, "score"], abs=SCORE_ROUNDING)
        assert list(parts["part"]) == pytest.approx([wave.at[code, name] for name in CRITERIA])   # the table's numbers
        assert set(parts["score_text"]) == {score_text(wave.at[code, "score"], lang)}
    assert list(dict.fromkeys(rows["criterion"])) == [labels.label(labels.PLAN_CRITERION, n, lang) for n in CRITERIA]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_spec_has_fixed_criterion_colours_a_title_and_a_description(result, lang):
    panel = wave_score_panel(result, lang)
    spec = panel.spec
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == [labels.label(labels.PLAN_CRITERION, name, lang) for name in CRITERIA]
    assert colour["range"] == [CRITERION_COLOURS[name] for name in CRITERIA]
    communes = int(result.candidates["selected"].sum())
    title = t("plan.breakdown.title", lang, communes=fmt.number(communes, 0, lang))
    assert panel.title == title and spec["description"].startswith(title)
    assert spec["config"]["locale"]["number"]["decimal"] == ("," if lang == "vi" else ".")
    segments, bars = spec_layers(spec, spec["datasets"])
    assert len(segments) == communes * len(CRITERIA) and len(bars) == communes
    tooltips = [tip["title"] for tip in spec["layer"][0]["encoding"]["tooltip"]]
    assert tooltips[0] == t("plan.col.commune", lang) and tooltips[-1] == t("plan.col.score", lang)
    assert all(bar["aria"].startswith(bar["label"]) for bar in bars)      # each bar speaks its own words


def test_a_criterion_without_weight_keeps_the_others_colours_and_leaves_the_legend(table, catalogue, geography):
    settings = PlanSettings(weights=replace(Weights(), density=0))
    result = plan_wave(table, catalogue, geography, settings)
    colour = wave_score_panel(result, "vi").spec["layer"][0]["encoding"]["color"]["scale"]
    used = [name for name in CRITERIA if name != "density"]
    assert colour["range"] == [CRITERION_COLOURS[name] for name in used]
    assert labels.label(labels.PLAN_CRITERION, "density", "vi") not in colour["domain"]
    assert set(breakdown_rows(result, "vi")["criterion"]) == set(colour["domain"])
    nothing = plan_wave(table, catalogue, geography, PlanSettings(weights=Weights(0, 0, 0, 0, 0)))
    assert wave_score_panel(nothing, "vi") is None


@pytest.mark.parametrize("deficiency", sorted(CVD_MATRICES))
def test_criterion_colours_stay_apart_for_colour_blind_readers(deficiency):
    assert list(CRITERION_COLOURS) == list(CRITERIA)
    for first, second in itertools.combinations(CRITERION_COLOURS.values(), 2):
        assert seen_difference(first, second, deficiency) >= DISTINCT_CATEGORIES_MIN_DELTA_E


# --- The page ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_page_draws_the_chart_only_while_its_section_is_open(monkeypatch, tmp_path, lang):
    # A database of its own: other tests publish versions in the shared one (a plan on those can be
    # infeasible, and then the page has no breakdown).
    use_own_database(monkeypatch, tmp_path)
    at = open_planner(fresh_app(), lang=lang)
    assert page_chart(at) is None                       # closed: nothing built or drawn
    at.session_state["x_plan_breakdown"] = True
    at.session_state["x_plan_scores"] = True            # the score table, to check the chart against
    at.run()
    assert not at.exception, at.exception
    spec, (segments, bars) = page_chart(at)
    communes = len(bars)
    assert t("plan.breakdown.title", lang, communes=communes) in json.dumps(spec["title"], ensure_ascii=False)
    assert {row["criterion"] for row in segments} == {labels.label(labels.PLAN_CRITERION, n, lang) for n in CRITERIA}

    wave_table, score_table = tables_in(at)[:2]
    commune, score = t("plan.col.commune", lang), t("plan.col.score", lang)
    assert [bar["label"] for bar in bars] == list(wave_table[commune])    # the wave's order, highest first
    shown = dict(zip(score_table[commune], score_table[score]))
    for bar in bars:
        parts = sum(row["part"] for row in segments if row["code"] == bar["code"])
        assert bar["score_text"] == shown[bar["label"]]                   # the score the table shows …
        assert parts == pytest.approx(fmt.parse_number(shown[bar["label"]], lang), abs=0.0005 + SCORE_ROUNDING)

    at.session_state["x_plan_breakdown"] = False
    at.run()
    assert page_chart(at) is None
