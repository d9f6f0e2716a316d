"""Periods of an indicator (which versions count), its values per period, the change between two
periods, the shared classes of the side-by-side maps, the diverging change map and the URL state."""
import datetime as dt
import html

import numpy as np
import pandas as pd
import pytest

from geo.classify import NO_DATA_COLOUR
from geo.maprender import STYLE_NO_DATA, STYLE_NORMAL
from geo.web_geometry import PublishedGeometry
from indicators.periods import (
    CHANGE_COUNT,
    CHANGE_POINTS,
    CHANGE_RATE,
    Period,
    available_periods,
    change_kind,
    compute_change,
    period_table,
    publication_stack,
)
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from storage import datasets
from views.compare.compare_view import (
    STEPS_PER_SIDE,
    CompareState,
    change_map,
    comparison_rows,
    diverging_classes,
    diverging_colours,
    diverging_label,
    nice_step,
    period_maps,
    read_compare_state,
    shared_legend_html,
    signed,
    write_compare_state,
)

HOSTILE = "<img src=x onerror=alert(1)>"


def new_version(connection, figures, period, as_of, publish=True, source="UBND tỉnh Cà Mau"):
    version = datasets.create_version(
        connection, period=period, as_of=as_of, source=source, illustrative=False, created_by="editor",
        file_name="bao_cao.xlsx", file_sha256="a" * 64, sheet="Sheet1", rows_read=len(figures),
        rows_matched=len(figures), rows_rejected=0, note="", figures=figures, report=[])
    if publish:
        datasets.publish(connection, version.id, "editor")
    return version


def labels(periods, indicator_id):
    return [(p.label, p.version_number) for p in periods[indicator_id]]


@pytest.fixture
def sampled(engine, catalogue):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    return engine


# --- Which periods an indicator has --------------------------------------------------------------
def test_the_sample_alone_gives_one_period_to_versioned_indicators_only(sampled, catalogue):
    with sampled.connect() as connection:
        periods = available_periods(connection, catalogue)
    assert labels(periods, "hamlet_teams") == [("2022", 0)]
    assert labels(periods, "vneid_per_1000") == [("2022", 0)]   # a ratio over a census denominator
    assert periods["hamlet_teams"][0].illustrative
    # Computed from reference data alone, or a category: not versioned, never compared.
    for indicator_id in ("population_2019", "area_km2", "population_density", "urban_share_2019", "pilot_status"):
        assert periods[indicator_id] == []


def test_periods_come_from_published_versions_that_hold_the_indicator(sampled, catalogue):
    with sampled.begin() as connection:
        new_version(connection, [("32005", "hamlet_teams", 11.0), ("32005", "vneid_dossiers", 900.0)],
                    "2023", dt.date(2023, 12, 31))
        new_version(connection, [("32005", "vneid_dossiers", 1200.0)], "2024", dt.date(2024, 6, 30))
        new_version(connection, [("32005", "vneid_dossiers", 1500.0)], "2025", dt.date(2025, 6, 30),
                    publish=False)   # imported, never published: not offered
    with sampled.connect() as connection:
        periods = available_periods(connection, catalogue)
    assert labels(periods, "vneid_dossiers") == [("2022", 0), ("2023", 1), ("2024", 2)]
    assert labels(periods, "vneid_per_1000") == [("2022", 0), ("2023", 1), ("2024", 2)]
    assert labels(periods, "hamlet_teams") == [("2022", 0), ("2023", 1)]      # version 2 lacks teams
    assert labels(periods, "households_guided_share") == [("2022", 0)]        # needs its numerator
    assert not periods["vneid_dossiers"][1].illustrative
    assert periods["vneid_dossiers"][2].as_of == dt.date(2024, 6, 30)


def test_a_rolled_back_version_is_withdrawn_and_a_correction_supersedes(sampled, catalogue):
    with sampled.begin() as connection:
        new_version(connection, [("32005", "mobile_money", 10.0)], "2023", dt.date(2023, 12, 31))
        new_version(connection, [("32005", "mobile_money", 99.0)], "2024", dt.date(2024, 12, 31))
        datasets.rollback(connection, "editor")       # version 2 was wrong: withdrawn
        new_version(connection, [("32005", "mobile_money", 12.0)], "2023", dt.date(2024, 1, 15))  # correction
        new_version(connection, [("32005", "mobile_money", 7.0)], "2022", dt.date(2023, 1, 31))   # official 2022
    with sampled.connect() as connection:
        periods = available_periods(connection, catalogue)
    # 2022: the official table replaces the sample; 2023: the correction (version 3) replaces version 1.
    assert labels(periods, "mobile_money") == [("2022", 4), ("2023", 3)]
    assert not any(p.illustrative for p in periods["mobile_money"])
    assert labels(periods, "vneid_dossiers") == [("2022", 0)]   # the sample still gives the other indicators


