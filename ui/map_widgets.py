"""Map page controls: widgets whose values mirror the URL state (``views.map.state``).

When the URL changes from outside (first load, a pasted link, the browser's back button) its
state is pushed into the widgets; otherwise the widgets are the source of truth and the URL is
rewritten from them. The map click arrives through a callback, before the rerun, so the map is
drawn once with the new selection.
"""
from __future__ import annotations

import streamlit as st

from geo.classify import MAX_CLASSES, MIN_CLASSES, PALETTES, SCHEMES
from geo.units2025 import UNITS_2023
from indicators.catalogue import Indicator
from l10n import fmt, labels
from l10n.messages import t
from ui import unit_set
from views.map.lookups import RangeStops
from views.map.state import PILOT_CHOICES, UNIT_TYPES, VIEW_PARAM, MapState
from views.map.switch import INDICATOR_WIDGET, indicator_label

MAP_KEY = "commune_map"
_SYNCED_QUERY = "_map_synced_query"
_WIDGETS = {
    "indicator": "w_indicator", "scheme": "w_scheme", "classes": "w_classes", "palette": "w_palette",
    "districts": "w_districts", "types": "w_types", "pilot": "w_pilot", "commune": "w_commune",
    "units": "w_units",
}


def clicked_code(component_value, known_codes) -> str | None:
    """The GSO code of the commune in streamlit-folium's returned value, if it names one.
    Clicks on other layers (the model marker) carry no code and are ignored."""
    drawing = (component_value or {}).get("last_active_drawing") or {}
    code = (drawing.get("properties") or {}).get("gso_code")
    return code if isinstance(code, str) and code in known_codes else None


def on_map_click(known_codes) -> None:
    code = clicked_code(st.session_state.get(MAP_KEY), known_codes)
    if code is not None:
        st.session_state[_WIDGETS["commune"]] = code


def sync_from_url(state: MapState, query: dict) -> None:
    # Streamlit drops a page's widget values when the user visits another page: coming back, the
    # widgets are filled from the URL again even though it has not changed.
    # The district box is not drawn on the 2025 units, so Streamlit forgets its value there.
    drawn = [key for field, key in _WIDGETS.items() if field != "districts" or state.units == UNITS_2023.id]
    if st.session_state.get(_SYNCED_QUERY) == _widget_params(query) and all(key in st.session_state for key in drawn):
        return
    for field, key in _WIDGETS.items():
        value = getattr(state, field)
        st.session_state[key] = list(value) if isinstance(value, tuple) else value
    st.session_state["w_breaks"] = "; ".join(fmt.number_compact(b, state.lang) for b in state.breaks)
    st.session_state["_w_range_state"] = (state.indicator, state.value_min, state.value_max)
    for key in [k for k in st.session_state if str(k).startswith("w_range_")]:
        del st.session_state[key]


def units_switch(lang: str) -> str:
    """The unit-set switch above the map: the commune and districts of the other set are dropped."""
    return unit_set.units_switch(lang, _WIDGETS["units"], drop=("c", "d"))


def _widget_params(query: dict) -> dict:
    # The map writes the view a user moved to into the URL itself (no widget holds it): a URL that
    # differs only there is the same for the widgets.
    return {name: value for name, value in query.items() if name != VIEW_PARAM}


def remember_url(query: dict) -> None:
    st.session_state[_SYNCED_QUERY] = _widget_params(query)


def clear_filters() -> None:
    st.session_state["w_districts"] = []
    st.session_state["w_types"] = []
    st.session_state["w_pilot"] = "all"
    st.session_state.pop("_w_range_state", None)
    for key in [k for k in st.session_state if str(k).startswith("w_range_")]:
        del st.session_state[key]


def clear_selection() -> None:
    st.session_state["w_commune"] = None


