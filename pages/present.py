import html
from dataclasses import replace
from urllib.parse import urlencode

import streamlit as st

from geo.classify import MAX_CLASSES, MIN_CLASSES, PALETTES
from geo.units2025 import UNITS_2023
from l10n import fmt, labels
from l10n.messages import N_, t
from l10n.text import notice_params
from ui.commune_map import commune_map
from ui.map_widgets import clicked_code
from ui.streamlit_support import (
    current_lang,
    data_table,
    district_bounds,
    district_points,
    map_assets,
    map_view,
    page_units,
    published_table,
    published_version,
    reference_2025,
    reference_data,
    report,
    require_reference,
    slide_switch_url,
    sources,
    unit_bounds,
)
from ui.unit_set import units_switch
from views.map.mapview import html_table, indicator_title, legend_entries, provenance_text, units_caption
from views.map.state import PILOT_CHOICES
from views.overview.scorecard import score_card
from views.present.presentation import (
    DECK_FILE,
    FORM_FIELDS,
    MAP_HEIGHT,
    MAX_SLIDES,
    MAX_TITLE,
    PROJECTOR_CSS,
    PROVINCE,
    SIDE_AND_MAP,
    SLIDE_SCHEMES,
    DeckError,
    PresentState,
    area_figure,
    clamp_slide,
    current_view,
    edited_slide,
    form_values,
    legend_strip_html,
    load_deck,
    map_state,
    read_present_state,
    slide_title,
    step,
    write_present_state,
    zoom_of,
    zoom_to,
)
from views.present.slide_map import (
    NEXT_BUTTON,
    NEXT_SHORTCUT,
    PREVIOUS_BUTTON,
    PREVIOUS_SHORTCUT,
    SlidePlaces,
    slide_layer,
)

MAP_KEY = "present_map"
HANDLED_CLICK = "_present_handled_click"
FORM = "present_form"
# The report's figures beside the map (10/02/2023), with the indicator that gives them for a district.
STRIP_FIGURES = {"pilot_communes": "pilot_status", "households_guided_share": "households_guided_share",
                 "vneid_dossiers": "vneid_dossiers"}

st.set_page_config(initial_sidebar_state="collapsed")
lang = current_lang()
published = published_version()
units = page_units(st.query_params.to_dict(), published)
version_id, table, indicators, indicator_sources = published_table(lang, published, units)
has_districts = units == UNITS_2023.id
# Decks name the 2022–2024 districts whatever the unit set (their filters and zoom apply only there).
district_names = (reference_data().units[["district_code", "district"]].drop_duplicates().sort_values("district_code")
                  .set_index("district_code")["district"].to_dict())
unit_names = dict(zip(table["gso_code"], table["name"]))
# A click zooms to the commune's district; on the 2025 units, to the unit itself.
click_target = (dict(zip(table["gso_code"], table["district_code"])) if has_districts
                else {code: code for code in table["gso_code"]})
try:
    default_deck = load_deck(indicators, district_names)
except DeckError as error:
    key = N_("present.deck.error") if error.slide is None else N_("present.deck.error_slide")
    st.error(t(key, lang, file=DECK_FILE.name, slide=error.slide, field=error.field, value=error.value))
    st.stop()


# --- State: URL -> slide; every action writes the URL in a callback, before the next run --------
query = st.query_params.to_dict()
state, notices = read_present_state(query, indicators, district_names, unit_names, published.units)
deck = state.deck or default_deck
state = replace(clamp_slide(state, deck), lang=lang)
slide = deck.slides[state.slide]
zoom = zoom_of(slide, state)
# A click on a commune zooms to its district. Read here, before anything is drawn, and only once
# per click: the map keeps returning its last click on every later run.
click = st.session_state.get(MAP_KEY)
if click != st.session_state.get(HANDLED_CLICK):
    st.session_state[HANDLED_CLICK] = click
    code = clicked_code(click, click_target)
    if code is not None:
        state = zoom_to(state, slide, click_target[code])
        zoom = zoom_of(slide, state)
