"""The overview's province timeline and task-completion charts, as Altair charts (no Streamlit).

Only real, sourced province figures enter here: the timeline file and the 10/02/2023 report
(``indicators.timeline``); the illustrative commune data never do.

How the charts read:

* Every timeline chart has the same time axis (``TIME_DOMAIN``, UTC so a date never slips a day),
  and the dates of the unit changes and of the pilot's start are faint rules in each of them; the
  events chart on top labels them.
* Team rollout: one small panel per count (communes with teams, hamlet teams, members), each on
  its own zero-based axis. Normalising them to one axis would hide the numbers leaders ask for,
  and a shared axis would flatten 45 → 48 under 1,610 → 1,729.
* A lower bound ("hơn") is an open upward triangle with a short dashed whisker above it ("maybe
  more") and its value is written "> 210.000"; an approximate figure ("gần") is an open diamond
  written "≈ 80%"; an exact one a filled circle. A line joining two points is dashed unless both
  are exact. A figure dated only by its year or month gets a faint bar over that whole period.
* A figure whose ``plot`` is false is listed in the table, never drawn; the 53% beside the 70,600
  has no point at all (its denominator is truncated), and the report's "over 26%" (a share of the
  pilot communes' hamlets) is not drawn as a share.
* The DTI rank's axis is reversed (rank 1 at the top), so up is better; the axis title says so.

Every point's tooltip gives the figure, its date in the source's precision ("07/2023"), its value
with "> " or "≈ ", and its source; the table alternative has the same columns and the address.
Numbers on axes follow Vega's ``config.locale`` from ``l10n.fmt.vega_locale``.
"""
from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote, urlsplit

import altair as alt
import pandas as pd

from geo.classify import CATEGORY_COLOURS, NO_DATA_COLOUR
from indicators.catalogue import ReportFigure, Source, load_report, load_sources
from indicators.timeline import (
    APPROX,
    BOUNDS,
    DAY,
    EXACT,
    LOWER,
    SHARE,
    TimelinePoint,
    province_timeline,
)
from l10n import fmt
from l10n.messages import N_, t
from l10n.text import plain
from views.charts import (
    MUTED_COLOUR,
    TEXT_COLOUR,
    TITLE_WIDTH,
    VALUE_AXIS_WIDTH,
    ChartPanel,
    chart_panel,
    finish_chart,
)

# To the end of 2026: room on the right for the labels of the last figures, on a phone too.
TIME_DOMAIN = (dt.date(2022, 1, 1), dt.date(2026, 12, 31))
ROLLOUT_METRICS = ("communes_with_teams", "hamlet_teams", "team_members")
HOUSEHOLDS_METRIC, HOUSEHOLDS_SHARE_METRIC = "households_guided", "households_guided_share"
ALL_HAMLETS_METRIC = "hamlets_with_teams_share"
EVENT_METRICS = ("pilot_start", "commune_level_units")
RANK_METRIC = "dti_rank"
TASK_FIGURE_IDS = ("national_tasks", "steering_tasks", "online_services_422")

# The app's colours: the map's "pilot" blue for the figures, its "no data" grey for what is not
# (yet) done, dark grey for dated events.
SERIES_COLOUR = CATEGORY_COLOURS["pilot"]
TARGET_COLOUR = NO_DATA_COLOUR
EVENT_COLOUR = "#525252"
FAINT_RULE_COLOUR = "#d0d0d0"
BOUND_SHAPES = {EXACT: "circle", LOWER: "triangle-up", APPROX: "diamond"}
BOUND_FILLS = {EXACT: SERIES_COLOUR, LOWER: "#ffffff", APPROX: "#ffffff"}
VALUE_PREFIX = {EXACT: "", LOWER: "> ", APPROX: "≈ "}
WHISKER_SHARE = 0.14       # a lower bound's whisker: this share of the panel's height
LABEL_CHAR_PX = 6.2        # a label character's (12 px)
LABEL_FLIP = 0.55          # events past this share of the time axis are labelled to their left
EVENT_CHAR_PX = 7.0        # an event label character's width (12 px bold)
PHONE_AXIS_PX = 290        # the time axis's length on a 390 px wide phone

