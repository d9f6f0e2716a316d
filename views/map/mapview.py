"""Everything the map page shows for one state, computed without Streamlit: layer colours and
tooltip texts, legend entries, the ranked chart's rows and the commune panel.

Classes are computed over the whole province, so a colour means the same thing whatever the
filters; legend counts are of the communes that pass the filters.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from geo.classify import (
    CATEGORY_COLOURS,
    NO_DATA,
    NO_DATA_COLOUR,
    Classification,
    ClassificationError,
    ValueClass,
    classify,
)
from geo.maprender import STYLE_FILTERED_OUT, STYLE_NO_DATA, STYLE_NORMAL, LayerData
from geo.web_geometry import PublishedGeometry
from indicators.catalogue import (
    CONVERTED,
    DENOMINATOR_CONVERTED,
    Indicator,
    ReportFigure,
    Source,
    denominator_indicator,
)
from indicators.table import Filters, filter_mask, has_districts, known_not_pilot, rank_of
from l10n import fmt, labels
from l10n.fmt import in_vietnam
from l10n.messages import N_, t, tn
from l10n.text import plain
from views.map.state import UNIT_TYPES, MapState

ILLUSTRATIVE_COLOUR = "#b35806"


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str
    count: int
    kind: str = "class"      # "class", "no_data" or "filtered"


@dataclass(frozen=True)
class MapView:
    indicator: Indicator
    layer: LayerData
    legend: list[LegendEntry]
    mask: pd.Series
    colours: pd.Series
    texts: pd.Series         # the value with its unit, or why there is none, per commune
    classification: Classification | None
    breaks_error: str | None
    value_sources: pd.Series | None = None   # who sent each commune's value, when several senders did


def value_text(indicator: Indicator, value, pilot, lang: str) -> str:
    """The value with its unit, or why there is none."""
    if indicator.kind == "category" and not isinstance(value, str) or indicator.kind != "category" and pd.isna(value):
        return t(MISSING_TOOLTIP[missing_kind(indicator, pilot)], lang)
    return bare_value_text(indicator, value, lang) + unit_suffix(indicator, lang)


def unit_suffix(indicator: Indicator, lang: str) -> str:
    unit = indicator.unit[lang]
    return "" if indicator.kind == "category" or not unit else "%" if unit == "%" else f" {unit}"


def bare_value_text(indicator: Indicator, value, lang: str) -> str:
    """A present value without its unit ("14.501", "Đã thí điểm")."""
    if indicator.kind == "category":
        return labels.label(labels.CATEGORY, value, lang)
    return fmt.number(value, indicator.decimals, lang)


MISSING_NO_DATA, MISSING_NOT_DEPLOYED, MISSING_NOT_REPORTED = 0, 1, 2
MISSING_TOOLTIP = {MISSING_NO_DATA: N_("tooltip.no_data"), MISSING_NOT_DEPLOYED: N_("tooltip.not_deployed"),
                   MISSING_NOT_REPORTED: N_("tooltip.not_reported")}
MISSING_LEGEND = {MISSING_NOT_DEPLOYED: N_("legend.not_deployed"), MISSING_NOT_REPORTED: N_("legend.not_reported"),
                  MISSING_NO_DATA: N_("legend.no_data")}


def missing_kind(indicator: Indicator, pilot) -> int:
    """Why a commune has no value: "not deployed" for a pilot-only indicator in a commune known to
    have no pilot team; "not reported" when a reporting round expected it; otherwise (including
    unknown pilot status) "no data"."""
    if indicator.applies_to == "pilot" and known_not_pilot(pilot):
        return MISSING_NOT_DEPLOYED
    return MISSING_NOT_REPORTED if indicator.round_expected else MISSING_NO_DATA


def missing_texts(lang: str) -> dict[int, str]:
    return {kind: t(key, lang) for kind, key in MISSING_TOOLTIP.items()}


def indicator_title(indicator: Indicator, lang: str) -> str:
    title = indicator.name[lang]
    return f"{title} ({t('illustrative', lang)})" if indicator.illustrative else title


def provenance_text(indicator: Indicator, catalogue: dict[str, Indicator],
                    sources: dict[str, Source], lang: str, markdown: bool = False) -> str:
    """Denominator, date and source. ``markdown``: for st.caption and the like, with the names
    (a source may be typed by an editor at import) escaped."""
    keep = plain if markdown else str
    denominator = denominator_indicator(indicator, catalogue)
    parts = [
        f"{t('tooltip.denominator', lang)}: "
        + (keep(denominator.name[lang]) if denominator else t("tooltip.no_denominator", lang)),
        f"{t('tooltip.as_of', lang)}: {fmt.date(indicator.as_of)}",
        f"{t('tooltip.source', lang)}: {keep(sources[indicator.source_id].title[lang])}",
    ]
    return " · ".join(parts)


def tooltip_footer(indicator: Indicator, catalogue, sources, lang: str) -> str:
    footer = f'<br><small>{html.escape(provenance_text(indicator, catalogue, sources, lang))}</small>'
    if indicator.illustrative:
        footer += (f'<br><i style="color:{ILLUSTRATIVE_COLOUR}">'
                   f'{html.escape(t("illustrative", lang))}</i>')
    return footer


def class_label(value_class: ValueClass, indicator: Indicator, lang: str) -> str:
    def show(number: float) -> str:
        return fmt.number(number, indicator.decimals, lang)

    lower, upper = value_class.lower, value_class.upper
    if lower is None:
        return t("legend.below", lang, upper=show(upper))
    if upper is None:
        return t("legend.from", lang, lower=show(lower))
    if value_class.closed_upper and lower == upper:
        return t("legend.single", lang, value=show(lower))
    key = N_("legend.range_last") if value_class.closed_upper else N_("legend.range")
    return t(key, lang, lower=show(lower), upper=show(upper))


def source_texts(value_sources: pd.DataFrame | None, table: pd.DataFrame, indicator: Indicator,
                 catalogue: dict[str, Indicator], lang: str) -> pd.Series | None:
    """"UBND huyện Đầm Dơi, nhập 12/07/2026" per commune: who sent the value shown (a ratio's
    numerator), when a round's values came from more than one sender; None otherwise, or when the
    values were converted to other units (the senders' codes are not these units')."""
    if value_sources is None or value_sources.empty or is_converted(table, indicator):
        return None
    stored = indicator.id if indicator.column else next(
        (i.id for i in catalogue.values() if i.column and i.column == indicator.numerator), None)
    mine = value_sources[value_sources["indicator"] == stored]
    if mine.empty or value_sources["sender"].nunique() < 2:
        return None
    text = {row.gso_code: t("tooltip.value_source", lang, sender=row.sender, date=fmt.date(in_vietnam(row.created_at)))
            for row in mine.itertuples(index=False)}
    return pd.Series([text.get(code, "") for code in table["gso_code"]], index=table.index, dtype=object)


def legend_entries(table: pd.DataFrame, indicator: Indicator, classification: Classification | None,
                   mask: pd.Series, within: pd.Series | None, lang: str) -> list[LegendEntry]:
    """The legend of a view: how many communes ``within`` the area counted (all of them on the map
    page, a district when the presentation zooms to it) pass the filters (``mask``) in each class or
    category, have no value (by reason), or are outside the filters."""
    values = table[indicator.id]
    if within is None:
        within = pd.Series(True, index=table.index)
    legend: list[LegendEntry] = []
    shown = mask & within
    if classification is None:
        for category, colour in CATEGORY_COLOURS.items():
            legend.append(LegendEntry(colour, labels.label(labels.CATEGORY, category, lang),
                                      int(((values == category) & shown).sum())))
        missing = values.isna()
    else:
        for value_class in classification.classes:
            count = int(((classification.class_of == value_class.index) & shown).sum())
            legend.append(LegendEntry(value_class.colour, class_label(value_class, indicator, lang), count))
        missing = classification.class_of == NO_DATA
    kinds = pd.Series([missing_kind(indicator, pilot) for pilot in table["pilot"]], index=table.index)
    for kind, key in MISSING_LEGEND.items():
        count = int((missing & shown & (kinds == kind)).sum())
        if count:
            legend.append(LegendEntry(NO_DATA_COLOUR, t(key, lang), count, "no_data"))
    filtered_out = int((~mask & within).sum())
    if filtered_out:
        legend.append(LegendEntry("#ffffff", t("legend.filtered_out", lang), filtered_out, "filtered"))
    return legend


def build_view(table: pd.DataFrame, catalogue: dict[str, Indicator], sources: dict[str, Source],
               state: MapState, geometry: PublishedGeometry, model_figure: ReportFigure | None,
               lang: str, value_sources: pd.DataFrame | None = None) -> MapView:
    """The map for one state. ``value_sources`` (``storage.queries.value_sources``): who sent each
    value of a round's version, shown under the value when several senders did."""
    indicator = catalogue[state.indicator]
    filters = Filters(
        districts=state.districts, types=tuple(UNIT_TYPES[k] for k in state.types), pilot=state.pilot,
        value_min=state.value_min, value_max=state.value_max)
    mask = filter_mask(table, indicator, filters)
    values = table[indicator.id]

    classification, breaks_error = None, None
    if indicator.kind == "category":
        colours = values.map(CATEGORY_COLOURS).fillna(NO_DATA_COLOUR)
        missing = values.isna()
    else:
        try:
            classification = classify(values, state.scheme, state.classes, state.palette, list(state.breaks))
        except ClassificationError as exc:
            breaks_error = str(exc)
            classification = classify(values, "quantiles", state.classes, state.palette)
        colours = classification.colour_of()
        missing = classification.class_of == NO_DATA
    legend = legend_entries(table, indicator, classification, mask, None, lang)

    palette = list(dict.fromkeys(colours))
    index_of = {colour: i for i, colour in enumerate(palette)}
    missing_text = missing_texts(lang)
    senders = source_texts(value_sources, table, indicator, catalogue, lang)
    suffix = unit_suffix(indicator, lang)
    styles, values_sent, texts = {}, {}, {}
    for code, colour, is_missing, shown, value, pilot in zip(
            table["gso_code"], colours, missing, mask, values, table["pilot"]):
        style = STYLE_FILTERED_OUT if not shown else STYLE_NO_DATA if is_missing else STYLE_NORMAL
        styles[code] = (index_of[colour], style)
        if is_missing:
            values_sent[code] = missing_kind(indicator, pilot)
            texts[code] = missing_text[values_sent[code]]
        else:
            bare = bare_value_text(indicator, value, lang)
            values_sent[code] = html.escape(bare)
            texts[code] = bare + suffix

    marker = None
    if model_figure is not None and model_figure.gso_code in geometry.centroids:
        marker = {"latlng": list(geometry.centroids[model_figure.gso_code]),
                  "label": html.escape(t("marker.model", lang))}
    layer = LayerData(
        communes_url=geometry.communes_url, outlines_url=geometry.outlines_url, colours=palette,
        styles=styles, values=values_sent, unit=html.escape(suffix),
        missing={k: html.escape(v) for k, v in missing_text.items()},
        header=html.escape(indicator_title(indicator, lang)),
        footer=tooltip_footer(indicator, catalogue, sources, lang),
        selected=state.commune, marker=marker,
        notes=conversion_notes(table, indicator, lang) or _notes(senders, table))
    text_series = pd.Series([texts[c] for c in table["gso_code"]], index=table.index)
    return MapView(indicator, layer, legend, mask, colours, text_series, classification, breaks_error, senders)


