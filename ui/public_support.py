"""The public view's data: the published version read through a read-only connection, and only
the indicators the public may see.

Nothing imported here can write stored data: no importer, no accounts, no storage.datasets or
storage.db (tests/test_public.py walks the import graph of public.py). The static files written
at start-up (Leaflet, the layer script, the simplified geometry) are derived assets, not data.
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from geo.reference import ReferenceData, load_reference
from geo.units2025 import UNITS_2023, UNITS_2025, Reference2025, load_reference_2025
from geo.web_geometry import PublishedGeometry
from indicators.catalogue import Indicator, Source, load_catalogue, load_sources
from indicators.conversion import tables_in_units
from indicators.published import PublishedDataset, importable_indicators, published_dataset
from storage import queries
from storage.readonly import make_read_only_engine
from ui.map_assets import map_assets as shared_map_assets
from ui.map_assets import map_assets_2025 as shared_map_assets_2025
from ui.settings import public_shows_illustrative
from views.map.embed import public_indicators
from views.map.mapview import conversion_texts, group_column, is_converted


@st.cache_resource(show_spinner=False)
def reference() -> ReferenceData:
    return load_reference()


@st.cache_resource(show_spinner=False)
def _read_only_engine() -> sa.Engine:
    # Raises while there is no database yet; st.cache_resource does not keep a failure, so the
    # next session tries again and sees a database the editors' app created in the meantime.
    return make_read_only_engine()


def published_version() -> queries.VersionInfo | None:
    """The published version, or None while there is no database (only the reference
    indicators can be shown then)."""
    try:
        engine = _read_only_engine()
        with engine.connect() as connection:
            return queries.published_version(connection)
    except (FileNotFoundError, RuntimeError, sa.exc.DBAPIError):
        return None


@st.cache_resource(show_spinner=False)
def reference_2025() -> Reference2025:
    return load_reference_2025(reference())


@st.cache_resource(show_spinner=False, max_entries=8)
def public_data(version_id: int | None, units: str = UNITS_2023.id
                ) -> tuple[pd.DataFrame, dict[str, Indicator], dict[str, Indicator], dict[str, Source]]:
    """The commune table in ``units``, the indicators the public may see (in catalogue order),
    the whole effective catalogue (for denominators) and the sources."""
    catalogue, sources = load_catalogue(), load_sources()
    if version_id is None:
        frame = pd.DataFrame(columns=["gso_code", "pilot", *[i.column for i in importable_indicators(catalogue)]])
        data = PublishedDataset(UNITS_2023.id, frame, None, {})
    else:
        with _read_only_engine().connect() as connection:
            data = published_dataset(connection, catalogue, version_id)
    table, effective, effective_sources = tables_in_units(
        reference(), reference_2025() if units == UNITS_2025.id else None, data, catalogue, sources, units)
    if version_id is None:   # no published data: everything from the sample is unavailable
        effective = {k: i for k, i in effective.items() if i.source_id != "sample_generator"}
    visible = {k: effective[k] for k in public_indicators(effective, public_shows_illustrative())}
    return table, visible, effective, effective_sources


def map_assets(units: str = UNITS_2023.id) -> PublishedGeometry:
    if units == UNITS_2025.id:
        return shared_map_assets_2025(reference_2025())
    return shared_map_assets(reference())


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

