"""The current view's filtered table as data files: CSV (UTF-8 with BOM, for Excel), XLSX (a data
sheet and a notes sheet) and GeoJSON (WGS84 commune polygons with their values)."""
from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from geo.units2025 import UNITS_2023
from l10n import fmt
from l10n.messages import t
from reports.content import ExportedView, conversion_texts, data_rows, notes, title
from reports.tables import csv_bytes, neutralise
from views.map.mapview import GROUP_HEADERS, ILLUSTRATIVE_COLOUR, units_caption

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_MIME = "application/geo+json"


def spreadsheet_frame(exported: ExportedView) -> pd.DataFrame:
    """One row per commune that passes the filters, with headers in the page's language; every
    row repeats the date, the source and (for illustrative data) the illustrative mark, so that a
    row copied elsewhere keeps them."""
    indicator, lang = exported.indicator, exported.lang
    rows = data_rows(exported)
    if indicator.kind == "category":
        values = rows["value_text"]
    elif indicator.decimals == 0:
        values = pd.array(rows["value"], dtype="Int64")   # 14501, not 14501.0
    else:
        values = pd.array(rows["value"], dtype="Float64")
    frame = pd.DataFrame({
        t("col.gso_code", lang): rows["gso_code"],
        t("col.commune", lang): rows["name"],
        t(GROUP_HEADERS["district" if exported.boundaries.units == UNITS_2023.id else "former_district"], lang):
            rows["district"],
        t("col.type", lang): rows["type"],
        t("export.col.indicator", lang): indicator.name[lang],
        t("export.col.value", lang): values,
        t("export.col.unit", lang): "" if indicator.kind == "category" else indicator.unit[lang],
        t("export.col.value_text", lang): rows["value_text"],
        t("col.class", lang): rows["class_label"],
        t("tooltip.as_of", lang): indicator.as_of,
        t("tooltip.source", lang): exported.source_title,
        t("export.col.note", lang): t("illustrative", lang) if indicator.illustrative else "",
    })
    if exported.converted:
        frame[t("col.conversion", lang)] = conversion_texts(exported)
    return frame


def csv_file(exported: ExportedView) -> bytes:
    frame = spreadsheet_frame(exported)
    as_of = t("tooltip.as_of", exported.lang)
    frame[as_of] = frame[as_of].map(fmt.date)
    return csv_bytes(frame)


def xlsx_file(exported: ExportedView, today: dt.date) -> bytes:
    lang = exported.lang
    frame = spreadsheet_frame(exported)
    book = Workbook()
    data = book.active
    data.title = t("export.sheet.data", lang)
    data.append([neutralise(str(column)) for column in frame.columns])
    for row in frame.itertuples(index=False):
        # neutralise: openpyxl stores any text starting with "=" as a live formula
        data.append([None if pd.isna(value) else neutralise(value) for value in row])
    for cell in data[1]:
        cell.font = Font(bold=True)
    value_column = frame.columns.get_loc(t("export.col.value", lang)) + 1
    date_column = frame.columns.get_loc(t("tooltip.as_of", lang)) + 1
    decimals = exported.indicator.decimals
    for cells in data.iter_rows(min_row=2):
        cells[value_column - 1].number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
        cells[date_column - 1].number_format = "DD/MM/YYYY"
    data.freeze_panes = "A2"
    data.auto_filter.ref = data.dimensions
    for index, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        data.column_dimensions[get_column_letter(index)].width = min(60, max(10, longest + 2))

    sheet = book.create_sheet(t("export.sheet.notes", lang))
    illustrative = t("illustrative", lang)
    for label, text in notes(exported, today):
        sheet.append([neutralise(label), neutralise(text)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.cell(sheet.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
        if label == illustrative:
            sheet.cell(sheet.max_row, 2).font = Font(bold=True, color=ILLUSTRATIVE_COLOUR.lstrip("#").upper())
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100

    book.properties.title = title(exported.indicator, lang)
    book.properties.creator = t("app.title", lang)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def geojson_file(exported: ExportedView) -> bytes:
    """RFC 7946 GeoJSON (WGS84 longitude/latitude) of the communes that pass the filters, with
    the value, its text and its class as properties, and the source, date and illustrative mark
    both on the collection and on every feature."""
    indicator, lang = exported.indicator, exported.lang
    rows = data_rows(exported)
    rows["illustrative"] = indicator.illustrative
    if exported.converted:
        rows["conversion"] = conversion_texts(exported)
    shapes = exported.boundaries.communes[["gso_code", "geometry"]]
    features = shapes.merge(rows, on="gso_code", how="inner", validate="1:1")
    collection = features.to_geo_dict(drop_id=True)
    collection["name"] = title(indicator, lang)
    collection["metadata"] = {
        "indicator": indicator.id,
        "title": title(indicator, lang),
        "unit": indicator.unit[lang],
        "as_of": indicator.as_of.isoformat(),
        "source": exported.source_title,
        "illustrative": indicator.illustrative,
        "note": t("illustrative.long", lang) if indicator.illustrative else "",
        "units": exported.boundaries.units,
        "conversion": units_caption(indicator, lang) if exported.converted else "",
    }
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")
