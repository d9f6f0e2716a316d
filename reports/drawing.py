"""Matplotlib pieces shared by the exported maps: metric projection, commune fills like the web
map, outlines, legend, scale bar, north arrow and wrapped text."""
from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from dataclasses import dataclass

import geopandas as gpd
import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from geo.classify import NO_DATA_COLOUR
from l10n import fmt
from l10n.messages import t, tn
from reports.content import Boundaries, ExportedView, boundaries_credit
from views.map.mapview import ILLUSTRATIVE_COLOUR, LegendEntry, MapView, provenance_text, units_caption

# UTM zone 48N covers 102–108°E, Cà Mau included: metres on the ground, so the scale bar is true.
METRIC_CRS = "EPSG:32648"
PRINT_DPI = 300
A4_LANDSCAPE = (11.69, 8.27)   # inches
A4_PORTRAIT = (8.27, 11.69)
# DejaVu Sans ships with matplotlib and has every Vietnamese letter; TrueType (Type 42) embedding
# keeps the PDF's text selectable and extractable.
STYLE = {"font.family": "DejaVu Sans", "pdf.fonttype": 42}
# Set once, at import: changing rcParams per figure (rc_context) would race between threads.
matplotlib.use("Agg")   # no display on the server; geopandas imports pyplot when it plots
matplotlib.rcParams.update(STYLE)
# Outside the filters: a grey hatch on white with a thin grey edge, as the web map draws them
# (geo/choropleth_layer.js), so that no class colour can be taken for them.
EDGE, NO_DATA_EDGE, FILTERED_EDGE, FILTERED_FILL, FILTERED_HATCH = "#4d4d4d", "#707070", "#9e9e9e", "#ffffff", "////"
TEXT_GREY = "#444444"


@dataclass(frozen=True)
class MetricGeometry:
    communes: gpd.GeoDataFrame            # gso_code, name_short, geometry in METRIC_CRS
    districts: gpd.GeoDataFrame | None    # level2_id, geometry; None for the 2025 units
    province: gpd.GeoDataFrame


def metric_geometry(boundaries: Boundaries) -> MetricGeometry:
    """The boundaries in metres (a few milliseconds for the coarse 101 communes)."""
    districts = boundaries.districts.to_crs(METRIC_CRS) if boundaries.districts is not None else None
    return MetricGeometry(boundaries.communes.to_crs(METRIC_CRS), districts, boundaries.province.to_crs(METRIC_CRS))


def new_figure(size: tuple[float, float]) -> Figure:
    """A figure made without pyplot: pyplot keeps every figure in a global registry until it is
    closed and is not thread-safe, and Streamlit makes download files in worker threads."""
    return Figure(figsize=size)


def figure_bytes(figure: Figure, file_format: str, metadata: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=file_format, dpi=PRINT_DPI, metadata=metadata)
    return buffer.getvalue()


def fill_communes(ax, communes: gpd.GeoDataFrame, view: MapView, codes: pd.Series,
                  selected: str | None = None) -> None:
    """Colour ``communes`` (metric, with gso_code) as the view does: class colours, grey dashed
    no-data communes, hatched communes outside the filters, the selected commune outlined.
    ``codes`` are the GSO codes in the order of the view's rows (the commune table's)."""
    colour_of = dict(zip(codes, view.colours))
    shown_of = dict(zip(codes, view.mask))
    frame = communes.assign(colour=communes["gso_code"].map(colour_of),
                            shown=communes["gso_code"].map(shown_of).fillna(False).astype(bool))
    faint = frame[~frame["shown"]]
    if len(faint):
        faint.plot(ax=ax, facecolor=FILTERED_FILL, edgecolor=FILTERED_EDGE, hatch=FILTERED_HATCH, linewidth=0.3)
    shown = frame[frame["shown"]]
    missing = shown["colour"] == NO_DATA_COLOUR   # never a class colour (geo.classify)
    for part, edge, style in ((shown[~missing], EDGE, "solid"), (shown[missing], NO_DATA_EDGE, (0, (3, 2)))):
        if len(part):
            part.plot(ax=ax, color=part["colour"].tolist(), edgecolor=edge, linewidth=0.35, linestyle=style)
    if selected:
        frame[frame["gso_code"] == selected].boundary.plot(ax=ax, color="#000000", linewidth=1.8)


