"""The province timeline: real, dated, sourced province-level figures from the 2022 pilot to the
2025 merger (``data/province_timeline.csv``), with the 10/02/2023 report's figures on the same line.

The file carries ``../shared/facts/camau_province_timeline.csv`` (its README: "hơn" is a lower
bound, "gần" an approximation). Its columns:

* ``metric``: one of ``METRIC_KINDS``;
* ``value``: a plain number (``70600``; no thousands separator), empty only for an event;
  ``out_of``: the total it is counted out of, when the source gives one (63 provinces for a rank);
* ``bound``: ``exact``, ``lower`` ("hơn": the true figure is higher) or ``approx`` ("gần");
* ``date``: ISO ``2023-07-05``, ``2023-07`` or ``2023``; the form is the precision, so a figure
  dated by its year is never drawn as if it were known to the day;
* ``source_url`` (http or https), ``wording_vi`` (the words seen), ``caveat`` (as in the facts file);
* ``plot``: ``false`` when drawing the figure as a value would suggest a reading its caveat
  forbids (a plan drawn as an outcome, another programme's groups beside the teams);
* ``note_vi``, ``note_en``: the caveat and date note for readers.

The report's figures are not copied into the file: ``report_points`` reads them from
``data/province_report_2023.csv`` through ``indicators.catalogue.load_report``, so each figure
exists once. Every problem raises ``TimelineDataError`` naming the file, row and column.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NoReturn

import pandas as pd

from indicators.catalogue import DATA_DIR, ReportFigure, load_report

TIMELINE_FILE = DATA_DIR / "province_timeline.csv"
COLUMNS = ("metric", "value", "out_of", "bound", "date", "source_url", "wording_vi", "caveat", "plot",
           "note_vi", "note_en")

EXACT, LOWER, APPROX = "exact", "lower", "approx"
BOUNDS = (EXACT, LOWER, APPROX)
DAY, MONTH, YEAR = "day", "month", "year"

COUNT, SHARE, RANK, EVENT = "count", "share", "rank", "event"
METRIC_KINDS = {
    "pilot_start": EVENT,
    "pilot_design_communes_planned": COUNT,
    "de_an_06_working_groups_hamlet": COUNT,
    "communes_with_teams": COUNT,
    "hamlet_teams": COUNT,
    "team_members": COUNT,
    "households_guided": COUNT,
    "households_guided_share": SHARE,               # of all households in the province
    "households_guided_share_pilot_hamlets": SHARE,  # of the households in the pilot communes' hamlets
    "hamlets_with_teams_share": SHARE,
    "adults_with_eid_share": SHARE,
    "communes_with_fibre_4g_share": SHARE,
    "dti_rank": RANK,
    "commune_level_units": COUNT,
}

# The report's figures that belong on the timeline, and the metric each one measures.
REPORT_METRICS = {
    "pilot_communes": "communes_with_teams",
    "hamlet_teams": "hamlet_teams",
    "team_members": "team_members",
    "households_guided_share": "households_guided_share_pilot_hamlets",
}
# "Over 26%" is a share of the households in the pilot communes' hamlets, not of the province: like
# the 53% beside the 70,600, it is listed but never drawn as a share.
REPORT_NOT_PLOTTED = frozenset({"households_guided_share"})

_DATE_FORMS = ((re.compile(r"\d{4}-\d{2}-\d{2}"), DAY), (re.compile(r"\d{4}-\d{2}"), MONTH),
               (re.compile(r"\d{4}"), YEAR))
_URL = re.compile(r"https?://[^\s/]+\.[^\s/]+(/\S*)?")


class TimelineDataError(ValueError):
    """A bad cell of the timeline file (or a clash with the report's figures)."""

    def __init__(self, file: str, row: int | None, column: str | None, problem: str):
        where = file + (f" dòng {row}" if row is not None else "") + (f", cột {column}" if column else "")
        super().__init__(f"{where}: {problem}")
        self.file, self.row, self.column, self.problem = file, row, column, problem


@dataclass(frozen=True)
class TimelinePoint:
    metric: str
    value: float | None        # None only for an event
    out_of: float | None       # the total the value is counted out of (63 provinces), if given
    bound: str                 # EXACT, LOWER ("hơn") or APPROX ("gần")
    date: dt.date              # the first day of the period the figure is dated by
    precision: str             # DAY, MONTH or YEAR: how much of ``date`` the source gives
    source_url: str | None     # the public page; None for the report, which has no address
    source_id: str | None      # a data/sources.csv id (the report's figures)
    wording_vi: str            # the source's words
    caveat: str
    plot: bool                 # may be drawn as a value (see the module's docstring)
    note: dict[str, str]       # language -> note for readers

    @property
    def kind(self) -> str:
        return METRIC_KINDS[self.metric]

    @property
    def period_end(self) -> dt.date:
        """The last day of the period: the date itself, or the end of its month or year."""
        if self.precision == YEAR:
            return self.date.replace(month=12, day=31)
        if self.precision == MONTH:
            return self.date.replace(day=calendar.monthrange(self.date.year, self.date.month)[1])
        return self.date


def parse_date(text: str) -> tuple[dt.date, str]:
    """``2023-07-05``, ``2023-07`` or ``2023`` → (first day, precision); ValueError otherwise."""
    for pattern, precision in _DATE_FORMS:
        if pattern.fullmatch(text):
            parts = [int(part) for part in text.split("-")] + [1] * (3 - text.count("-") - 1)
            return dt.date(*parts), precision
    raise ValueError(text)


def iso_date(date: dt.date, precision: str) -> str:
    """The file's form of a date of the given precision (the inverse of ``parse_date``)."""
    return {DAY: date.isoformat(), MONTH: f"{date:%Y-%m}", YEAR: f"{date:%Y}"}[precision]


def load_timeline_file(path: Path = TIMELINE_FILE) -> tuple[TimelinePoint, ...]:
    """The timeline file's points, in file order. Raises ``TimelineDataError``."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise TimelineDataError(path.name, None, ", ".join(missing), "thiếu cột")
    points, seen = [], {}
    for row_number, row in enumerate(frame.to_dict("records"), start=2):   # row 1 is the header
        point = _point(row, path.name, row_number)
        key = (point.metric, iso_date(point.date, point.precision))
        if key in seen:
            raise TimelineDataError(path.name, row_number, "date",
                                    f"trùng chỉ tiêu {point.metric!r} và ngày {key[1]} với dòng {seen[key]}")
        seen[key] = row_number
        points.append(point)
    return tuple(points)


def _point(row: dict[str, str], file: str, row_number: int) -> TimelinePoint:
    def fail(column: str, problem: str) -> NoReturn:
        raise TimelineDataError(file, row_number, column, problem)

    cells = {column: row[column].strip() for column in COLUMNS}
    metric = cells["metric"]
    if metric not in METRIC_KINDS:
        fail("metric", f"chỉ tiêu không có trong danh sách: {metric!r}")
    kind = METRIC_KINDS[metric]
    value = _number(cells["value"], fail, "value")
    if value is None and kind != EVENT:
        fail("value", "thiếu giá trị")
    if value is not None and kind == EVENT:
        fail("value", f"{metric!r} là sự kiện, không có giá trị (gặp {cells['value']!r})")
    out_of = _number(cells["out_of"], fail, "out_of")
    if value is not None:
        _check_range(kind, value, out_of, fail)
    bound = cells["bound"]
    if bound not in BOUNDS:
        fail("bound", f"cần một trong {', '.join(BOUNDS)}, gặp {bound!r}")
    try:
        date, precision = parse_date(cells["date"])
    except ValueError:
        fail("date", f"ngày không hợp lệ {cells['date']!r} (cần YYYY-MM-DD, YYYY-MM hoặc YYYY)")
    url = cells["source_url"]
    if not _URL.fullmatch(url):
        fail("source_url", f"cần địa chỉ http:// hoặc https:// của trang nguồn, gặp {url!r}")
    if cells["plot"].lower() not in {"true", "false"}:
        fail("plot", f"cần true/false, gặp {cells['plot']!r}")
    return TimelinePoint(metric, value, out_of, bound, date, precision, url, None, cells["wording_vi"],
                         cells["caveat"], cells["plot"].lower() == "true",
                         {"vi": cells["note_vi"], "en": cells["note_en"]})


def _number(text: str, fail: Callable[[str, str], NoReturn], column: str) -> float | None:
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        fail(column, f"không phải số: {text!r}")
    if not math.isfinite(value):
        fail(column, f"không phải số hữu hạn: {text!r}")
    return value


def _check_range(kind: str, value: float, out_of: float | None, fail: Callable[[str, str], NoReturn]) -> None:
    # "70.600" written the Vietnamese way would read as 70.6: counts and ranks must be whole.
    if kind in {COUNT, RANK} and (value < 0 or not value.is_integer()):
        fail("value", f"cần số nguyên không âm (không có dấu phân cách hàng nghìn), gặp {value:g}")
    if kind == SHARE and not 0 <= value <= 100:
        fail("value", f"tỷ lệ phải từ 0 đến 100, gặp {value:g}")
    if kind == RANK and (out_of is None or not 1 <= value <= out_of):
        fail("out_of", "thứ hạng cần tổng số (out_of) và phải từ 1 đến tổng số")
    if out_of is not None and out_of < value:
        fail("out_of", f"tổng số {out_of:g} nhỏ hơn giá trị {value:g}")


def report_points(figures: Iterable[ReportFigure]) -> tuple[TimelinePoint, ...]:
    """The report figures named in ``REPORT_METRICS`` as timeline points (the report's own date
    and source; "trên" is a lower bound)."""
    return tuple(
        TimelinePoint(REPORT_METRICS[figure.id], figure.value, figure.target, LOWER if figure.over else EXACT,
                      figure.as_of, DAY, None, figure.source_id, "", "", figure.id not in REPORT_NOT_PLOTTED,
                      {"vi": "", "en": ""})
        for figure in figures if figure.id in REPORT_METRICS)


def combine(*parts: Iterable[TimelinePoint], file: str = TIMELINE_FILE.name) -> tuple[TimelinePoint, ...]:
    """The points of all parts in date order (then metric); a metric dated twice alike is refused."""
    points = [point for part in parts for point in part]
    seen: set[tuple[str, dt.date, str]] = set()
    for point in points:
        key = (point.metric, point.date, point.precision)
        if key in seen:
            raise TimelineDataError(file, None, "date", f"chỉ tiêu {point.metric!r} có hai số cùng ngày "
                                                        f"{iso_date(point.date, point.precision)} "
                                                        "(trong tệp và trong báo cáo 10/02/2023)")
        seen.add(key)
    return tuple(sorted(points, key=lambda point: (point.date, point.metric)))


@cache
def province_timeline() -> tuple[TimelinePoint, ...]:
    """The timeline file and the report's figures, in date order (read once per process)."""
    return combine(load_timeline_file(), report_points(load_report()))
