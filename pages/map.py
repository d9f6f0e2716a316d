from dataclasses import replace
from functools import partial

import streamlit as st

from geo.maprender import union_bounds
from geo.units2025 import UNITS_2025
from l10n.messages import N_, t, tn
from l10n.text import notice_params
from publicsite.build import shows_illustrative
from ui import map_widgets as widgets
from ui.commune_map import commune_map
from ui.export_support import (
    DATA_KINDS,
    PICTURE_KINDS,
    brief_download,
    download_buttons,
    single_district,
    view_downloads,
)
from ui.streamlit_support import (
    commune_panel,
    crosswalk,
    current_lang,
    data_table,
    district_bounds,
    illustrative_banner,
    indicator_switch_url,
    map_assets,
    map_charts,
    map_view,
    page_units,
    published_table,
    published_version,
    range_stops,
    ranking_rows,
    reference_data,
    unit_lookups,
    units_2025,
    units_2025_available,
)
from views.map.charts import category_counts_html, ranked_bars_html
from views.map.embed import embed_code, public_base_url, public_indicators, share_link
from views.map.mapview import (
    conversion_note,
    html_table,
    indicator_title,
    legend_html,
    provenance_text,
    units_caption,
)
from views.map.state import VIEW_PARAM, MapState, read_state, read_viewport, write_state
from views.map.units import formed_from_rows, went_into_rows
from views.public.public_state import PublicState

lang = current_lang()
query = st.query_params.to_dict()
published = published_version()
units = page_units(query, published)
version_id, table, indicators, indicator_sources = published_table(lang, published, units)
lookups = unit_lookups(version_id, units)
codes, names = lookups.codes, lookups.names
has_districts = bool(lookups.districts)

# --- State: URL -> widgets -> state -> URL -----------------------------------------------
url_state, notices = read_state(query, indicators, lookups.districts, codes,
                                published.units)
viewport, view_notices = read_viewport(query)
notices += view_notices
widgets.sync_from_url(url_state, query)

st.title(t("map.title", lang))
widgets.units_switch(lang)
# Elements above the map that come and go live in fixed slots: if the number of elements before
# the map changed, Streamlit would rebuild the columns and reload the map's iframe.
notice_slot = st.empty()
if notices:
    notice_slot.caption(t("map.notice", lang, params=notice_params(notices)))
controls = widgets.indicator_controls(indicators, lang)
indicator = indicators[controls["indicator"]]
breaks, breaks_error = widgets.parse_breaks(controls["breaks_text"], lang)
with st.sidebar:
    filters = widgets.filter_controls(lookups.districts, range_stops(version_id, units, indicator.id, lang),
                                      indicator, lang)

state = MapState(
    indicator=indicator.id, scheme=controls["scheme"], classes=controls["classes"], palette=controls["palette"],
    breaks=breaks if controls["scheme"] == "manual" else (), commune=st.session_state.get("w_commune"),
    lang=lang, units=units, **filters)
geometry = map_assets(units)
view = map_view(version_id, state, lang)
warning_slot = st.empty()
if state.scheme == "manual" and (breaks_error or view.breaks_error):
    warning_slot.warning(t("map.breaks.invalid", lang, error=breaks_error or view.breaks_error))
    state = replace(state, scheme="quantiles", breaks=())

# A shared link's view holds until the user chooses other districts or units (the map then
# flies there); a view the user moves to later is written into the URL by the map itself.
if viewport is not None and (state.districts, state.units) != (url_state.districts, url_state.units):
    viewport = None
new_query = write_state(state, published.units) | ({VIEW_PARAM: viewport.param()} if viewport else {})
if new_query != query:
    st.query_params.from_dict(new_query)
widgets.remember_url(new_query)

# --- Map and legend ------------------------------------------------------------------------
banner_slot = st.empty()
if indicator.illustrative:
    with banner_slot:
        illustrative_banner(lang)
map_column, side_column = st.columns([3, 1.25])
with map_column:
    # The click count makes a click on the commune just cleared a new value (streamlit-folium sends
    # only values that differ from the last one).
    # Chosen districts: the map flies to them; none: to the province.
    minx, miny, maxx, maxy = geometry.bounds
    area = ([[miny, minx], [maxy, maxx]] if not (state.districts and has_districts)
            else union_bounds([district_bounds(reference_data())[code] for code in state.districts]))
    layer = replace(view.layer, switch=indicator_switch_url(version_id, state, lang), fit=area,
                    view=viewport.payload() if viewport else None, view_param=VIEW_PARAM)
    commune_map(layer, geometry.bounds, key=widgets.MAP_KEY, clicks=True,
                on_change=partial(widgets.on_map_click, codes))
    st.caption(provenance_text(indicator, indicators, indicator_sources, lang, markdown=True))
    if units == UNITS_2025.id:
        st.caption(units_caption(indicator, lang))
with side_column:
    st.markdown(f"**{t('legend.title', lang)}:** {indicator_title(indicator, lang)}")
    st.html(legend_html(view.legend, lang))
    if view.layer.marker:      # the model ward (Phường 1) has no polygon of its own since 2025
        st.caption("★ " + t("legend.model", lang))
    shown = int(view.mask.sum())
    count_key = N_("map.filter.count") if has_districts else N_("map.filter.count_2025")
    st.caption(t(count_key, lang, shown=shown, total=len(table)))

    st.subheader(t("panel.title", lang))
    st.selectbox(t("panel.choose", lang), [None, *lookups.by_name], key="w_commune",
                 placeholder=t("panel.none", lang),
                 format_func=lambda code: names.get(code, t("panel.none", lang)) if code else t("panel.none", lang))
    if state.commune:
        st.button(t("panel.clear", lang), on_click=widgets.clear_selection)
    else:
        st.caption(t("panel.hint", lang))

