"""Geometry prepared for the browser, once per process, and published as static files.

The commune layer is simplified with ``topojson`` (shared borders are simplified once, so
neighbours stay together), rounded to 5 decimals (about 1 m) and stripped to the properties the
map needs. The files are written under ``static/`` (served by Streamlit at ``/app/static``, not
committed) with a content hash in the name, so a browser never keeps a stale copy.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import topojson

from geo.reference import REPO_ROOT, ReferenceData
from geo.units2025 import Reference2025

STATIC_DIR = REPO_ROOT / "static"
STATIC_URL = "/app/static"
SIMPLIFY_DEGREES = 0.002      # ≈ 220 m; more breaks the small wards of Cà Mau city
DECIMALS = 5                  # ≈ 1 m
PRECISION_DEGREES = 10.0 ** -DECIMALS


@dataclass(frozen=True)
class PublishedGeometry:
    communes_url: str
    outlines_url: str
    communes_bytes: int
    outlines_bytes: int
    centroids: dict[str, tuple[float, float]]   # gso_code -> (lat, lon), a point inside the polygon
    bounds: tuple[float, float, float, float]   # minx, miny, maxx, maxy


def commune_tip_html(name: str, district: str | None, unit_type: str) -> str:
    """The fixed part of a commune's tooltip (the 2025 units have no district). Every value is
    escaped: names may come from imported files and are shown inside an iframe that runs scripts."""
    second = f"{html.escape(str(district))} · " if district else ""
    return f"<b>{html.escape(str(name))}</b><br>{second}{html.escape(str(unit_type))}"


def simplify_communes(communes: gpd.GeoDataFrame, tolerance: float = SIMPLIFY_DEGREES) -> gpd.GeoDataFrame:
    frame = communes.reindex(columns=["gso_code", "name", "district", "type", "geometry"]).reset_index(drop=True)
    if tolerance > 0:
        simplified = topojson.Topology(frame[["gso_code", "geometry"]], prequantize=1e5,
                                       toposimplify=tolerance).to_gdf()
        geometry = dict(zip(simplified["gso_code"], simplified.geometry))
        frame = frame.assign(geometry=frame["gso_code"].map(geometry))
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=communes.crs)
    # Simplifying the detailed 2025 coast can leave a self-touching ring, which set_precision
    # refuses: repaired before and after snapping.
    frame["geometry"] = _rounded(shapely.make_valid(
        shapely.set_precision(shapely.make_valid(frame.geometry.values), PRECISION_DEGREES)))
    return frame


def _rounded(geometry):
    """Coordinates as the doubles nearest to 5-decimal values, so JSON prints them in 5 decimals
    (grid snapping alone leaves values such as 9.194050000000001)."""
    return shapely.transform(geometry, lambda coords: np.round(coords, DECIMALS))


def commune_collection(communes: gpd.GeoDataFrame) -> dict:
    features = []
    for row in communes.itertuples(index=False):
        features.append({
            "type": "Feature", "id": row.gso_code,
            "properties": {"gso_code": row.gso_code,
                           "tip": commune_tip_html(row.name, None if pd.isna(row.district) else row.district,
                                                   row.type)},
            "geometry": shapely.geometry.mapping(row.geometry),
        })
    return {"type": "FeatureCollection", "features": features}


def outline_collection(districts: gpd.GeoDataFrame | None, province: gpd.GeoDataFrame) -> dict:
    """District (none from 2025) and province outlines, lightly simplified: lines only."""
    features = []
    levels = (("district", districts), ("province", province)) if districts is not None else (("province", province),)
    for level, frame in levels:
        geometry = _rounded(shapely.set_precision(
            frame.geometry.simplify(SIMPLIFY_DEGREES / 2, preserve_topology=True).values,
            PRECISION_DEGREES))
        for geom in geometry:
            features.append({"type": "Feature", "properties": {"level": level},
                             "geometry": shapely.geometry.mapping(geom)})
    return {"type": "FeatureCollection", "features": features}


def _compact_json(data: dict) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def write_atomic(target: Path, payload: bytes) -> None:
    """Write then rename, so a browser never receives a half-written file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-")
    with os.fdopen(handle, "wb") as out:
        out.write(payload)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


