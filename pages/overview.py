import streamlit as st

from l10n import fmt
from l10n.messages import t
from ui.streamlit_support import current_lang, report, sources
from views.overview.scorecard import score_card

lang = current_lang()
st.title(t("app.title", lang))
st.subheader(t("overview.title", lang))

figures = report()
source = sources()[figures[0].source_id]
st.caption(t("overview.source", lang, source=source.title[lang], date=fmt.date(figures[0].as_of)))

cards = [score_card(f, lang) for f in figures]
numeric = [card for card, figure in zip(cards, figures) if figure.kind != "text"]
for start in range(0, len(numeric), 4):
    for column, card in zip(st.columns(4), numeric[start:start + 4]):
        with column.container(border=True, height="stretch"):
            st.markdown(card.label)  # in full: st.metric would cut long labels short
            st.metric(card.label, card.value, label_visibility="collapsed")
            if card.detail:
                st.caption(card.detail)
            if card.share is not None:
                st.progress(min(card.share, 1.0))

for card, figure in zip(cards, figures):
    if figure.kind == "text":
        st.markdown(f"**{card.label}:** {card.value}")

st.info(t("overview.commune_note", lang))
st.page_link("pages/map.py", label=t("overview.open_map", lang), icon=":material/map:")