indicator = indicators[slide.indicator]
new_query = write_present_state(state, default_deck, published.units)
if new_query != query:
    st.query_params.from_dict(new_query)


def show(new_state: PresentState) -> None:
    st.query_params.from_dict(write_present_state(new_state, default_deck, published.units))


def save_form(add: bool) -> None:
    """Add the form's view as a new slide after the current one, or replace the current slide."""
    new_slide = edited_slide(slide, lang, **{field: st.session_state[f"{FORM}_{field}"] for field in FORM_FIELDS})
    new_deck = deck.insert(state.slide + 1, new_slide) if add else deck.replace_at(state.slide, new_slide)
    show(PresentState(slide=state.slide + 1 if add else state.slide, deck=new_deck, lang=lang, units=units))


def edit_deck(new_deck, new_slide: int) -> None:
    show(PresentState(slide=max(0, min(new_slide, len(new_deck) - 1)), deck=new_deck, lang=lang, units=units))


# --- Projector layout: the map fills the screen's height on the right; the title, the slide
# controls, the figures and the legend are in the column beside it (in focus order: previous, next,
# back to the province, the map; the unit set, the table and the deck editor below the screen).
view = map_view(version_id, map_state(slide, lang, units), lang)
if has_districts:
    area = district_names[zoom] if zoom else t("present.province", lang)
    within = table["district_code"] == zoom if zoom else None
else:
    area = unit_names[zoom] if zoom else t("present.province", lang)
    within = table["gso_code"] == zoom if zoom else None
shown = view.mask & within if within is not None else view.mask
st.html(PROJECTOR_CSS)
side, map_column = st.columns(SIDE_AND_MAP[units], gap="medium")
with side:
    st.html(f"<h1>{html.escape(slide_title(slide, indicator, lang))}</h1>")
    controls = st.columns([1.5, 1, 1.5], vertical_alignment="center")
    controls[0].button(t("present.prev", lang), key=PREVIOUS_BUTTON, icon=":material/arrow_back:",
                       shortcut=PREVIOUS_SHORTCUT, width="stretch", disabled=state.slide == 0, on_click=show,
                       args=(step(state, deck, -1),), help=t("present.keys", lang))
    controls[1].html(f'<div class="camau-present-counter" role="status">'
                     f'{html.escape(t("present.counter", lang, index=state.slide + 1, total=len(deck)))}</div>')
    controls[2].button(t("present.next", lang), key=NEXT_BUTTON, icon=":material/arrow_forward:",
                       shortcut=NEXT_SHORTCUT, width="stretch", type="primary",
                       disabled=state.slide == len(deck) - 1, on_click=show, args=(step(state, deck, 1),),
                       help=t("present.keys", lang))
    # (The notice that a slide's districts do not apply to the 2025 units says how to zoom instead.)
    districts_ignored = not has_districts and bool(slide.districts or slide.zoom)
    if notices:
        st.caption(t("map.notice", lang, params=notice_params(notices)))
    elif districts_ignored:
        st.caption(t("present.units.no_districts_short", lang))

    # The area shown, and how to change it.
    if zoom:
        where = st.columns([2.2, 1.4], vertical_alignment="center")
        where[0].html(f'<div class="camau-present-area">{html.escape(t("present.zoomed", lang, district=area))}</div>')
        where[1].button(t("present.back", lang), key="present_back", icon=":material/zoom_out_map:", width="stretch",
                        on_click=show, args=(zoom_to(state, slide, None),))
    elif not districts_ignored:   # the figures below name the province
        hint = N_("present.zoom_hint") if has_districts else N_("present.zoom_hint_unit")
        st.caption(t(hint, lang))

    # Figures over the area shown: the province's from the 10/02/2023 report; a district's or a
    # unit's from the communes' (illustrative) values, since the report has no lower level.
    own = area_figure(table, indicators, indicator, shown, area, lang)
    mark = f" · **{t('illustrative', lang)}**" if indicator.illustrative else ""
    st.metric(own.label + mark, own.value)
    figures = {figure.id: figure for figure in report()}
    strip = st.columns(len(STRIP_FIGURES))
    for column, (figure_id, indicator_id) in zip(strip, STRIP_FIGURES.items()):
        if zoom:
            figure = area_figure(table, indicators, indicators[indicator_id], shown, area, lang)
            column.metric(f"{figure.label} · {t('illustrative', lang)}", figure.value)
        else:
            card = score_card(figures[figure_id], lang)
            column.metric(card.label, card.value)
    if not zoom:
        first = figures[next(iter(STRIP_FIGURES))]
        st.caption(t("overview.source", lang, source=sources()[first.source_id].title[lang],
                     date=fmt.date(first.as_of)))

    # The legend, counting the communes of the area shown.
    legend = legend_entries(table, indicator, view.classification, view.mask, within, lang)
    st.html(f'<div class="camau-present-legend-title">{html.escape(t("legend.title", lang))}: '
            f'{html.escape(indicator_title(indicator, lang))}</div>' + legend_strip_html(legend, lang))
    st.caption(" · ".join([*(["★ " + t("legend.model", lang)] if view.layer.marker else []),
                           provenance_text(indicator, indicators, indicator_sources, lang, markdown=True),
                           *([units_caption(indicator, lang, short=True)] if not has_districts else [])]))