def _notes(senders: pd.Series | None, table: pd.DataFrame) -> dict[str, str] | None:
    if senders is None:
        return None
    return {code: html.escape(text) for code, text in zip(table["gso_code"], senders) if text}


CONVERSION_NOTES = {"whole": N_("units.note.converted"), "estimated": N_("units.note.estimated"),
                    "outside": N_("units.note.outside")}
# A reported figure over a 2019 census denominator converted from the former units.
DENOMINATOR_NOTES = {"whole": N_("units.note.denominator"), "estimated": N_("units.note.denominator_estimated"),
                     "outside": N_("units.note.denominator_outside")}
UNITS_CAPTIONS = {CONVERTED: N_("units.caption.2025"), DENOMINATOR_CONVERTED: N_("units.caption.2025_denominator"),
                  "": N_("units.caption.2025_reported")}
UNITS_CAPTIONS_SHORT = {CONVERTED: N_("units.caption.short"),
                        DENOMINATOR_CONVERTED: N_("units.caption.short_denominator"),
                        "": N_("units.caption.short_reported")}


def conversion_kind(row) -> str:
    """How a 2025 unit's values were made: "whole" (old units that went in whole), "estimated" (a
    split old unit was shared by area) or "outside" (former Bạc Liêu: no old Cà Mau data)."""
    return "outside" if not row["converted"] else "estimated" if row["estimated"] else "whole"


