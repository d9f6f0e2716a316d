"""Deployment settings read from the environment (documented in README.md)."""
from __future__ import annotations

import os

from geo.maprender import TILE_LAYERS

BASE_TILES_ENV = "CAMAU_BASE_TILES"


def base_tiles() -> str:
    """The map's base layer: "none" (default: no request leaves the app server) or "osm"."""
    value = os.environ.get(BASE_TILES_ENV, "none").strip().lower()
    return value if value in TILE_LAYERS else "none"
