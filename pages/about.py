import pandas as pd
import streamlit as st

from geo.reference import reference_dir
from l10n import fmt, labels
from l10n.messages import t
from ui.editor_session import current_user
from ui.streamlit_support import catalogue, current_lang, sources

lang = current_lang()
st.title(t("about.title", lang))
st.markdown(t("about.body", lang))

st.subheader(t("about.caveats", lang))
for key in ("geometry", "census", "units", "outlines"):
    st.markdown(f"- {labels.label(labels.ABOUT_CAVEAT, key, lang)}")

st.subheader(t("about.sample", lang))
st.markdown(t("about.sample.body", lang))

st.subheader(t("about.sources", lang))
st.markdown(t("about.licences", lang))
source_table = pd.DataFrame([
    {t("about.col.source", lang): s.title[lang], t("about.col.as_of", lang): fmt.date(s.date), t("about.col.publisher", lang): s.where[lang]}
    for s in sources().values()])
st.dataframe(source_table, hide_index=True, width="stretch")
if current_user():   # the server's paths are for the editors' diagnostics only
    st.caption(t("about.reference_dir", lang, path=str(reference_dir())))

st.subheader(t("about.indicators", lang))
indicator_table = pd.DataFrame([
    {t("about.col.name", lang): i.name[lang], t("about.col.unit", lang): i.unit[lang],
     t("about.col.description", lang): i.description[lang],
     t("about.col.source", lang): sources()[i.source_id].title[lang],
     t("about.col.as_of", lang): fmt.date(i.as_of),
     t("about.col.illustrative", lang): labels.yes_no(i.illustrative, lang)}
    for i in catalogue().values()])
st.dataframe(indicator_table, hide_index=True, width="stretch")
