import streamlit as st

from l10n.messages import t
from storage import datasets
from ui.editor_session import require_editor
from ui.streamlit_support import current_lang, engine
from views.records.tables import audit_table

lang = current_lang()
require_editor(lang)
st.title(t("audit.title", lang))
with engine().connect() as connection:
    log = datasets.recent_audit(connection, 500)
st.dataframe(audit_table(log, lang), hide_index=True, width="stretch")
