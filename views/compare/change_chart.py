"""The compare page's change chart, a Vega-Lite spec built without Streamlit: one dumbbell per
commune from its value in period A to its value in period B, for the indicator being compared.

How it reads:

* Only communes with a value in both periods are drawn. The others are counted (no value in A,
  none in B, none in either) so the page can say how many are left out and why.
* Rows are sorted by the change B − A, largest increase on top, so the extremes sit at the two
  ends. Ties are broken by the value in B, then by GSO code, so a view always draws the same.
* 100 rows make a chart about 2,200 px tall, mostly communes that barely moved. By default the
  chart draws the communes with the ``LARGEST_CHANGES`` largest changes (|B − A|). Ties at the
  cut are kept, so no commune is left out in favour of an equal one. The page offers all of them,
  and the table above the maps lists every commune.
* It uses a neutral before/after pair, not the maps' classes. A is an open grey ring and B a
  filled Okabe–Ito blue dot: fill tells them apart as well as colour, also in greyscale. The grey
  line between them is the change. The change map's red/blue says better or worse, which the
  direction of the line already shows.
* The tooltip gives the commune, its district, both values with the unit and the change (with
  its % for a count), in the same words as the table. The signed change is also written at the
  end of each row, for phones, which have no hover.

Texts are plain. Vega writes them as SVG text and its tooltip handler escapes HTML, so escaping
them here would show "&amp;". Numbers are formatted here per language (``l10n.fmt``), and the
axis follows the spec's ``config.locale``.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import altair as alt
import pandas as pd

from indicators.catalogue import Indicator
from indicators.periods import Period, compute_change
from l10n import fmt
from l10n.messages import t, tn
from l10n.text import plain
from views.charts import MUTED_COLOUR, TEXT_COLOUR, ChartPanel, chart_panel, finish_chart
from views.compare.compare_view import change_text, signed
from views.map.mapview import GROUP_HEADERS, group_column, group_labels, unit_suffix

LARGEST_CHANGES = 30        # rows drawn by default (see the module docstring)
A_COLOUR, B_COLOUR = "#7f7f7f", "#0072B2"      # grey ring, Okabe–Ito blue dot
LINK_COLOUR = "#c4c4c4"
ROW_PX = 20                 # one commune's row: its 11 px name and some air; 30 rows fit a screen
LABEL_ROOM = 0.2            # share of the value range kept right of the largest value for the labels


@dataclass(frozen=True)
class MissingCounts:
    communes: int       # every unit of the unit set shown
    both: int           # a value in both periods: these can be drawn
    only_b: int         # no value in A
    only_a: int         # no value in B
    neither: int

    @property
    def left_out(self) -> int:
        return self.communes - self.both


@dataclass(frozen=True)
class ChangeChart:
    panel: ChartPanel | None     # None when no commune has a value in both periods
    counts: MissingCounts
    shown: int                   # communes drawn


def row_labels(names, groups) -> list[str]:
    """A chart row's label: the commune's name, or "name (district)" where two rows share a name,
    so that no two rows of a band axis fall together."""
    names = [str(name) for name in names]
    groups = ["" if pd.isna(group) else str(group) for group in groups]
    repeated = {name for name, count in Counter(names).items() if count > 1}
    return [f"{name} ({group})" if name in repeated and group else name for name, group in zip(names, groups)]


def by_rows(chart: alt.TopLevelMixin, row_px: int) -> alt.TopLevelMixin:
    """The chart ``row_px`` tall per row of its band axis, whatever its title and legend take. A
    fixed height squeezed the rows under a legend that wraps on a phone (Streamlit's own autosize
    fits title, legend and plot into the height). The width still fits the page."""
    return chart.properties(height=alt.Step(row_px), autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def missing_counts(table_a: pd.DataFrame, table_b: pd.DataFrame, indicator_id: str) -> MissingCounts:
    has_a, has_b = table_a[indicator_id].notna(), table_b[indicator_id].notna()
    return MissingCounts(len(table_a), int((has_a & has_b).sum()), int((~has_a & has_b).sum()),
                         int((has_a & ~has_b).sum()), int((~has_a & ~has_b).sum()))


def change_rows(table_a: pd.DataFrame, table_b: pd.DataFrame, indicator: Indicator, lang: str) -> pd.DataFrame:
    """Every commune with a value in both periods (the two tables share their row order, as for
    the change map): code, name, district, A, B, the change B − A, and their texts; largest
    increase first."""
    if not table_a["gso_code"].equals(table_b["gso_code"]):
        raise ValueError("the two period tables must list the same communes in the same order")
    change = compute_change(table_a[indicator.id], table_b[indicator.id], indicator)
    both = change.difference.notna()
    suffix = unit_suffix(indicator, lang)
    frame = pd.DataFrame({
        "code": table_a["gso_code"], "name": table_a["name"], "district": group_labels(table_a, lang),
        "a": table_a[indicator.id].astype(float), "b": table_b[indicator.id].astype(float),
        "change": change.difference,
    })[both]
    frame["a_text"] = [fmt.number(v, indicator.decimals, lang) + suffix for v in frame["a"]]
    frame["b_text"] = [fmt.number(v, indicator.decimals, lang) + suffix for v in frame["b"]]
    frame["change_text"] = [change_text(change, position, indicator, lang) for position in frame.index]
    frame["change_short"] = [signed(v, indicator.decimals, lang) for v in frame["change"]]
    frame = frame.sort_values(["change", "b", "code"], ascending=[False, False, True], kind="stable")
    frame["label"] = row_labels(frame["name"], frame["district"])
    return frame.reset_index(drop=True)


def largest_changes(rows: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """The rows whose |change| is among the ``limit`` largest, ties at the cut included, in
    ``rows``' order; all of them when ``limit`` is None."""
    if limit is None or len(rows) <= limit:
        return rows
    size = rows["change"].abs()
    return rows[size >= size.nlargest(limit).min()]


