"""The map page's charts as plain HTML bars.

A Vega-Lite chart of the same bars delayed the map's update by ~70 ms on every indicator change
(measured with benchmarks/map_benchmark.py: repaint 226 ms with it, 154 ms without); these bars
carry the same information (rank, value, class colour, selected commune) at a fraction of the
cost. Every text is escaped.
"""
from __future__ import annotations

import html

import pandas as pd

from indicators.catalogue import Indicator
from l10n.messages import t

_ROW = ('<div class="camau-bar-row" style="display:grid;grid-template-columns:minmax(9rem,16rem) 1fr 7rem;'
        'align-items:center;gap:.5rem;font-size:.85rem;line-height:1.15rem{highlight}">'
        '<span style="overflow:hidden;text-overflow:ellipsis;white-space:nowrap">{label}</span>'
        '<span style="background:#f2f2f2;height:.9rem"><span style="display:block;height:100%;width:{width:.1f}%;'
        'background:{colour};{outline}"></span></span><span style="text-align:right">{value}</span></div>')


def _escape(text) -> str:
    return html.escape(str(text))


def ranked_bars_html(rows: pd.DataFrame, indicator: Indicator, lang: str) -> str:
    """One bar per commune, highest first (``rows`` from views.map.mapview.chart_rows), in the map's
    class colours, the selected commune outlined and in bold."""
    values = rows[indicator.id].astype(float)
    top = float(values.max()) if len(values) and values.max() > 0 else 1.0
    items = []
    for name, district, value, colour, text, selected in zip(
            rows["name"], rows["district"], values, rows["colour"], rows["value_text"], rows["selected"]):
        items.append(_ROW.format(
            label=f"{_escape(name)} – {_escape(district)}", width=max(value, 0) / top * 100,
            colour=_escape(colour), value=_escape(text),
            highlight=";font-weight:700" if selected else "",
            outline="outline:2px solid #000" if selected else ""))
    caption = _escape(f"{indicator.name[lang]}" + (f" ({indicator.unit[lang]})" if indicator.unit[lang] else ""))
    return (f'<div class="camau-bars" role="list" aria-label="{_escape(t("chart.title", lang))}">'
            f'<div style="font-size:.8rem;color:#666;margin-bottom:.25rem">{caption}</div>'
            + "".join(f'<div role="listitem">{item}</div>' for item in items) + "</div>")


def category_counts_html(rows: pd.DataFrame, lang: str) -> str:
    """Communes per category in each district: one stacked bar per district."""
    counts = rows.groupby(["district", "value_text", "colour"], as_index=False).size()
    totals = counts.groupby("district")["size"].sum().sort_values(ascending=False)
    largest = float(totals.max()) if len(totals) else 1.0
    items = []
    for district in totals.index:
        parts = counts[counts["district"] == district]
        segments = "".join(
            f'<span title="{_escape(text)}: {size}" style="display:inline-block;height:100%;'
            f'width:{size / largest * 100:.1f}%;background:{_escape(colour)}"></span>'
            for text, colour, size in zip(parts["value_text"], parts["colour"], parts["size"]))
        detail = " · ".join(f"{_escape(text)}: {size}" for text, size in zip(parts["value_text"], parts["size"]))
        items.append(
            '<div role="listitem" style="display:grid;grid-template-columns:minmax(9rem,14rem) 1fr 12rem;'
            'align-items:center;gap:.5rem;font-size:.85rem">'
            f'<span>{_escape(district)}</span><span style="background:#f2f2f2;height:.9rem;display:flex">{segments}</span>'
            f'<span style="font-size:.8rem">{detail}</span></div>')
    return (f'<div class="camau-bars" role="list" aria-label="{_escape(t("chart.category_counts", lang))}">'
            + "".join(items) + "</div>")
