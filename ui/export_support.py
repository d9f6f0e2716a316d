"""The Streamlit glue for the map page's exports: one download per file of the current view and
the district brief. Files are made only when their button is clicked (``st.download_button``
runs a callable ``data`` on click, in a separate thread), so an open export section costs a
rerun almost nothing; each made file is cached for its view and day."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo.units2025 import UNITS_2025
from indicators.catalogue import Indicator, Source
from l10n.messages import N_, t
from reports.content import ExportedView, boundaries_2023, boundaries_2025, file_name
from reports.data_files import GEOJSON_MIME, XLSX_MIME, csv_file, geojson_file, xlsx_file
from reports.district_brief import brief_pdf, district_state
from reports.map_picture import map_pdf, map_png
from ui.streamlit_support import map_view, reference_2025, require_reference
from views.map.state import MapState

# kind -> (label key, extension, MIME type, maker)
VIEW_FILES: dict[str, tuple[str, str, str, Callable[[ExportedView, dt.date], bytes]]] = {
    "png": (N_("export.png"), "png", "image/png", map_png),
    "pdf": (N_("export.pdf"), "pdf", "application/pdf", map_pdf),
    "csv": (N_("export.csv"), "csv", "text/csv", lambda exported, _day: csv_file(exported)),
    "xlsx": (N_("export.xlsx"), "xlsx", XLSX_MIME, xlsx_file),
    "geojson": (N_("export.geojson"), "geojson", GEOJSON_MIME, lambda exported, _day: geojson_file(exported)),
}
PICTURE_KINDS, DATA_KINDS = ("png", "pdf"), ("csv", "xlsx", "geojson")


@dataclass(frozen=True)
class Download:
    """What one download button needs; ``data`` makes the file when called."""
    kind: str
    label: str
    file_name: str
    mime: str
    data: Callable[[], bytes]


def _exported(version_id: int, state: MapState, lang: str, table: pd.DataFrame,
              catalogue: dict[str, Indicator], sources: dict[str, Source]) -> ExportedView:
    if state.units == UNITS_2025.id:
        boundaries = boundaries_2025(reference_2025())
    else:
        boundaries = boundaries_2023(require_reference(lang))
    return ExportedView(table, map_view(version_id, state, lang), catalogue, sources, boundaries, lang)


def view_downloads(version_id: int, state: MapState, lang: str, table: pd.DataFrame,
                   catalogue: dict[str, Indicator], sources: dict[str, Source]) -> dict[str, Download]:
    """The five files of the current view (PNG, PDF, CSV, XLSX, GeoJSON), none made yet."""
    exported = _exported(version_id, state, lang, table, catalogue, sources)
    day = dt.date.today()
    downloads = {}
    for kind, (label_key, extension, mime, _) in VIEW_FILES.items():
        downloads[kind] = Download(
            kind, t(label_key, lang), file_name(state.indicator, extension, day), mime,
            lambda kind=kind: _view_file(version_id, state, lang, kind, day, exported))
    return downloads


def brief_download(version_id: int, state: MapState, lang: str, district_code: str, table: pd.DataFrame,
                   catalogue: dict[str, Indicator], sources: dict[str, Source]) -> Download:
    whole_district = district_state(state, district_code)
    exported = _exported(version_id, whole_district, lang, table, catalogue, sources)
    day = dt.date.today()
    return Download("brief", t("export.brief.download", lang),
                    file_name(state.indicator, "pdf", day, district_code), "application/pdf",
                    lambda: _brief_file(version_id, whole_district, lang, district_code, day, exported))


# Keyed by version, state, language and day; the leading "_" keeps the (derived) view out of the key.
@st.cache_data(show_spinner=False, max_entries=32)
def _view_file(version_id: int, state: MapState, lang: str, kind: str, day: dt.date,
               _exported: ExportedView) -> bytes:
    return VIEW_FILES[kind][3](_exported, day)


@st.cache_data(show_spinner=False, max_entries=16)
def _brief_file(version_id: int, state: MapState, lang: str, district_code: str, day: dt.date,
                _exported: ExportedView) -> bytes:
    return brief_pdf(_exported, district_code, day)


def single_district(state: MapState) -> str | None:
    """The district the filters name, when they name exactly one: the brief's default."""
    return state.districts[0] if len(state.districts) == 1 else None


def download_buttons(downloads: list[Download]) -> None:
    """One row of download buttons. ``on_click="ignore"``: a download does not rerun the page."""
    for column, download in zip(st.columns(len(downloads)), downloads):
        with column:
            st.download_button(download.label, download.data, file_name=download.file_name, mime=download.mime,
                               key=f"w_download_{download.kind}", on_click="ignore", icon=":material/download:",
                               width="stretch")
