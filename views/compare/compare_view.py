"""What the period comparison shows, computed without Streamlit: the URL state, two maps classed
with the same breaks (or one map when an indicator has one period), the change map with a
diverging palette centred on zero, legends and the text-alternative table.

Colours are colour-blind safe: the sequential maps use geo.classify's palettes; the change map
uses ColorBrewer's RdBu, flagged "colorblind safe" by ColorBrewer (checked with simulated
protanopia, deuteranopia and tritanopia in tests/test_classify.py). Colour is never the only cue:
"no data" is also dashed, and every map has the table as its text alternative.
"""
from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from branca.utilities import color_brewer

from geo.classify import NO_DATA, NO_DATA_COLOUR, classify
from geo.maprender import STYLE_NO_DATA, STYLE_NORMAL, LayerData
from geo.units2025 import UNIT_SETS, UNITS_2023, UNITS_2025
from geo.web_geometry import PublishedGeometry
from indicators.catalogue import Indicator, Source, denominator_indicator
from indicators.conversion import catalogue_2025
from indicators.periods import CHANGE_COUNT, CHANGE_POINTS, Change, Period, compute_change
from indicators.published import effective_catalogue, importable_indicators
from l10n import fmt, labels
from l10n.messages import t, tn
from l10n.text import plain
from views.map.mapview import (
    GROUP_HEADERS,
    ILLUSTRATIVE_COLOUR,
    MISSING_LEGEND,
    LegendEntry,
    bare_value_text,
    class_label,
    conversion_notes,
    group_column,
    indicator_title,
    legend_row_html,
    missing_kind,
    missing_texts,
    provenance_text,
    tooltip_footer,
    unit_suffix,
)
from views.map.state import LANGUAGES, Notice, QueryReader

MODES = ("side", "change")
SIDE_SCHEME, SIDE_CLASSES, SIDE_PALETTE = "quantiles", 5, "YlGnBu"
DIVERGING_PALETTE = "RdBu"          # ColorBrewer, colour-blind safe; red = decrease, blue = increase
STEPS_PER_SIDE = 3                  # 3 decrease classes, "no change", 3 increase classes
MISSING_IN_A, MISSING_IN_B, MISSING_IN_BOTH = 0, 1, 2


# --- URL state ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompareState:
    indicator: str | None           # None only when no indicator has a period
    period_a: str | None
    period_b: str | None
    mode: str = "side"
    lang: str = "vi"
    units: str = UNITS_2023.id


def default_indicator(periods: Mapping[str, list[Period]]) -> str | None:
    """The first indicator (catalogue order) with two or more periods, else the first with one."""
    return (next((i for i, p in periods.items() if len(p) >= 2), None)
            or next((i for i, p in periods.items() if p), None))


def default_periods(periods: list[Period]) -> tuple[str, str]:
    """The two latest periods, older first (the same one twice when there is only one)."""
    return periods[max(len(periods) - 2, 0)].label, periods[-1].label


def read_compare_state(params: Mapping[str, str], periods: Mapping[str, list[Period]],
                       default_units: str = UNITS_2023.id) -> tuple[CompareState, list[Notice]]:
    """Parse ``ind``, ``a``, ``b``, ``mode``, ``lang`` and ``units``; an unknown value falls back
    to its default and becomes a notice (never an exception)."""
    reader = QueryReader(params)
    comparable = [i for i, p in periods.items() if p]
    indicator = reader.choice("ind", comparable, default_indicator(periods))
    labels = [p.label for p in periods.get(indicator, [])] if indicator else []
    default_a, default_b = default_periods(periods[indicator]) if indicator else (None, None)
    state = CompareState(
        indicator=indicator,
        period_a=reader.choice("a", labels, default_a),
        period_b=reader.choice("b", labels, default_b),
        mode=reader.choice("mode", MODES, "side"),
        lang=reader.choice("lang", LANGUAGES, "vi"),
        units=reader.choice("units", list(UNIT_SETS), default_units),
    )
    return state, reader.notices


