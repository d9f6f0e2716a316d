import datetime as dt
from dataclasses import asdict
from functools import partial

import streamlit as st

from indicators.table import has_districts, has_team
from l10n import fmt, labels
from l10n.messages import t
from l10n.text import notice_params, plain
from planner.scoring import adoption_indicators
from services import editing
from storage import queries
from storage.scenarios import ScenarioError, list_scenarios
from ui import plan_widgets as widgets
from ui.commune_map import commune_map
from ui.editor_session import current_user
from ui.plan_support import default_assumptions, plan_files, wave, wave_score_chart
from ui.streamlit_support import (
    current_lang,
    engine,
    illustrative_banner,
    map_assets,
    page_units,
    published_table,
    published_version,
)
from views.map.mapview import html_table, legend_html
from views.map.state import Notice
from views.plan.plan_state import read_plan, write_plan
from views.plan.plan_view import (
    commune_status,
    compare_rows,
    conflict_lines,
    difference_lines,
    explanations,
    plan_layer,
    scenario_rows,
    scenario_status,
    scenario_units,
    score_rows,
    score_text,
    setting_notes,
    status_layer,
    status_legend,
    wave_rows,
)

lang = current_lang()
query = st.query_params.to_dict()
published = published_version()
units = page_units(query, published)
version_id, table, indicators, _ = published_table(lang, published, units)
codes = set(table["gso_code"])
names = dict(zip(table["gso_code"], table["name"]))
# The 2025 units have no districts.
districts = dict(zip(table["district_code"], table["district"])) if has_districts(table) else {}
pilots = {code: names[code] for code in table.loc[has_team(table), "gso_code"]}
adoption_ids = adoption_indicators(indicators)
defaults, from_pilot = default_assumptions(version_id)
version_label = t("plan.version_label", lang, number=published.number, period=published.period,
                  as_of=fmt.date(published.as_of))

# --- State: URL -> widgets -> settings -> URL ---------------------------------------------
url_settings, notices = read_plan(query, adoption_ids, codes)
if query.get("units") not in (None, units):
    notices.append(Notice("units", query["units"][:80]))
widgets.sync_from_url(url_settings, query, units, defaults, lang)

st.title(t("plan.title", lang))
st.caption(t("plan.intro", lang))
widgets.units_switch(lang)
notice_slot = st.empty()
clicked_pilot = widgets.take_click_notice()
if notices:
    notice_slot.caption(t("plan.notice", lang, params=notice_params(notices)))
elif clicked_pilot:
    notice_slot.info(t("plan.click.pilot", lang, commune=names.get(clicked_pilot, clicked_pilot)))
with st.sidebar:
    settings = widgets.controls(indicators, adoption_ids, table, defaults, from_pilot, lang)
result = wave(version_id, settings, units)
units_query = {"units": units} if units != published.units else {}
new_query = write_plan(settings) | units_query | ({"lang": lang} if lang != "vi" else {})
if new_query != query:
    st.query_params.from_dict(new_query)
widgets.remember_url(new_query, result.plan.selected)

banner_slot = st.empty()
if result.illustrative:
    with banner_slot:
        illustrative_banner(lang)
if result.ignored_includes:
    st.caption(t("plan.ignored_includes", lang, communes=", ".join(names.get(c, c) for c in result.ignored_includes)))

# --- Totals, map and list -------------------------------------------------------------------
totals = result.totals
metric_columns = st.columns(6)
if totals is not None:
    metric_columns[0].metric(t("plan.metric.communes", lang), fmt.number(totals.communes, 0, lang))
    metric_columns[1].metric(t("plan.metric.teams", lang), fmt.number(totals.teams, 0, lang))
    metric_columns[2].metric(t("plan.metric.members", lang), fmt.number(totals.members, 0, lang))
    metric_columns[3].metric(t("plan.metric.reached", lang), fmt.number(totals.reached, 0, lang))
    metric_columns[4].metric(t("plan.metric.coverage", lang), fmt.percent(totals.coverage_after * 100, 1, lang),
                             t("plan.metric.coverage.delta", lang,
                               delta=fmt.number((totals.coverage_after - totals.coverage_before) * 100, 1, lang)))
    metric_columns[5].metric(t("plan.metric.with_teams", lang),
                             f"{totals.communes_with_teams_after}/{totals.communes_total}")

