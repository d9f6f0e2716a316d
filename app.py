"""Bản đồ chuyển đổi số Cà Mau: the editors' and leaders' app (multipage).

Run: streamlit run app.py
"""
import streamlit as st

from l10n.messages import t
from ui.editor_session import current_user, write_session_cookie
from ui.server_guard import refuse_global_cache_clearing
from ui.streamlit_support import current_lang
from views.map.state import LANGUAGES

refuse_global_cache_clearing()

st.set_page_config(page_title="Bản đồ chuyển đổi số Cà Mau", page_icon="🗺️", layout="wide")
# Streamlit writes "Press Enter to submit form" under a form's text boxes in English only; the
# forms' own buttons say what to do. Key-figure labels wrap instead of ending in "…" (Vietnamese
# labels such as "Hộ dự kiến được hướng dẫn" are long for a sixth of the width).
st.html("<style>[data-testid='InputInstructions']{display:none}"
        "[data-testid='stMetricLabel'] .stMarkdownEllipsis,[data-testid='stMetricLabel'] .stMarkdownEllipsis *"
        "{white-space:normal;overflow:visible;text-overflow:clip}"
        "</style>")

lang = current_lang()
with st.sidebar:
    chosen = st.segmented_control(t("lang.label", lang), LANGUAGES, default=lang, key="lang_switch",
                                  format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code])
    write_session_cookie()     # after a sign-in or sign-out only; in the sidebar, it moves no page content
if chosen and chosen != lang:
    st.session_state["lang"] = chosen
    st.query_params["lang"] = chosen
    st.rerun()
st.session_state["lang"] = lang

# The default page is served at "/" whatever its url_path, and a default page's own path answers
# "Page not found"; the leaders' landing link /tong-quan is a hidden page that opens the overview
# with the same query (?lang=en stays).
# (No url_path may equal a file name in pages/: Streamlit would also resolve it as a pages-folder page.)
overview = st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", url_path="trang-chu",
                   default=True)
landing = st.Page("pages/landing.py", title=t("nav.overview", lang), url_path="tong-quan", visibility="hidden")
public = [
    overview,
    st.Page("pages/map.py", title=t("nav.map", lang), icon=":material/map:", url_path="ban-do"),
    st.Page("pages/compare.py", title=t("nav.compare", lang), icon=":material/compare:", url_path="so-sanh"),
    st.Page("pages/present.py", title=t("nav.present", lang), icon=":material/slideshow:", url_path="trinh-chieu"),
    st.Page("pages/planner.py", title=t("nav.planner", lang), icon=":material/route:", url_path="ke-hoach"),
    st.Page("pages/about.py", title=t("nav.about", lang), icon=":material/info:", url_path="gioi-thieu"),
]
if current_user():
    editor = [
        st.Page("pages/import_data.py", title=t("nav.import", lang), icon=":material/upload_file:",
                url_path="nhap-du-lieu"),
        st.Page("pages/rounds.py", title=t("nav.rounds", lang), icon=":material/fact_check:", url_path="dot-bao-cao"),
        st.Page("pages/versions.py", title=t("nav.versions", lang), icon=":material/history:", url_path="phien-ban"),
        st.Page("pages/audit.py", title=t("nav.audit", lang), icon=":material/receipt_long:", url_path="nhat-ky"),
        st.Page("pages/sign_in.py", title=t("nav.account", lang), icon=":material/person:", url_path="dang-nhap"),
    ]
else:
    editor = [st.Page("pages/sign_in.py", title=t("nav.sign_in", lang), icon=":material/login:",
                      url_path="dang-nhap")]
st.navigation({t("nav.section.public", lang): [*public, landing], t("nav.section.editor", lang): editor}).run()