def write_compare_state(state: CompareState, default_units: str = UNITS_2023.id) -> dict[str, str]:
    """Query parameters for the state. Indicator and periods are always written: their defaults
    follow the published data, so a shared link must not rely on them."""
    out = {}
    if state.indicator:
        out |= {"ind": state.indicator, "a": state.period_a, "b": state.period_b}
    if state.mode != "side":
        out["mode"] = state.mode
    if state.lang != "vi":
        out["lang"] = state.lang
    if state.units != default_units:
        out["units"] = state.units
    return out


# --- Texts ------------------------------------------------------------------------------------
def period_catalogue(period: Period, catalogue: dict[str, Indicator], sources: dict[str, Source],
                     units: str = UNITS_2023.id) -> tuple[dict[str, Indicator], dict[str, Source]]:
    """The catalogue with dates, sources and illustrative marks taken from the period's version;
    on the 2025 units also how its figures were made (reported in them, or converted)."""
    importable = importable_indicators(catalogue)
    effective, effective_sources = effective_catalogue(catalogue, sources, {i.id: period.provenance() for i in importable})
    if units == UNITS_2025.id:
        own = frozenset(i.column for i in importable) if period.units == UNITS_2025.id else frozenset()
        effective = catalogue_2025(effective, effective_sources, own)
    return effective, effective_sources


def period_name(period: Period, lang: str, markdown: bool = False) -> str:
    """"2023 (số liệu ngày 31/12/2023)", marked when illustrative. ``markdown``: the label (typed
    by an editor at import) escaped for st.markdown and the like."""
    label = plain(period.label) if markdown else period.label
    text = t("compare.period_name", lang, label=label, date=fmt.date(period.as_of))
    return f"{text} · {t('illustrative', lang)}" if period.illustrative else text


def period_statement(letter: str, period: Period, catalogue: dict[str, Indicator],
                     sources: dict[str, Source], indicator_id: str, lang: str, units: str = UNITS_2023.id) -> str:
    """"Kỳ A: 2022 — Mẫu số: … · Số liệu ngày: … · Nguồn: …": the period and its denominator, for
    st.caption (editors' text escaped)."""
    effective, effective_sources = period_catalogue(period, catalogue, sources, units)
    provenance = provenance_text(effective[indicator_id], effective, effective_sources, lang, markdown=True)
    return t("compare.period_statement", lang, letter=letter, name=period_name(period, lang, markdown=True),
             provenance=provenance)


def denominator_statement(indicator: Indicator, catalogue: dict[str, Indicator], lang: str) -> str:
    denominator = denominator_indicator(indicator, catalogue)
    if denominator is None:
        return t("compare.denominator.none", lang)
    return t("compare.denominator.same", lang, name=denominator.name[lang], date=fmt.date(denominator.as_of))


def signed(value: float, decimals: int, lang: str) -> str:
    """"+1,5", "−1,5" (a real minus sign) or "0"."""
    text = fmt.number(abs(value), decimals, lang)
    if value == 0 or set(text) <= set("0.,"):
        return text
    return ("+" if value > 0 else "\u2212") + text


def change_unit(indicator: Indicator, kind: str, lang: str) -> str:
    return " " + t("compare.unit.points", lang) if kind == CHANGE_POINTS else unit_suffix(indicator, lang)


def change_text(change: Change, position, indicator: Indicator, lang: str) -> str | None:
    """"+12 tổ (+25,0%)", "+1,5 điểm %"; None when there is no change value."""
    difference = change.difference[position]
    if pd.isna(difference):
        return None
    text = signed(difference, indicator.decimals, lang) + change_unit(indicator, change.kind, lang)
    percent = change.percent[position]
    if change.kind == CHANGE_COUNT and not pd.isna(percent):
        text += f" ({signed(percent, 1, lang)}%)"
    return text