geometry = map_assets(units)
status = commune_status(table, result)
map_column, list_column = st.columns([2.6, 1.6])
with map_column:
    # The click count makes a second click on the same commune a new value (streamlit-folium sends
    # only values that differ from the last one).
    commune_map(plan_layer(status, result, geometry, lang), geometry.bounds, key=widgets.MAP_KEY, clicks=True,
                on_change=partial(widgets.on_map_click, frozenset(codes - set(pilots)), pilots))
with list_column:
    st.html(legend_html(status_legend(status, lang), lang))
    st.subheader(t("plan.list", lang))
    if result.candidates.empty:
        st.warning(t("plan.no_candidates", lang))
    elif not result.plan.feasible:
        st.error(t("plan.infeasible", lang))
        st.markdown("\n".join(f"- {line}" for line in conflict_lines(result, names, districts, lang)))
        st.caption(t("plan.infeasible.hint", lang))
    else:
        st.html(html_table(wave_rows(result, lang)))
        st.caption(t("plan.total", lang, total=score_text(result.plan.total_score, lang)))

for note in setting_notes(result, districts, lang):
    st.warning(note, icon=":material/info:")
if result.plan.feasible:
    st.subheader(t("plan.explain.title", lang))
    lines = explanations(result, names, districts, lang) or [t("plan.explain.none_left", lang)]
    st.markdown("\n".join(f"- {line}" for line in lines))
    download_columns = st.columns([1, 1, 3])
    stamp = f"{len(result.plan.selected)}xa_v{published.number}"
    xlsx_bytes, csv_bytes = plan_files(version_id, settings, version_label, lang, dt.date.today(), units)
    download_columns[0].download_button(
        t("plan.export.xlsx", lang), xlsx_bytes,
        file_name=f"ke_hoach_dot_tiep_theo_{stamp}.xlsx", icon=":material/download:", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    download_columns[1].download_button(
        t("plan.export.csv", lang), csv_bytes, file_name=f"ke_hoach_dot_tiep_theo_{stamp}.csv",
        mime="text/csv", icon=":material/download:", on_click="ignore", help=t("plan.export.csv.help", lang))
    breakdown_section = st.expander(t("plan.breakdown.section", lang), icon=":material/stacked_bar_chart:",
                                    key="x_plan_breakdown", on_change="rerun")
    if breakdown_section.open:
        panel = wave_score_chart(version_id, settings, lang, units)
        with breakdown_section:
            if panel is None:
                st.info(t("plan.breakdown.empty", lang))
            else:
                st.vega_lite_chart(spec=panel.spec, width="stretch")

scores_section = st.expander(t("plan.scores", lang), key="x_plan_scores", on_change="rerun")
if scores_section.open:
    with scores_section:
        st.caption(t("plan.scores.note", lang))
        st.html(html_table(score_rows(result, lang)))
with st.expander(t("plan.method.title", lang)):
    st.markdown(t("plan.method.body", lang))

# --- Scenarios ------------------------------------------------------------------------------
st.header(t("plan.scenarios", lang))
user = current_user()
if user:
    with st.form("plan_save", clear_on_submit=True):
        name = st.text_input(t("plan.scenario.name", lang), max_chars=120)
        note = st.text_area(t("plan.scenario.note", lang), max_chars=2000)
        if st.form_submit_button(t("plan.scenario.save", lang), disabled=not result.plan.feasible):
            try:
                editing.save_scenario(engine(), user=user, name=name, note=note, query=write_plan(settings) | {"units": units},
                                      version_id=version_id, selected=result.plan.selected,
                                      totals=asdict(totals) if totals else {}, illustrative=result.illustrative)
                st.success(t("plan.scenario.saved", lang, name=plain(name.strip())))
            except ScenarioError as error:
                st.error(labels.label(labels.SCENARIO_ERROR, error.kind, lang))
else:
    st.caption(t("plan.scenario.editors_only", lang))

with engine().connect() as connection:
    saved = list_scenarios(connection)
    version_numbers = {v.id: v.number for v in queries.list_versions(connection)}
if not saved:
    st.info(t("plan.scenario.none", lang))
    st.stop()
by_id = {s.id: s for s in saved}
st.html(html_table(scenario_rows(saved, version_numbers, lang)))
label = lambda scenario_id: f"{scenario_id} · {by_id[scenario_id].name}"
chosen = st.selectbox(t("plan.scenario.choose", lang), list(by_id), format_func=label, key="p_scenario", placeholder=t("widget.choose", lang))
if by_id[chosen].version_id != version_id:
    st.caption(t("plan.scenario.version_changed", lang, saved=version_numbers.get(by_id[chosen].version_id, "?"),
                 current=published.number))
open_column, delete_column = st.columns(2)
if open_column.button(t("plan.scenario.open", lang), icon=":material/open_in_new:"):
    st.query_params.from_dict(by_id[chosen].query | ({"lang": lang} if lang != "vi" else {}))
    widgets.forget_url()
    st.rerun()
if user and delete_column.button(t("plan.scenario.delete", lang), icon=":material/delete:"):
    try:
        editing.delete_scenario(engine(), user=user, scenario_id=chosen)
        st.toast(t("plan.scenario.deleted", lang, name=plain(by_id[chosen].name)))
        st.rerun()
    except ScenarioError as error:
        st.error(labels.label(labels.SCENARIO_ERROR, error.kind, lang))

compare_section = st.expander(t("plan.compare", lang), icon=":material/compare:", key="x_plan_compare",
                              on_change="rerun")
if compare_section.open:
    with compare_section:
        pick = st.columns(2)
        # Two scenarios are compared on this page's map: only those planned on its unit set.
        ids = [scenario_id for scenario_id in by_id if scenario_units(by_id[scenario_id]) == units]
        if len(ids) < len(by_id):
            st.caption(t("plan.compare.other_units", lang))
        if not ids:
            st.stop()
        first_id = pick[0].selectbox(t("plan.compare.a", lang), ids, format_func=label, key=f"p_cmp_a_{units}", placeholder=t("widget.choose", lang))
        second_id = pick[1].selectbox(t("plan.compare.b", lang), ids, index=min(1, len(ids) - 1), format_func=label,
                                      key=f"p_cmp_b_{units}", placeholder=t("widget.choose", lang))
        if first_id == second_id:
            st.info(t("plan.compare.same", lang))
        else:
            first, second = by_id[first_id], by_id[second_id]
            for column, scenario, key in zip(st.columns(2), (first, second), ("plan_cmp_a", "plan_cmp_b")):
                with column:
                    st.markdown(f"**{'A' if scenario is first else 'B'} · {plain(scenario.name)}**")
                    st.caption(t("plan.compare.saved_on", lang, at=fmt.moment(scenario.created_at)[:10],
                                 by=plain(scenario.created_by), version=version_numbers.get(scenario.version_id, "?")))
                    saved_status = scenario_status(table, scenario.selected)
                    commune_map(status_layer(saved_status, geometry, lang, scenario.illustrative), geometry.bounds,
                                key=key, height=420)
                    st.html(legend_html(status_legend(saved_status, lang), lang, compact=True))
            st.html(html_table(compare_rows(first, second, lang)))
            st.markdown("\n".join(f"- {line}" for line in difference_lines(first, second, names, lang)))
