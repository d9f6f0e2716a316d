"""The province timeline: the carried file against the facts it came from, its validation (every
bad cell named by file, row and column), the report's figures on the same line, and the overview's
charts built from it (bounds drawn as bounds, nothing the caveats forbid, the language's formats)."""
from __future__ import annotations

import ast
import calendar
import csv
import datetime as dt
import graphlib
import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from babel import Locale
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from indicators.catalogue import load_report, load_sources
from indicators.timeline import (
    APPROX,
    BOUNDS,
    COLUMNS,
    COUNT,
    DAY,
    EXACT,
    LOWER,
    METRIC_KINDS,
    MONTH,
    RANK,
    REPORT_METRICS,
    REPORT_NOT_PLOTTED,
    SHARE,
    TIMELINE_FILE,
    YEAR,
    TimelineDataError,
    combine,
    iso_date,
    load_timeline_file,
    parse_date,
    province_timeline,
    report_points,
)
from l10n import fmt
from l10n.fmt import LOCALES, vega_locale
from l10n.messages import t
from views.overview import timeline as timeline_view
from views.overview.timeline import (
    METRIC_LABELS,
    TASK_FIGURE_IDS,
    VALUE_PREFIX,
    build_overview_timeline,
    event_lanes,
    overview_timeline,
    point_key,
    sources_markdown,
    value_text,
)

REPO = Path(__file__).resolve().parent.parent
FACTS_FILE = REPO.parent / "shared" / "facts" / "camau_province_timeline.csv"


# --------------------------------------------------------------------------- the carried data

@pytest.fixture(scope="module")
def facts() -> pd.DataFrame:
    if not FACTS_FILE.is_file():
        pytest.skip(f"{FACTS_FILE} is not here (CI has ../shared beside the clone)")
    return pd.read_csv(FACTS_FILE, dtype=str, keep_default_na=False)


def expected_bound(caveat: str) -> str:
    """The facts README: "hơn" is a lower bound, "gần" an approximation; the caveat says which."""
    if "lower bound" in caveat:
        return LOWER
    return APPROX if "gần" in caveat else EXACT


def test_carried_file_matches_the_facts_file(facts):
    carried = load_timeline_file()
    assert len(carried) == len(facts)
    for point, fact in zip(carried, facts.to_dict("records")):
        assert point.metric == fact["metric"]
        assert point.value == (float(fact["value"]) if fact["value"] else None)
        assert iso_date(point.date, point.precision) == fact["as_of"]
        assert (point.source_url, point.wording_vi, point.caveat) == (fact["source_url"], fact["wording_vi"],
                                                                      fact["caveat"])
        assert point.bound == expected_bound(fact["caveat"]), fact


def test_every_row_is_dated_sourced_bounded_and_noted_in_both_languages():
    points = load_timeline_file()
    assert len({(p.metric, iso_date(p.date, p.precision)) for p in points}) == len(points)
    for point in points:
        assert point.bound in BOUNDS and point.precision in (DAY, MONTH, YEAR)
        assert re.match(r"https?://", point.source_url)
        assert point.note["vi"] and point.note["en"], point
        if point.bound != EXACT:
            # A lower bound or an approximation quotes the source's word to the reader, in both languages.
            word = "“hơn" if point.bound == LOWER else "“gần"
            assert word in point.note["vi"] and word in point.note["en"], point


def test_a_percentage_seen_only_in_a_wording_is_never_a_plotted_share():
    """The 53% beside the 70,600 (truncated denominator) has no point: a share is drawn only from a
    row of its own."""
    points = province_timeline()
    shares = {(p.source_url, p.date, p.value) for p in points if p.kind == SHARE}
    for point in points:
        for percent in re.findall(r"(\d+(?:[.,]\d+)?)\s*%", point.wording_vi):
            value = float(percent.replace(",", "."))
            if (point.source_url, point.date, value) not in shares:
                assert not [p for p in points if p.kind == SHARE and p.value == value and p.plot], percent
                assert point.value != value
    guided = [p for p in points if "53%" in p.wording_vi]
    assert guided and all(p.bound == LOWER and p.plot and p.kind == COUNT for p in guided)


def test_report_figures_are_read_from_the_report_not_copied():
    figures = {figure.id: figure for figure in load_report()}
    points = province_timeline()
    for figure_id, metric in REPORT_METRICS.items():
        figure = figures[figure_id]
        [point] = [p for p in points if p.metric == metric and p.date == figure.as_of]
        assert (point.value, point.out_of, point.source_id, point.source_url) == (
            figure.value, figure.target, figure.source_id, None)
        assert point.bound == (LOWER if figure.over else EXACT)
        assert point.plot == (figure_id not in REPORT_NOT_PLOTTED)
    report_dates = {figure.as_of for figure in figures.values()}
    assert not [p for p in load_timeline_file() if p.date in report_dates], "a report figure copied into the file"