# --- Layers -----------------------------------------------------------------------------------
def _layer(codes: pd.Series, colours: pd.Series, values: list, missing: dict[int, str], unit: str,
           header: str, footer: str, geometry: PublishedGeometry, notes: dict[str, str] | None = None) -> LayerData:
    """A layer as views.map.mapview.build_view makes one: ``values`` holds each commune's text without its
    unit, or the key of its ``missing`` text (an int). Every text is escaped here; ``footer`` is
    already HTML."""
    palette = list(dict.fromkeys(colours))
    index_of = {colour: i for i, colour in enumerate(palette)}
    styles, sent = {}, {}
    for code, colour, value in zip(codes, colours, values):
        is_missing = isinstance(value, int)
        styles[code] = (index_of[colour], STYLE_NO_DATA if is_missing else STYLE_NORMAL)
        sent[code] = value if is_missing else html.escape(value)
    return LayerData(
        communes_url=geometry.communes_url, outlines_url=geometry.outlines_url, colours=palette, styles=styles,
        values=sent, unit=html.escape(unit), missing={k: html.escape(v) for k, v in missing.items()},
        header=html.escape(header), footer=footer, selected=None, marker=None, notes=notes)


def _footer(text: str, illustrative: bool, lang: str) -> str:
    """The change map's tooltip footer, styled like views.map.mapview.tooltip_footer."""
    footer = f"<br><small>{html.escape(text)}</small>"
    if illustrative:
        footer += f'<br><i style="color:{ILLUSTRATIVE_COLOUR}">{html.escape(t("illustrative", lang))}</i>'
    return footer


# --- Maps of the periods, classed together -------------------------------------------------------
@dataclass(frozen=True)
class SharedLegendEntry:
    colour: str
    label: str
    counts: tuple[int, ...]   # communes in this class on each period's map
    kind: str = "class"       # "class" or "no_data"


@dataclass(frozen=True)
class PeriodMap:
    period: Period
    indicator: Indicator      # with the period's date, source and illustrative mark
    layer: LayerData
    texts: pd.Series          # the value with its unit, or why there is none, per commune


@dataclass(frozen=True)
class PeriodMaps:
    maps: tuple[PeriodMap, ...]
    legend: list[SharedLegendEntry]


def period_maps(tables: list[pd.DataFrame], periods: list[Period], indicator_id: str,
                catalogue: dict[str, Indicator], sources: dict[str, Source], geometry: PublishedGeometry,
                lang: str, units: str = UNITS_2023.id) -> PeriodMaps:
    """One map per period (one or two), all classed with the same breaks, computed over every
    period's values together, so a colour means the same value range on each map."""
    indicator = catalogue[indicator_id]
    combined = pd.concat([table[indicator_id] for table in tables], ignore_index=True)
    classification = classify(combined, SIDE_SCHEME, SIDE_CLASSES, SIDE_PALETTE)
    colour_of = classification.colour_of()
    missing_text = missing_texts(lang)
    suffix = unit_suffix(indicator, lang)

    maps, class_counts, missing_counts = [], [], []
    for position, (table, period) in enumerate(zip(tables, periods)):
        rows = slice(position * len(table), (position + 1) * len(table))
        class_of = classification.class_of.iloc[rows].set_axis(table.index)
        colours = colour_of.iloc[rows].set_axis(table.index)
        kinds = [missing_kind(indicator, pilot) for pilot in table["pilot"]]
        values = [kind if cls == NO_DATA else bare_value_text(indicator, value, lang)
                  for cls, kind, value in zip(class_of, kinds, table[indicator_id])]
        effective, effective_sources = period_catalogue(period, catalogue, sources, units)
        shown = effective[indicator_id]
        footer = tooltip_footer(shown, effective, effective_sources, lang)
        header = f"{indicator_title(shown, lang)} · {period_name(period, lang)}"
        layer = _layer(table["gso_code"], colours, values, missing_text, suffix, header, footer, geometry,
                       conversion_notes(table, shown, lang))
        texts = pd.Series([missing_text[v] if isinstance(v, int) else v + suffix for v in values], index=table.index)
        maps.append(PeriodMap(period, shown, layer, texts))
        class_counts.append(class_of.value_counts())
        missing_counts.append(pd.Series([v for v in values if isinstance(v, int)], dtype=int).value_counts())

    legend = [SharedLegendEntry(c.colour, class_label(c, indicator, lang),
                                tuple(int(counts.get(c.index, 0)) for counts in class_counts))
              for c in classification.classes]
    for kind, key in MISSING_LEGEND.items():
        counts = tuple(int(c.get(kind, 0)) for c in missing_counts)
        if any(counts):
            legend.append(SharedLegendEntry(NO_DATA_COLOUR, t(key, lang), counts, "no_data"))
    return PeriodMaps(tuple(maps), legend)