def indicator_controls(catalogue: dict[str, Indicator], lang: str) -> dict:
    def name(indicator_id: str) -> str:
        return indicator_label(catalogue[indicator_id], lang)

    top = st.columns([3, 2, 1, 1.4])
    indicator_id = top[0].selectbox(t("map.indicator", lang), list(catalogue), key=INDICATOR_WIDGET,
                                    format_func=name, placeholder=t("widget.choose", lang))
    is_number = catalogue[indicator_id].kind == "number"
    scheme = top[1].selectbox(t("map.scheme", lang), SCHEMES, key="w_scheme", disabled=not is_number,
                              format_func=lambda s: labels.label(labels.SCHEME, s, lang), placeholder=t("widget.choose", lang))
    classes = top[2].number_input(t("map.classes", lang), MIN_CLASSES, MAX_CLASSES, step=1, key="w_classes",
                                  disabled=not is_number or scheme == "manual")
    palette = top[3].selectbox(t("map.palette", lang), PALETTES, key="w_palette", disabled=not is_number, placeholder=t("widget.choose", lang))
    breaks_text = ""
    breaks_slot = st.container()   # always present, so the elements below keep their places
    if is_number and scheme == "manual":
        breaks_text = breaks_slot.text_input(t("map.breaks", lang), key="w_breaks", help=t("map.breaks.help", lang))
    return {"indicator": indicator_id, "scheme": scheme, "classes": int(classes), "palette": palette,
            "breaks_text": breaks_text}


def parse_breaks(text: str, lang: str) -> tuple[tuple[float, ...], str | None]:
    """Breaks typed by a person, the Vietnamese way ("1.000; 5.000") or plain ("1000;5000")."""
    parts = [part for part in text.replace("\n", ";").split(";") if part.strip()]
    try:
        return tuple(fmt.parse_number(part, lang) for part in parts), None
    except ValueError as exc:
        return (), str(exc) or text


def filter_controls(districts: dict[str, str], stops: RangeStops, indicator: Indicator, lang: str) -> dict:
    """The sidebar filters; ``districts`` is empty on the 2025 units (no districts)."""
    st.subheader(t("map.filters", lang))
    chosen_districts = []
    if districts:
        chosen_districts = st.multiselect(t("map.filter.district", lang), list(districts), key="w_districts",
                                          format_func=districts.get, placeholder=t("map.filter.any", lang),
                                          select_all=False)
    else:
        st.caption(t("units.no_districts", lang))
    chosen_types = st.multiselect(t("map.filter.type", lang), list(UNIT_TYPES), key="w_types",
                                  format_func=UNIT_TYPES.get, placeholder=t("map.filter.any", lang), select_all=False)
    pilot = st.radio(t("map.filter.pilot", lang), PILOT_CHOICES, key="w_pilot",
                     format_func=lambda p: labels.label(labels.PILOT_FILTER, p, lang))
    value_min = value_max = None
    steps = stops.steps
    if len(steps) > 1:
        low, high = steps[0], steps[-1]
        key = f"w_range_{indicator.id}"
        start, end = low, high
        if key not in st.session_state:
            # A range from the URL applies only to the indicator it was written for.
            range_indicator, wanted_min, wanted_max = st.session_state.get("_w_range_state", (None, None, None))
            if range_indicator == indicator.id:
                start = low if wanted_min is None else min(max(wanted_min, low), high)
                end = high if wanted_max is None else max(min(wanted_max, high), start)
        else:
            start, end = st.session_state[key]
        # A range from a link is kept exactly, as stops of its own. A select slider over the
        # communes' own values shows its stops the legend's way (26,5 in Vietnamese); st.slider can
        # only print numbers the English way. The two-value default makes it a range slider.
        chosen = st.select_slider(f"{t('map.filter.range', lang)} ({indicator.unit[lang]})",
                                  options=sorted({*steps, start, end}), value=(start, end), key=key,
                                  format_func=lambda v: stops.labels.get(v) or fmt.number(v, indicator.decimals, lang))
        value_min = None if chosen[0] <= low else chosen[0]
        value_max = None if chosen[1] >= high else chosen[1]
        st.session_state["_w_range_state"] = (indicator.id, value_min, value_max)
    st.button(t("map.filter.reset", lang), on_click=clear_filters)
    return {"districts": tuple(chosen_districts), "types": tuple(chosen_types), "pilot": pilot,
            "value_min": value_min, "value_max": value_max}
