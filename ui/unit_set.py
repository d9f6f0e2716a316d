"""The unit-set switch shared by the pages that show a map (``units=2023|2025`` in the link)."""
from __future__ import annotations

from functools import partial

import streamlit as st

from l10n import labels
from l10n.messages import t


def apply_choice(key: str, drop: tuple[str, ...]) -> None:
    """A switch's callback. The switch is a new link: the unit set in the URL, and the parameters
    naming communes or districts of the other set dropped (their codes mean other places, or
    nothing, in this one). A segmented control cleared by a second click keeps the current set.
    The set is written even when it is the default: the page drops it again when it is."""
    units = st.session_state.get(key)
    if units is None:
        return
    st.query_params["units"] = units
    for name in drop:
        st.query_params.pop(name, None)


def units_switch(lang: str, key: str, drop: tuple[str, ...], short: bool = False) -> str:
    """A horizontal radio of the two unit sets (``short``: their short names); the page reads the
    set from the URL (``views.map.state.read_units``), which the switch rewrites."""
    names = labels.UNIT_SET_SHORT if short else labels.UNIT_SET
    return st.radio(t("units.switch", lang), list(names), key=key, horizontal=True,
                    format_func=lambda units: labels.label(names, units, lang), on_change=partial(apply_choice, key, drop))
