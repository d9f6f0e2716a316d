"""Bản đồ chuyển đổi số Cà Mau: the editors' and leaders' app (multipage).

Run: streamlit run app.py
"""
import streamlit as st

from ui.i18n import t
from ui.state import LANGUAGES
from ui.streamlit_support import current_lang

st.set_page_config(page_title="Bản đồ chuyển đổi số Cà Mau", page_icon="🗺️", layout="wide")

lang = current_lang()
with st.sidebar:
    chosen = st.segmented_control(t("lang.label", lang), LANGUAGES, default=lang, key="lang_switch",
                                  format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code])
if chosen and chosen != lang:
    st.session_state["lang"] = chosen
    st.query_params["lang"] = chosen
    st.rerun()
st.session_state["lang"] = lang

pages = [
    st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", url_path="tong-quan", default=True),
    st.Page("pages/map.py", title=t("nav.map", lang), icon=":material/map:", url_path="ban-do"),
    st.Page("pages/about.py", title=t("nav.about", lang), icon=":material/info:", url_path="gioi-thieu"),
]
st.navigation(pages).run()