def write_hashed(directory: Path, stem: str, payload: bytes, suffix: str = ".geojson") -> str:
    digest = hashlib.sha256(payload).hexdigest()[:12]
    target = directory / f"{stem}-{digest}{suffix}"
    if not target.exists():
        write_atomic(target, payload)
    return target.name


def publish_geometry(ref: ReferenceData, static_dir: Path = STATIC_DIR,
                     static_url: str = STATIC_URL) -> PublishedGeometry:
    """The 2022–2024 units with their district and province outlines (gis.chinhphu.vn)."""
    return _publish(ref.communes, outline_collection(ref.districts, ref.province), "", static_dir, static_url)


def publish_geometry_2025(reference_2025: Reference2025, static_dir: Path = STATIC_DIR,
                          static_url: str = STATIC_URL) -> PublishedGeometry:
    """The 64 units of the merged province and its outline (there are no districts)."""
    return _publish(reference_2025.communes, outline_collection(None, reference_2025.province), "-2025",
                    static_dir, static_url)


def _publish(communes: gpd.GeoDataFrame, outlines: dict, suffix: str, static_dir: Path,
             static_url: str) -> PublishedGeometry:
    commune_bytes = _compact_json(commune_collection(simplify_communes(communes)))
    outline_bytes = _compact_json(outlines)
    geo_dir = static_dir / "geo"
    communes_name = write_hashed(geo_dir, f"communes{suffix}", commune_bytes)
    outlines_name = write_hashed(geo_dir, f"outlines{suffix}", outline_bytes)
    points = communes.geometry.representative_point()
    centroids = {code: (round(p.y, 5), round(p.x, 5)) for code, p in zip(communes["gso_code"], points)}
    minx, miny, maxx, maxy = (float(x) for x in communes.total_bounds)
    return PublishedGeometry(f"{static_url}/geo/{communes_name}", f"{static_url}/geo/{outlines_name}",
                             len(commune_bytes), len(outline_bytes), centroids, (minx, miny, maxx, maxy))


def install_leaflet(static_dir: Path = STATIC_DIR, static_url: str = STATIC_URL) -> tuple[str, str]:
    """Copy Leaflet from the pinned ``xstatic-leaflet`` package into ``static/`` (git-ignored) and
    return the URLs of leaflet.js and leaflet.css. Nothing is ever fetched from a CDN."""
    from xstatic.pkg import leaflet as xstatic_leaflet

    source = Path(xstatic_leaflet.BASE_DIR)
    target = static_dir / f"leaflet-{xstatic_leaflet.VERSION}"
    if not (target / "leaflet.js").is_file():
        static_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=static_dir, prefix=".leaflet-"))
        try:
            shutil.copytree(source, staging / "leaflet",
                            ignore=shutil.ignore_patterns("*.map", "*-src*.js"))
            if not (target / "leaflet.js").is_file():
                os.replace(staging / "leaflet", target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    base = f"{static_url}/{target.name}"
    return f"{base}/leaflet.js", f"{base}/leaflet.css"


def install_map_script(static_dir: Path = STATIC_DIR, static_url: str = STATIC_URL) -> tuple[str, str]:
    """Publish Leaflet (from the pinned package, see ``install_leaflet``) and the project's layer
    script (geo/choropleth_layer.js) as one content-hashed file; return its URL and leaflet.css's.
    The map's iframe loads its scripts one after the other, and one file is one round trip less
    before the communes are drawn."""
    from xstatic.pkg import leaflet as xstatic_leaflet

    from geo.maprender import LAYER_SCRIPT

    _, css_url = install_leaflet(static_dir, static_url)
    leaflet = (static_dir / f"leaflet-{xstatic_leaflet.VERSION}" / "leaflet.js").read_bytes()
    name = write_hashed(static_dir / "js", "leaflet-choropleth", leaflet + b"\n;\n" + LAYER_SCRIPT.read_bytes(), ".js")
    return f"{static_url}/js/{name}", css_url