METRIC_LABELS = {
    "pilot_start": N_("overview.timeline.metric.pilot_start"),
    "pilot_design_communes_planned": N_("overview.timeline.metric.pilot_design_communes_planned"),
    "de_an_06_working_groups_hamlet": N_("overview.timeline.metric.de_an_06_working_groups_hamlet"),
    "communes_with_teams": N_("overview.timeline.metric.communes_with_teams"),
    "hamlet_teams": N_("overview.timeline.metric.hamlet_teams"),
    "team_members": N_("overview.timeline.metric.team_members"),
    "households_guided": N_("overview.timeline.metric.households_guided"),
    "households_guided_share": N_("overview.timeline.metric.households_guided_share"),
    "households_guided_share_pilot_hamlets": N_("overview.timeline.metric.households_guided_share_pilot_hamlets"),
    "hamlets_with_teams_share": N_("overview.timeline.metric.hamlets_with_teams_share"),
    "adults_with_eid_share": N_("overview.timeline.metric.adults_with_eid_share"),
    "communes_with_fibre_4g_share": N_("overview.timeline.metric.communes_with_fibre_4g_share"),
    "dti_rank": N_("overview.timeline.metric.dti_rank"),
    "commune_level_units": N_("overview.timeline.metric.commune_level_units"),
}
TABLE_COLUMNS = {
    "date": N_("overview.timeline.col.date"), "metric": N_("overview.timeline.col.metric"),
    "value": N_("overview.timeline.col.value"), "bound": N_("overview.timeline.col.bound"),
    "drawn": N_("overview.timeline.col.drawn"), "note": N_("overview.timeline.col.note"),
    "source": N_("overview.timeline.col.source"), "url": N_("overview.timeline.col.url"),
    "wording": N_("overview.timeline.col.wording"),
}
BOUND_LABELS = {EXACT: N_("overview.timeline.bound.exact"), LOWER: N_("overview.timeline.bound.lower"),
                APPROX: N_("overview.timeline.bound.approx")}


@dataclass(frozen=True)
class OverviewTimeline:
    events: ChartPanel
    rollout: tuple[ChartPanel, ...]
    households: ChartPanel
    dti_rank: ChartPanel
    tasks: ChartPanel
    table: pd.DataFrame     # every timeline figure, drawn or not, with its source address
    url_column: str         # the table's column of addresses (for a link column)

    @property
    def timeline_charts(self) -> tuple[ChartPanel, ...]:
        return (self.events, *self.rollout, self.households, self.dti_rank)


# --------------------------------------------------------------------------- texts

def value_text(point: TimelinePoint, lang: str) -> str:
    """"> 210.000", "≈ 80%", "45/101", "41/63"; "—" for an event."""
    if point.value is None:
        return "—"
    if point.kind == SHARE:
        text = fmt.percent(point.value, 0, lang)
    else:
        text = fmt.number(point.value, 0, lang)
    if point.out_of is not None:
        text += "/" + fmt.number(point.out_of, 0, lang)
    return VALUE_PREFIX[point.bound] + text


def source_text(point: TimelinePoint, sources: dict[str, Source], lang: str) -> str:
    """The source's domain ("dx.gov.vn"), or the report's name."""
    if point.source_url is None:
        return sources[point.source_id].where[lang]
    host = urlsplit(point.source_url).hostname or point.source_url
    return host.removeprefix("www.")


def sources_markdown(points: Iterable[TimelinePoint], sources: dict[str, Source], lang: str) -> str:
    """"Nguồn: [dx.gov.vn](…), …" for the points' distinct sources, in order; every text escaped."""
    seen: dict[str, str] = {}
    for point in points:
        name = plain(source_text(point, sources, lang))
        if point.source_url is not None:
            # Percent-encoded: no bracket, parenthesis, quote or space can end the link early.
            seen.setdefault(point.source_url, f"[{name}]({quote(point.source_url, safe=':/?#@!$&*+,;=%-._~')})")
        else:
            seen.setdefault(point.source_id, name)
    return t("overview.timeline.sources", lang, sources=", ".join(seen.values()))