def test_a_file_figure_clashing_with_the_report_is_refused():
    [report_point, *_] = report_points(load_report())
    copied = replace(report_point, source_url="https://baocamau.vn/bai-viet", source_id=None)
    with pytest.raises(TimelineDataError, match=report_point.metric):
        combine(load_timeline_file(), report_points(load_report()), [copied])


def test_timeline_is_in_date_order():
    dates = [point.date for point in province_timeline()]
    assert dates == sorted(dates)


# --------------------------------------------------------------------------- validation

def write_rows(path: Path, rows: list[dict[str, str]], columns=COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def good_rows() -> list[dict[str, str]]:
    return pd.read_csv(TIMELINE_FILE, dtype=str, keep_default_na=False).to_dict("records")


def a_row(rows, metric):
    return next(row for row in rows if row["metric"] == metric)


@pytest.mark.parametrize(("metric", "column", "bad", "says"), [
    ("households_guided", "date", "07/2023", "ngày không hợp lệ"),
    ("households_guided", "date", "2023-13", "ngày không hợp lệ"),
    ("households_guided", "date", "2023-02-30", "ngày không hợp lệ"),
    ("households_guided", "date", "", "ngày không hợp lệ"),
    ("households_guided", "bound", "hơn", "cần một trong"),
    ("households_guided", "bound", "", "cần một trong"),
    ("households_guided", "value", "nhiều", "không phải số"),
    ("households_guided", "value", "70.600", "số nguyên"),      # the Vietnamese way: would read 70.6
    ("households_guided", "value", "", "thiếu giá trị"),
    ("households_guided_share", "value", "165", "0 đến 100"),
    ("dti_rank", "out_of", "", "tổng số"),
    ("pilot_start", "value", "1", "sự kiện"),
    ("households_guided", "metric", "households", "không có trong danh sách"),
    ("households_guided", "source_url", "", "http"),
    ("households_guided", "source_url", "baocamau.vn/bai-viet", "http"),
    ("households_guided", "source_url", "ftp://baocamau.vn/bai-viet", "http"),
    ("households_guided", "plot", "có", "true/false"),
])
def test_a_bad_cell_is_named_by_file_row_and_column(tmp_path, good_rows, metric, column, bad, says):
    row_number = good_rows.index(a_row(good_rows, metric)) + 2        # row 1 is the header
    a_row(good_rows, metric)[column] = bad
    path = write_rows(tmp_path / "timeline.csv", good_rows)
    with pytest.raises(TimelineDataError) as raised:
        load_timeline_file(path)
    assert (raised.value.file, raised.value.row, raised.value.column) == ("timeline.csv", row_number, column)
    assert f"timeline.csv dòng {row_number}, cột {column}" in str(raised.value) and says in str(raised.value)


def test_a_metric_dated_twice_alike_names_both_rows(tmp_path, good_rows):
    rows = [*good_rows, dict(good_rows[3])]
    with pytest.raises(TimelineDataError) as raised:
        load_timeline_file(write_rows(tmp_path / "timeline.csv", rows))
    assert (raised.value.row, raised.value.column) == (len(rows) + 1, "date")
    assert "dòng 5" in str(raised.value) and good_rows[3]["metric"] in str(raised.value)


def test_a_missing_column_is_named(tmp_path, good_rows):
    path = write_rows(tmp_path / "timeline.csv", good_rows, [c for c in COLUMNS if c != "bound"])
    with pytest.raises(TimelineDataError, match="cột bound: thiếu cột"):
        load_timeline_file(path)


# --------------------------------------------------------------------------- properties

PRECISIONS = st.sampled_from([DAY, MONTH, YEAR])


@st.composite
def dated(draw) -> tuple[dt.date, str]:
    precision = draw(PRECISIONS)
    day = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
    first = {DAY: day, MONTH: day.replace(day=1), YEAR: day.replace(month=1, day=1)}[precision]
    return first, precision


@given(dated())
def test_dates_round_trip_and_periods_end_where_the_next_begins(date_and_precision):
    date, precision = date_and_precision
    assert parse_date(iso_date(date, precision)) == (date, precision)
    end = replace(next(iter(province_timeline())), date=date, precision=precision).period_end
    if precision == DAY:
        assert end == date
    elif precision == MONTH:
        assert end == date.replace(day=calendar.monthrange(date.year, date.month)[1])
    else:
        assert (end.month, end.day, end.year) == (12, 31, date.year)


DATE_LIKE = st.one_of(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
                      st.from_regex(r"\d{4}(-\d{1,2}(-\d{1,3})?)?", fullmatch=True))


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(DATE_LIKE)
def test_a_date_is_read_exactly_when_it_is_an_iso_day_month_or_year(tmp_path, good_rows, text):
    assume(text == text.strip())
    row = a_row(good_rows, "households_guided")
    path = write_rows(tmp_path / "timeline.csv", [{**row, "date": text}])
    try:
        expected = parse_date(text)
    except ValueError:
        expected = None
    if expected is None:
        with pytest.raises(TimelineDataError) as raised:
            load_timeline_file(path)
        assert (raised.value.row, raised.value.column) == (2, "date")
    else:
        [point] = load_timeline_file(path)
        assert (point.date, point.precision) == expected
        assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text)