# --- The change map --------------------------------------------------------------------------
def diverging_colours(higher_is_better: str = "higher") -> list[str]:
    """2 × STEPS_PER_SIDE + 1 colours from the largest decrease to the largest increase. Blue marks
    the better direction: reversed when a lower value is better."""
    colours = list(color_brewer(DIVERGING_PALETTE, 2 * STEPS_PER_SIDE + 1))
    return colours[::-1] if higher_is_better == "lower" else colours


def nice_step(largest: float, decimals: int, steps: int = STEPS_PER_SIDE) -> float:
    """A round class width (1, 2 or 5 × a power of ten, at least one shown unit) such that
    ``steps`` widths reach ``largest``."""
    smallest = 10.0 ** -decimals
    if not largest > 0:
        return smallest
    raw = largest / steps
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    return max(round(step, 12), smallest)


@dataclass(frozen=True)
class DivergingClasses:
    step: float
    class_of: pd.Series       # −STEPS_PER_SIDE … +STEPS_PER_SIDE (0 = no change); NaN = no data


def diverging_classes(difference: pd.Series, decimals: int) -> DivergingClasses:
    """Classes symmetric about zero: 0 is its own class, then (0, s], (s, 2s], above 2s on each
    side, with s a round width that makes the largest change fall in the outer class."""
    present = difference.dropna()
    step = nice_step(float(present.abs().max()) if len(present) else 0.0, decimals)
    steps = np.minimum(np.ceil((difference.abs() / step).round(9)), STEPS_PER_SIDE)
    return DivergingClasses(step, np.sign(difference) * steps)


def diverging_label(position: int, step: float, decimals: int, lang: str) -> str:
    """Signed labels: "từ −2 đến dưới −1", "Không đổi (0)", "trên +1 đến +2", "trên +2"."""
    def show(multiple: int) -> str:
        return signed(multiple * step, decimals, lang)

    if position == 0:
        return t("compare.legend.zero", lang)
    size = abs(position)
    if position > 0:
        if size == STEPS_PER_SIDE:
            return t("compare.legend.above", lang, lower=show(size - 1))
        return t("compare.legend.up", lang, lower=show(size - 1), upper=show(size))
    if size == STEPS_PER_SIDE:
        return t("compare.legend.below", lang, upper=show(-(size - 1)))
    return t("compare.legend.down", lang, lower=show(-size), upper=show(-(size - 1)))


@dataclass(frozen=True)
class ChangeMap:
    change: Change
    layer: LayerData
    legend: list[LegendEntry]
    texts: pd.Series          # the signed change with its unit, or why there is none, per commune
    step: float