def _description(title: str, rows: pd.DataFrame, lang: str, extra: str = "") -> str:
    """"Title. date: value; date: value." from a chart's rows (their tooltip texts), for screen readers."""
    items = "; ".join(f"{date}: {value}" for date, value in zip(rows["date_text"], rows["value_text"]))
    return t("overview.timeline.description", lang, title=title, points=items) + (f" {extra}" if extra else "")


# --------------------------------------------------------------------------- chart pieces

def _iso(day: dt.date) -> str:
    return day.isoformat()


def _position(point: TimelinePoint) -> dt.date:
    """Where a point sits on the time axis: its day, or the middle of its month or year."""
    if point.precision == DAY:
        return point.date
    return point.date + (point.period_end - point.date) / 2


def _time_x(field: str = "x") -> alt.X:
    return alt.X(f"{field}:T", title=None,
                 scale=alt.Scale(type="utc", domain=[_iso(TIME_DOMAIN[0]), _iso(TIME_DOMAIN[1])]),
                 axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, grid=False, labelFlush=True))


def _share_of_axis(day: dt.date) -> float:
    return (day - TIME_DOMAIN[0]) / (TIME_DOMAIN[1] - TIME_DOMAIN[0])


@dataclass(frozen=True)
class _ValueAxis:
    """One value scale and axis for every layer of a chart. (A layer whose encoding says
    ``axis=None`` removes the merged axis from all layers, so all of them use the same one.)"""
    scale: alt.Scale
    axis: alt.Axis
    title: str | None = None

    def y(self, field: str) -> alt.Y:
        return alt.Y(f"{field}:Q", scale=self.scale, axis=self.axis, title=self.title)


def _count_axis(top: float) -> _ValueAxis:
    """A zero-based count axis up to ``top``: a rise of 45 → 48 looks as small as it is."""
    return _ValueAxis(alt.Scale(domain=[0, top], nice=False, zero=True),
                      alt.Axis(format=",d", tickCount=3, grid=True, gridColor="#eeeeee", domain=False, ticks=False,
                               minExtent=VALUE_AXIS_WIDTH, maxExtent=VALUE_AXIS_WIDTH))


def _top(values: Iterable[float], headroom: float = 1.35) -> float:
    return max(values) * headroom


def _tooltip(lang: str) -> list[alt.Tooltip]:
    return [alt.Tooltip("metric_label:N", title=t("overview.timeline.col.metric", lang)),
            alt.Tooltip("date_text:N", title=t("overview.timeline.col.date", lang)),
            alt.Tooltip("value_text:N", title=t("overview.timeline.col.value", lang)),
            alt.Tooltip("source_text:N", title=t("overview.timeline.col.source", lang))]


def _label_side(index: int, count: int) -> str:
    """Where a point's label goes so that the line joining the points never crosses it: the first
    point's to its left, the last one's to its right, the others' above."""
    if count > 1 and index == 0:
        return "left"
    return "right" if index == count - 1 else "above"


def _aria(metric: str, date: str, value: str, source: str, lang: str) -> str:
    """What a screen reader says for one mark (Vega's own mark descriptions are field names)."""
    return f"{metric}, {date}: {value}. " + t("overview.timeline.sources", lang, sources=source)


def _point_rows(points: Sequence[TimelinePoint], sources: dict[str, Source], lang: str,
                labels: dict[int, str] | None = None) -> pd.DataFrame:
    rows = pd.DataFrame([{
        "x": _iso(_position(point)), "start": _iso(point.date), "end": _iso(point.period_end),
        "value": point.value, "bound": point.bound, "precision": point.precision,
        "metric_label": t(METRIC_LABELS[point.metric], lang),
        "date_text": fmt.partial_date(point.date, point.precision),
        "value_text": value_text(point, lang),
        "label": (labels or {}).get(index, value_text(point, lang)),
        "source_text": source_text(point, sources, lang),
        "side": _label_side(index, len(points)),
    } for index, point in enumerate(points)])
    return _with_aria(rows, lang)


