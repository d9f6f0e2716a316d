"""Planner page controls. Like the map page (ui.map_widgets): a URL that changes from outside
(first load, a pasted link, an opened scenario) is pushed into the widgets; otherwise the widgets
are the source of truth and the URL is rewritten from them. A map click arrives through a
callback before the rerun and toggles the commune's place on the must-include / must-exclude lists.
"""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from geo.units2025 import UNITS_2023
from indicators.catalogue import Indicator
from indicators.table import has_districts as table_has_districts
from l10n import fmt, labels
from l10n.messages import N_, t
from l10n.text import plain
from planner.resources import Assumptions
from planner.scoring import CRITERIA, PROXIMITY_MODES, Weights
from planner.selection import SIZE_KINDS, Constraints
from planner.wave import PlanSettings
from ui import unit_set
from ui.map_widgets import clicked_code
from views.plan.plan_state import (
    COVERAGE_RANGE,
    MAX_PER_DISTRICT,
    MAX_SIZE,
    MAX_WEIGHT,
    MEMBERS_PER_TEAM_RANGE,
    TEAMS_PER_1000_RANGE,
)

MAP_KEY = "plan_map"
_SYNCED_QUERY = "_plan_synced_query"
_WAVE = "_plan_wave"                 # the codes of the wave on screen, for the click callback
_CLICK_NOTICE = "_plan_click_notice"


WIDGET_KEYS = (*(f"p_w_{name}" for name in CRITERIA), "p_ind", "p_prox", "p_size_kind", "p_size", "p_dmin", "p_dmax",
               "p_inc", "p_exc", "p_tpk", "p_mpt", "p_cov", "p_units")
DISTRICT_KEYS = ("p_dmin", "p_dmax")     # not drawn on the 2025 units, so Streamlit forgets them


# The assumption boxes: widget key, label, field of Assumptions, shown in percent, decimals of the
# default, range.
_ASSUMPTION_BOXES = (("p_tpk", N_("plan.tpk"), "teams_per_1000_households", False, 2, TEAMS_PER_1000_RANGE),
                     ("p_mpt", N_("plan.mpt"), "members_per_team", False, 2, MEMBERS_PER_TEAM_RANGE),
                     ("p_cov", N_("plan.cov"), "coverage_rate", True, 1, COVERAGE_RANGE))


def _assumption_texts(assumptions: Assumptions, exact: bool, lang: str) -> dict[str, str]:
    """The boxes' texts, written the language's way (2,26 in Vietnamese): the defaults rounded as
    shown in the caption, values from a link in full."""
    texts = {}
    for key, _, field, in_percent, decimals, _ in _ASSUMPTION_BOXES:
        value = getattr(assumptions, field) * (100 if in_percent else 1)
        texts[key] = fmt.number_compact(value, lang) if exact else fmt.number(value, decimals, lang)
    return texts


def sync_from_url(settings: PlanSettings, query: dict, units: str, defaults: Assumptions, lang: str) -> None:
    # Streamlit drops a page's widget values when the user visits another page: coming back, the
    # widgets are filled from the URL again even though it has not changed.
    drawn = [key for key in WIDGET_KEYS if units == UNITS_2023.id or key not in DISTRICT_KEYS]
    if st.session_state.get(_SYNCED_QUERY) == query and all(key in st.session_state for key in drawn):
        return
    st.session_state["p_units"] = units
    for name, value in settings.weights.as_dict().items():
        st.session_state[f"p_w_{name}"] = int(value)
    c = settings.constraints
    st.session_state.update(_assumption_texts(settings.assumptions or defaults, settings.assumptions is not None, lang))
    st.session_state.update({
        "p_ind": list(settings.adoption), "p_prox": settings.proximity, "p_size_kind": c.size_kind,
        "p_size": c.size, "p_dmin": c.district_min, "p_dmax": c.district_max,
        "p_inc": sorted(c.must_include), "p_exc": sorted(c.must_exclude),
    })


def units_switch(lang: str) -> str:
    """The unit-set switch: the must-include and must-exclude communes of the other set are dropped."""
    return unit_set.units_switch(lang, "p_units", drop=("inc", "exc"))


def remember_url(query: dict, wave: list[str]) -> None:
    st.session_state[_SYNCED_QUERY] = query
    st.session_state[_WAVE] = list(wave)


def forget_url() -> None:
    """Make the next run take its settings from the URL (after the URL is set from a scenario)."""
    st.session_state.pop(_SYNCED_QUERY, None)


def toggled(code: str, include: list[str], exclude: list[str], wave: list[str]) -> tuple[list[str], list[str]]:
    """The lists after a click on ``code``: a click undoes an exclusion or an inclusion; otherwise
    a commune in the wave is excluded and one outside it is included."""
    include, exclude = list(include), list(exclude)
    if code in exclude:
        exclude.remove(code)
    elif code in include:
        include.remove(code)
    elif code in wave:
        exclude.append(code)
    else:
        include.append(code)
    return include, exclude


