"""What the public may see of a published version, in a unit set: the commune table, the public
indicators and the catalogue and sources behind them. Read-only: nothing here can write."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from geo.reference import ReferenceData
from geo.units2025 import UNITS_2023, UNITS_2025, Reference2025
from indicators.catalogue import Indicator, Source
from indicators.conversion import tables_in_units
from indicators.published import PublishedDataset, importable_indicators, published_dataset
from views.map.embed import public_indicators
from views.map.mapview import conversion_texts, group_column, is_converted


def public_tables(connection: sa.Connection | None, version_id: int | None, reference: ReferenceData,
                  reference_2025: Reference2025 | None, catalogue: dict[str, Indicator],
                  sources: dict[str, Source], units: str, include_illustrative: bool
                  ) -> tuple[pd.DataFrame, dict[str, Indicator], dict[str, Indicator], dict[str, Source]]:
    """(commune table in ``units``, the indicators the public may see in catalogue order, the
    whole effective catalogue for denominators, the sources). Without a published version only the
    reference indicators (census, area) are shown. Raises ``indicators.conversion.NotInUnits`` for
    2025 figures asked for on the 2022–2024 units."""
    if version_id is None or connection is None:
        frame = pd.DataFrame(columns=["gso_code", "pilot", *[i.column for i in importable_indicators(catalogue)]])
        data = PublishedDataset(UNITS_2023.id, frame, None, {})
    else:
        data = published_dataset(connection, catalogue, version_id)
    table, effective, effective_sources = tables_in_units(
        reference, reference_2025 if units == UNITS_2025.id else None, data, catalogue, sources, units)
    if version_id is None:   # no published data: everything from the sample is unavailable
        effective = {k: i for k, i in effective.items() if i.source_id != "sample_generator"}
    visible = {k: effective[k] for k in public_indicators(effective, include_illustrative)}
    return table, visible, effective, effective_sources


def data_csv_rows(table: pd.DataFrame, indicator: Indicator, texts: pd.Series, lang: str) -> pd.DataFrame:
    """The "get the data" table for one indicator: code, commune, district (the former district
    on the 2025 units), value and unit; on the 2025 units also how each value was converted."""
    rows = pd.DataFrame({
        "gso_code": table["gso_code"], "commune": table["name"], "district": table[group_column(table)],
        "indicator": indicator.name[lang], "value": table[indicator.id], "text": texts,
        "as_of": indicator.as_of.isoformat(), "illustrative": indicator.illustrative,
    })
    if "converted" in table.columns:
        rows = rows.rename(columns={"district": "former_district"}).assign(
            converted=table["converted"], estimated=table["estimated"])
        if is_converted(table, indicator):     # the area is measured, and reported figures are as reported
            rows["conversion"] = conversion_texts(table, indicator, lang)
    return rows
