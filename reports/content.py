"""What every export says, whatever its format: the view being exported, its title, the rows of
the filtered table and the notes that trace each number to its source and date."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.reference import ReferenceData
from geo.units2025 import UNITS_2023, UNITS_2025, Reference2025
from indicators.catalogue import Indicator, Source, denominator_indicator
from l10n import fmt, labels
from l10n.messages import N_, t
from views.map.mapview import MapView, group_column, is_converted, table_rows, units_caption
from views.map.mapview import conversion_texts as unit_conversion_texts

DATA_KEYS = ("gso_code", "name", "district", "type", "value", "value_text", "class_label")


@dataclass(frozen=True)
class Boundaries:
    """The polygons an export draws, in WGS84: the units (gso_code, district_code when there are
    districts, name_short, geometry), the district outlines (None for the 2025 units) and the
    province outline."""
    units: str
    communes: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame | None
    province: gpd.GeoDataFrame


def boundaries_2023(reference: ReferenceData) -> Boundaries:
    communes = reference.communes.merge(reference.units[["gso_code", "name_short"]], on="gso_code", how="left")
    return Boundaries(UNITS_2023.id, communes, reference.districts, reference.province)


def boundaries_2025(reference_2025: Reference2025) -> Boundaries:
    communes = reference_2025.communes.merge(reference_2025.units[["gso_code", "name_short"]], on="gso_code",
                                             how="left")
    return Boundaries(UNITS_2025.id, communes, None, reference_2025.province)


@dataclass(frozen=True)
class ExportedView:
    """The current map view and everything needed to draw or tabulate it."""
    table: pd.DataFrame                 # the commune table (indicators.table.commune_table or
                                        # indicators.conversion.commune_table_2025)
    view: MapView                       # colours, legend and filter mask of the current state
    catalogue: dict[str, Indicator]
    sources: dict[str, Source]
    boundaries: Boundaries
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

    @property
    def converted(self) -> bool:
        """The values involve 2022–2024 figures converted to the 2025 units (``is_converted``)."""
        return is_converted(self.table, self.indicator)


def title(indicator: Indicator, lang: str) -> str:
    """The indicator's name with its unit, "Dân số 2019 (người)", unless the name already says
    it ("Hồ sơ VNeID trên 1.000 dân")."""
    name, unit = indicator.name[lang], indicator.unit[lang]
    if indicator.kind != "number" or not unit or unit.lower() in name.lower():
        return name
    return f"{name} ({unit})"


def filter_text(exported: ExportedView) -> str:
    key = N_("map.filter.count") if exported.boundaries.units == UNITS_2023.id else N_("map.filter.count_2025")
    return t(key, exported.lang, shown=int(exported.view.mask.sum()), total=len(exported.table))


def boundaries_credit(exported: ExportedView) -> str:
    key = N_("export.boundaries") if exported.boundaries.units == UNITS_2023.id else N_("export.boundaries_2025")
    return t(key, exported.lang)


def conversion_texts(exported: ExportedView) -> list[str]:
    """How each exported row's value was made (converted, estimate, former Bạc Liêu), plain text."""
    return unit_conversion_texts(exported.table.loc[exported.view.mask], exported.indicator, exported.lang).tolist()


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
    items.append((t("units.switch", lang), labels.label(labels.UNIT_SET, exported.boundaries.units, lang)))
    if exported.converted:
        items.append((t("col.conversion", lang), units_caption(indicator, lang)))
    if indicator.illustrative:
        items.append((t("illustrative", lang), t("illustrative.long", lang)))
    items.append((t("export.note.boundaries", lang), boundaries_credit(exported)))
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
        "district": shown[group_column(table)].tolist(),   # the former district on the 2025 units
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