def test_publication_stack_replays_publish_and_rollback():
    newest_first = [(None, "rollback", "e", 1), (None, "publish", "e", 2), (None, "publish", "e", 1),
                    (None, "publish", "system", 0)]
    assert publication_stack(newest_first) == [0, 1]
    assert publication_stack([(None, "publish", "e", 1)] + newest_first) == [0, 1, 1]


# --- Values of a period ----------------------------------------------------------------------------
def test_period_values_are_the_versions_own_with_its_pilot_status(sampled, catalogue, reference, table):
    with sampled.begin() as connection:
        version = new_version(connection, [("32005", "hamlet_teams", 11.0), ("32005", "households_guided", 500.0),
                                           ("31999", "hamlet_teams", 0.0), ("32002", "vneid_dossiers", 2000.0)],
                              "2023", dt.date(2023, 12, 31))
    with sampled.connect() as connection:
        official = period_table(connection, reference, catalogue, version.id).set_index("gso_code")
        sample = period_table(connection, reference, catalogue, datasets.version_by_number(connection, 0).id)
    # The sample version gives back exactly the sample table, pilot status included (56 known non-pilots).
    pd.testing.assert_frame_equal(sample, table, check_dtype=False)
    assert (sample["pilot"] == False).sum() == 56  # noqa: E712 (a nullable boolean column)
    # An official version: its own values only, pilot status from its team counts.
    assert official.loc["32005", "hamlet_teams"] == 11
    assert official.loc["32005", "households_guided_share"] == pytest.approx(
        500 / official.loc["32005", "households_2019"] * 100)
    assert official.loc["31999", "pilot"] == False  # noqa: E712
    assert pd.isna(official.loc["31999", "hamlet_teams"])           # no team: not deployed, not 0
    assert pd.isna(official.loc["32002", "pilot"])                   # not in the teams table: unknown
    assert official.loc["32002", "vneid_per_1000"] == pytest.approx(
        2000 / official.loc["32002", "population_2019"] * 1000)
    assert official["mobile_money"].isna().all()                     # never filled in from the sample


# --- Change ------------------------------------------------------------------------------------
def test_change_kinds_follow_the_unit(catalogue):
    assert change_kind(catalogue["hamlet_teams"]) == CHANGE_COUNT
    assert change_kind(catalogue["households_guided_share"]) == CHANGE_POINTS
    assert change_kind(catalogue["vneid_per_1000"]) == CHANGE_RATE


def test_count_change_is_a_difference_with_a_percentage_where_the_base_is_positive(catalogue):
    before = pd.Series([10, 0, np.nan, 5, 4], dtype=float)
    after = pd.Series([15, 3, 8, np.nan, 4], dtype=float)
    change = compute_change(before, after, catalogue["hamlet_teams"])
    assert change.difference.tolist()[:2] == [5, 3] and change.difference[4] == 0
    assert change.difference[2:4].isna().all()          # missing in either period: no value, never 0
    assert change.percent[0] == 50 and change.percent[4] == 0
    assert change.percent[1:4].isna().all()              # base 0 or missing: no percentage


def test_share_changes_in_percentage_points_and_rates_by_their_difference(catalogue):
    shares = compute_change(pd.Series([26.1, 30.0]), pd.Series([28.4, 25.0]), catalogue["households_guided_share"])
    assert shares.kind == CHANGE_POINTS
    assert shares.difference.tolist() == [2.3, -5.0]    # points, not 2.3 / 26.1 = 8.8 %
    assert shares.percent.isna().all()
    rates = compute_change(pd.Series([195.2]), pd.Series([210.7]), catalogue["vneid_per_1000"])
    assert rates.kind == CHANGE_RATE and rates.difference[0] == pytest.approx(15.5)


# --- Views -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def geometry(reference):
    return PublishedGeometry("/app/static/geo/c.geojson", "/app/static/geo/o.geojson", 0, 0, {},
                             tuple(reference.communes.total_bounds))


def period(label, number, illustrative=False, year=None):
    return Period(label, number + 10, number, dt.date(year or int(label), 12, 31), "UBND tỉnh", illustrative)


