"""The thin Streamlit layer shared by the pages: cached loading, the language, the error page."""
from __future__ import annotations

import streamlit as st

from geo.maprender import use_local_leaflet
from geo.reference import DEFAULT_REFERENCE_DIR, ReferenceData, ReferenceDataError, load_reference
from geo.web_geometry import PublishedGeometry, install_leaflet, publish_geometry
from indicators.catalogue import load_catalogue, load_report, load_sources
from indicators.sample import read_sample_csv
from indicators.table import commune_table
from ui.i18n import t
from ui.state import LANGUAGES


def current_lang() -> str:
    lang = st.query_params.get("lang") or st.session_state.get("lang", "vi")
    return lang if lang in LANGUAGES else "vi"


@st.cache_resource(show_spinner=False)
def _reference() -> ReferenceData:
    return load_reference()   # a failure is not cached: the next rerun tries again


def require_reference(lang: str) -> ReferenceData:
    """The reference data, or a plain-words error page (no traceback) and a stop."""
    try:
        return _reference()
    except ReferenceDataError as error:
        st.error(t(f"ref.{error.kind}", lang, path=str(error.path)))
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
def _commune_table():
    return commune_table(_reference(), read_sample_csv(), catalogue())


def commune_table_for(lang: str):
    require_reference(lang)
    return _commune_table()


@st.cache_resource(show_spinner=False)
def _published_geometry() -> PublishedGeometry:
    return publish_geometry(_reference())


@st.cache_resource(show_spinner=False)
def _leaflet_urls() -> tuple[str, str]:
    return install_leaflet()


def map_assets() -> PublishedGeometry:
    """Leaflet and the geometry as local static files; folium pointed at them."""
    use_local_leaflet(*_leaflet_urls())
    return _published_geometry()


def illustrative_banner(lang: str) -> None:
    st.warning(t("illustrative.long", lang), icon="⚠️")
