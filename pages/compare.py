"""Compare two reporting periods of an indicator: two maps with the same classes, or a change map.
With one period (the illustrative sample), that period's map and how a second one arrives."""
import streamlit as st

from geo.maprender import MAP_HEIGHT
from geo.units2025 import UNITS_2023, UNITS_2025
from indicators.periods import Period, available_periods, period_table
from l10n import labels
from l10n.messages import t, tn
from l10n.text import notice_params, plain
from ui.commune_map import commune_map
from ui.streamlit_support import (
    catalogue,
    current_lang,
    engine,
    illustrative_banner,
    map_assets,
    page_units,
    published_version,
    reference_2025,
    require_reference,
    require_units,
    sources,
    switch_units_button,
)
from ui.unit_set import units_switch
from views.compare.change_chart import LARGEST_CHANGES, ChangeChart, change_chart, left_out_text
from views.compare.compare_view import (
    MODES,
    CompareState,
    change_explanation,
    change_map,
    comparison_rows,
    denominator_statement,
    period_catalogue,
    period_maps,
    period_name,
    period_statement,
    read_compare_state,
    shared_legend_html,
    write_compare_state,
)
from views.map.mapview import html_table, legend_html, units_caption

SIDE_MAP_HEIGHT = 520
_SYNCED_QUERY = "_compare_synced_query"

lang = current_lang()
reference = require_reference(lang)
published = published_version()
units = page_units(st.query_params.to_dict(), published)
require_units(units, lang)
indicators, indicator_sources = catalogue(), sources()
with engine().connect() as connection:
    periods = available_periods(connection, indicators)
# Periods reported in the 2025 units cannot be shown on the 2023 units (see indicators.conversion).
hidden = (sorted({p.label for found in periods.values() for p in found if p.units != UNITS_2023.id})
          if units == UNITS_2023.id else [])
periods = {i: [p for p in found if units != UNITS_2023.id or p.units == UNITS_2023.id] for i, found in periods.items()}


@st.cache_resource(show_spinner=False, max_entries=16)
def version_table(version_id: int, units: str):
    """One version's commune table in ``units``. A stored version never changes, so its id is the
    cache key."""
    with engine().connect() as connection:
        return period_table(connection, reference, indicators, version_id,
                            reference_2025() if units == UNITS_2025.id else None)


@st.cache_resource(show_spinner=False, max_entries=32)
def period_change_chart(period_a: Period, period_b: Period, indicator_id: str, units: str, lang: str,
                        show_all: bool) -> ChangeChart:
    """The change chart of one comparison, built once (a period names its stored version, which
    never changes)."""
    return change_chart(version_table(period_a.version_id, units), version_table(period_b.version_id, units),
                        period_a, period_b, indicators[indicator_id], lang, show_all)


# --- State: URL -> widgets -> state -> URL (as on the map page) ----------------------------------
query = st.query_params.to_dict()
url_state, notices = read_compare_state(query, periods, published.units)
if st.session_state.get(_SYNCED_QUERY) != query:
    for key, value in (("w_cmp_indicator", url_state.indicator), ("w_cmp_a", url_state.period_a),
                       ("w_cmp_b", url_state.period_b), ("w_cmp_mode", url_state.mode),
                       ("w_cmp_units", url_state.units)):
        st.session_state[key] = value

st.title(t("compare.title", lang))
st.caption(t("compare.intro", lang))
units_switch(lang, "w_cmp_units", drop=())
if hidden:
    st.info(t("compare.units_hidden", lang, periods=", ".join(plain(label) for label in hidden)))
    switch_units_button(lang, UNITS_2025.id)
if notices:
    st.caption(t("map.notice", lang, params=notice_params(notices)))
if url_state.indicator is None:
    st.info(t("compare.none", lang))
    st.stop()

comparable = [i for i, p in periods.items() if p]
controls = st.columns([3, 2, 2, 2.4])
indicator_id = controls[0].selectbox(
    t("compare.indicator", lang), comparable, key="w_cmp_indicator",
    format_func=lambda i: tn("compare.indicator_periods", len(periods[i]), lang, name=indicators[i].name[lang]), placeholder=t("widget.choose", lang))
by_label = {p.label: p for p in periods[indicator_id]}
if st.session_state.get("w_cmp_a") not in by_label or st.session_state.get("w_cmp_b") not in by_label:
    # Another indicator was chosen: its own latest periods.
    fresh, _ = read_compare_state({"ind": indicator_id}, periods, units)
    st.session_state["w_cmp_a"], st.session_state["w_cmp_b"] = fresh.period_a, fresh.period_b
one_period = len(by_label) == 1   # nothing to choose yet: the controls stay visible but disabled
period_a = by_label[controls[1].selectbox(t("compare.period_a", lang), list(by_label), key="w_cmp_a",
                                          format_func=lambda label: period_name(by_label[label], lang),
                                          disabled=one_period, placeholder=t("widget.choose", lang))]
period_b = by_label[controls[2].selectbox(t("compare.period_b", lang), list(by_label), key="w_cmp_b",
                                          format_func=lambda label: period_name(by_label[label], lang),
                                          disabled=one_period, placeholder=t("widget.choose", lang))]
