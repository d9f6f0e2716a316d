"""The thin Streamlit layer shared by the pages: cached loading, the language, the error page."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from functools import partial

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from geo.maprender import group_bounds, group_points
from geo.reference import DEFAULT_REFERENCE_DIR, ReferenceData, ReferenceDataError, load_reference
from geo.units2025 import UNITS_2023, UNITS_2025, Reference2025, load_reference_2025
from geo.web_geometry import PublishedGeometry
from importer.unit_sets import UnitSetIndex, unit_set_indexes
from indicators.catalogue import load_catalogue, load_report, load_sources
from indicators.conversion import NotInUnits, tables_in_units
from indicators.published import published_dataset
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from l10n import labels
from l10n.messages import t
from services import editing
from storage import datasets, queries
from storage.db import make_engine, upgrade
from ui.map_assets import map_assets as shared_map_assets
from ui.map_assets import map_assets_2025 as shared_map_assets_2025
from ui.map_switch import switch_url
from views.charts import ChartPanel
from views.map import lookups
from views.map.distribution import distribution_panel, district_panel
from views.map.lookups import RangeStops, UnitLookups
from views.map.mapview import MapView, build_view, chart_rows, panel_rows, table_rows
from views.map.state import LANGUAGES, MapState, read_units
from views.map.switch import indicator_switch, indicator_switch_key
from views.present.presentation import Deck, PresentState, step
from views.present.slide_map import SlidePlaces, slide_switch


def current_lang() -> str:
    lang = st.query_params.get("lang") or st.session_state.get("lang", "vi")
    return lang if lang in LANGUAGES else "vi"


@st.cache_resource(show_spinner=False)
def _reference() -> ReferenceData:
    return load_reference()   # a failure is not cached: the next rerun tries again


def require_reference(lang: str) -> ReferenceData:
    """The reference data, or a plain-words error page (no traceback) and a stop."""
    with _reference_errors(lang):
        return _reference()


@contextmanager
def _reference_errors(lang: str):
    try:
        yield
    except ReferenceDataError as error:
        st.error(labels.label(labels.REFERENCE_ERROR, error.kind, lang, path=str(error.path)))
        if error.detail:
            st.caption(t("ref.detail", lang, detail=error.detail))
        st.info(t("ref.howto", lang, default=str(DEFAULT_REFERENCE_DIR)))
        st.stop()


@st.cache_resource(show_spinner=False)
def catalogue():
    return load_catalogue()


@st.cache_resource(show_spinner=False)
def sources():
    return load_sources()


@st.cache_resource(show_spinner=False)
def report():
    return load_report()


@st.cache_resource(show_spinner=False)
def engine() -> sa.Engine:
    """The database, migrated to the newest schema, with the sample as version 0."""
    database = make_engine()
    # Under the migration lock: replicas starting together create version 0 once.
    upgrade(database, seed=lambda migrated: ensure_sample_version(migrated, read_sample_csv(), catalogue()))
    # The public static site follows this code and the published version: rebuilt once per start,
    # beside the first page (the build takes seconds; replicas take turns on its lock).
    threading.Thread(target=editing.refresh_public_site, name="public-site-build", daemon=True).start()
    return database


def published_version() -> datasets.VersionInfo:
    """The published version, read once per page run and passed on, so that a publication
    arriving mid-run cannot give one page two versions (and the run asks the database once)."""
    with engine().connect() as connection:
        return datasets.published_version(connection)


def page_units(query: dict[str, str], published: datasets.VersionInfo) -> str:
    """The unit set a page shows: the link's ``units``, else the published data's own set."""
    return read_units(query, published.units)


@st.cache_resource(show_spinner=False)
def _reference_2025() -> Reference2025:
    return load_reference_2025(_reference())   # a failure is not cached either


def require_units(units: str, lang: str) -> None:
    """For the 2025 units, their reference files too, or the same plain-words error page."""
    if units == UNITS_2025.id:
        with _reference_errors(lang):
            _reference_2025()


@st.cache_resource(show_spinner=False, max_entries=8)
def _published_table(version_id: int, units: str = UNITS_2023.id):
    """The commune table and catalogue for one published version in one unit set (cached per
    version, so a new publication is seen on the next rerun). ``NotInUnits`` for 2025-units
    data asked for on the 2023 units."""
    with engine().connect() as connection:
        data = published_dataset(connection, catalogue(), version_id)
    return tables_in_units(_reference(), _reference_2025() if units == UNITS_2025.id else None, data,
                           catalogue(), sources(), units)


def published_tables(version_id: int, units: str = UNITS_2023.id):
    """(commune table, catalogue, sources) of the published data in ``units``; ``version_id`` (the
    published version's id, from ``published_table``) is the cache key."""
    return _published_table(version_id, units)


@st.cache_resource(show_spinner=False, max_entries=8)
def unit_lookups(version_id: int, units: str) -> UnitLookups:
    """Names, name order and districts of the published table's units (see ``published_tables``)."""
    return lookups.unit_lookups(_published_table(version_id, units)[0])


@st.cache_resource(show_spinner=False, max_entries=64)
def range_stops(version_id: int, units: str, indicator_id: str, lang: str) -> RangeStops:
    """The value-range filter's stops and their labels for one indicator of the published table."""
    table, indicators, _ = _published_table(version_id, units)
    return lookups.range_stops(table, indicators[indicator_id], lang)


def reference_data() -> ReferenceData:
    """The loaded reference data; call ``require_reference`` first on a page."""
    return _reference()


def published_table(lang: str, published: datasets.VersionInfo, units: str = UNITS_2023.id):
    """(version id, commune table, catalogue, sources) of the ``published`` version in ``units``;
    stops with an error page when the reference data are missing."""
    require_reference(lang)
    require_units(units, lang)
    try:
        return (published.id, *_published_table(published.id, units))
    except NotInUnits as refused:
        not_in_units_page(str(refused), lang)


def not_in_units_page(data_units: str, lang: str) -> None:
    """The published figures are in the 2025 units and the link asks for the 2023 units: say it
    cannot be done honestly, offer the switch, and stop."""
    st.warning(t("units.cannot_2023", lang))
    switch_units_button(lang, data_units)
    st.stop()


def switch_units_button(lang: str, units: str) -> None:
    """A button that shows the page on the 2025 units (the only set that can show 2025 figures)."""
    st.button(t("units.switch_to_2025", lang), type="primary", on_click=_switch_units, args=(units,),
              key=f"switch_units_{units}")


def _switch_units(units: str) -> None:
    st.query_params["units"] = units
    for name in UNIT_PARAMETERS:
        st.query_params.pop(name, None)


# Parameters naming communes or districts: their codes mean other places, or nothing, in another set.
UNIT_PARAMETERS = ("c", "d", "inc", "exc", "zoom")


def reference_2025() -> Reference2025:
    """The 2025 units, polygons and crosswalk (call ``require_units`` first on a page)."""
    return _reference_2025()


def crosswalk() -> pd.DataFrame:
    """The official pairs old unit → 2025 unit with their weights (call ``require_units`` first)."""
    return _reference_2025().crosswalk


def units_2025() -> pd.DataFrame:
    return _reference_2025().units


@st.cache_resource(show_spinner=False)
def import_unit_sets() -> list[UnitSetIndex]:
    """The unit sets an imported file may be in (the 2025 units only with their reference files)."""
    return unit_set_indexes(_reference(), _reference_2025() if units_2025_available() else None)


def units_2025_available() -> bool:
    try:
        _reference_2025()
    except ReferenceDataError:
        return False
    return True


@st.cache_resource(show_spinner=False)
def district_bounds(_reference: ReferenceData) -> dict:   # "_": not hashed; one reference per process
    return group_bounds(_reference.communes, "district_code")


@st.cache_resource(show_spinner=False)
def district_points(_reference: ReferenceData) -> dict:
    return group_points(_reference.communes, "district_code")


@st.cache_resource(show_spinner=False)
def unit_bounds(_reference_2025: Reference2025) -> dict:
    return group_bounds(_reference_2025.communes, "gso_code")


@st.cache_resource(show_spinner=False, max_entries=64)
def map_view(version_id: int, state: MapState, lang: str) -> MapView:
    """The map view for one state of one published version, computed once and shared: callers
    must not modify it."""
    table, indicators, indicator_sources = _published_table(version_id, state.units)
    return build_view(table, indicators, indicator_sources, state, map_assets(state.units), model_figure(), lang,
                      value_sources(version_id))


def model_figure():
    """The report's model commune (its star on the map)."""
    return next((figure for figure in report() if figure.gso_code), None)


def slide_switch_url(version_id: int, state: PresentState, deck: Deck, places: SlidePlaces, lang: str) -> str:
    """The file of the next and previous slides' payloads (views/present/slide_map.py), for the
    map to switch to at once; written in the background the first time."""
    table, indicators, indicator_sources = _published_table(version_id, state.units)
    return switch_url(("slides", version_id, deck, step(state, deck, 1), step(state, deck, -1), lang),
                      partial(slide_switch, table, indicators, indicator_sources, state, deck, map_assets(state.units),
                              model_figure(), places, lang, value_sources(version_id)))


def indicator_switch_url(version_id: int, state: MapState, lang: str) -> str:
    """The file of every indicator's payload in this state, for the map to switch to at once
    (views/map/switch.py); written in the background the first time."""
    table, indicators, indicator_sources = _published_table(version_id, state.units)
    return switch_url(("indicators", version_id, indicator_switch_key(state), lang),
                      partial(indicator_switch, table, indicators, indicator_sources, state, map_assets(state.units),
                              model_figure(), lang, value_sources(version_id)))


@st.cache_resource(show_spinner=False, max_entries=8)
def value_sources(version_id: int) -> pd.DataFrame:
    """Who sent each value of a published round (a stored version never changes: cached by id)."""
    with engine().connect() as connection:
        return queries.value_sources(connection, version_id)


@st.cache_resource(show_spinner=False, max_entries=64)
def ranking_rows(version_id: int, state: MapState, lang: str) -> pd.DataFrame:
    """The ranked bars' rows for the same view (computed only when the ranking is open)."""
    return chart_rows(_published_table(version_id, state.units)[0], map_view(version_id, state, lang), state.commune,
                      lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def map_charts(version_id: int, state: MapState, lang: str) -> tuple[ChartPanel | None, ChartPanel | None]:
    """The distribution and by-district charts of the same view (built only when their section is open)."""
    table, catalogue_in_units = _published_table(version_id, state.units)[:2]
    view = map_view(version_id, state, lang)
    return (distribution_panel(table, view, state.commune, lang),
            district_panel(table, catalogue_in_units, view, lang))


@st.cache_resource(show_spinner=False, max_entries=64)
def data_table(version_id: int, state: MapState, lang: str) -> pd.DataFrame:
    """The text-alternative table for the same view (computed only when it is open)."""
    return table_rows(_published_table(version_id, state.units)[0], map_view(version_id, state, lang), lang)


@st.cache_resource(show_spinner=False, max_entries=256)
def commune_panel(version_id: int, gso_code: str, lang: str, units: str = UNITS_2023.id) -> pd.DataFrame:
    table, indicators, _ = _published_table(version_id, units)
    return panel_rows(table, indicators, gso_code, lang)


def map_assets(units: str = UNITS_2023.id) -> PublishedGeometry:
    if units == UNITS_2025.id:
        return shared_map_assets_2025(_reference_2025())
    return shared_map_assets(_reference())


def illustrative_banner(lang: str) -> None:
    st.warning(t("illustrative.long", lang), icon="⚠️")
