"""Deployment settings read from the environment (documented in README.md)."""
from __future__ import annotations

import os

from geo.maprender import TILE_LAYERS
from geo.web_geometry import STATIC_URL

BASE_TILES_ENV = "CAMAU_BASE_TILES"


def base_tiles() -> str:
    """The map's base layer: "none" (default: no request leaves the app server) or "osm"."""
    value = os.environ.get(BASE_TILES_ENV, "none").strip().lower()
    return value if value in TILE_LAYERS else "none"


def static_url() -> str:
    """Where Streamlit serves ./static: /app/static, below ``server.baseUrlPath`` when the app is
    served under a path (behind a reverse proxy, for example)."""
    import streamlit as st

    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{STATIC_URL}" if base else STATIC_URL