def draw_outlines(ax, geometry: MetricGeometry, district_codes=None) -> None:
    districts = geometry.districts
    if districts is not None:
        if district_codes is not None:
            districts = districts[districts["level2_id"].isin(list(district_codes))]
        districts.boundary.plot(ax=ax, color="#262626", linewidth=0.9)
    if district_codes is None:
        geometry.province.boundary.plot(ax=ax, color="#1a1a1a", linewidth=1.4)


def legend_handles(entries: list[LegendEntry], lang: str) -> list[Patch]:
    handles = []
    for entry in entries:
        label = f"{entry.label} · {tn('legend.count', entry.count, lang)}"
        if entry.kind == "filtered":
            handles.append(Patch(facecolor=FILTERED_FILL, edgecolor=FILTERED_EDGE, hatch=FILTERED_HATCH, label=label))
        else:
            handles.append(Patch(facecolor=entry.colour, edgecolor=EDGE if entry.kind == "class" else NO_DATA_EDGE,
                                 linestyle="-" if entry.kind == "class" else "--", linewidth=0.6, label=label))
    return handles


def nice_length(span: float) -> float:
    """A round length (1, 2 or 5 × 10ⁿ) close to a fifth of ``span``, for a scale bar."""
    target = span / 5
    power = 10 ** math.floor(math.log10(target))
    return max(step * power for step in (1, 2, 5) if step * power <= target)


def scale_bar(ax, lang: str) -> None:
    """A two-segment scale bar in kilometres at the lower left of a metric-CRS axis."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    length = nice_length(x1 - x0)
    left, bottom, height = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0), 0.008 * (y1 - y0)
    for i, colour in enumerate(("#000000", "#ffffff")):
        ax.add_patch(Rectangle((left + i * length / 2, bottom), length / 2, height,
                               facecolor=colour, edgecolor="#000000", linewidth=0.6, zorder=5))
    for position, text in ((0, "0"), (length, f"{fmt.number_compact(length / 1000, lang)} km")):
        ax.text(left + position, bottom + 2.2 * height, text, ha="center", va="bottom", fontsize=7, zorder=5)


def north_arrow(ax, lang: str) -> None:
    ax.annotate(t("export.north", lang), xy=(0.95, 0.95), xytext=(0.95, 0.86), xycoords="axes fraction",
                ha="center", va="center", fontsize=9, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "color": "#000000", "linewidth": 1.2})


def wrapped(text: str, width: int) -> str:
    return textwrap.fill(text, width=width, break_long_words=False)


def draw_footer(figure: Figure, exported: ExportedView, illustrative: bool, today: dt.date, *, x: float, top: float,
                width: int, font_size: float, line_step: float) -> None:
    """Source line, the illustrative note when ``illustrative``, boundary credit and export date,
    wrapped at ``width`` characters and stacked down from ``top`` (figure fractions)."""
    lines = [(provenance_text(exported.indicator, exported.catalogue, exported.sources, exported.lang), TEXT_GREY)]
    if illustrative:
        lines.append((t("illustrative.long", exported.lang), ILLUSTRATIVE_COLOUR))
    if exported.converted:   # one line: the notes sheet and the page's caption say how in full
        lines.append((units_caption(exported.indicator, exported.lang, short=True), TEXT_GREY))
    lines.append((f"{boundaries_credit(exported)} · {t('export.made', exported.lang, date=fmt.date(today))}",
                  TEXT_GREY))
    y = top
    for text, colour in lines:
        block = wrapped(text, width)
        figure.text(x, y, block, fontsize=font_size, color=colour, va="top", linespacing=1.35)
        y -= line_step * (block.count("\n") + 1)
