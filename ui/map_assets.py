"""The map's static files (Leaflet, the layer script, the prepared geometry), written once per
process and shared by the editors' app and the public view."""
from __future__ import annotations

import streamlit as st

from geo.maprender import use_local_leaflet
from geo.reference import ReferenceData
from geo.units2025 import Reference2025
from geo.web_geometry import (
    PublishedGeometry,
    install_map_script,
    publish_geometry,
    publish_geometry_2025,
)
from ui.settings import static_url


@st.cache_resource(show_spinner=False)
def _geometry(_reference: ReferenceData) -> PublishedGeometry:   # "_": not hashed; one per process
    return publish_geometry(_reference, static_url=static_url())


@st.cache_resource(show_spinner=False)
def _geometry_2025(_reference_2025: Reference2025) -> PublishedGeometry:
    return publish_geometry_2025(_reference_2025, static_url=static_url())


@st.cache_resource(show_spinner=False)
def _scripts() -> tuple[str, str]:
    """(Leaflet and the layer script in one file, leaflet.css)."""
    return install_map_script(static_url=static_url())


def map_assets(reference: ReferenceData) -> PublishedGeometry:
    """Local Leaflet, our layer script and the geometry as static files; folium pointed at them."""
    use_local_leaflet(*_scripts())
    return _geometry(reference)


def map_assets_2025(reference_2025: Reference2025) -> PublishedGeometry:
    """The same for the 64 units of the merged province."""
    use_local_leaflet(*_scripts())
    return _geometry_2025(reference_2025)
