"""The compare page's change chart (views/compare/change_chart.py): one dumbbell per commune with
a value in both periods, sorted by the change; the largest changes by default, every commune on
demand; how many are left out and why; in Vietnamese and English, on both unit sets."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from streamlit import dataframe_util

from geo.units2025 import UNITS_2023, UNITS_2025
from indicators.periods import Period, available_periods, compute_change, period_table
from indicators.sample import read_sample_csv
from indicators.table import commune_table
from l10n import fmt
from l10n.messages import t
from storage.db import make_engine
from tests.test_compare_page import MISSING_COMMUNE, open_compare, own_database, seed  # noqa: F401  (own_database: a fixture)
from views.compare.change_chart import (
    A_COLOUR,
    B_COLOUR,
    LARGEST_CHANGES,
    change_chart,
    change_rows,
    largest_changes,
    left_out_text,
    missing_counts,
)
from views.compare.compare_view import signed
from views.map.mapview import unit_suffix

PERIOD_A = Period("2022", 1, 0, dt.date(2023, 2, 10), "Báo cáo", True)
PERIOD_B = Period("2023", 2, 1, dt.date(2023, 12, 31), "UBND tỉnh Cà Mau", False)


@pytest.fixture(scope="module")
def tables(reference, catalogue):
    """Period A: the sample. Period B as tests/test_compare_page.py seeds it: one more team in
    every pilot commune, 20 % more VNeID dossiers everywhere except one commune left out."""
    sample = read_sample_csv()
    before = commune_table(reference, sample, catalogue)
    later = sample.assign(teams=sample["teams"].where(~sample["pilot"], sample["teams"] + 1),
                          vneid_dossiers=(sample["vneid_dossiers"] * 1.2).round())
    later.loc[later["gso_code"] == MISSING_COMMUNE, "vneid_dossiers"] = None
    return before, commune_table(reference, later, catalogue)


def chart_layers(spec: dict, datasets: dict[str, list[dict]]) -> list[list[dict]]:
    """Each layer's rows, from the datasets Altair names in the spec."""
    return [datasets[layer["data"]["name"]] for layer in spec["layer"]]


def page_chart(at) -> tuple[dict, list[list[dict]]] | None:
    """The page's change chart: its spec and each layer's rows (Streamlit sends the datasets apart)."""
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        if spec.get("name") == "change":
            datasets = {dataset.name: dataframe_util.convert_arrow_bytes_to_pandas_df(dataset.data.data)
                        .to_dict("records") for dataset in element.proto.datasets}
            return spec, chart_layers(spec, datasets)
    return None


def spec_layers(spec: dict) -> list[list[dict]]:
    return chart_layers(spec, spec["datasets"])


# --- The view model ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_rows_are_the_communes_with_both_values_sorted_by_the_change(tables, catalogue, lang):
    before, after = tables
    indicator = catalogue["vneid_dossiers"]
    rows = change_rows(before, after, indicator, lang)
    both = before[indicator.id].notna() & after[indicator.id].notna()
    assert set(rows["code"]) == set(before.loc[both, "gso_code"]) and MISSING_COMMUNE not in set(rows["code"])
    by_code = before.set_index("gso_code")[indicator.id], after.set_index("gso_code")[indicator.id]
    for row in rows.itertuples():
        a, b = by_code[0][row.code], by_code[1][row.code]
        assert (row.a, row.b, row.change) == (a, b, pytest.approx(b - a))
        assert row.a_text == fmt.number(a, indicator.decimals, lang) + unit_suffix(indicator, lang)
        assert row.change_text.startswith(signed(b - a, indicator.decimals, lang) + unit_suffix(indicator, lang))
    assert list(rows["change"]) == sorted(rows["change"], reverse=True)


def test_the_largest_changes_keep_ties_at_the_cut(tables, catalogue):
    before, after = tables
    teams = change_rows(before, after, catalogue["hamlet_teams"], "vi")
    # Every pilot gained one team: all of them tie, so none is dropped for an equal one.
    assert len(teams) > LARGEST_CHANGES and teams["change"].nunique() == 1
    assert largest_changes(teams, LARGEST_CHANGES).equals(teams)
    dossiers = change_rows(before, after, catalogue["vneid_dossiers"], "vi")
    largest = largest_changes(dossiers, LARGEST_CHANGES)
    cut = dossiers["change"].abs().nlargest(LARGEST_CHANGES).min()
    assert set(largest["code"]) == set(dossiers.loc[dossiers["change"].abs() >= cut, "code"])
    assert len(largest) >= LARGEST_CHANGES and largest_changes(dossiers, None).equals(dossiers)