def _with_aria(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    return rows.assign(aria=[_aria(*texts, lang) for texts in zip(
        rows["metric_label"], rows["date_text"], rows["value_text"], rows["source_text"])])


def _segments(rows: pd.DataFrame) -> pd.DataFrame:
    """Lines between consecutive points; ``dashed`` unless both ends are exact."""
    pairs = zip(rows.iloc[:-1].to_dict("records"), rows.iloc[1:].to_dict("records"))
    return pd.DataFrame([{"x": a["x"], "x2": b["x"], "y": a["value"], "y2": b["value"],
                          "dashed": not (a["bound"] == b["bound"] == EXACT)} for a, b in pairs],
                        columns=["x", "x2", "y", "y2", "dashed"])


def _faint_rules(event_dates: Sequence[dt.date]) -> alt.Chart:
    frame = pd.DataFrame({"x": [_iso(day) for day in event_dates]})
    return alt.Chart(frame).mark_rule(color=FAINT_RULE_COLOUR, strokeDash=[2, 3]).encode(x=_time_x())


_LABEL_PLACES = {"left": {"align": "right", "dx": -10}, "right": {"align": "left", "dx": 10},
                 "above": {"align": "center", "dy": -14}}


def _labels(rows: pd.DataFrame, x: alt.X, y: alt.Y, lang: str) -> list[alt.Chart]:
    layers = []
    for side, place in _LABEL_PLACES.items():
        part = rows[rows["side"] == side]
        if len(part):
            layers.append(alt.Chart(part).mark_text(fontSize=12, lineBreak="\n", color=TEXT_COLOUR, **place).encode(
                x=x, y=y, text="label:N", tooltip=_tooltip(lang)))
    return layers


def _point_layers(rows: pd.DataFrame, value: _ValueAxis, lang: str, top: float) -> list[alt.Chart]:
    """Period bars, joining lines, lower-bound whiskers, points and their labels."""
    layers = []
    spans = rows[rows["precision"] != DAY]
    if len(spans):
        layers.append(alt.Chart(spans).mark_rule(color=SERIES_COLOUR, strokeWidth=6, opacity=0.18).encode(
            x=_time_x("start"), x2="end:T", y=value.y("value"), tooltip=_tooltip(lang)))
    segments = _segments(rows)
    for dashed in (False, True):
        part = segments[segments["dashed"] == dashed]
        if len(part):
            layers.append(alt.Chart(part).mark_rule(color=SERIES_COLOUR, strokeWidth=1.5,
                                                    strokeDash=[5, 4] if dashed else [1, 0]).encode(
                x=_time_x(), x2="x2:T", y=value.y("y"), y2="y2:Q"))
    lower = rows[rows["bound"] == LOWER]
    if len(lower):
        whiskers = lower.assign(whisker_top=lower["value"] + WHISKER_SHARE * top)
        layers.append(alt.Chart(whiskers).mark_rule(color=SERIES_COLOUR, strokeDash=[2, 2], strokeWidth=1.5).encode(
            x=_time_x(), y=value.y("value"), y2="whisker_top:Q"))
    layers.append(alt.Chart(rows).mark_point(size=90, strokeWidth=2, opacity=1, color=SERIES_COLOUR,
                                             aria=True).encode(
        x=_time_x(), y=value.y("value"), description="aria:N",
        shape=alt.Shape("bound:N", scale=alt.Scale(domain=list(BOUNDS), range=[BOUND_SHAPES[b] for b in BOUNDS]),
                        legend=None),
        fill=alt.Fill("bound:N", scale=alt.Scale(domain=list(BOUNDS), range=[BOUND_FILLS[b] for b in BOUNDS]),
                      legend=None),
        tooltip=_tooltip(lang)))
    return layers + _labels(rows, _time_x(), value.y("value"), lang)


# --------------------------------------------------------------------------- the charts

def rollout_panel(metric: str, points: Sequence[TimelinePoint], event_dates: Sequence[dt.date],
                  annotation: TimelinePoint | None, sources: dict[str, Source], lang: str) -> ChartPanel:
    """One count of the team rollout over time; ``annotation`` (every hamlet has a team) is a
    labelled rule, having no count of its own."""
    title = t(METRIC_LABELS[metric], lang)
    rows = _point_rows(points, sources, lang)
    top = _top(rows["value"])
    value = _count_axis(top)
    layers = [_faint_rules(event_dates), *_point_layers(rows, value, lang, top)]
    shown, described = list(points), rows
    if annotation is not None:
        note = _point_rows([annotation], sources, lang).assign(
            label=t("overview.timeline.all_hamlets", lang, share=value_text(annotation, lang)), top=top)
        described = pd.concat([rows, note.assign(value_text=note["label"])])
        layers.append(alt.Chart(note).mark_rule(color=SERIES_COLOUR, strokeWidth=1.5, aria=True).encode(
            x=_time_x(), tooltip=_tooltip(lang), description="aria:N"))
        layers.append(alt.Chart(note).mark_text(align="right", baseline="top", dx=-5, fontSize=12,
                                                color=SERIES_COLOUR).encode(
            x=_time_x(), y=value.y("top"), text="label:N", tooltip=_tooltip(lang)))
        shown.append(annotation)
    description = _description(title, described, lang)
    chart = finish_chart(alt.layer(*layers), metric, title, description, 170, lang)
    return chart_panel(metric, chart, title, description, sources_markdown(shown, sources, lang))


def households_panel(points: Sequence[TimelinePoint], shares: Sequence[TimelinePoint],
                     event_dates: Sequence[dt.date], sources: dict[str, Source], lang: str) -> ChartPanel:
    """Households guided (lower bounds), with the province share stated on the same day."""
    title = t(METRIC_LABELS[HOUSEHOLDS_METRIC], lang)
    share_on = {share.date: share for share in shares}
    share_texts = {index: t("overview.timeline.households_share", lang, share=value_text(share_on[point.date], lang))
                   for index, point in enumerate(points) if point.date in share_on}
    labels = {index: f"{value_text(points[index], lang)}\n{text}" for index, text in share_texts.items()}
    rows = _point_rows(points, sources, lang, labels)
    for index, text in share_texts.items():       # the share in the tooltip too
        rows.loc[index, "value_text"] = f"{value_text(points[index], lang)} ({text})"
    rows = _with_aria(rows, lang)
    top = _top(rows["value"], headroom=1.5)    # the last label has two lines
    chart = alt.layer(_faint_rules(event_dates), *_point_layers(rows, _count_axis(top), lang, top))
    shown = [*points, *(share_on[p.date] for p in points if p.date in share_on)]
    description = _description(title, rows, lang, t("overview.timeline.bound.note", lang))
    return chart_panel(HOUSEHOLDS_METRIC, finish_chart(chart, HOUSEHOLDS_METRIC, title, description, 210, lang,
                                             subtitle=t("overview.timeline.households.subtitle", lang)),
                  title, description, sources_markdown(shown, sources, lang))


def event_lanes(positions: Sequence[float], extents: Sequence[float]) -> list[tuple[int, str]]:
    """(lane from the top, side of its rule the label is on) for events at ``positions`` (shares
    of the time axis, in date order) whose labels are ``extents`` long (shares of the axis).

    Early events are labelled to the right of their rule, late ones to the left, so the text stays
    inside the chart. Each rule runs from its label down to the axis, so it crosses the labels of
    the lanes below it that extend over its date: an event whose date lies within another's label
    goes below that one. When two labels each cover the other's date no order avoids a crossing,
    and date order decides."""
    count = len(positions)
    sides = ["right" if position <= LABEL_FLIP else "left" for position in positions]
    spans = [(p, p + e) if side == "right" else (p - e, p) for p, e, side in zip(positions, extents, sides)]
    covered = [{j for j in range(count) if j != i and spans[i][0] <= positions[j] <= spans[i][1]}
               for i in range(count)]
    order: list[int] = []
    while len(order) < count:
        left = [i for i in range(count) if i not in order]
        ready = [i for i in left if not any(i in covered[k] for k in left if k != i)]
        order.append(min(ready or left))
    lane = {event: index for index, event in enumerate(order)}
    return [(lane[i], sides[i]) for i in range(count)]


def events_panel(points: Sequence[TimelinePoint], sources: dict[str, Source], lang: str) -> ChartPanel:
    """The pilot's start and the commune-level unit changes (101 → 100 → 64) as labelled rules."""
    title = t("overview.timeline.events.heading", lang)      # short: the description has it in full
    positions = [_position(point) for point in points]
    labels = [t("overview.timeline.event.pilot_start", lang) if point.value is None
              else t("overview.timeline.event.units", lang, count=fmt.number(point.value, 0, lang))
              for point in points]
    lanes = event_lanes([_share_of_axis(position) for position in positions],
                        [len(label) * EVENT_CHAR_PX / PHONE_AXIS_PX for label in labels])
    rows = [{
        "x": _iso(position), "lane": lane, "rule_top": lane - 0.5, "side": side, "label": label,
        "metric_label": t(METRIC_LABELS[point.metric], lang),
        "date_text": fmt.partial_date(point.date, point.precision), "value_text": value_text(point, lang),
        "source_text": source_text(point, sources, lang),
    } for point, position, label, (lane, side) in zip(points, positions, labels, lanes)]
    frame = pd.DataFrame(rows).assign(bottom=len(rows) - 0.4)
    # A lane axis without labels, as wide as the value axes of the panels below: the same dates
    # line up across the charts.
    lane = _ValueAxis(alt.Scale(domain=[-0.7, len(rows) - 0.4], reverse=True, nice=False, zero=False),
                      alt.Axis(labels=False, ticks=False, domain=False, grid=False,
                               minExtent=VALUE_AXIS_WIDTH, maxExtent=VALUE_AXIS_WIDTH))
    frame = _with_aria(frame.assign(value_text=frame["label"]), lang)
    layers = [alt.Chart(frame).mark_rule(color=EVENT_COLOUR, strokeWidth=1.5, aria=True).encode(
        x=_time_x(), y=lane.y("rule_top"), y2="bottom:Q", tooltip=_tooltip(lang), description="aria:N")]
    for side, align, dx in (("right", "left", 5), ("left", "right", -5)):
        part = frame[frame["side"] == side]
        if len(part):
            layers.append(alt.Chart(part).mark_text(align=align, dx=dx, fontSize=12, color=EVENT_COLOUR,
                                                    fontWeight="bold").encode(
                x=_time_x(), y=lane.y("lane"), text="label:N", tooltip=_tooltip(lang)))
    items = "; ".join(f"{r['date_text']}: {r['label']}" for r in rows)
    description = t("overview.timeline.description", lang, title=t("overview.timeline.events.title", lang),
                    points=items)
    chart = finish_chart(alt.layer(*layers), "events", title, description, 24 * len(rows) + 60, lang)
    return chart_panel("events", chart, title, description, sources_markdown(points, sources, lang))


def rank_panel(points: Sequence[TimelinePoint], sources: dict[str, Source], lang: str) -> ChartPanel:
    """The provincial DTI rank by year, rank 1 at the top; a year without a figure stays empty."""
    title = t(METRIC_LABELS[RANK_METRIC], lang)
    rows = _point_rows(points, sources, lang).assign(year=[f"{p.date:%Y}" for p in points])
    years = [str(year) for year in range(points[0].date.year, points[-1].date.year + 1)]
    out_of = max(p.out_of for p in points)
    x_scale = alt.Scale(domain=years, type="point", padding=0.6)
    x_axis = alt.Axis(labelAngle=0, domain=False, ticks=False)
    value = _ValueAxis(alt.Scale(domain=[1, out_of], reverse=True, nice=False),
                       alt.Axis(values=[1, 21, 42, int(out_of)], grid=True, gridColor="#eeeeee", domain=False,
                                ticks=False, titleColor=MUTED_COLOUR, titleFontWeight="normal"),
                       t("overview.timeline.rank.axis", lang))
    segments = _segments(rows).assign(x=rows["year"].iloc[:-1].to_list(), x2=rows["year"].iloc[1:].to_list())
    x = alt.X("year:O", title=None, scale=x_scale, axis=x_axis)
    layers = [
        # Dashed: the years between have no figure here.
        alt.Chart(segments).mark_rule(color=SERIES_COLOUR, strokeDash=[5, 4], strokeWidth=1.5).encode(
            x=alt.X("x:O", title=None, scale=x_scale, axis=x_axis), x2="x2", y=value.y("y"), y2="y2:Q"),
        alt.Chart(rows).mark_point(size=90, strokeWidth=2, filled=True, color=SERIES_COLOUR, opacity=1,
                                   aria=True).encode(x=x, y=value.y("value"), tooltip=_tooltip(lang),
                                                     description="aria:N"),
        *_labels(rows, x, value.y("value"), lang),
    ]
    description = _description(title, rows, lang, t("overview.timeline.rank.reversed", lang))
    chart = finish_chart(alt.layer(*layers), RANK_METRIC, title, description, 240, lang,
                    subtitle=t("overview.timeline.rank.reversed", lang))
    return chart_panel(RANK_METRIC, chart, title, description, sources_markdown(points, sources, lang))


def tasks_panel(figures: Sequence[ReportFigure], sources: dict[str, Source], lang: str) -> ChartPanel:
    """The report's completed tasks against their targets: a grey target bar, the done part in
    blue, labelled "21/24"."""
    title = t("overview.tasks.title", lang)
    rows = pd.DataFrame([{
        "label": figure.label[lang], "done": figure.value, "target": figure.target,
        # Above its bar, wrapped: a phone is too narrow for "Dịch vụ công trực tuyến theo Quyết định…".
        "label_lines": textwrap.wrap(figure.label[lang], TITLE_WIDTH + 4),
        "text": f"{fmt.number(figure.value, 0, lang)}/{fmt.number(figure.target, 0, lang)}",
        "share_text": fmt.percent(figure.value / figure.target * 100, 0, lang),
        "date_text": fmt.date(figure.as_of), "source_text": sources[figure.source_id].where[lang],
    } for figure in figures])
    rows["aria"] = [_aria(label, date, text, source, lang) for label, date, text, source in zip(
        rows["label"], rows["date_text"], rows["text"], rows["source_text"])]
    tooltip = [alt.Tooltip("label:N", title=t("overview.timeline.col.metric", lang)),
               alt.Tooltip("text:N", title=t("overview.tasks.done", lang)),
               alt.Tooltip("share_text:N", title=t("overview.tasks.share", lang)),
               alt.Tooltip("date_text:N", title=t("overview.timeline.col.date", lang)),
               alt.Tooltip("source_text:N", title=t("overview.timeline.col.source", lang))]
    # Every label as many lines as the longest, blank ones first: Vega writes lines downwards from
    # the top, so the last line then sits just above its bar. Wrapped only on a narrow chart.
    line_count = int(rows["label_lines"].map(len).max())
    rows["label_narrow"] = rows["label_lines"].map(lambda lines: "\n".join([""] * (line_count - len(lines)) + lines))
    rows["label_wide"] = rows["label"].map(lambda label: "\n" * (line_count - 1) + label)
    rows = rows.drop(columns="label_lines")
    fits = round(rows["label"].str.len().max() * LABEL_CHAR_PX)
    top = float(rows["target"].max())
    x_scale = alt.Scale(domain=[0, top * 1.12], nice=False)
    y = alt.Y("label:N", axis=None, sort=None, scale=alt.Scale(paddingInner=0.1, paddingOuter=0.05))
    layers = [
        alt.Chart(rows).mark_bar(color=TARGET_COLOUR, size=14, opacity=0.6).encode(
            x=alt.X("target:Q", scale=x_scale, axis=None), y=y, tooltip=tooltip),
        alt.Chart(rows).mark_bar(color=SERIES_COLOUR, size=14, aria=True).encode(
            x=alt.X("done:Q", scale=x_scale, axis=None), y=y, tooltip=tooltip, description="aria:N"),
        alt.Chart(rows).mark_tick(color=EVENT_COLOUR, thickness=2, size=22).encode(
            x=alt.X("target:Q", scale=x_scale, axis=None), y=y),
        alt.Chart(rows).mark_text(align="left", dx=6, fontSize=13, fontWeight="bold", color=TEXT_COLOUR).encode(
            x=alt.X("target:Q", scale=x_scale, axis=None), y=y, text="text:N", tooltip=tooltip),
        alt.Chart(rows.assign(zero=0)).mark_text(align="left", baseline="top", dy=-11 - 15 * line_count,
                                                 fontSize=12, lineHeight=15, lineBreak="\n",
                                                 color=TEXT_COLOUR).encode(
            x=alt.X("zero:Q", scale=x_scale, axis=None), y=y, text="label_shown:N").transform_calculate(
            label_shown=f"width < {fits} ? datum.label_narrow : datum.label_wide"),
    ]
    items = "; ".join(f"{label}: {text}" for label, text in zip(rows["label"], rows["text"]))
    description = t("overview.timeline.description", lang, title=title, points=items)
    chart = finish_chart(alt.layer(*layers), "tasks", title, description, (48 + 15 * line_count) * len(rows) + 30, lang)
    markdown = t("overview.timeline.sources", lang,
                 sources=", ".join(dict.fromkeys(plain(sources[f.source_id].where[lang]) for f in figures)))
    return chart_panel("tasks", chart, title, description, markdown)


def point_key(point: TimelinePoint) -> tuple[str, dt.date, str]:
    """What tells timeline points apart (no metric is dated twice alike)."""
    return point.metric, point.date, point.precision


def timeline_table(points: Sequence[TimelinePoint], drawn: set[tuple[str, dt.date, str]],
                   sources: dict[str, Source], lang: str) -> tuple[pd.DataFrame, str]:
    """Every timeline figure (``drawn``: the keys of the points a chart shows) with its date, value,
    bound, note, source and address; and the name of the address column."""
    column = {name: t(key, lang) for name, key in TABLE_COLUMNS.items()}
    yes, no = t("overview.timeline.yes", lang), t("overview.timeline.no", lang)
    frame = pd.DataFrame([{
        column["date"]: fmt.partial_date(point.date, point.precision),
        column["metric"]: t(METRIC_LABELS[point.metric], lang),
        column["value"]: value_text(point, lang),
        column["bound"]: t(BOUND_LABELS[point.bound], lang) if point.value is not None else "",
        column["drawn"]: yes if point_key(point) in drawn else no,
        column["note"]: point.note[lang],
        column["source"]: source_text(point, sources, lang),
        column["url"]: point.source_url or "",     # the report has no address (None would read "None")
        column["wording"]: point.wording_vi,
    } for point in points], columns=list(column.values()))
    return frame, column["url"]


def build_overview_timeline(points: Sequence[TimelinePoint], figures: Sequence[ReportFigure],
                            sources: dict[str, Source], lang: str) -> OverviewTimeline:
    """The overview's charts and table from the timeline ``points`` (date order) and the report."""
    def plotted(metric: str) -> list[TimelinePoint]:
        return [point for point in points if point.metric == metric and point.plot]

    events = [point for point in points if point.metric in EVENT_METRICS and point.plot]
    event_dates = [point.date for point in events]
    all_hamlets = plotted(ALL_HAMLETS_METRIC)
    rollout = tuple(rollout_panel(metric, plotted(metric), event_dates,
                                  all_hamlets[-1] if metric == "hamlet_teams" and all_hamlets else None,
                                  sources, lang) for metric in ROLLOUT_METRICS)
    households, shares = plotted(HOUSEHOLDS_METRIC), plotted(HOUSEHOLDS_SHARE_METRIC)
    ranks = plotted(RANK_METRIC)
    drawn = {point_key(point) for point in [*events, *(p for m in ROLLOUT_METRICS for p in plotted(m)), *all_hamlets[-1:],
                                     *households, *(s for s in shares if s.date in {h.date for h in households}),
                                     *ranks]}
    table, url_column = timeline_table(points, drawn, sources, lang)
    tasks = [figure for figure in figures if figure.id in TASK_FIGURE_IDS]
    return OverviewTimeline(
        events=events_panel(events, sources, lang), rollout=rollout,
        households=households_panel(households, shares, event_dates, sources, lang),
        dti_rank=rank_panel(ranks, sources, lang), tasks=tasks_panel(tasks, sources, lang),
        table=table, url_column=url_column)


@cache
def overview_timeline(lang: str) -> OverviewTimeline:
    """The overview's timeline section in ``lang``, built once per process and language: callers
    must not modify it."""
    return build_overview_timeline(province_timeline(), load_report(), load_sources(), lang)