def metric_and_date(key: tuple[str, tuple[dt.date, str]]) -> tuple[str, str]:
    metric, (date, precision) = key
    return metric, iso_date(date, precision)


@st.composite
def timeline_rows(draw) -> list[dict[str, str]]:
    metrics = [m for m, kind in METRIC_KINDS.items() if kind in (COUNT, SHARE, RANK)]
    keys = draw(st.lists(st.tuples(st.sampled_from(metrics), dated()), min_size=1, max_size=8,
                         unique_by=metric_and_date))
    rows = []
    for metric, (date, precision) in keys:
        kind = METRIC_KINDS[metric]
        out_of = draw(st.integers(1, 200)) if kind == RANK else None
        value = draw(st.integers(1, out_of) if kind == RANK else st.integers(0, 100 if kind == SHARE else 10**7))
        rows.append({"metric": metric, "value": str(value), "out_of": "" if out_of is None else str(out_of),
                     "bound": draw(st.sampled_from(BOUNDS)), "date": iso_date(date, precision),
                     "source_url": "https://example.gov.vn/bai-" + draw(st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True)),
                     "wording_vi": draw(st.text(max_size=30)).replace("\r", " "), "caveat": "", "plot": "true",
                     "note_vi": "ghi chú", "note_en": "note"})
    return rows


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(timeline_rows())
def test_any_valid_file_loads_back_exactly(tmp_path, rows):
    points = load_timeline_file(write_rows(tmp_path / "timeline.csv", rows))
    for point, row in zip(points, rows, strict=True):
        assert (point.metric, point.bound, iso_date(point.date, point.precision)) == (
            row["metric"], row["bound"], row["date"])
        assert point.value == float(row["value"]) and point.source_url == row["source_url"]
        assert point.wording_vi == row["wording_vi"].strip()


@given(st.integers(0, 10**7), st.sampled_from(BOUNDS), st.sampled_from(["vi", "en"]))
def test_a_value_says_its_bound_and_is_formatted_the_language_s_way(value, bound, lang):
    point = next(p for p in province_timeline() if p.kind == COUNT and p.out_of is None)
    text = value_text(replace(point, value=float(value), bound=bound), lang)
    assert text == VALUE_PREFIX[bound] + fmt.number(value, 0, lang)
    assert text.startswith("> ") == (bound == LOWER) and text.startswith("≈ ") == (bound == APPROX)


@given(st.lists(st.tuples(st.floats(0, 1), st.floats(0.01, 0.6)), min_size=1, max_size=8).map(sorted))
def test_no_event_rule_crosses_another_event_s_label(events):
    """Each rule runs from its own label down to the axis, so it crosses a label only from a lane
    above it, inside the label's extent. That never happens unless two labels cover each other's
    dates (then no order of lanes can help)."""
    positions, extents = [p for p, _ in events], [e for _, e in events]
    lanes = event_lanes(positions, extents)
    assert sorted(lane for lane, _ in lanes) == list(range(len(events)))
    spans = [(p, p + e) if side == "right" else (p - e, p) for p, e, (_, side) in zip(positions, extents, lanes)]
    covers = {(i, j) for i in range(len(events)) for j in range(len(events))
              if i != j and spans[i][0] <= positions[j] <= spans[i][1]}
    graph = {j: {i for i, k in covers if k == j} for j in range(len(events))}   # i must be above j
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError:
        return
    for i, j in covers:
        assert lanes[i][0] < lanes[j][0], (events, lanes)


