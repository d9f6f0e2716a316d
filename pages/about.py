import pandas as pd
import streamlit as st

from geo.reference import reference_dir
from l10n import fmt
from l10n.messages import t
from ui.streamlit_support import catalogue, current_lang, sources

lang = current_lang()
st.title(t("about.title", lang))
st.markdown(t("about.body", lang))

st.subheader(t("about.caveats", lang))
for key in ("geometry", "census", "units", "outlines"):
    st.markdown(f"- {t(f'about.caveat.{key}', lang)}")

st.subheader(t("about.sample", lang))
st.markdown(t("about.sample.body", lang))

st.subheader(t("about.sources", lang))
st.markdown(t("about.licences", lang))
source_table = pd.DataFrame([
    {t("about.col.source", lang): s.title[lang], t("about.col.as_of", lang): fmt.date(s.date), "": s.where}
    for s in sources().values()])
st.dataframe(source_table, hide_index=True, width="stretch")
st.caption(t("about.reference_dir", lang, path=str(reference_dir())))

st.subheader(t("about.indicators", lang))
indicator_table = pd.DataFrame([
    {t("about.col.name", lang): i.name[lang], t("about.col.unit", lang): i.unit[lang],
     t("about.col.description", lang): i.description[lang],
     t("about.col.source", lang): sources()[i.source_id].title[lang],
     t("about.col.as_of", lang): fmt.date(i.as_of),
     t("about.col.illustrative", lang): t("yes" if i.illustrative else "no", lang)}
    for i in catalogue().values()])
st.dataframe(indicator_table, hide_index=True, width="stretch")
