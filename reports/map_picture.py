"""The current map view as a picture for reports: a 300 dpi PNG or a one-page PDF (A4 landscape)
with the title, the legend with class counts, a scale bar, district outlines and a footer that
names the source, the date, the denominator and, when relevant, the illustrative mark."""
from __future__ import annotations

import datetime as dt

from matplotlib.figure import Figure

from geo.units2025 import UNITS_2023
from l10n.messages import N_, t
from reports.content import ExportedView, filter_text, title
from reports.drawing import (
    A4_LANDSCAPE,
    TEXT_GREY,
    draw_footer,
    draw_outlines,
    figure_bytes,
    fill_communes,
    legend_handles,
    metric_geometry,
    new_figure,
    north_arrow,
    scale_bar,
)
from views.map.mapview import ILLUSTRATIVE_COLOUR, provenance_text

FOOTER_WIDTH = 190   # characters per footer line at 7.5 pt across an A4 landscape page


def map_png(exported: ExportedView, today: dt.date) -> bytes:
    return _render(exported, today, "png")


def map_pdf(exported: ExportedView, today: dt.date) -> bytes:
    return _render(exported, today, "pdf")


def _render(exported: ExportedView, today: dt.date, file_format: str) -> bytes:
    figure = new_figure(A4_LANDSCAPE)
    draw_map_page(figure, exported, today)
    return figure_bytes(figure, file_format, _metadata(exported, file_format))


def draw_map_page(figure: Figure, exported: ExportedView, today: dt.date) -> None:
    indicator, lang = exported.indicator, exported.lang
    figure.text(0.03, 0.95, title(indicator, lang), fontsize=15, fontweight="bold", va="top")
    subtitle_key = N_("export.subtitle") if exported.boundaries.units == UNITS_2023.id else N_("export.subtitle_2025")
    subtitle = [t(subtitle_key, lang)]
    if exported.is_filtered:
        subtitle.append(filter_text(exported))
    figure.text(0.03, 0.905, " · ".join(subtitle), fontsize=9.5, color=TEXT_GREY, va="top")
    if indicator.illustrative:
        figure.text(0.97, 0.95, t("illustrative", lang), fontsize=12, fontweight="bold",
                    color=ILLUSTRATIVE_COLOUR, ha="right", va="top")

    geometry = metric_geometry(exported.boundaries)
    ax = figure.add_axes((0.03, 0.13, 0.58, 0.75))
    fill_communes(ax, geometry.communes, exported.view, exported.table["gso_code"], exported.view.layer.selected)
    draw_outlines(ax, geometry)
    ax.set_aspect("equal")
    ax.set_axis_off()
    scale_bar(ax, lang)
    north_arrow(ax, lang)

    figure.legend(handles=legend_handles(exported.view.legend, lang), loc="upper left",
                  bbox_to_anchor=(0.63, 0.87), title=t("legend.title", lang), alignment="left",
                  frameon=False, fontsize=9.5, title_fontsize=10.5, handlelength=2.2, handleheight=1.2)

    draw_footer(figure, exported, indicator.illustrative, today, x=0.03, top=0.105, width=FOOTER_WIDTH, font_size=7.5,
                line_step=0.022)


def _metadata(exported: ExportedView, file_format: str) -> dict[str, str]:
    indicator, lang = exported.indicator, exported.lang
    about = provenance_text(indicator, exported.catalogue, exported.sources, lang)
    if indicator.illustrative:
        about += " · " + t("illustrative", lang)
    software = t("app.title", lang)
    if file_format == "pdf":
        return {"Title": title(indicator, lang), "Subject": about, "Creator": software}
    return {"Title": title(indicator, lang), "Description": about, "Software": software}
