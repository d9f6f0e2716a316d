import streamlit as st

from l10n import labels
from l10n.messages import t
from storage import datasets
from ui.editor_session import require_editor
from ui.streamlit_support import current_lang, engine

lang = current_lang()
require_editor(lang)
st.title(t("audit.title", lang))
with engine().connect() as connection:
    log = datasets.recent_audit(connection, 500)
log.columns = [labels.label(labels.AUDIT_COLUMN, name, lang) for name in ("at", "user", "action", "target", "details")]
st.dataframe(log, hide_index=True, width="stretch")