mode = controls[3].radio(t("compare.mode", lang), MODES, key="w_cmp_mode", horizontal=True,
                         format_func=lambda m: labels.label(labels.COMPARE_MODE, m, lang), disabled=one_period)

state = CompareState(indicator_id, period_a.label, period_b.label, mode, lang, units)
new_query = write_compare_state(state, published.units)
if new_query != query:
    st.query_params.from_dict(new_query)
st.session_state[_SYNCED_QUERY] = new_query

# --- Maps, legend and the text alternative --------------------------------------------------------
geometry = map_assets(units)
indicator = indicators[indicator_id]
shown = [period_a] if period_a == period_b else [period_a, period_b]
if any(p.illustrative for p in shown):
    illustrative_banner(lang)
if one_period:
    st.info(t("compare.one_period", lang, name=period_name(period_a, lang, markdown=True)))
elif len(shown) == 1:
    st.warning(t("compare.same_period", lang))
elif period_a.illustrative != period_b.illustrative:
    st.warning(t("compare.mixed", lang))
tables = [version_table(p.version_id, units) for p in shown]
shown_indicators = [period_catalogue(p, indicators, indicator_sources, units)[0][indicator_id] for p in shown]
converted = next((i for i in shown_indicators if i.conversion), None)
if units == UNITS_2025.id:
    st.caption(units_caption(converted or shown_indicators[0], lang))
    if len({p.units for p in shown}) > 1:
        old, new = (p for p in sorted(shown, key=lambda p: p.units))
        st.info(t("compare.units_converted", lang, old=plain(old.label), new=plain(new.label)))
maps = period_maps(tables, shown, indicator_id, indicators, indicator_sources, geometry, lang, units)
# The change also goes into the table in side-by-side mode.
change = (change_map(*tables, *shown, indicator_id, indicators, geometry, lang, converted)
          if len(shown) == 2 else None)
illustrative = any(p.illustrative for p in shown)
illustrative_mark = f" · {t('illustrative', lang)}" if illustrative else ""
# The text alternative comes before the maps in the keyboard order: Leaflet makes each of a map's
# 101 polygons a tab stop, so after two maps the table would be over 200 Tab presses away.
with st.expander(t("table.title", lang)):
    st.html(html_table(comparison_rows(tables[0], maps, change, lang),
                       caption=t("illustrative.long", lang) if illustrative else ""))
if change is not None and mode == "change":
    map_column, legend_column = st.columns([3, 1.25])
    with map_column:
        commune_map(change.layer, geometry.bounds, key="compare_change_map")
    with legend_column:
        st.markdown(f"**{t('legend.title', lang)}:** "
                    + t("compare.change_header", lang, indicator=indicator.name[lang], a=plain(period_a.label),
                        b=plain(period_b.label)) + illustrative_mark)
        st.html(legend_html(change.legend, lang))
        st.caption(change_explanation(indicator, change.change.kind, lang))
        st.caption(denominator_statement(indicator, indicators, lang))
        for letter, period in zip("AB", shown):
            st.caption(period_statement(letter, period, indicators, indicator_sources, indicator_id, lang, units))
else:
    map_columns = st.columns(len(shown))
    for letter, column, period_map in zip("AB", map_columns, maps.maps):
        with column:
            heading = t("compare.map_heading", lang, letter=letter,
                        name=period_name(period_map.period, lang, markdown=True))
            st.markdown(f"**{heading}**")
            commune_map(period_map.layer, geometry.bounds, key=f"compare_map_{letter.lower()}",
                        height=SIDE_MAP_HEIGHT if len(shown) == 2 else MAP_HEIGHT)
            st.caption(period_statement(letter, period_map.period, indicators, indicator_sources, indicator_id, lang,
                                        units))
    st.markdown(f"**{t('legend.title', lang)}:** {indicator.name[lang]}{illustrative_mark}")
    st.html(shared_legend_html(maps.legend, shown, lang))
    if len(shown) == 2:
        st.caption(t("compare.same_classes", lang))

# --- The change commune by commune, built and drawn only while its section is open ------------------
if len(shown) == 2:
    chart_section = st.expander(t("compare.chart.section", lang), icon=":material/stacked_line_chart:",
                                key="x_cmp_chart", on_change="rerun")
    if chart_section.open:
        with chart_section:
            # The toggle's value from the last run (it is drawn below only when there is more to show).
            show_all = bool(st.session_state.get("w_cmp_chart_all", False))
            drawn = period_change_chart(period_a, period_b, indicator_id, units, lang, show_all)
            if drawn.counts.both > LARGEST_CHANGES:
                st.toggle(t("compare.chart.show_all", lang), key="w_cmp_chart_all")
            if drawn.panel is None:
                st.info(t("compare.chart.empty", lang))
            else:
                st.vega_lite_chart(spec=drawn.panel.spec, width="stretch")
            st.caption(left_out_text(drawn.counts, period_a, period_b, lang))
            if drawn.shown < drawn.counts.both:
                st.caption(t("compare.chart.all_in_table", lang))
