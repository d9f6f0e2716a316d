"""A one-page A4 brief for one district: its communes on a map coloured like the current view, a
few district figures and a table of its communes with their value and ranks, with the source,
the date and the illustrative mark wherever illustrative values appear."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
from matplotlib import patheffects
from matplotlib.figure import Figure

from indicators.catalogue import Indicator
from indicators.table import area_value, rank_of
from l10n import fmt, labels
from l10n.messages import t
from reports.content import ExportedView, title
from reports.drawing import (
    A4_PORTRAIT,
    draw_footer,
    draw_outlines,
    figure_bytes,
    fill_communes,
    legend_handles,
    metric_geometry,
    new_figure,
    north_arrow,
    scale_bar,
    wrapped,
)
from views.map.mapview import ILLUSTRATIVE_COLOUR, bare_value_text, unit_suffix, value_text
from views.map.state import MapState

CONTEXT_INDICATORS = ("population_2019", "households_2019")   # always shown among the district figures
PILOT_COLUMN = "pilot"
FOOTER_WIDTH = 135
TABLE_FONT_SIZE = 8


def district_state(state: MapState, district_code: str) -> MapState:
    """The view of one whole district: same indicator and classes, every other filter dropped
    (classes are computed over the province, so colours match the province map)."""
    return replace(state, districts=(district_code,), types=(), pilot="all", value_min=None, value_max=None,
                   commune=None)


def district_name(exported: ExportedView, district_code: str) -> str:
    table = exported.table
    return str(table.loc[table["district_code"] == district_code, "district"].iloc[0])


def commune_rows(exported: ExportedView, district_code: str) -> pd.DataFrame:
    """The district's communes, best first (rank 1 = highest unless lower is better), those
    without a value last, with the value as shown and the ranks in the district and province."""
    table, indicator, lang = exported.table, exported.indicator, exported.lang
    district = table[table["district_code"] == district_code]
    unit = unit_suffix(indicator, lang).strip()
    # The unit goes in the header, so that the value column stays narrow on the page.
    value_header = f"{t('panel.value', lang)} ({unit})" if unit else t("panel.value", lang)
    records = []
    for row in district.itertuples(index=False):
        code, value = row.gso_code, getattr(row, indicator.id)
        has_value = isinstance(value, str) or not pd.isna(value)
        shown = bare_value_text(indicator, value, lang) if has_value else value_text(indicator, value, row.pilot, lang)
        in_district = rank_of(table, indicator, code, district["gso_code"])
        in_province = rank_of(table, indicator, code)
        records.append({
            t("col.commune", lang): row.name,
            t("col.type", lang): row.type,
            value_header: shown,
            t("panel.rank_district", lang): f"{in_district.position}/{in_district.out_of}" if in_district else "—",
            t("panel.rank_province", lang): f"{in_province.position}/{in_province.out_of}" if in_province else "—",
            "_order": in_district.position if in_district else len(district) + 1,
        })
    frame = pd.DataFrame.from_records(records)
    return frame.sort_values(["_order", t("col.commune", lang)]).drop(columns="_order").reset_index(drop=True)


def district_figures(exported: ExportedView, district_code: str) -> list[tuple[str, str, bool]]:
    """(label, value text, illustrative) for the district: its communes, its pilot communes, its
    population and households, and the current indicator's district total, ratio or mean."""
    table, catalogue, lang = exported.table, exported.catalogue, exported.lang
    district = table[table["district_code"] == district_code]
    figures = [(t("brief.communes", lang), fmt.number(len(district), 0, lang), False)]

    pilot_indicator = next((i for i in catalogue.values() if i.column == PILOT_COLUMN), None)
    pilots = district[PILOT_COLUMN]
    pilot_text = f"{int(pilots.fillna(False).astype(bool).sum())}/{len(district)}"
    if pilots.isna().any():
        pilot_text += f" ({t('brief.unknown', lang, count=int(pilots.isna().sum()))})"
    figures.append((t("brief.pilots", lang), pilot_text, bool(pilot_indicator and pilot_indicator.illustrative)))

    shown = [catalogue[i] for i in CONTEXT_INDICATORS if i in catalogue]
    if exported.indicator not in shown and exported.indicator is not pilot_indicator:
        shown.append(exported.indicator)
    for indicator in shown:
        figures.append(_aggregate(district, indicator, catalogue, lang))
    return figures