@pytest.mark.parametrize("lang, words", [("vi", ("Biểu đồ không có 1 trong 101 xã", "1 xã thiếu kỳ 2023")),
                                         ("en", ("1 of the 101 communes is not in the chart", "1 with no value for 2023"))])
def test_the_caption_says_how_many_are_left_out_and_why(tables, lang, words):
    before, after = tables
    counts = missing_counts(before, after, "vneid_dossiers")
    assert (counts.communes, counts.both, counts.only_a, counts.only_b, counts.neither) == (len(before), len(before) - 1,
                                                                                          1, 0, 0)
    text = left_out_text(counts, PERIOD_A, PERIOD_B, lang)
    assert all(word in text for word in words), text
    teams = missing_counts(before, after, "hamlet_teams")     # a pilot-only figure: none outside the pilots
    assert teams.neither == int(before["hamlet_teams"].isna().sum()) > 0
    assert f"{teams.neither} " in left_out_text(teams, PERIOD_A, PERIOD_B, lang)


def test_a_period_label_is_escaped_in_the_caption_and_plain_in_the_chart(tables, catalogue):
    before, after = tables
    hostile = Period("[x](javascript:alert(1)) <b>", 2, 1, dt.date(2023, 12, 31), "x", False)
    text = left_out_text(missing_counts(before, after, "vneid_dossiers"), PERIOD_A, hostile, "vi")
    assert "[x](javascript" not in text and "\\[x\\]" in text
    chart = change_chart(before, after, PERIOD_A, hostile, catalogue["vneid_dossiers"], "vi")
    # Vega writes it as text and its tooltip escapes it: escaping here would show "&lt;b&gt;".
    assert "Kỳ B: [x](javascript:alert(1)) <b>" in json.dumps(chart.panel.spec, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_spec_is_titled_described_and_localised(tables, catalogue, lang):
    before, after = tables
    indicator = catalogue["vneid_dossiers"]
    chart = change_chart(before, after, PERIOD_A, PERIOD_B, indicator, lang)
    spec = chart.panel.spec
    links, points, labels = spec_layers(spec)
    assert chart.shown == len(links) == len(largest_changes(change_rows(before, after, indicator, lang),
                                                            LARGEST_CHANGES))
    assert len(points) == 2 * len(links) and len(labels) == len(links)
    title = t("compare.chart.title", lang, indicator=indicator.name[lang], a="2022", b="2023")
    assert chart.panel.title == title and spec["description"].startswith(title)
    assert spec["config"]["locale"]["number"]["decimal"] == ("," if lang == "vi" else ".")
    stroke = spec["layer"][1]["encoding"]["stroke"]["scale"]
    assert stroke["range"] == [A_COLOUR, B_COLOUR] and stroke["domain"][1] == t("compare.map_heading", lang,
                                                                                 letter="B", name="2023")
    assert t("illustrative", lang) in stroke["domain"][0]           # the sample's period says it is illustrative
    tooltips = [tip["title"] for tip in spec["layer"][0]["encoding"]["tooltip"]]
    assert tooltips[0] == t("col.commune", lang) and tooltips[-1] == t("compare.col.change", lang)
    everything = change_chart(before, after, PERIOD_A, PERIOD_B, indicator, lang, show_all=True)
    assert everything.shown == everything.counts.both == len(spec_layers(everything.panel.spec)[0])


def test_no_commune_with_both_values_gives_no_chart(tables, catalogue):
    before, after = tables
    empty = after.assign(vneid_dossiers=float("nan"))
    chart = change_chart(before, empty, PERIOD_A, PERIOD_B, catalogue["vneid_dossiers"], "en")
    assert chart.panel is None and chart.counts.both == 0 and chart.counts.only_a == len(before)


# --- The page ------------------------------------------------------------------------------------------
def compared(reference, catalogue, indicator_id: str, units: str = UNITS_2023.id,
             reference_2025=None) -> tuple[list[Period], list[pd.DataFrame]]:
    """The indicator's two periods and their tables as the page reads them (the chart's inputs),
    from the test's database."""
    engine = make_engine()
    with engine.connect() as connection:
        periods = available_periods(connection, catalogue)[indicator_id]
        tables = [period_table(connection, reference, catalogue, p.version_id,
                               reference_2025 if units == UNITS_2025.id else None) for p in periods]
    engine.dispose()
    assert len(periods) == 2
    return periods, tables


def rows_by_code(layer: list[dict]) -> dict[str, dict]:
    return {row["code"]: row for row in layer}


@pytest.mark.usefixtures("own_database")
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_page_draws_the_chart_only_while_its_section_is_open(reference, catalogue, lang):
    seed(two_periods=True)
    at = open_compare(lang, ind="vneid_dossiers", a="2022", b="2023")
    assert page_chart(at) is None                        # closed: nothing built or drawn
    at.session_state["x_cmp_chart"] = True
    at.run()
    assert not at.exception, at.exception
    spec, (links, points, _) = page_chart(at)
    assert t("compare.chart.title", lang, indicator=catalogue["vneid_dossiers"].name[lang], a="2022", b="2023") in (
        json.dumps(spec["title"], ensure_ascii=False))
    assert spec["config"]["locale"]["number"]["thousands"] == ("." if lang == "vi" else ",")

    periods, (before, after) = compared(reference, catalogue, "vneid_dossiers")
    expected = largest_changes(change_rows(before, after, catalogue["vneid_dossiers"], lang), LARGEST_CHANGES)
    assert [row["code"] for row in links] == list(expected["code"])
    change = compute_change(before["vneid_dossiers"], after["vneid_dossiers"], catalogue["vneid_dossiers"])
    values = pd.DataFrame({"a": before["vneid_dossiers"].to_numpy(), "b": after["vneid_dossiers"].to_numpy(),
                           "change": change.difference.to_numpy()}, index=before["gso_code"])
    for code, row in rows_by_code(links).items():
        assert (row["a"], row["b"]) == (values.at[code, "a"], values.at[code, "b"])
        assert row["change"] == pytest.approx(row["b"] - row["a"]) == pytest.approx(values.at[code, "change"])
    assert len(points) == 2 * len(links)
    captions = " ".join(caption.value for caption in at.caption)
    assert left_out_text(missing_counts(before, after, "vneid_dossiers"), *periods, lang) in captions

    at.toggle(key="w_cmp_chart_all").set_value(True).run()
    assert not at.exception, at.exception
    _, (links, _, _) = page_chart(at)
    both = before["vneid_dossiers"].notna() & after["vneid_dossiers"].notna()
    assert set(rows_by_code(links)) == set(before.loc[both, "gso_code"]) and MISSING_COMMUNE not in rows_by_code(links)
    assert [row["change"] for row in links] == sorted((row["change"] for row in links), reverse=True)


@pytest.mark.usefixtures("own_database")
def test_the_page_draws_the_chart_on_the_2025_units(reference, reference_2025, catalogue):
    seed(two_periods=True)
    at = open_compare("vi", ind="vneid_dossiers", a="2022", b="2023", units="2025")
    at.session_state["x_cmp_chart"] = True
    at.session_state["w_cmp_chart_all"] = True
    at.run()
    assert not at.exception, at.exception
    _, (links, _, _) = page_chart(at)
    _, (before, after) = compared(reference, catalogue, "vneid_dossiers", UNITS_2025.id, reference_2025)
    assert len(before) == 64
    both = before["vneid_dossiers"].notna() & after["vneid_dossiers"].notna()
    assert set(rows_by_code(links)) == set(before.loc[both, "gso_code"])
    counts = missing_counts(before, after, "vneid_dossiers")
    assert counts.neither >= 25          # the former Bạc Liêu units: no data in either period
    captions = " ".join(caption.value for caption in at.caption)
    assert f"Biểu đồ không có {counts.left_out} trong 64 xã" in captions


@pytest.mark.usefixtures("own_database")
def test_no_chart_section_for_a_single_period():
    seed(two_periods=False)
    at = open_compare("vi")
    assert not [e for e in at.expander if e.label == t("compare.chart.section", "vi")]