def later_table(table, factor=1.5):
    """The sample table with every VNeID figure grown and the first commune missing."""
    later = table.copy()
    later["vneid_dossiers"] = (later["vneid_dossiers"] * factor).round()
    later.loc[0, "vneid_dossiers"] = np.nan
    return later


def test_side_by_side_maps_share_their_classes(table, catalogue, sources, geometry):
    later = later_table(table)
    maps = period_maps([table, later], [period("2022", 0, True), period("2023", 1)], "vneid_dossiers",
                       catalogue, sources, geometry, "vi")
    first, second = (m.layer for m in maps.maps)
    # The same value gets the same colour on both maps: one set of classes over both periods.
    colour_of_value = {}
    for layer, frame in ((first, table), (second, later)):
        for code, value in zip(frame["gso_code"], frame["vneid_dossiers"]):
            index, style = layer.styles[code]
            if pd.isna(value):
                assert style == STYLE_NO_DATA and layer.colours[index] == NO_DATA_COLOUR
                continue
            assert colour_of_value.setdefault(value, layer.colours[index]) == layer.colours[index]
    # Values grew by half: the later map has more communes in the top class.
    top = maps.legend[len([e for e in maps.legend if e.kind == "class"]) - 1]
    assert top.counts[1] > top.counts[0]
    assert all(sum(e.counts[i] for e in maps.legend) == 101 for i in (0, 1))
    assert maps.legend[-1].counts == (0, 1) and maps.legend[-1].kind == "no_data"
    legend = shared_legend_html(maps.legend, [m.period for m in maps.maps], "vi")
    assert "2022: " in legend and "2023: 1 xã" in legend and "dashed" in legend
    # The period and its illustrative mark travel with each map.
    assert "2022" in first.header and "Dữ liệu minh họa" in first.footer
    assert "2023" in second.header and "Dữ liệu minh họa" not in second.footer


def test_one_period_gives_one_map_with_plain_counts(table, catalogue, sources, geometry):
    maps = period_maps([table], [period("2022", 0, True)], "hamlet_teams", catalogue, sources, geometry, "en")
    assert len(maps.maps) == 1
    assert {e.label for e in maps.legend if e.kind == "no_data"} == {"Not deployed (commune not piloted)"}
    legend = shared_legend_html(maps.legend, [maps.maps[0].period], "en")
    assert "56 communes" in legend and "2022:" not in legend
    rows = comparison_rows(table, maps, None, "en")
    assert len(rows) == 101 and list(rows.columns)[-1] == (
        "Hamlet-level community digital-technology teams (Illustrative data) — 2022")


def test_nice_steps_are_round_and_never_below_the_shown_unit():
    assert nice_step(30, 0) == 10 and nice_step(31, 0) == 20 and nice_step(140, 0) == 50
    assert nice_step(2, 0) == 1                 # counts: at least one unit
    assert nice_step(0.9, 1) == pytest.approx(0.5) and nice_step(0, 1) == pytest.approx(0.1)


def test_diverging_classes_are_symmetric_about_zero():
    difference = pd.Series([-30, -20, -11, -10, -1, 0, 1, 10, 11, 20, 21, 30, np.nan])
    classes = diverging_classes(difference, 0)
    assert classes.step == 10
    assert classes.class_of.tolist()[:12] == [-3, -2, -2, -1, -1, 0, 1, 1, 2, 2, 3, 3]
    assert pd.isna(classes.class_of.iloc[-1])
    assert [diverging_label(c, 10, 0, "vi") for c in range(-3, 4)] == [
        "dưới −20", "từ −20 đến dưới −10", "từ −10 đến dưới 0", "Không đổi (0)",
        "trên 0 đến +10", "trên +10 đến +20", "trên +20"]
    assert diverging_label(1, 0.5, 1, "en") == "over 0.0 to +0.5"
    assert signed(-1234.5, 1, "vi") == "−1.234,5" and signed(0.04, 1, "vi") == "0,0"


def test_diverging_palette_is_centred_and_flips_when_lower_is_better():
    colours = diverging_colours()
    assert len(colours) == 2 * STEPS_PER_SIDE + 1 and colours[STEPS_PER_SIDE] == "#f7f7f7"
    assert colours[-1] == "#2166ac" and colours[0] == "#b2182b"     # ColorBrewer RdBu: increase blue
    assert diverging_colours("lower") == colours[::-1]
    assert NO_DATA_COLOUR not in colours