def change_map(table_a: pd.DataFrame, table_b: pd.DataFrame, period_a: Period, period_b: Period,
               indicator_id: str, catalogue: dict[str, Indicator], geometry: PublishedGeometry,
               lang: str, converted: Indicator | None = None) -> ChangeMap:
    """B − A for every commune (the two tables share their row order), coloured on a diverging
    palette centred on zero; a commune missing in either period has no change ("no data").
    ``converted``: on the 2025 units, the period's indicator whose figures were converted (its
    tooltip notes say how), if any."""
    if not table_a["gso_code"].equals(table_b["gso_code"]):
        raise ValueError("the two period tables must list the same communes in the same order")
    indicator = catalogue[indicator_id]
    change = compute_change(table_a[indicator_id], table_b[indicator_id], indicator)
    classes = diverging_classes(change.difference, indicator.decimals)
    palette = diverging_colours(indicator.higher_is_better)
    colours = classes.class_of.map(lambda c: NO_DATA_COLOUR if pd.isna(c) else palette[int(c) + STEPS_PER_SIDE])

    missing_a, missing_b = table_a[indicator_id].isna(), table_b[indicator_id].isna()
    values = []
    for position in table_a.index:
        text = change_text(change, position, indicator, lang)
        if text is not None:
            values.append(text)
        else:
            values.append(MISSING_IN_BOTH if missing_a[position] and missing_b[position]
                          else MISSING_IN_A if missing_a[position] else MISSING_IN_B)
    missing = {MISSING_IN_A: t("compare.missing_in", lang, label=period_a.label),
               MISSING_IN_B: t("compare.missing_in", lang, label=period_b.label),
               MISSING_IN_BOTH: t("compare.missing_both", lang)}
    header = t("compare.change_header", lang, indicator=indicator.name[lang], a=period_a.label, b=period_b.label)
    illustrative = period_a.illustrative or period_b.illustrative
    explanation = " · ".join((change_explanation(indicator, change.kind, lang),
                              denominator_statement(indicator, catalogue, lang)))
    footer = _footer(explanation, illustrative, lang)
    layer = _layer(table_a["gso_code"], colours, values, missing, "", header, footer, geometry,
                   conversion_notes(table_a, converted, lang) if converted is not None else None)

    legend = [LegendEntry(palette[c + STEPS_PER_SIDE], diverging_label(c, classes.step, indicator.decimals, lang),
                        int((classes.class_of == c).sum()))
              for c in range(-STEPS_PER_SIDE, STEPS_PER_SIDE + 1)]
    no_change_value = int(classes.class_of.isna().sum())
    if no_change_value:
        legend.append(LegendEntry(NO_DATA_COLOUR, t("compare.legend.no_data", lang), no_change_value, "no_data"))
    texts = pd.Series([missing[v] if isinstance(v, int) else v for v in values], index=table_a.index)
    return ChangeMap(change, layer, legend, texts, classes.step)


def change_explanation(indicator: Indicator, kind: str, lang: str) -> str:
    return labels.label(labels.CHANGE_KIND, kind, lang, unit=indicator.unit[lang])


# --- Legend and the text alternative -----------------------------------------------------------
def shared_legend_html(legend: list[SharedLegendEntry], periods: list[Period], lang: str) -> str:
    """One legend for the period maps (styled like views.map.mapview.legend_html); each row counts the
    communes of the class on each period's map."""
    rows = []
    for entry in legend:
        counts = [tn("legend.count", n, lang) for n in entry.counts]
        if len(periods) > 1:
            counts = [f"{p.label}: {c}" for p, c in zip(periods, counts)]
        rows.append(legend_row_html(entry.colour, entry.label, "; ".join(counts), entry.kind != "class",
                                    hatched=entry.kind == "filtered"))
    return "".join(rows)


def comparison_rows(table: pd.DataFrame, maps: PeriodMaps, change: ChangeMap | None, lang: str) -> pd.DataFrame:
    """The text alternative to the maps: every commune, its value in each period (with the
    period in the column name, marked when illustrative) and, for two periods, the change."""
    frame = {
        t("col.gso_code", lang): table["gso_code"],
        t("col.commune", lang): table["name"],
        t(GROUP_HEADERS[group_column(table)], lang): table[group_column(table)],
    }
    for period_map in maps.maps:
        column = t("compare.col.value", lang, indicator=indicator_title(period_map.indicator, lang),
                   period=period_map.period.label)
        frame[column] = period_map.texts
    if change is not None:
        frame[t("compare.col.change", lang)] = change.texts
        if change.change.kind == CHANGE_COUNT:
            frame[t("compare.col.percent", lang)] = [
                "" if pd.isna(p) else f"{signed(p, 1, lang)}%" for p in change.change.percent]
    return pd.DataFrame(frame).reset_index(drop=True)
