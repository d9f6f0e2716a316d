"""Vega-Lite specifications for the map page's charts, written as plain dicts: building them
through Altair costs ~20 ms of schema validation on every rerun."""
from __future__ import annotations

import pandas as pd

from indicators.catalogue import Indicator
from ui.i18n import t

ROW_HEIGHT = 20
NUMBER_LOCALES = {
    "vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]},
}


def _config(lang: str) -> dict:
    return {"locale": {"number": NUMBER_LOCALES.get(lang, NUMBER_LOCALES["vi"])}}


def ranked_bar_spec(rows: pd.DataFrame, indicator: Indicator, lang: str) -> dict:
    """Horizontal bars, highest first, in the map's class colours; the selected commune outlined."""
    records = [{"label": f"{name} – {district}", "value": float(value), "colour": colour,
                "text": text, "name": name, "district": district, "selected": bool(selected)}
               for name, district, value, colour, text, selected in zip(
                   rows["name"], rows["district"], rows[indicator.id], rows["colour"], rows["value_text"],
                   rows["selected"])]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": records},
        "height": max(120, ROW_HEIGHT * len(records)),
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": None, "title": None,
                  "axis": {"labelLimit": 280, "labelOverlap": False}},
            "x": {"field": "value", "type": "quantitative",
                  "title": f"{indicator.name[lang]} ({indicator.unit[lang]})" if indicator.unit[lang] else indicator.name[lang]},
            "color": {"field": "colour", "type": "nominal", "scale": None},
            "stroke": {"condition": {"test": "datum.selected", "value": "#000000"}, "value": None},
            "strokeWidth": {"condition": {"test": "datum.selected", "value": 2.5}, "value": 0},
            "tooltip": [{"field": "name", "title": t("chart.commune", lang)},
                        {"field": "district", "title": t("col.district", lang)},
                        {"field": "text", "title": t("chart.value", lang)}],
        },
        "config": _config(lang),
    }


def category_counts_spec(rows: pd.DataFrame, lang: str) -> dict:
    """Communes per category (pilot or not) in each district, stacked in the map's colours."""
    counts = rows.groupby(["district", "value_text", "colour"], as_index=False).size()
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "data": {"values": counts.to_dict("records")},
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "district", "type": "nominal", "title": t("col.district", lang), "sort": "-x"},
            "x": {"field": "size", "type": "quantitative", "title": t("chart.category_counts", lang)},
            "color": {"field": "colour", "type": "nominal", "scale": None},
            "tooltip": [{"field": "district", "title": t("col.district", lang)},
                        {"field": "value_text", "title": t("chart.value", lang)},
                        {"field": "size", "title": t("chart.category_counts", lang)}],
        },
        "config": _config(lang),
    }