def is_converted(table: pd.DataFrame, indicator: Indicator) -> bool:
    """The table is on the 2025 units and ``indicator``'s values involve 2022–2024 figures
    converted to them (all of it, or its census denominator): ``Indicator.conversion``."""
    return "converted" in table.columns and indicator.conversion != ""


def conversion_texts(table: pd.DataFrame, indicator: Indicator, lang: str) -> pd.Series:
    """How each unit's values of ``indicator`` were made, in words (plain text), indexed like
    ``table``; empty texts when nothing was converted."""
    if not is_converted(table, indicator):
        return pd.Series("", index=table.index, dtype=object)
    notes = DENOMINATOR_NOTES if indicator.conversion == DENOMINATOR_CONVERTED else CONVERSION_NOTES
    texts = {kind: t(key, lang) for kind, key in notes.items()}
    return pd.Series([texts[conversion_kind(row)] for row in table.to_dict("records")], index=table.index,
                     dtype=object)


def conversion_notes(table: pd.DataFrame, indicator: Indicator, lang: str) -> dict[str, str] | None:
    """The tooltip's line about a converted unit, escaped; None unless ``is_converted``."""
    if not is_converted(table, indicator):
        return None
    return dict(zip(table["gso_code"], conversion_texts(table, indicator, lang).map(html.escape)))