@given(dated())
def test_partial_dates_are_never_more_precise_than_their_source(date_and_precision):
    date, precision = date_and_precision
    text = fmt.partial_date(date, precision)
    assert re.fullmatch({DAY: r"\d{2}/\d{2}/\d{4}", MONTH: r"\d{2}/\d{4}", YEAR: r"\d{4}"}[precision], text)
    assert text.endswith(f"{date:%Y}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_vega_locale_agrees_with_the_app_s_number_and_date_formats(lang):
    locale = vega_locale(lang)
    number = locale["number"]
    assert fmt.number(1234567.5, 1, lang) == f"1{number['thousands']}234{number['thousands']}567{number['decimal']}5"
    assert locale["time"]["date"] == "%d/%m/%Y" and dt.date(2023, 2, 10).strftime(locale["time"]["date"]) == "10/02/2023"
    cldr = Locale.parse(LOCALES[lang])
    assert locale["time"]["days"][0] == cldr.days["format"]["wide"][6]          # d3 weeks start on Sunday
    assert locale["time"]["months"] == [cldr.months["format"]["wide"][m] for m in range(1, 13)]


# --------------------------------------------------------------------------- the overview's charts

def datasets(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


@pytest.fixture(scope="module", params=["vi", "en"])
def built(request):
    return request.param, overview_timeline(request.param)


def test_every_chart_has_a_title_a_description_and_the_language_s_locale(built):
    lang, section = built
    for panel in (section.tasks, *section.timeline_charts):
        title = panel.spec["title"]["text"]
        assert panel.title in (title if isinstance(title, str) else title["expr"])
        assert panel.description and panel.spec["description"] == panel.description
        assert panel.spec["config"]["locale"] == vega_locale(lang)


def test_lower_bounds_are_drawn_and_written_as_such(built):
    lang, section = built
    spec = section.households.spec
    rows = [row for row in datasets(spec) if "bound" in row]
    lower = [row for row in rows if row["bound"] == LOWER]
    assert lower and all(row["value_text"].startswith("> ") for row in lower)
    shapes = [layer["encoding"]["shape"]["scale"] for layer in spec["layer"] if "shape" in layer.get("encoding", {})]
    assert shapes and all(dict(zip(scale["domain"], scale["range"]))[LOWER] == "triangle-up" for scale in shapes)
    whiskers = [row for row in datasets(spec) if "whisker_top" in row]
    assert {row["x"] for row in whiskers} == {row["x"] for row in lower}
    assert all(row["whisker_top"] > row["value"] for row in whiskers)


def test_no_chart_draws_a_figure_it_may_not(built):
    lang, section = built
    drawn = [(row.get("metric_label"), row.get("date_text"))
             for panel in section.timeline_charts for row in datasets(panel.spec)]
    hidden = [point for point in province_timeline() if not point.plot]
    assert hidden
    for point in hidden:
        assert (t(METRIC_LABELS[point.metric], lang), fmt.partial_date(point.date, point.precision)) not in drawn
    texts = json.dumps([panel.spec for panel in section.timeline_charts], ensure_ascii=False)
    assert not re.search(r"\b53\s?%", texts)


def test_the_illustrative_commune_data_never_enter_the_section():
    tree = ast.parse(Path(timeline_view.__file__).read_text(encoding="utf-8"))
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"indicators.sample", "indicators.table", "indicators.published", "storage.datasets"}


def test_table_lists_every_figure_with_its_date_value_and_source(built):
    lang, section = built
    points = province_timeline()
    table = section.table
    assert len(table) == len(points)
    assert table[section.url_column].tolist() == [p.source_url or "" for p in points]
    values = table.iloc[:, 2].tolist()
    assert values == [value_text(point, lang) for point in points]
    assert table.iloc[:, 0].tolist() == [fmt.partial_date(p.date, p.precision) for p in points]


def test_task_bullets_read_done_against_target_from_the_report(built):
    lang, section = built
    figures = [figure for figure in load_report() if figure.id in TASK_FIGURE_IDS]
    rows = [row for row in datasets(section.tasks.spec) if "target" in row]
    expected = [(f.value, f.target, f"{fmt.number(f.value, 0, lang)}/{fmt.number(f.target, 0, lang)}") for f in figures]
    assert sorted({(r["done"], r["target"], r["text"]) for r in rows}) == sorted(expected)


def test_source_links_are_escaped_and_cannot_break_out():
    point = next(p for p in province_timeline() if p.source_url)
    hostile = point.__class__(**{**point.__dict__,
                                 "source_url": "https://x.vn/a)[b](javascript:alert(1)<img src=x onerror=alert(1)>"})
    text = sources_markdown([hostile], load_sources(), "vi")
    assert text.count("](") == 1 and "javascript:alert(1)" not in text and "<img" not in text


def test_charts_are_built_once_per_language():
    assert overview_timeline("vi") is overview_timeline("vi")
    fresh = build_overview_timeline(province_timeline(), load_report(), load_sources(), "vi")
    assert fresh.households.spec == overview_timeline("vi").households.spec
    assert len({point_key(p) for p in province_timeline()}) == len(province_timeline())
