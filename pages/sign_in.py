import streamlit as st

from auth.accounts import editor_count, sign_in
from auth.client import ProxySettingError
from l10n import fmt
from l10n.messages import t
from l10n.text import plain
from storage.settings import session_hours
from ui.editor_session import current_user, request_address, sign_in_as, sign_out
from ui.streamlit_support import current_lang, engine

lang = current_lang()
st.title(t("auth.title", lang))

user = current_user()
if user:
    st.markdown(t("auth.signed_in", lang, user=user))
    if st.button(t("auth.sign_out", lang)):
        sign_out()
        st.rerun()
    st.stop()

with engine().connect() as connection:
    if editor_count(connection) == 0:
        st.info(t("auth.no_editor", lang))

with st.form("sign_in"):
    username = st.text_input(t("auth.username", lang), max_chars=80)
    password = st.text_input(t("auth.password", lang), type="password", max_chars=200)
    submitted = st.form_submit_button(t("auth.submit", lang))
if submitted:
    try:
        address = request_address()
    except ProxySettingError as error:
        st.error(t("auth.proxy_setting", lang, item=plain(repr(error.item))))
        st.stop()
    result = sign_in(engine(), username, password, address=address)
    if result.ok:
        sign_in_as(result.username, result.token)
        st.rerun()
    st.error(t("auth.locked", lang) if result.reason == "locked" else t("auth.invalid", lang))
st.caption(t("auth.session_note", lang, hours=fmt.number(session_hours(), 0 if session_hours() >= 1 else 1, lang)))