def conversion_note(table: pd.DataFrame, indicator: Indicator, gso_code: str, lang: str) -> str:
    """How one 2025 unit's values of ``indicator`` were made, in words (plain text; "" if as reported)."""
    return conversion_texts(table.loc[table["gso_code"] == gso_code], indicator, lang).iloc[0]


def units_caption(indicator: Indicator, lang: str, short: bool = False) -> str:
    """What the 2025 units view says about ``indicator``'s figures: converted from the former
    units, reported over a converted denominator, or reported in the 2025 units."""
    return t((UNITS_CAPTIONS_SHORT if short else UNITS_CAPTIONS)[indicator.conversion], lang)


GROUP_HEADERS = {"district": N_("col.district"), "former_district": N_("col.former_district")}


def group_column(table: pd.DataFrame) -> str:
    """The grouping shown beside a commune: its district, or for the 2025 units (no districts)
    the former district it lies wholly in (blank when it spans several)."""
    return "former_district" if "former_district" in table.columns else "district"


def group_labels(table: pd.DataFrame, lang: str) -> pd.Series:
    """Each unit's district; on the 2025 units the former district, or "Nhiều huyện cũ" (formed
    from communes of several districts) or "Bạc Liêu cũ"."""
    group = table[group_column(table)]
    if group_column(table) == "former_district":
        group = group.fillna(pd.Series(t("units.several_districts", lang), index=table.index)
                             .where(table["converted"], t("units.former_bac_lieu", lang)))
    return group


def chart_rows(table: pd.DataFrame, view: MapView, selected: str | None, lang: str) -> pd.DataFrame:
    """The filtered communes that have a value, highest first, with their map colour."""
    indicator = view.indicator
    frame = table.loc[view.mask, ["gso_code", "name", indicator.id]].assign(district=group_labels(table, lang))
    frame["colour"] = view.colours[view.mask]
    frame = frame.dropna(subset=[indicator.id])
    frame["value_text"] = view.texts[frame.index]
    frame["selected"] = frame["gso_code"].eq(selected) if selected else False
    ascending = indicator.higher_is_better == "lower"
    return frame.sort_values([indicator.id, "gso_code"], ascending=[ascending, True]).reset_index(drop=True)


def table_rows(table: pd.DataFrame, view: MapView, lang: str) -> pd.DataFrame:
    """The text alternative to the map: every commune that passes the filters, with its value and
    its legend class, in GSO code order."""
    indicator = view.indicator
    shown = table.loc[view.mask]
    if view.classification is not None:
        class_labels = {c.index: class_label(c, indicator, lang) for c in view.classification.classes}
        classes = view.classification.class_of[view.mask].map(class_labels)
    else:
        classes = shown[indicator.id].map(lambda v: labels.label(labels.CATEGORY, v, lang) if isinstance(v, str) else None)
    missing_labels = [t(MISSING_LEGEND[missing_kind(indicator, p)], lang) for p in shown["pilot"]]
    frame = pd.DataFrame({
        t("col.gso_code", lang): shown["gso_code"],
        t("col.commune", lang): shown["name"],
        t(GROUP_HEADERS[group_column(table)], lang): group_labels(table, lang)[view.mask],
        t("col.type", lang): shown["type"],
        indicator_title(indicator, lang): view.texts[view.mask].tolist(),
        t("col.class", lang): [c if isinstance(c, str) else label for c, label in zip(classes, missing_labels)],
    }).reset_index(drop=True)
    if is_converted(table, indicator):
        frame[t("col.conversion", lang)] = conversion_texts(shown, indicator, lang).tolist()
    if view.value_sources is not None:
        frame[t("col.value_source", lang)] = view.value_sources[view.mask].tolist()
    return frame


