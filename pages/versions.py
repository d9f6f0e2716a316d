import pandas as pd
import streamlit as st

from l10n import fmt, labels
from l10n.messages import t
from l10n.text import plain
from publicsite.build import current_site, public_site_disabled
from services import editing
from storage import datasets
from ui.editor_session import require_editor
from ui.streamlit_support import current_lang, engine
from views.records.tables import history_table, match_report_table

lang = current_lang()
user = require_editor(lang)
st.title(t("versions.title", lang))
# A message set before st.rerun() is shown here, after it (a toast sent right before a rerun is lost).
if message := st.session_state.pop("versions_message", None):
    st.success(message)

with engine().connect() as connection:
    versions = datasets.list_versions(connection)
    current = datasets.published_version(connection)
    history = datasets.publication_history(connection)

if current:
    st.info(t("versions.published", lang, number=current.number, period=plain(current.period),
              as_of=fmt.date(current.as_of)))
st.dataframe(pd.DataFrame({
    t("versions.col.number", lang): [v.number for v in versions],
    t("versions.col.public", lang): ["✓" if current and v.id == current.id else "" for v in versions],
    t("versions.col.period", lang): [v.period for v in versions],
    t("versions.col.as_of", lang): [fmt.date(v.as_of) for v in versions],
    t("units.switch", lang): [labels.label(labels.UNIT_SET_SHORT, v.units, lang) for v in versions],
    # The sample's stored source is a Vietnamese label: name it in the page's language instead.
    t("versions.col.source", lang): [t("illustrative", lang) if v.illustrative else v.source for v in versions],
    # The sample was generated, not uploaded: no file to name.
    t("versions.col.file", lang): ["—" if v.number == 0 else v.file_name for v in versions],
    t("versions.col.rows", lang): [f"{v.rows_matched}/{v.rows_read}" for v in versions],
    t("versions.col.by", lang): [t("versions.by_app", lang) if v.number == 0 else v.created_by for v in versions],
    t("versions.col.at", lang): [fmt.moment(v.created_at) for v in versions],
}), hide_index=True, width="stretch")

numbers = [v.number for v in versions]
chosen = st.selectbox(t("versions.choose", lang), numbers, key="versions_choice", placeholder=t("widget.choose", lang))
columns = st.columns(2)
if columns[0].button(t("versions.publish", lang), disabled=bool(current and current.number == chosen)):
    editing.publish_version(engine(), chosen, user)
    st.session_state["versions_message"] = t("versions.done_publish", lang, number=chosen)
    st.rerun()
if columns[1].button(t("versions.rollback", lang)):
    try:
        version = editing.rollback(engine(), user)
        st.session_state["versions_message"] = t("versions.done_rollback", lang, number=version.number)
        st.rerun()
    except datasets.DatasetError as error:
        st.error(labels.label(labels.DATASET_ERROR, error.kind, lang))

if not public_site_disabled():
    # The public static site is rebuilt on every publish and rollback; say when it lags behind.
    site = current_site()
    site_row = st.container(horizontal=True, vertical_alignment="center")
    if site and current and site.get("version") == current.id:
        site_row.caption(t("versions.site.current", lang, number=current.number))
    else:
        site_row.warning(t("versions.site.stale", lang))
    if site_row.button(t("versions.site.rebuild", lang), key="versions_site_rebuild"):
        built = editing.rebuild_public_site(engine(), user)
        st.session_state["versions_message"] = (t("versions.site.rebuilt", lang) if built
                                                else t("versions.site.failed", lang))
        st.rerun()

st.subheader(t("versions.history", lang))
st.dataframe(history_table(history, lang), hide_index=True, width="stretch")
with engine().connect() as connection:
    chosen_version = datasets.version_by_number(connection, chosen)
    report = datasets.version_report(connection, chosen_version.id)
st.subheader(t("versions.report", lang, number=chosen))
if report.empty:      # the sample: generated for the 101 communes, matched by code
    st.caption(t("versions.report.none", lang))
else:
    st.dataframe(match_report_table(report, lang), hide_index=True, width="stretch")
