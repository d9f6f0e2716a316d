"""NAIVE BASELINE for benchmarks/map_benchmark.py: the straightforward folium choropleth.

This is the "N" variant of ../shared/notes/map-performance.md, on the same data as the real map
page: the reference commune GeoJSON as is (full resolution, every property it has), and on EVERY
rerun a whole new ``folium.Map`` with a ``folium.GeoJson`` (style_function + GeoJsonTooltip,
mapclassify Quantiles-5) passed to ``st_folium`` with the default ``returned_objects``.
It is NOT part of the app. It only shares the app's local Leaflet (no CDN), so that the comparison
is fair and works offline, and the app's indicator values (``indicators.table.commune_table``).

Run standalone (static files must resolve to /work/main/static, see map_benchmark.py):
    streamlit run <dir with this file and a "static" link to /work/main/static>/naive_app.py
"""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]   # resolve(): the benchmark runs this file via a symlink
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import folium
import geopandas as gpd
import mapclassify
import streamlit as st
from streamlit_folium import st_folium

from geo.maprender import MAP_HEIGHT, use_local_leaflet
from geo.reference import COMMUNES_FILE, load_reference, reference_dir
from geo.web_geometry import install_leaflet
from indicators.catalogue import load_catalogue
from indicators.sample import read_sample_csv
from indicators.table import commune_table
from views.map.state import DEFAULT_INDICATOR

PALETTE = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]   # YlGnBu-5, as the app's default
CATEGORY = {"pilot": "#1f78b4", "not_pilot": "#fdbf6f"}
NO_DATA = "#bdbdbd"

st.set_page_config(page_title="Naive baseline map", layout="wide")
use_local_leaflet(*install_leaflet())


@st.cache_data
def load():
    """Full-resolution communes with all their file properties, plus every indicator column."""
    catalogue = load_catalogue()
    table = commune_table(load_reference(), read_sample_csv(), catalogue)
    communes = gpd.read_file(reference_dir() / COMMUNES_FILE)
    communes["gso_code"] = communes["gso_code"].astype(str).str.zfill(5)
    names = {i: ind.name["vi"] + (" · Dữ liệu minh họa" if ind.illustrative else "")
             for i, ind in catalogue.items()}
    categories = {i for i, ind in catalogue.items() if ind.kind == "category"}
    return communes, table.set_index("gso_code")[list(catalogue)], names, categories


def build_map(communes: gpd.GeoDataFrame, values, indicator: str, categorical: bool) -> folium.Map:
    column = values[indicator].reindex(communes["gso_code"]).to_numpy()
    gdf = communes.assign(value=column)          # the tooltip's value: the selected indicator only
    if categorical:                              # pilot_status
        gdf["fill"] = [CATEGORY.get(v, NO_DATA) for v in column]
    else:
        present = gdf["value"].notna()
        gdf["fill"] = NO_DATA
        classes = mapclassify.Quantiles(gdf.loc[present, "value"].astype(float), k=5).yb
        gdf.loc[present, "fill"] = [PALETTE[c] for c in classes]
    minx, miny, maxx, maxy = communes.total_bounds
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None)
    folium.GeoJson(
        gdf,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#4d4d4d",
                                  "weight": 0.6, "fillOpacity": 0.85},
        tooltip=folium.GeoJsonTooltip(fields=["name", "district_name", "value"],
                                      aliases=["Xã", "Huyện", "Giá trị"]),
    ).add_to(fmap)
    return fmap


communes, values, names, categories = load()
indicator = st.selectbox("Chỉ tiêu", list(names), index=list(names).index(DEFAULT_INDICATOR),  # as the map page
                         key="w_indicator", format_func=names.get)
st_folium(build_map(communes, values, indicator, indicator in categories), height=MAP_HEIGHT, use_container_width=True)
