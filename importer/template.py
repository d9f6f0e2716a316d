"""The blank Excel template: one row per commune, one column per importable indicator, for either
unit set (the 2025 units have no district column: there are no districts)."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from importer.mapping import template_header
from indicators.catalogue import Indicator

CODE_HEADER, DISTRICT_HEADER, COMMUNE_HEADER = "Mã GSO", "Huyện / thành phố", "Xã, phường, thị trấn"
COMMUNE_HEADER_2025 = "Xã, phường"
SHEET = "Nhap lieu"


def template_workbook(units: pd.DataFrame, indicators: list[Indicator]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    districts = "district" in units.columns
    id_headers = [CODE_HEADER, DISTRICT_HEADER, COMMUNE_HEADER] if districts else [CODE_HEADER, COMMUNE_HEADER_2025]
    sheet.append(id_headers + [template_header(i) for i in indicators])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    if districts:
        for unit in units.sort_values(["district_code", "gso_code"]).itertuples(index=False):
            sheet.append([unit.gso_code, unit.district, unit.name])
    else:
        for unit in units.sort_values("gso_code").itertuples(index=False):
            sheet.append([unit.gso_code, unit.name])
    for row in sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"   # keep codes as 5-character text
    for index, width in enumerate([10, 22, 28][:len(id_headers) - 1] + [28] + [22] * len(indicators), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(2, len(id_headers) + 1).coordinate

    notes = workbook.create_sheet("Huong dan")
    for line in (
        ("Đơn vị: 101 xã, phường, thị trấn của tỉnh Cà Mau giai đoạn 2022–2024." if districts else
         "Đơn vị: 64 xã, phường của tỉnh Cà Mau từ 01/07/2025 (sau hợp nhất với Bạc Liêu, không còn cấp huyện)."),
        "Điền số liệu vào các cột chỉ tiêu; để trống ô chưa có số liệu.",
        "Không sửa cột Mã GSO. Số viết kiểu Việt Nam (1.610; 26,5) hoặc số thường đều được.",
        "Số đếm phải là số nguyên, không âm; số hộ được hướng dẫn không lớn hơn số hộ của xã.",
        "Chỉ tiêu: " + "; ".join(f"{template_header(i)}: {i.description['vi']}" for i in indicators),
    ):
        notes.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
