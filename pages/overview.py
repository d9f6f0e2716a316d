import streamlit as st

from geo.reference import DEFAULT_REFERENCE_DIR, missing_reference_path
from l10n import fmt
from l10n.messages import t
from l10n.text import plain
from ui.streamlit_support import current_lang, report, sources
from views.overview.scorecard import score_card
from views.overview.timeline import TASK_FIGURE_IDS, overview_timeline

lang = current_lang()
st.title(t("app.title", lang))
st.subheader(t("overview.title", lang))

figures = report()
source = sources()[figures[0].source_id]
st.caption(t("overview.source", lang, source=source.title[lang], date=fmt.date(figures[0].as_of)))

# The province figures need no boundaries: without them this page still shows everything it has,
# and says what the map pages are missing.
missing = missing_reference_path()
if missing is not None:
    st.warning(t("overview.reference_missing", lang, path=plain(missing)))
    st.caption(t("ref.howto", lang, default=str(DEFAULT_REFERENCE_DIR)))

section = overview_timeline(lang)   # charts built once per language (views/overview/timeline.py)

cards = [score_card(f, lang) for f in figures]
numeric = [card for card, figure in zip(cards, figures) if figure.kind != "text"]
for start in range(0, len(numeric), 4):
    for column, card in zip(st.columns(4), numeric[start:start + 4]):
        with column.container(border=True, height="stretch"):
            st.markdown(card.label)  # in full: st.metric would cut long labels short
            st.metric(card.label, card.value, label_visibility="collapsed")
            if card.detail:
                st.caption(card.detail)
            # The tasks' done-against-target bars are the chart below the cards.
            if card.share is not None and card.id not in TASK_FIGURE_IDS:
                st.progress(min(card.share, 1.0))

st.vega_lite_chart(spec=section.tasks.spec, width="stretch")
st.caption(section.tasks.sources)

for card, figure in zip(cards, figures):
    if figure.kind == "text":
        st.markdown(f"**{card.label}:** {card.value}")

st.subheader(t("overview.timeline.title", lang))
st.caption(t("overview.timeline.intro", lang))
for panel in section.timeline_charts:
    # The spec made once; st.altair_chart would validate and convert the Altair chart on every run.
    st.vega_lite_chart(spec=panel.spec, width="stretch")
    st.caption(panel.sources)
with st.expander(t("overview.timeline.table", lang)):
    st.dataframe(section.table, hide_index=True, width="stretch",
                 column_config={section.url_column: st.column_config.LinkColumn()})

st.info(t("overview.commune_note", lang))
st.page_link("pages/map.py", label=t("overview.open_map", lang), icon=":material/map:")
