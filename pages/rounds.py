"""Reporting rounds (editors): create a round, see who has and has not reported, publish."""
import datetime as dt

import streamlit as st

from geo.units2025 import UNITS_2023, UNITS_2025
from indicators.published import importable_indicators
from indicators.rounds import covered_total, expected_units
from l10n import fmt, labels
from l10n.fmt import in_vietnam
from l10n.messages import t
from l10n.text import plain
from reports.tables import csv_bytes
from services import editing
from storage import datasets, rounds
from storage.settings import round_approval_required
from ui.commune_map import commune_map
from ui.editor_session import require_editor
from ui.streamlit_support import (
    catalogue,
    current_lang,
    engine,
    map_assets,
    require_reference,
    require_units,
    units_2025,
)
from views.map.mapview import legend_html
from views.rounds.round_view import (
    completeness_layer,
    completeness_legend,
    gap_text,
    group_rows,
    round_state,
    submission_rows,
    unit_rows,
)

lang = current_lang()
user = require_editor(lang)
reference = require_reference(lang)
indicators = {i.id: i for i in importable_indicators(catalogue())}
st.title(t("round.title", lang))
st.caption(t("round.intro", lang))

with st.expander(t("round.create", lang)), st.form("round_create"):
    columns = st.columns(3)
    period = columns[0].text_input(t("import.period", lang), max_chars=40)
    units = columns[1].radio(t("units.switch", lang), [UNITS_2023.id, UNITS_2025.id], horizontal=True,
                             format_func=lambda u: labels.label(labels.UNIT_SET_SHORT, u, lang))
    due = columns[2].date_input(t("round.due", lang), value=None, format="DD/MM/YYYY")
    expected = st.multiselect(t("round.indicators", lang), list(indicators), default=list(indicators),
                              format_func=lambda i: indicators[i].name[lang])
    if st.form_submit_button(t("round.create.submit", lang), type="primary"):
        if not period.strip() or not expected:
            st.error(t("round.create.missing", lang))
        else:
            created = editing.create_round(engine(), period=period, units=units, due=due, indicators=expected,
                                           user=user)
            st.session_state["round_id"] = created.id
            st.success(t("round.created", lang, id=created.id, period=plain(created.period)))

with engine().connect() as connection:
    all_rounds = rounds.list_rounds(connection)
if not all_rounds:
    st.info(t("round.none", lang))
    st.stop()
by_id = {r.id: r for r in all_rounds}
if st.session_state.get("round_id") not in by_id:
    st.session_state["round_id"] = all_rounds[0].id
round_id = st.selectbox(t("round.choose", lang), list(by_id), key="round_id",
                        format_func=lambda i: t("round.label", lang, id=i, period=by_id[i].period,
                                                status=labels.label(labels.ROUND_STATE, by_id[i].status, lang)))
chosen = by_id[round_id]
require_units(chosen.units, lang)
unit_frame = reference.units if chosen.units == UNITS_2023.id else units_2025()
today = in_vietnam(dt.datetime.now(dt.UTC)).date()
with engine().connect() as connection:
    state = round_state(connection, round_id, unit_frame, today)

st.caption(t("round.summary", lang, units=labels.label(labels.UNIT_SET, chosen.units, lang),
             due=fmt.date(chosen.due) if chosen.due else t("round.no_due", lang),
             count=len(state.submissions)))
complete = int((state.per_unit["received"] == state.per_unit["expected"]).sum())
st.markdown(t("round.complete_count", lang, complete=complete, units=len(state.per_unit)))
totals = []
for indicator_id in chosen.indicators:
    if indicator_id in indicators:
        total, covered = covered_total(state.merged, indicator_id)
        totals.append(t("round.total", lang, name=indicators[indicator_id].name[lang],
                        total=fmt.number(total, 0, lang), covered=covered, units=len(state.per_unit)))
st.markdown("\n".join(f"- {line}" for line in totals))

map_column, table_column = st.columns([2, 3])
with map_column:
    geometry = map_assets(chosen.units)
    commune_map(completeness_layer(state, geometry, lang), geometry.bounds, key="round_map", height=380)
    st.html(legend_html(completeness_legend(state, lang), lang, compact=True))
with table_column:
    st.dataframe(group_rows(state, lang), hide_index=True, width="stretch")
    per_unit = unit_rows(state, indicators, lang)
    st.download_button(t("round.download", lang), csv_bytes(per_unit), file_name=f"dot_bao_cao_{round_id}.csv",
                       mime="text/csv", icon=":material/download:")
with st.expander(t("round.per_unit", lang)):
    st.dataframe(per_unit, hide_index=True, width="stretch")

st.subheader(t("round.submissions", lang))
if state.submissions:
    districts = dict(zip(reference.units["district_code"], reference.units["district"]))
    st.dataframe(submission_rows(state, districts, lang), hide_index=True, width="stretch")
else:
    st.caption(t("round.no_submissions", lang))

st.subheader(t("round.publish", lang))
with engine().connect() as connection:
    published = datasets.round_versions(connection, round_id)
if published:
    st.info(t("round.published_as", lang, versions=", ".join(
        t("round.version_at", lang, number=v.number, at=fmt.moment(v.created_at)) for v in published)))
allow = False
if not state.complete:
    st.warning(t("round.incomplete", lang, gaps=plain(gap_text(state, indicators, lang))))
    allow = st.checkbox(t("round.allow_incomplete", lang), key=f"round_allow_{round_id}")
approval = round_approval_required()
if approval:
    if chosen.approved_by:
        st.caption(t("round.approved_by", lang, user=plain(chosen.approved_by)))
    else:
        st.caption(t("round.approval_needed", lang))
    if chosen.approved_by != user and st.button(t("round.approve", lang), disabled=not state.submissions):
        editing.approve_round(engine(), round_id, user)
        st.rerun()
publish_column, close_column = st.columns(2)
if publish_column.button(t("round.publish.button", lang), type="primary",
                         disabled=not state.submissions or (not state.complete and not allow)
                         or (approval and chosen.approved_by in (None, user))):
    try:
        version = editing.publish_round(engine(), round_id, units=expected_units(unit_frame), user=user,
                                        allow_incomplete=allow)
        st.success(t("round.published", lang, number=version.number))
    except rounds.RoundError as error:
        st.error(labels.label(labels.ROUND_ERROR, error.kind, lang))
if chosen.status == rounds.OPEN and close_column.button(t("round.close", lang)):
    editing.close_round(engine(), round_id, user)
    st.rerun()