# --- The map: same base map and key on every slide, so a slide change restyles it in place -------
geometry = map_assets(units)
minx, miny, maxx, maxy = geometry.bounds
if has_districts:
    reference = require_reference(lang)
    places = SlidePlaces([[miny, minx], [maxy, maxx]], geometry.centroids, unit_names,
                         district_bounds=district_bounds(reference), district_points=district_points(reference))
else:
    places = SlidePlaces([[miny, minx], [maxy, maxx]], geometry.centroids, unit_names,
                         unit_bounds=unit_bounds(reference_2025()))
# The next and previous slides travel with it, so a step repaints before the server answers.
layer = replace(slide_layer(view.layer, table, zoom, places),
                switch=slide_switch_url(version_id, state, deck, places, lang))
with map_column, st.container(key="present_map_box"):
    # The click count makes a second click on the same commune a new value (streamlit-folium sends
    # only values that differ from the last one).
    commune_map(layer, geometry.bounds, key=MAP_KEY, height=MAP_HEIGHT, clicks=True)

# --- Preparing the meeting, below the projected screen: the unit set, the table, the deck --------
st.session_state["present_units"] = units
units_switch(lang, "present_units", drop=("zoom",), short=True)

# The text alternative to the map, drawn only while open.
table_section = st.expander(t("table.title", lang), icon=":material/table:", key="x_present_table", on_change="rerun")
if table_section.open:
    with table_section:
        st.html(html_table(data_table(version_id, map_state(slide, lang, units), lang)))

# --- Preparing a deck: drawn only while open ----------------------------------------------------
editor = st.expander(t("present.edit.title", lang), icon=":material/edit_note:", key="x_present_edit",
                     on_change="rerun")