if state.commune:
    st.subheader(names[state.commune])
    if units == UNITS_2025.id:
        st.caption(conversion_note(table, indicator, state.commune, lang))
    panel = commune_panel(version_id, state.commune, lang, units)
    st.html(html_table(panel))
    st.caption(t("panel.rank_note", lang))
    # The crosswalk explorer: where a 2025 unit came from, where an old unit went (when the 2025
    # files are there: the 2022–2024 map works without them).
    if units == UNITS_2025.id:
        pieces = formed_from_rows(crosswalk(), reference_data().units, state.commune, lang)
        st.markdown(f"**{t('units.formed_from', lang)}**")
        if len(pieces):
            st.html(html_table(pieces))
        else:
            st.caption(t("units.bac_lieu", lang))
    elif units_2025_available():
        st.markdown(f"**{t('units.went_into', lang)}**")
        st.html(html_table(went_into_rows(crosswalk(), units_2025(), state.commune, lang)))

# --- Ranking and table, after the map so the map's update reaches the browser first. Each is
# drawn only while its section is open: drawing them on every rerun delayed the map's repaint by
# ~70 ms (benchmarks/map_benchmark.py).
chart_title = t("chart.title", lang) + (f" · {t('illustrative', lang)}" if indicator.illustrative else "")
chart_section = st.expander(chart_title, icon=":material/bar_chart:", key="x_chart", on_change="rerun")
if chart_section.open:
    rows = ranking_rows(version_id, state, lang)
    with chart_section:
        if rows.empty:
            st.info(t("chart.empty", lang))
        elif indicator.kind == "category":
            st.html(category_counts_html(rows, lang))
        else:
            with st.container(height=min(600, max(120, 22 * len(rows) + 40))):
                st.html(ranked_bars_html(rows, indicator, lang))
figures_section = st.expander(t("chart.figures.title", lang) + (f" · {t('illustrative', lang)}" if indicator.illustrative
                                                                 else ""),
                              icon=":material/scatter_plot:", key="x_figures", on_change="rerun")
if figures_section.open:
    distribution, by_district = map_charts(version_id, state, lang)
    with figures_section:
        if distribution is not None:
            st.vega_lite_chart(spec=distribution.spec, width="stretch")
        elif indicator.kind == "category":
            st.caption(t("chart.figures.category", lang))
        if by_district is not None:
            st.vega_lite_chart(spec=by_district.spec, width="stretch")
        elif has_districts:
            st.caption(t("chart.district.none", lang))
table_section = st.expander(t("table.title", lang), key="x_table", on_change="rerun")
if table_section.open:
    with table_section:
        st.html(html_table(data_table(version_id, state, lang)))
        if indicator.illustrative:
            st.caption(t("illustrative.long", lang))
embed_section = st.expander(t("embed.title", lang), icon=":material/code:", key="x_embed", on_change="rerun")
if embed_section.open:
    with embed_section:
        st.caption(t("embed.intro", lang))
        if indicator.id in public_indicators(indicators, shows_illustrative()):
            height = st.number_input(t("embed.height", lang), 300, 1200, 400, step=50, key="w_embed_height")
            public_state = PublicState(indicator.id, district=state.districts[0] if len(state.districts) == 1 else None,
                                       commune=state.commune, lang=lang, height=int(height), units=units)
            st.text(t("embed.code", lang))
            st.code(embed_code(public_base_url(), public_state, indicator_title(indicator, lang)), language="html")
            st.text(t("embed.link", lang))
            st.code(share_link(public_base_url(), public_state), language=None)
        else:
            st.info(t("embed.not_public", lang))
# Exports: each file is made only when its button is clicked (see ui/export_support.py).
export_section = st.expander(t("export.title", lang), icon=":material/download:", key="x_export", on_change="rerun")
if export_section.open:
    with export_section:
        st.caption(t("export.intro", lang))
        downloads = view_downloads(version_id, state, lang, table, indicators, indicator_sources)
        st.markdown(f"**{t('export.picture', lang)}**")
        download_buttons([downloads[kind] for kind in PICTURE_KINDS])
        st.markdown(f"**{tn('export.data', shown, lang)}**")
        download_buttons([downloads[kind] for kind in DATA_KINDS])
        st.markdown(f"**{t('export.brief', lang)}**")
        if not has_districts:
            st.info(t("units.brief_2023_only", lang))
        else:
            districts = lookups.districts
            default_district = single_district(state)
            # The key follows the filter's district, so the choice resets to it when the filter changes.
            brief_district = st.selectbox(
                t("map.filter.district", lang), list(districts), format_func=districts.get,
                index=list(districts).index(default_district) if default_district else None,
                placeholder=t("export.brief.choose", lang), key=f"w_brief_district_{default_district}")
            if brief_district:
                download_buttons([brief_download(version_id, state, lang, brief_district, table, indicators,
                                                 indicator_sources)])
