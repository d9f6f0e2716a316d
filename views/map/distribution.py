"""The map page's on-demand charts, as Vega-Lite specs (no Streamlit): where each commune's value
lies among the map's classes, and the current indicator by district.

* Distribution: one dot per commune shown on the map, along the value axis, in its class colour,
  over bands of the class ranges, so a leader sees why a commune is in its class and how close it
  is to the next one. The dots are spread up and down by a fixed pattern (not random), so the same
  view always draws the same picture.
* By district (2022–2024 units only): one bar per district, aggregated honestly by
  ``indicators.table.area_value`` — the total for a count, the ratio of the totals for a ratio,
  never a mean of the communes' ratios; for the pilot status, the pilot communes out of all.
  A ratio's bar takes the map's class colour (the same breaks apply to a ratio); a total is on
  another scale than the communes' values, so its bars are one neutral colour. A district whose
  figure covers only some of its communes is drawn lighter and says so in its tooltip.

Charts are drawn only while their section is open, never on the map's rerun path.
"""
from __future__ import annotations

import html

import altair as alt
import pandas as pd

from geo.classify import CATEGORY_COLOURS, NO_DATA_COLOUR
from indicators.catalogue import Indicator
from indicators.table import PILOT, area_value
from l10n import fmt, labels
from l10n.messages import t
from views.charts import MUTED_COLOUR, ChartPanel, chart_panel, finish_chart
from views.map.mapview import MapView, class_label, indicator_title, unit_suffix

GOLDEN = 0.6180339887    # spreads the dots evenly up and down, the same way every time
NEUTRAL_BAR = "#4a78a8"
SELECTED_STROKE = "#000000"


def _value_text(indicator: Indicator, value: float | None, lang: str) -> str:
    return fmt.number(value, indicator.decimals, lang) + unit_suffix(indicator, lang) if value is not None else "—"


def distribution_panel(table: pd.DataFrame, view: MapView, selected: str | None, lang: str) -> ChartPanel | None:
    """The communes shown on the map along the value axis, over the class bands; None for a
    category (the ranking section counts those) or when no shown commune has a value."""
    indicator, classification = view.indicator, view.classification
    if classification is None:
        return None
    values = table[indicator.id]
    shown = view.mask & values.notna()
    if not shown.any():
        return None
    frame = table.loc[shown]
    class_labels = {c.index: class_label(c, indicator, lang) for c in classification.classes}
    dots = pd.DataFrame({
        "value": frame[indicator.id].astype(float),
        "spread": [(rank * GOLDEN) % 1.0 for rank in range(len(frame))],
        "colour": view.colours[shown].tolist(),
        "name": [html.unescape(str(name)) for name in frame["name"]],
        "where": (frame["district"].astype(str) if "district" in frame else pd.Series("", index=frame.index)).tolist(),
        "text": [_value_text(indicator, value, lang) for value in frame[indicator.id]],
        "class": [class_labels.get(index, "") for index in classification.class_of[shown]],
        "selected": (frame["gso_code"] == selected).tolist(),
    })
    low, high = float(dots["value"].min()), float(dots["value"].max())
    bands = pd.DataFrame([{
        "from": low if c.lower is None else max(c.lower, low), "to": high if c.upper is None else min(c.upper, high),
        "colour": c.colour, "class": class_labels[c.index]} for c in classification.classes])
    # The axis names the unit only (the title names the indicator): a long axis title wider than a
    # phone's plot pushed the whole chart off its left edge.
    x = alt.X("value:Q", title=indicator.unit[lang] or None,
              scale=alt.Scale(zero=False, nice=False, padding=8),
              axis=alt.Axis(format=f",.{indicator.decimals}~f", tickCount=8))
    tooltip = [alt.Tooltip("name:N", title=t("chart.dist.commune", lang)),
               alt.Tooltip("where:N", title=t("chart.dist.district", lang)),
               alt.Tooltip("text:N", title=t("chart.dist.value", lang)),
               alt.Tooltip("class:N", title=t("chart.dist.class", lang))]
    layers = [
        alt.Chart(bands).mark_rect(opacity=0.35).encode(
            x=alt.X("from:Q"), x2="to:Q", color=alt.Color("colour:N", scale=None),
            tooltip=[alt.Tooltip("class:N", title=t("chart.dist.class", lang))]),
        alt.Chart(dots).mark_circle(size=70, opacity=1, stroke="#333333", strokeWidth=0.6).encode(
            x=x, y=alt.Y("spread:Q", axis=None, scale=alt.Scale(domain=[-0.15, 1.15])),
            color=alt.Color("colour:N", scale=None), tooltip=tooltip),
    ]
    if dots["selected"].any():
        chosen = dots[dots["selected"]]
        layers.append(alt.Chart(chosen).mark_point(size=260, stroke=SELECTED_STROKE, strokeWidth=2.5, filled=False)
                      .encode(x="value:Q", y="spread:Q", tooltip=tooltip))
        layers.append(alt.Chart(chosen).mark_text(dy=-16, fontWeight="bold", fontSize=12).encode(
            x="value:Q", y="spread:Q", text="name:N"))
    title = t("chart.dist.title", lang, indicator=indicator_title(indicator, lang))
    description = t("chart.dist.description", lang, communes=fmt.number(len(dots), 0, lang),
                    low=_value_text(indicator, low, lang), high=_value_text(indicator, high, lang),
                    classes=len(classification.classes))
    chart = finish_chart(alt.layer(*layers), "distribution", title, description, 190, lang,
                         subtitle=t("chart.dist.subtitle", lang))
    return chart_panel("distribution", chart, title, description, "")