def on_map_click(candidate_codes: frozenset[str], pilot_names: dict[str, str]) -> None:
    code = clicked_code(st.session_state.get(MAP_KEY), candidate_codes | set(pilot_names))
    if code is None:
        return
    if code in pilot_names:
        st.session_state[_CLICK_NOTICE] = code
        return
    st.session_state["p_inc"], st.session_state["p_exc"] = toggled(
        code, st.session_state.get("p_inc", []), st.session_state.get("p_exc", []), st.session_state.get(_WAVE, []))


def take_click_notice() -> str | None:
    return st.session_state.pop(_CLICK_NOTICE, None)


def reset_assumptions(defaults: Assumptions, lang: str) -> None:
    st.session_state.update(_assumption_texts(defaults, False, lang))


def assumption_inputs(defaults: Assumptions, lang: str) -> Assumptions | None:
    """The three ratios typed the language's way; None while every box still shows its default.
    A box that cannot be read, or is out of range, says so and keeps its default."""
    shown = _assumption_texts(defaults, False, lang)
    values, edited = {}, False
    for key, label, field, in_percent, _, (low, high) in _ASSUMPTION_BOXES:
        default = getattr(defaults, field)
        text = st.text_input(t(label, lang), key=key)
        values[field] = default
        if text.strip() == shown[key]:
            continue
        try:
            number = fmt.parse_number(text, lang)
        except ValueError:
            number = math.nan
        if not low <= number <= high:
            st.error(t("plan.assumption.invalid", lang, text=plain(text[:40]), low=fmt.number_compact(low, lang),
                       high=fmt.number_compact(high, lang)))
            continue
        values[field] = number / 100 if in_percent else number
        edited = True
    return Assumptions(**values) if edited else None


def controls(catalogue: dict[str, Indicator], adoption_ids: list[str], table: pd.DataFrame,
             defaults: Assumptions, from_pilot: bool, lang: str) -> PlanSettings:
    """The sidebar: criteria and weights, constraints, resource assumptions."""
    has_districts = table_has_districts(table)
    names = (dict(zip(table["gso_code"], table["name"] + " (" + table["district"] + ")")) if has_districts
             else dict(zip(table["gso_code"], table["name"])))
    st.subheader(t("plan.criteria", lang))
    weights = Weights(**{name: st.slider(labels.label(labels.PLAN_CRITERION, name, lang), 0, MAX_WEIGHT, key=f"p_w_{name}",
                                         help=t("plan.weight.help", lang)) for name in CRITERIA})
    adoption = st.multiselect(t("plan.adoption", lang), adoption_ids, key="p_ind",
                              format_func=lambda i: catalogue[i].name[lang], placeholder=t("plan.choose_indicators", lang), select_all=False)
    proximity = st.radio(t("plan.proximity", lang), PROXIMITY_MODES, key="p_prox",
                         format_func=lambda m: labels.label(labels.PLAN_PROXIMITY, m, lang))

    st.subheader(t("plan.constraints", lang))
    size_kind = st.selectbox(t("plan.size_kind", lang), SIZE_KINDS, key="p_size_kind",
                             format_func=lambda k: labels.label(labels.PLAN_SIZE_KIND, k, lang), placeholder=t("widget.choose", lang))
    size = st.number_input(t("plan.size", lang), 0, MAX_SIZE, step=1, key="p_size")
    if has_districts:
        district_min = st.number_input(t("plan.dmin", lang), 0, MAX_PER_DISTRICT, step=1, key="p_dmin")
        # A picker rather than a number box: "no limit" stays one choice away after a number is chosen.
        district_max = st.selectbox(t("plan.dmax", lang), [None, *range(1, MAX_PER_DISTRICT + 1)], key="p_dmax",
                                    format_func=lambda n: t("plan.dmax.none", lang) if n is None else str(n),
                                    placeholder=t("widget.choose", lang))
    else:
        district_min, district_max = 0, None
        st.caption(t("plan.no_district_limits", lang))
    ordered = sorted(names, key=names.get)
    include = st.multiselect(t("plan.include", lang), ordered, key="p_inc", format_func=names.get,
                             placeholder=t("plan.choose_communes", lang), select_all=False)
    exclude = st.multiselect(t("plan.exclude", lang), ordered, key="p_exc", format_func=names.get,
                             placeholder=t("plan.choose_communes", lang), select_all=False)

    st.subheader(t("plan.assumptions", lang))
    if from_pilot:
        st.caption(t("plan.assumptions.from_pilot", lang, tpk=fmt.number(defaults.teams_per_1000_households, 2, lang),
                     mpt=fmt.number(defaults.members_per_team, 2, lang),
                     cov=fmt.percent(defaults.coverage_rate * 100, 1, lang)))
    else:
        st.warning(t("plan.assumptions.fallback", lang))
    edited = assumption_inputs(defaults, lang)
    st.button(t("plan.assumptions.reset", lang), on_click=reset_assumptions, args=(defaults, lang))
    return PlanSettings(
        weights=weights, adoption=tuple(adoption), proximity=proximity,
        constraints=Constraints(size_kind=size_kind, size=int(size), district_min=int(district_min),
                                district_max=None if district_max is None else int(district_max),
                                must_include=frozenset(include), must_exclude=frozenset(exclude) - frozenset(include)),
        # Without pilot figures the fallback ratios are assumptions too: written to the link.
        assumptions=edited if edited or from_pilot else defaults)
