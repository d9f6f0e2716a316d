"""Cached planner computations for the page (one per published version and settings)."""
from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.units2025 import UNITS_2023, UNITS_2025
from indicators.conversion import NotInUnits
from planner.geography import Geography, commune_geography
from planner.resources import pilot_assumptions
from planner.wave import FALLBACK_ASSUMPTIONS, PlanSettings, WaveResult, plan_wave
from reports.plan_workbook import plan_csv, plan_xlsx
from ui.streamlit_support import published_tables, reference_2025, reference_data
from views.charts import ChartPanel
from views.plan.score_chart import wave_score_panel


@st.cache_resource(show_spinner=False)
def geography(units: str = UNITS_2023.id) -> Geography:
    """Neighbours and distances of one unit set (the 2025 ones from their own polygons)."""
    communes = reference_2025().communes if units == UNITS_2025.id else reference_data().communes
    return commune_geography(communes)


@st.cache_resource(show_spinner=False, max_entries=8)
def default_assumptions(version_id: int):
    """(the pilot's ratios or the fallback, whether they come from the pilot). From the 2022–2024
    units where the data are in them: there a converted 2025 unit counts as piloted when any piece
    had a team, so its households would dilute the teams per 1,000 households and the coverage.
    Data reported in the 2025 units give their own ratios."""
    try:
        table = published_tables(version_id)[0]
    except NotInUnits:
        table = published_tables(version_id, UNITS_2025.id)[0]
    ratios = pilot_assumptions(table)
    return (ratios, True) if ratios is not None else (FALLBACK_ASSUMPTIONS, False)


@st.cache_resource(show_spinner=False, max_entries=64)
def wave(version_id: int, settings: PlanSettings, units: str = UNITS_2023.id) -> WaveResult:
    """The planning run for these settings on one published version, shared: do not modify."""
    table, catalogue, _ = published_tables(version_id, units)
    return plan_wave(table, catalogue, geography(units), settings)


@st.cache_resource(show_spinner=False, max_entries=32)
def plan_files(version_id: int, settings: PlanSettings, version_label: str, lang: str,
               day: dt.date, units: str = UNITS_2023.id) -> tuple[bytes, bytes]:
    """(Excel, CSV) of the plan, built once per plan and day (the file carries the date it was
    made) rather than on every rerun."""
    result = wave(version_id, settings, units)
    return (plan_xlsx(result, published_tables(version_id, units)[1], version_label, lang, day),
            plan_csv(result, lang))


@st.cache_resource(show_spinner=False, max_entries=32)
def wave_score_chart(version_id: int, settings: PlanSettings, lang: str, units: str = UNITS_2023.id) -> ChartPanel | None:
    """The chart of the wave's score breakdown, built once per plan and language (Altair validates
    the whole spec when it is made)."""
    return wave_score_panel(wave(version_id, settings, units), lang)