def _aggregate(district: pd.DataFrame, indicator: Indicator, catalogue: dict[str, Indicator],
               lang: str) -> tuple[str, str, bool]:
    """A count is summed; a ratio is recomputed for the district from its numerator and
    denominator (not averaged over communes of different sizes) when both are catalogue
    indicators, else the communes' mean is given and called so."""
    if indicator.kind == "category":
        counts = district[indicator.id].value_counts()
        text = " · ".join(f"{labels.label(labels.CATEGORY, key, lang)}: {count}" for key, count in counts.items())
        return indicator.name[lang], text, indicator.illustrative
    values = district[indicator.id]
    present = values.notna()
    if not present.any():
        return indicator.name[lang], t("brief.no_value", lang), indicator.illustrative
    aggregate = area_value(district, indicator, catalogue)
    if aggregate is None:
        how, value = "mean", values[present].mean()
    elif aggregate.whole:
        how, value = aggregate.how, aggregate.value
    else:   # a figure that says "whole district" must be one: say how many communes it covers
        how, value = f"{aggregate.how}_partial", aggregate.value
    label = (f"{indicator.name[lang]} ({labels.label(labels.BRIEF_AGGREGATE, how, lang)}"
             + (f", {t('area.partial', lang, covered=aggregate.covered, communes=aggregate.communes)})"
                if aggregate is not None and not aggregate.whole else ")"))
    return label, fmt.with_unit(value, indicator.unit[lang], indicator.decimals, lang), indicator.illustrative


def brief_pdf(exported: ExportedView, district_code: str, today: dt.date) -> bytes:
    """``exported.view`` must be the district's view (``district_state``)."""
    figure = new_figure(A4_PORTRAIT)
    _draw(figure, exported, district_code, today)
    name = district_name(exported, district_code)
    return figure_bytes(figure, "pdf", {"Title": t("brief.title", exported.lang, district=name),
                                        "Subject": title(exported.indicator, exported.lang),
                                        "Creator": t("app.title", exported.lang)})


def _draw(figure: Figure, exported: ExportedView, district_code: str, today: dt.date) -> None:
    indicator, lang = exported.indicator, exported.lang
    figures = district_figures(exported, district_code)
    illustrative_shown = indicator.illustrative or any(marked for _, _, marked in figures)

    figure.text(0.05, 0.965, t("brief.title", lang, district=district_name(exported, district_code)),
                fontsize=16, fontweight="bold", va="top")
    figure.text(0.05, 0.935, title(indicator, lang), fontsize=11, va="top")
    if illustrative_shown:
        figure.text(0.95, 0.965, t("illustrative", lang), fontsize=11, fontweight="bold",
                    color=ILLUSTRATIVE_COLOUR, ha="right", va="top")

    geometry = metric_geometry(exported.boundaries)
    ax = figure.add_axes((0.04, 0.50, 0.54, 0.42))
    fill_communes(ax, geometry.communes, exported.view, exported.table["gso_code"])
    draw_outlines(ax, geometry, [district_code])
    ours = geometry.communes[geometry.communes["district_code"] == district_code]
    minx, miny, maxx, maxy = ours.total_bounds
    margin = 0.06 * max(maxx - minx, maxy - miny)
    ax.set_xlim(minx - margin, maxx + margin)
    ax.set_ylim(miny - margin, maxy + margin)
    for point, label in zip(ours.geometry.representative_point(), ours["name_short"]):
        ax.text(point.x, point.y, label, fontsize=5.5, ha="center", va="center", color="#111111",
                path_effects=[patheffects.withStroke(linewidth=1.6, foreground="white")], clip_on=True)
    ax.set_aspect("equal")
    ax.set_axis_off()
    scale_bar(ax, lang)
    north_arrow(ax, lang)

    entries = [entry for entry in exported.view.legend if entry.kind != "filtered"]
    figure.legend(handles=legend_handles(entries, lang), loc="upper left", bbox_to_anchor=(0.60, 0.915),
                  title=t("legend.title", lang), alignment="left", frameon=False, fontsize=8, title_fontsize=9)
    figure.text(0.61, 0.68, t("brief.figures", lang), fontsize=9, fontweight="bold", va="top")
    lines = [wrapped(f"{label}: {text}" + (f" ({t('illustrative', lang)})" if marked else ""), 50)
             for label, text, marked in figures]
    figure.text(0.61, 0.66, "\n".join(lines), fontsize=8, va="top", linespacing=1.5)

    rows = commune_rows(exported, district_code)
    figure.text(0.05, 0.475, t("brief.table", lang), fontsize=10, fontweight="bold", va="top")
    table_ax = figure.add_axes((0.05, 0.145, 0.90, 0.32))
    table_ax.set_axis_off()
    cells = table_ax.table(cellText=rows.values.tolist(), colLabels=list(rows.columns), loc="upper left",
                           cellLoc="left", colLoc="left")
    cells.auto_set_font_size(False)
    cells.set_fontsize(TABLE_FONT_SIZE)
    cells.auto_set_column_width(list(range(len(rows.columns))))   # headers and units differ in length
    cells.scale(1, 1.25)
    for (row, _), cell in cells.get_celld().items():
        cell.set_edgecolor("#cccccc")
        if row == 0:
            cell.set_text_props(fontweight="bold")

    draw_footer(figure, exported, illustrative_shown, today, x=0.05, top=0.115, width=FOOTER_WIDTH, font_size=7,
                line_step=0.0145)
