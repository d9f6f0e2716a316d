"""Bản đồ công khai: the public, read-only view, run as its own server process.

    bash scripts/run-public.sh        (port 8502; see README: Bản đồ công khai)

It reads the published version through a read-only connection and imports nothing that can
write (tests/test_public.py checks the import graph). st.navigation with this single page keeps
the editors' pages in pages/ unreachable from this server.
"""
import streamlit as st
from streamlit_folium import st_folium

from geo.maprender import base_map, commune_layer
from geo.reference import ReferenceDataError
from geo.units2025 import UNITS_2023, UNITS_2025
from indicators.conversion import NotInUnits
from indicators.table import has_districts
from l10n import labels
from l10n.messages import t
from l10n.text import notice_params
from reports.tables import csv_bytes
from ui.public_support import data_csv_rows, map_assets, public_data, published_version, reference
from ui.server_guard import refuse_global_cache_clearing
from ui.settings import base_tiles
from ui.unit_set import apply_choice
from views.map.embed import PUBLIC_LANG_PARAM
from views.map.mapview import (
    build_view,
    html_table,
    indicator_title,
    legend_html,
    provenance_text,
    table_rows,
    units_caption,
)
from views.map.state import MapState, read_units
from views.public.public_state import read_public_state

# Title, legend (up to two rows in a 600 px frame), source line and download link around the map,
# with the tightened gaps below, in pixels: the page then fits the embed's height.
CHROME_HEIGHT = 215


def units_switch(container, units: str, lang: str) -> None:
    """The unit-set switch on the embed's button row (the embed has no room for a row of its own)."""
    st.session_state["p_units"] = units
    container.segmented_control(t("units.switch", lang), list(labels.UNIT_SET_SHORT), key="p_units",
                                format_func=lambda option: labels.label(labels.UNIT_SET_SHORT, option, lang),
                                label_visibility="collapsed", on_change=apply_choice, args=("p_units", ("c", "d")))


def public_map() -> None:
    lang = st.query_params.get(PUBLIC_LANG_PARAM, "vi")
    lang = lang if lang in ("vi", "en") else "vi"
    try:
        reference()
    except ReferenceDataError:
        st.error(t("public.unavailable", lang))
        return
    version = published_version()
    query = st.query_params.to_dict()
    published_units = version.units if version else UNITS_2023.id
    units = read_units(query, published_units)
    try:
        table, visible, catalogue, sources = public_data(version.id if version else None, units)
    except ReferenceDataError:       # the 2025 files missing: the link cannot be shown
        st.error(t("public.unavailable", lang))
        return
    except NotInUnits:               # 2025 figures asked for on the 2022–2024 units
        st.warning(t("units.cannot_2023", lang))
        units_switch(st.container(horizontal=True), units, lang)
        return
    state, notices = read_public_state(
        query, list(visible), [version.period] if version else [],
        table["district_code"].unique() if has_districts(table) else (), table["gso_code"], published_units)
    indicator = visible[state.indicator]
    map_state = MapState(indicator=indicator.id, districts=(state.district,) if state.district else (),
                         commune=state.commune, lang=state.lang, units=units)
    geometry = map_assets(units)
    view = build_view(table, catalogue, sources, map_state, geometry, None, state.lang)

    st.markdown(f"**{indicator_title(indicator, state.lang)}**")
    st_folium(base_map(geometry.bounds, base_tiles()), key="public_map",
              feature_group_to_add=commune_layer(view.layer), height=max(state.height - CHROME_HEIGHT, 160),
              use_container_width=True, returned_objects=[])
    st.html(f'<div class="camau-public-legend" style="display:flex;flex-wrap:wrap;column-gap:.8rem;'
            f'line-height:1.1">{legend_html(view.legend, state.lang, compact=True)}</div>')
    provenance = provenance_text(indicator, catalogue, sources, state.lang, markdown=True)
    st.caption(provenance + (f" · {units_caption(indicator, state.lang, short=True)}" if units == UNITS_2025.id else ""))
    # The text alternative to the map sits in a popover on the download's row: the embed keeps its height.
    # A horizontal container, not columns: Streamlit stacks columns below 640 px, the embed's width.
    data_row = st.container(horizontal=True, gap="small")
    data_row.download_button(t("public.get_data", state.lang),
                             csv_bytes(data_csv_rows(table, indicator, view.texts, state.lang)),
                             file_name=f"camau_{indicator.id}.csv", mime="text/csv", icon=":material/download:")
    with data_row.popover(t("public.table", state.lang), icon=":material/table:"):
        st.html(html_table(table_rows(table, view, state.lang)))
    units_switch(data_row, units, state.lang)
    if notices:
        st.caption(t("map.notice", state.lang, params=notice_params(notices)))


refuse_global_cache_clearing()
st.set_page_config(page_title="Bản đồ chuyển đổi số Cà Mau", page_icon="🗺️", layout="wide",
                   initial_sidebar_state="collapsed")
# Outside an embed (a share link opened on its own) Streamlit's header bar would cover the title.
st.html("<style>.block-container{padding:0.4rem 0.6rem}[data-testid='stHeader']{display:none}"
        "[data-testid='stVerticalBlock']{gap:0.35rem}"
        # Streamlit gives markdown a -1rem bottom margin against its paragraphs' 1rem: both go, or
        # the title slides under the map.
        "[data-testid='stMarkdownContainer']{margin-bottom:0}"
        "[data-testid='stMarkdownContainer'] p{margin-bottom:0}</style>")
st.navigation([st.Page(public_map, title="Bản đồ", default=True)], position="hidden").run()