def district_panel(table: pd.DataFrame, catalogue: dict[str, Indicator], view: MapView, lang: str) -> ChartPanel | None:
    """One bar per district over the communes shown on the map; None on the 2025 units (no
    districts), or when the indicator has no honest district figure (neither a count nor a ratio)."""
    if "district_code" not in table.columns:
        return None
    indicator = view.indicator
    frame = table.loc[view.mask]
    rows = []
    for (_code, district), communes in frame.groupby(["district_code", "district"], sort=True):
        if indicator.kind == "category":
            pilots = int((communes[indicator.id] == PILOT).sum())
            rows.append({"district": str(district), "value": pilots, "of": len(communes), "whole": True,
                         "text": f"{fmt.number(pilots, 0, lang)}/{fmt.number(len(communes), 0, lang)}",
                         "label": f"{fmt.number(pilots, 0, lang)}/{fmt.number(len(communes), 0, lang)}",
                         "colour": CATEGORY_COLOURS[PILOT], "coverage": ""})
            continue
        aggregate = area_value(communes, indicator, catalogue)
        if aggregate is None:
            return None
        rows.append({"district": str(district), "value": aggregate.value, "of": None, "whole": aggregate.whole,
                     "text": _value_text(indicator, aggregate.value, lang),
                     "label": fmt.number(aggregate.value, indicator.decimals, lang) if aggregate.value is not None else "",
                     "colour": _bar_colour(aggregate.how, aggregate.value, view),
                     "coverage": t("area.partial", lang, covered=aggregate.covered, communes=aggregate.communes)
                     if not aggregate.whole else ""})
    if not rows:
        return None
    bars = pd.DataFrame(rows).dropna(subset=["value"]).sort_values("value", ascending=False, kind="stable")
    how = "pilot" if indicator.kind == "category" else area_value(frame, indicator, catalogue).how
    y = alt.Y("district:N", sort=None, title=None, scale=alt.Scale(paddingInner=0.25),
              axis=alt.Axis(labelLimit=220, labelFontSize=12, labelOverlap=False))
    tooltip = [alt.Tooltip("district:N", title=t("chart.dist.district", lang)),
               alt.Tooltip("text:N", title=labels.label(labels.DISTRICT_FIGURE, how, lang)),
               alt.Tooltip("coverage:N", title=t("chart.district.coverage", lang))]
    layers = []
    if indicator.kind == "category":
        layers.append(alt.Chart(bars).mark_bar(color=NO_DATA_COLOUR, opacity=0.5).encode(
            x=alt.X("of:Q"), y=y, tooltip=tooltip))
    layers += [
        alt.Chart(bars).mark_bar().encode(
            x=alt.X("value:Q", title=labels.label(labels.DISTRICT_FIGURE, how, lang) if indicator.kind == "category"
                    else indicator.unit[lang] or None,
                    axis=alt.Axis(format=",d", tickMinStep=1) if indicator.kind == "category"
                    else alt.Axis(format=f",.{indicator.decimals}~f", tickCount=8)),
            y=y, color=alt.Color("colour:N", scale=None),
            opacity=alt.condition(alt.datum.whole, alt.value(1.0), alt.value(0.45)), tooltip=tooltip),
        alt.Chart(bars).mark_text(align="left", dx=4, fontSize=12, color=MUTED_COLOUR).encode(
            x=alt.X("of:Q" if indicator.kind == "category" else "value:Q"), y=y, text="label:N"),
    ]
    title = t("chart.district.title", lang, indicator=indicator_title(indicator, lang))
    description = t("chart.district.description", lang, districts=len(bars),
                    how=labels.label(labels.DISTRICT_FIGURE, how, lang),
                    first=f"{bars.iloc[0]['district']} {bars.iloc[0]['text']}",
                    last=f"{bars.iloc[-1]['district']} {bars.iloc[-1]['text']}")
    chart = finish_chart(alt.layer(*layers), "districts", title, description, 30 * len(bars) + 60, lang,
                         subtitle=labels.label(labels.DISTRICT_HOW, how, lang))
    return chart_panel("districts", chart, title, description, "")


def _bar_colour(how: str, value: float | None, view: MapView) -> str:
    """A ratio's class colour under the map's breaks; a total's neutral colour (another scale)."""
    if how != "ratio" or value is None or view.classification is None:
        return NEUTRAL_BAR
    for value_class in view.classification.classes:
        above = value_class.lower is None or value >= value_class.lower
        below = (value_class.upper is None or value < value_class.upper
                 or (value_class.closed_upper and value <= value_class.upper))
        if above and below:
            return value_class.colour
    return NEUTRAL_BAR
