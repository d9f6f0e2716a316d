"""The planner's score breakdown chart, a Vega-Lite spec built without Streamlit: one horizontal
bar per commune in the chosen wave, highest score first, stacked from each criterion's weighted
contribution.

The parts are the breakdown columns of ``WaveResult.candidates``, the numbers the score table
(``plan_view.score_rows``) shows. Each part is the criterion's weight share × its scaled value, so
the parts of a bar add up to the commune's score; nothing is recomputed here. Segments are stacked
in ``CRITERIA`` order, each in its fixed colour (``plan_view.CRITERION_COLOURS``). A criterion
with no weight has no part, so it is not in the legend. The score is written at the end of each
bar. The tooltip gives the commune, its district, the criterion, its contribution and share of the
score, and the score. Numbers use ``l10n.fmt``, and the axis uses the spec's ``config.locale``.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from l10n import fmt, labels
from l10n.messages import t
from planner.scoring import CRITERIA
from planner.wave import WaveResult
from views.charts import MUTED_COLOUR, TEXT_COLOUR, ChartPanel, chart_panel, finish_chart
from views.compare.change_chart import by_rows, row_labels
from views.plan.plan_view import CRITERION_COLOURS, district_header, score_text, wave_frame

ROW_PX = 26                 # one commune's bar and the gap below it
LABEL_ROOM = 1.16           # the value axis runs to this multiple of the highest score: room for its label


def breakdown_rows(result: WaveResult, lang: str) -> pd.DataFrame:
    """One row per commune in the wave and weighted criterion: its part of the score, in the
    wave's order (highest score first) and ``CRITERIA`` order."""
    frame = wave_frame(result)
    weights = result.settings.weights.as_dict()
    used = [name for name in CRITERIA if weights[name] > 0]
    bar_labels = row_labels(frame["name"], frame["district"])
    rows = []
    for (code, commune), label in zip(frame.iterrows(), bar_labels):
        for name in used:
            part = float(commune[name])
            rows.append({
                "code": code, "commune": str(commune["name"]), "label": label,
                "district": "" if pd.isna(commune["district"]) else str(commune["district"]),
                "criterion": labels.label(labels.PLAN_CRITERION, name, lang), "order": CRITERIA.index(name),
                "part": part, "part_text": score_text(part, lang),
                "share_text": fmt.percent(part / commune["score"] * 100, 0, lang) if commune["score"] > 0 else "—",
                "score": float(commune["score"]), "score_text": score_text(commune["score"], lang),
            })
    return pd.DataFrame(rows, columns=["code", "commune", "label", "district", "criterion", "order", "part",
                                       "part_text", "share_text", "score", "score_text"])


def wave_score_panel(result: WaveResult, lang: str) -> ChartPanel | None:
    """The stacked bars of the wave's scores; None when the wave is empty or no criterion has a
    weight (every score is then 0: the page says so already)."""
    rows = breakdown_rows(result, lang)
    if rows.empty:
        return None
    weights = result.settings.weights.as_dict()
    used = [name for name in CRITERIA if weights[name] > 0]
    bars = rows.drop_duplicates("code")[["code", "label", "score", "score_text"]]
    bars = bars.assign(aria=[
        t("plan.breakdown.mark", lang, commune=label, score=score, parts="; ".join(
            f"{criterion} {part}" for criterion, part in rows.loc[rows["code"] == code, ["criterion", "part_text"]]
            .itertuples(index=False)))
        for code, label, score in zip(bars["code"], bars["label"], bars["score_text"])])
    top = max(float(bars["score"].max()), 0.01)
    scale = alt.Scale(domain=[0, top * LABEL_ROOM], nice=False)
    axis = alt.Axis(format=",.2f", tickCount=5, grid=True, gridColor="#eeeeee", domain=False,
                    titleColor=MUTED_COLOUR, titleFontWeight="normal")
    score_title = t("plan.col.score", lang)
    y = alt.Y("label:N", sort=list(bars["label"]), title=None, scale=alt.Scale(paddingInner=0.3, paddingOuter=0.15),
              axis=alt.Axis(labelLimit=170, labelFontSize=11, labelColor=TEXT_COLOUR, domain=False, ticks=False,
                            # Every row named (Vega would drop every other name), each beside its row.
                            labelOverlap=False, labelFlush=False))
    criteria = [labels.label(labels.PLAN_CRITERION, name, lang) for name in used]
    tooltip = [alt.Tooltip("commune:N", title=t("plan.col.commune", lang)),
               alt.Tooltip("district:N", title=district_header(result, lang)),
               alt.Tooltip("criterion:N", title=t("plan.breakdown.criterion", lang)),
               alt.Tooltip("part_text:N", title=t("plan.breakdown.part", lang)),
               alt.Tooltip("share_text:N", title=t("plan.breakdown.share", lang)),
               alt.Tooltip("score_text:N", title=score_title)]
    layers = [
        alt.Chart(rows).mark_bar(stroke="#ffffff", strokeWidth=0.75).encode(
            x=alt.X("part:Q", stack="zero", title=score_title, scale=scale, axis=axis), y=y,
            color=alt.Color("criterion:N", scale=alt.Scale(domain=criteria, range=[CRITERION_COLOURS[n] for n in used]),
                            # One column on a phone, where three would run off the chart.
                            legend=alt.Legend(title=None, orient="top", direction="horizontal",
                                              columns=alt.ExprRef("width < 560 ? 1 : 3"),
                                              labelLimit=0, labelFontSize=12, symbolType="square",
                                              # The bars' white outline on a legend symbol doubled
                                              # the rows' spacing (5 rows ~150 px on a phone).
                                              symbolStrokeWidth=0)),
            order=alt.Order("order:Q"), tooltip=tooltip),
        # The score at the bar's end; it speaks for the bar (one description per commune).
        alt.Chart(bars).mark_text(align="left", dx=5, fontSize=11, color=TEXT_COLOUR, aria=True).encode(
            x=alt.X("score:Q", title=score_title, scale=scale, axis=axis), y=y, text="score_text:N",
            description="aria:N"),
    ]
    title = t("plan.breakdown.title", lang, communes=fmt.number(len(bars), 0, lang))
    subtitle = t("plan.breakdown.subtitle", lang)
    if result.illustrative:
        subtitle += " · " + t("illustrative", lang)
    first, last = bars.iloc[0], bars.iloc[-1]
    description = t("plan.breakdown.description", lang, title=title, criteria=", ".join(criteria),
                    first=f"{first['label']} {first['score_text']}", last=f"{last['label']} {last['score_text']}")
    chart = by_rows(finish_chart(alt.layer(*layers), "wave_scores", title, description, ROW_PX * len(bars), lang,
                                 subtitle=subtitle), ROW_PX)
    return chart_panel("wave_scores", chart, title, description, "")