def period_legend(letter: str, period: Period, lang: str) -> str:
    """"Kỳ A: 2022", marked when the period's figures are illustrative (the sample); the label as
    typed at import, plain text."""
    text = t("compare.map_heading", lang, letter=letter, name=period.label)
    return f"{text} · {t('illustrative', lang)}" if period.illustrative else text


def change_chart(table_a: pd.DataFrame, table_b: pd.DataFrame, period_a: Period, period_b: Period,
                 indicator: Indicator, lang: str, show_all: bool = False) -> ChangeChart:
    """The dumbbell chart of the change from ``period_a`` to ``period_b`` (both tables on the same
    unit set), of the ``LARGEST_CHANGES`` largest changes or, with ``show_all``, of every commune
    with both values."""
    counts = missing_counts(table_a, table_b, indicator.id)
    rows = largest_changes(change_rows(table_a, table_b, indicator, lang), None if show_all else LARGEST_CHANGES)
    if rows.empty:
        return ChangeChart(None, counts, 0)
    legend_a, legend_b = period_legend("A", period_a, lang), period_legend("B", period_b, lang)
    rows = rows.assign(aria=[t("compare.chart.mark", lang, commune=label, a=a, b=b, change=change)
                             for label, a, b, change in zip(rows["label"], rows["a_text"], rows["b_text"],
                                                            rows["change_text"])])
    rows["right"] = rows[["a", "b"]].max(axis=1)
    points = pd.concat([rows.assign(period=legend_a, value=rows["a"]), rows.assign(period=legend_b, value=rows["b"])],
                       ignore_index=True)       # A first: a B dot is drawn over an unchanged A ring

    low, high = float(points["value"].min()), float(points["value"].max())
    span = (high - low) or max(abs(high), 1.0)
    scale = alt.Scale(domain=[low - 0.04 * span, high + LABEL_ROOM * span], nice=False, zero=False)
    # The unit alone: the title names the indicator, and its name would run off a phone's axis.
    axis_title = indicator.unit[lang] or None
    axis = alt.Axis(format=f",.{indicator.decimals}f", grid=True, gridColor="#eeeeee", domain=False, tickCount=5,
                    titleColor=MUTED_COLOUR, titleFontWeight="normal")

    def x(field: str) -> alt.X:
        # Every layer the same title and axis: layers with different fields would join their titles.
        return alt.X(f"{field}:Q", title=axis_title, scale=scale, axis=axis)

    y = alt.Y("label:N", sort=list(rows["label"]), title=None,
              axis=alt.Axis(labelLimit=170, labelFontSize=11, labelColor=TEXT_COLOUR, domain=False, ticks=False,
                            # Every row named (Vega would drop every other name), each beside its row.
                            labelOverlap=False, labelFlush=False))
    tooltip = [alt.Tooltip("name:N", title=t("col.commune", lang)),
               alt.Tooltip("district:N", title=t(GROUP_HEADERS[group_column(table_a)], lang)),
               alt.Tooltip("a_text:N", title=legend_a), alt.Tooltip("b_text:N", title=legend_b),
               alt.Tooltip("change_text:N", title=t("compare.col.change", lang))]
    periods = alt.Scale(domain=[legend_a, legend_b], range=[A_COLOUR, B_COLOUR])
    # One entry a line on a phone: side by side the two would run off the chart.
    legend = alt.Legend(title=None, orient="top", direction="horizontal", columns=alt.ExprRef("width < 420 ? 1 : 2"),
                        symbolStrokeWidth=2, labelFontSize=12, labelLimit=0)
    layers = [
        # The line is the change; it speaks for the row (one description per commune).
        alt.Chart(rows).mark_rule(color=LINK_COLOUR, strokeWidth=3, aria=True).encode(
            x=x("a"), x2="b:Q", y=y, tooltip=tooltip, description="aria:N"),
        alt.Chart(points).mark_point(size=75, strokeWidth=2, opacity=1, filled=False).encode(
            x=x("value"), y=y, tooltip=tooltip,
            stroke=alt.Stroke("period:N", scale=periods, legend=legend),
            fill=alt.Fill("period:N", scale=alt.Scale(domain=[legend_a, legend_b], range=["#ffffff", B_COLOUR]),
                          legend=legend)),
        alt.Chart(rows).mark_text(align="left", dx=9, fontSize=11, color=MUTED_COLOUR).encode(
            x=x("right"), y=y, text="change_short:N", tooltip=tooltip),
    ]
    # The catalogue's indicator is marked illustrative by the sample; here each period says it itself.
    title = t("compare.chart.title", lang, indicator=indicator.name[lang], a=period_a.label,
              b=period_b.label)
    subtitle = (t("compare.chart.subtitle.largest", lang, shown=fmt.number(len(rows), 0, lang),
                  both=fmt.number(counts.both, 0, lang))
                if len(rows) < counts.both else
                t("compare.chart.subtitle.all", lang, both=fmt.number(counts.both, 0, lang)))
    first, last = rows.iloc[0], rows.iloc[-1]
    description = t("compare.chart.description", lang, title=title, communes=fmt.number(len(rows), 0, lang),
                    first=f"{first['label']} {first['change_text']}", last=f"{last['label']} {last['change_text']}")
    chart = by_rows(finish_chart(alt.layer(*layers), "change", title, description, ROW_PX * len(rows), lang,
                                 subtitle=subtitle), ROW_PX)
    return ChangeChart(chart_panel("change", chart, title, description, ""), counts, len(rows))


def left_out_text(counts: MissingCounts, period_a: Period, period_b: Period, lang: str) -> str:
    """How many communes the chart leaves out and why, as markdown for st.caption (the period
    labels, typed by an editor at import, escaped)."""
    if not counts.left_out:
        return t("compare.chart.none_left_out", lang)
    reasons = [t("compare.chart.missing_in", lang, count=fmt.number(n, 0, lang), label=plain(period.label))
               for n, period in ((counts.only_b, period_a), (counts.only_a, period_b)) if n]
    if counts.neither:
        reasons.append(t("compare.chart.missing_both", lang, count=fmt.number(counts.neither, 0, lang)))
    return tn("compare.chart.left_out", counts.left_out, lang, communes=fmt.number(counts.communes, 0, lang),
              reasons="; ".join(reasons))