if editor.open:
    with editor:
        st.caption(t("present.edit.intro", lang))
        current = current_view(slide, state)
        # The form starts from the view shown, and again whenever the view changes or Streamlit
        # dropped its values (after a visit to another page).
        if st.session_state.get(f"_{FORM}_view") != (state, deck) or f"{FORM}_indicator" not in st.session_state:
            for field, value in form_values(current, lang).items():
                st.session_state[f"{FORM}_{field}"] = value
        st.session_state[f"_{FORM}_view"] = (state, deck)
        with st.form(FORM, border=False):
            st.text_input(t("present.edit.slide_title", lang), key=f"{FORM}_title", max_chars=MAX_TITLE)
            columns = st.columns([3, 2, 1, 1.4])
            columns[0].selectbox(t("map.indicator", lang), list(indicators), key=f"{FORM}_indicator",
                                 format_func=lambda i: indicator_title(indicators[i], lang), placeholder=t("widget.choose", lang))
            columns[1].selectbox(t("map.scheme", lang), SLIDE_SCHEMES, key=f"{FORM}_scheme",
                                 format_func=lambda s: labels.label(labels.SCHEME, s, lang), placeholder=t("widget.choose", lang))
            columns[2].number_input(t("map.classes", lang), MIN_CLASSES, MAX_CLASSES, step=1, key=f"{FORM}_classes")
            columns[3].selectbox(t("map.palette", lang), PALETTES, key=f"{FORM}_palette", placeholder=t("widget.choose", lang))
            columns = st.columns([3, 2, 2])
            # The district filter and zoom are kept in the slide for the 2022–2024 units only.
            columns[0].multiselect(t("map.filter.district", lang), list(district_names), key=f"{FORM}_districts",
                                   format_func=district_names.get, placeholder=t("map.filter.any", lang),
                                   select_all=False, disabled=not has_districts,
                                   help=None if has_districts else t("present.units.no_districts", lang))
            columns[1].radio(t("map.filter.pilot", lang), PILOT_CHOICES, key=f"{FORM}_pilot", horizontal=True,
                             format_func=lambda p: labels.label(labels.PILOT_FILTER, p, lang))
            columns[2].selectbox(t("present.edit.zoom", lang), [PROVINCE, *district_names], key=f"{FORM}_zoom",
                                 format_func=lambda d: district_names.get(d) or t("present.edit.whole_province", lang),
                                 placeholder=t("widget.choose", lang), disabled=not has_districts,
                                 help=None if has_districts else t("present.units.no_districts", lang))
            buttons = st.columns(2)
            buttons[0].form_submit_button(t("present.edit.add", lang), key="present_edit_add", icon=":material/add:",
                                          disabled=len(deck) >= MAX_SLIDES, on_click=save_form, args=(True,))
            buttons[1].form_submit_button(t("present.edit.replace", lang), key="present_edit_replace",
                                          icon=":material/sync:", on_click=save_form, args=(False,))
        actions = st.columns(4)
        actions[0].button(t("present.edit.earlier", lang), key="present_edit_earlier", icon=":material/arrow_upward:",
                          disabled=state.slide == 0,
                          on_click=edit_deck, args=(deck.move(state.slide, -1), state.slide - 1))
        actions[1].button(t("present.edit.later", lang), key="present_edit_later", icon=":material/arrow_downward:",
                          disabled=state.slide == len(deck) - 1,
                          on_click=edit_deck, args=(deck.move(state.slide, 1), state.slide + 1))
        actions[2].button(t("present.edit.remove", lang), key="present_edit_remove", icon=":material/delete:",
                          disabled=len(deck) == 1, on_click=edit_deck, args=(deck.remove(state.slide), state.slide))
        actions[3].button(t("present.edit.reset", lang), key="present_edit_reset", icon=":material/restart_alt:",
                          disabled=state.deck is None, on_click=edit_deck, args=(default_deck, 0))
        st.markdown(f"**{t('present.edit.slides', lang)}**")
        items = "".join(
            f"<li>{'<b>' if number == state.slide else ''}"
            f"{html.escape(slide_title(item, indicators[item.indicator], lang))}"
            f"{'</b>' if number == state.slide else ''}</li>" for number, item in enumerate(deck.slides))
        st.html(f'<ol style="font-size:1.1rem">{items}</ol>')
        st.text(t("present.edit.link", lang))
        st.code(f"{(st.context.url or '').split('?')[0]}?{urlencode(new_query)}", language=None)