def test_change_map_colours_signed_changes_and_greys_missing_communes(table, catalogue, geometry):
    later = later_table(table)
    later.loc[1, "vneid_dossiers"] = table.loc[1, "vneid_dossiers"]   # unchanged
    a, b = period("2022", 0, True), period("2023", 1)
    result = change_map(table, later, a, b, "vneid_dossiers", catalogue, geometry, "vi")
    layer = result.layer
    codes = table["gso_code"]
    first_index, first_style = layer.styles[codes[0]]
    assert first_style == STYLE_NO_DATA and layer.colours[first_index] == NO_DATA_COLOUR
    assert layer.values[codes[0]] == 1 and layer.missing[1] == "Không có dữ liệu kỳ 2023"
    assert layer.styles[codes[1]][1] == STYLE_NORMAL and layer.colours[layer.styles[codes[1]][0]] == "#f7f7f7"
    assert layer.values[codes[1]] == "0 hồ sơ (0,0%)"
    grown = (later["vneid_dossiers"] - table["vneid_dossiers"])[2]
    assert layer.values[codes[2]].startswith("+" + signed(grown, 0, "vi")[1:] + " hồ sơ (+")
    assert sum(row.count for row in result.legend) == 101
    assert result.legend[-1].label == "Không có dữ liệu ở một hoặc cả hai kỳ" and result.legend[-1].count == 1
    assert "Dữ liệu minh họa" in layer.footer and "2022" in layer.header and "2023" in layer.header


def test_change_map_of_a_share_is_in_percentage_points(table, catalogue, sources, geometry):
    later = table.copy()
    later["households_guided_share"] = later["households_guided_share"] + 1.5
    a, b = period("2022", 0), period("2023", 1)
    result = change_map(table, later, a, b, "households_guided_share", catalogue, geometry, "en")
    pilot_code = table.loc[table["pilot"].fillna(False).astype(bool), "gso_code"].iloc[0]
    assert result.layer.values[pilot_code] == "+1.5 pp"
    assert "percentage points" in result.layer.footer
    maps = period_maps([table, later], [a, b], "households_guided_share", catalogue, sources, geometry, "en")
    rows = comparison_rows(table, maps, result, "en").set_index("GSO code")
    assert rows.loc[pilot_code, "Change (B − A)"] == "+1.5 pp"
    assert "Change (%)" not in rows.columns        # a percentage of a percentage would mislead
    assert rows.loc[pilot_code].iloc[-3].endswith("%")


def test_hostile_period_label_and_source_are_escaped(table, catalogue, sources, geometry):
    hostile = Period(HOSTILE, 11, 1, dt.date(2023, 12, 31), HOSTILE, False)
    maps = period_maps([table], [hostile], "vneid_dossiers", catalogue, sources, geometry, "vi")
    layer = maps.maps[0].layer
    assert HOSTILE not in layer.header + layer.footer and html.escape(HOSTILE) in layer.header
    change = change_map(table, later_table(table), hostile, period("2023", 2), "vneid_dossiers", catalogue,
                        geometry, "vi")
    assert HOSTILE not in change.layer.header + "".join(change.layer.missing.values())
    assert HOSTILE not in shared_legend_html(maps.legend, [hostile, hostile], "vi")


# --- URL state -------------------------------------------------------------------------------------
PERIODS = {"population_2019": [], "hamlet_teams": [period("2022", 0, True)],
           "vneid_dossiers": [period("2022", 0, True), period("2023", 1), period("2024", 2)]}


def test_url_state_defaults_to_the_latest_two_periods_of_the_first_comparable_indicator():
    state, notices = read_compare_state({}, PERIODS)
    assert state == CompareState("vneid_dossiers", "2023", "2024", "side", "vi") and not notices
    state, _ = read_compare_state({"ind": "hamlet_teams"}, PERIODS)
    assert (state.period_a, state.period_b) == ("2022", "2022")
    assert read_compare_state({}, {"population_2019": []})[0].indicator is None


def test_url_state_round_trips_and_hostile_values_become_notices():
    state = CompareState("vneid_dossiers", "2022", "2024", "change", "en")
    assert read_compare_state(write_compare_state(state), PERIODS) == (state, [])
    hostile = {"ind": HOSTILE, "a": "1999", "b": "x" * 500, "mode": "3d", "lang": "fr"}
    state, notices = read_compare_state(hostile, PERIODS)
    assert state == CompareState("vneid_dossiers", "2023", "2024", "side", "vi")
    assert [n.param for n in notices] == ["ind", "a", "b", "mode", "lang"]
    assert all(len(n.value) <= 80 for n in notices)
    # A period of another indicator is not accepted.
    assert read_compare_state({"ind": "hamlet_teams", "a": "2024"}, PERIODS)[1][0].param == "a"
