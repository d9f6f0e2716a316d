"""What every export says, whatever its format: the view being exported, its title, the rows of
the filtered table and the notes that trace each number to its source and date."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from geo.reference import ReferenceData
from indicators.catalogue import Indicator, Source, denominator_indicator
from l10n import fmt, labels
from l10n.messages import t
from views.map.mapview import MapView, table_rows

DATA_KEYS = ("gso_code", "name", "district", "type", "value", "value_text", "class_label")


@dataclass(frozen=True)
class ExportedView:
    """The current map view and everything needed to draw or tabulate it."""
    table: pd.DataFrame                 # the commune table (indicators.table.commune_table)
    view: MapView                       # colours, legend and filter mask of the current state
    catalogue: dict[str, Indicator]
    sources: dict[str, Source]
    reference: ReferenceData
    lang: str

    @property
    def indicator(self) -> Indicator:
        return self.view.indicator

    @property
    def source_title(self) -> str:
        return self.sources[self.indicator.source_id].title[self.lang]

    @property
    def is_filtered(self) -> bool:
        return not bool(self.view.mask.all())


def title(indicator: Indicator, lang: str) -> str:
    """The indicator's name with its unit, "Dân số 2019 (người)", unless the name already says
    it ("Hồ sơ VNeID trên 1.000 dân")."""
    name, unit = indicator.name[lang], indicator.unit[lang]
    if indicator.kind != "number" or not unit or unit.lower() in name.lower():
        return name
    return f"{name} ({unit})"


def filter_text(exported: ExportedView) -> str:
    return t("map.filter.count", exported.lang, shown=int(exported.view.mask.sum()), total=len(exported.table))


def notes(exported: ExportedView, today: dt.date) -> list[tuple[str, str]]:
    """(label, text) pairs that explain an export: what, from where, as of when, how classed,
    which communes, and the illustrative mark when the values are illustrative."""
    indicator, lang = exported.indicator, exported.lang
    denominator = denominator_indicator(indicator, exported.catalogue)
    items = [
        (t("export.note.indicator", lang), title(indicator, lang)),
        (t("export.note.description", lang), indicator.description[lang]),
        (t("tooltip.source", lang), exported.source_title),
        (t("tooltip.as_of", lang), fmt.date(indicator.as_of)),
        (t("tooltip.denominator", lang), denominator.name[lang] if denominator else t("tooltip.no_denominator", lang)),
    ]
    classification = exported.view.classification
    if classification is not None:
        items.append((t("export.note.classes", lang),
                      t("export.note.classes_value", lang, scheme=labels.label(labels.SCHEME, classification.scheme, lang),
                        count=len(classification.classes))))
    items.append((t("map.filters", lang), filter_text(exported)))
    if indicator.illustrative:
        items.append((t("illustrative", lang), t("illustrative.long", lang)))
    items.append((t("export.note.boundaries", lang), t("export.boundaries", lang)))
    items.append((t("export.note.made", lang), t("export.made", lang, date=fmt.date(today))))
    return items


def data_rows(exported: ExportedView) -> pd.DataFrame:
    """The communes that pass the filters, in GSO code order, under language-neutral keys
    (``DATA_KEYS``): the value as a number rounded as shown (or the category key), the value
    as shown on the map and the legend class."""
    table, view, indicator, lang = exported.table, exported.view, exported.indicator, exported.lang
    shown = table.loc[view.mask]
    values = shown[indicator.id]
    if indicator.kind == "number":
        values = values.round(indicator.decimals)
    on_screen = table_rows(table, view, lang)   # the same class labels as the map's data table
    return pd.DataFrame({
        "gso_code": shown["gso_code"].tolist(),
        "name": shown["name"].tolist(),
        "district": shown["district"].tolist(),
        "type": shown["type"].tolist(),
        "value": [None if pd.isna(value) else value for value in values],
        "value_text": view.texts[view.mask].tolist(),
        "class_label": on_screen[t("col.class", lang)].tolist(),
    }, columns=list(DATA_KEYS))


def file_name(indicator_id: str, extension: str, day: dt.date, district_code: str | None = None) -> str:
    """``camau_<indicator>_<yyyymmdd>.<ext>``, with the district code for a district brief."""
    parts = ["camau", indicator_id] + ([district_code] if district_code else []) + [day.strftime("%Y%m%d")]
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", "_".join(parts))   # never a path or an odd character
    return f"{stem}.{extension}"