def panel_rows(table: pd.DataFrame, catalogue: dict[str, Indicator], gso_code: str, lang: str) -> pd.DataFrame:
    """All indicators of one commune with its rank in the province and in its district."""
    row = table.loc[table["gso_code"] == gso_code].iloc[0]
    # The 2025 units have no district to be ranked in.
    district_codes = (table.loc[table["district_code"] == row["district_code"], "gso_code"]
                      if has_districts(table) else None)
    records = []
    for indicator in catalogue.values():
        province_rank = rank_of(table, indicator, gso_code)
        record = {
            t("panel.indicator", lang): indicator.name[lang],
            t("panel.value", lang): value_text(indicator, row[indicator.id], row["pilot"], lang),
            t("panel.rank_province", lang): f"{province_rank.position}/{province_rank.out_of}" if province_rank else "—",
        }
        if district_codes is not None:
            district_rank = rank_of(table, indicator, gso_code, district_codes)
            record[t("panel.rank_district", lang)] = (f"{district_rank.position}/{district_rank.out_of}"
                                                      if district_rank else "—")
        record[t("panel.note", lang)] = t("illustrative", lang) if indicator.illustrative else ""
        records.append(record)
    return pd.DataFrame.from_records(records)



@dataclass(frozen=True)
class LegendStyle:
    row: str         # the row's spacing and type size (CSS)
    swatch: str      # the swatch's width and height (CSS)
    line: str        # the swatch's border width
    edge: str        # the swatch's border colour
    muted: str       # the count's colour


LEGEND_NORMAL = LegendStyle("gap:.4rem;font-size:1.05rem;margin:.15rem 0", "width:1.6rem;height:1.1rem", "1px", "#555",
                            "#666")
LEGEND_COMPACT = LegendStyle("gap:.4rem;font-size:.8rem;margin:0", "width:1.1rem;height:.75rem", "1px", "#555", "#666")


# The hatch of communes outside the filters (geo/choropleth_layer.js), as a swatch background.
FILTERED_SWATCH = "repeating-linear-gradient(45deg,#ffffff 0 3px,#b0b0b0 3px 4.5px)"


def legend_row_html(colour: str, label: str, counts: str, dashed: bool, style: LegendStyle = LEGEND_NORMAL,
                    hatched: bool = False) -> str:
    """One legend row: swatch (dashed for no data / filtered out, hatched for filtered out),
    label and counts, escaped."""
    border = "dashed" if dashed else "solid"
    background = f"{html.escape(colour)};background-image:{FILTERED_SWATCH}" if hatched else html.escape(colour)
    return (f'<div class="camau-legend-row" style="display:flex;align-items:center;{style.row}">'
            f'<span style="{style.swatch};border:{style.line} {border} {style.edge};background:{background};'
            'display:inline-block;flex:none"></span>'
            f'<span>{html.escape(label)} <span style="color:{style.muted}">· {html.escape(counts)}</span></span></div>')


def legend_html(legend: list[LegendEntry], lang: str, compact: bool = False) -> str:
    """The legend as one HTML block (one element instead of one per class). ``compact`` is the
    small, wrapping form for the public embed."""
    style = LEGEND_COMPACT if compact else LEGEND_NORMAL
    return "".join(legend_row_html(entry.colour, entry.label, tn("legend.count", entry.count, lang),
                                   entry.kind != "class", style, hatched=entry.kind == "filtered") for entry in legend)


def html_table(frame: pd.DataFrame, caption: str = "") -> str:
    """A plain, accessible HTML table (header cells, a caption) with every cell escaped. Lighter
    for the browser than an interactive data grid, and read properly by screen readers."""
    head = "".join(f'<th scope="col">{html.escape(str(column))}</th>' for column in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if pd.isna(value) else str(value))}</td>" for value in row) + "</tr>"
        for row in frame.itertuples(index=False))
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return ('<table class="camau-table" style="width:100%;border-collapse:collapse;font-size:.95rem">'
            f"{caption_html}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            "<style>.camau-table th,.camau-table td{border-bottom:1px solid #ddd;padding:.25rem .5rem;"
            "text-align:left}.camau-table caption{caption-side:bottom;text-align:left;color:#666}</style>")
