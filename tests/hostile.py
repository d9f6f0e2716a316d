"""The hostile-input corpus of issue 11: small files that once took the editors' server down.

Nothing binary is committed; every file is generated here, in memory, in a second or two:

| name | what it is | what it once did |
|---|---|---|
| ``xfd.xlsx`` | 1.5–5 KB: one cell in A1, one at XFD1048576 | 112 s of CPU, 5.4 GB |
| ``empty_lines_wide.csv`` | 210 KB: 200,000 empty lines, then one 5,000-column line | MemoryError at 4.5 GB |
| ``bare_cells.xlsx`` | 86 KB: 20 million bare ``<c/>`` cells in one row | 4.1 GB, 100 s |
| ``long_shared_string.xlsx`` | 307 KB: one shared string of 300 MB | about 1 GB, 49 s |
| ``junk_rows.csv`` | 0.24 MB: a header, then 40,000 rows ``1,a,2`` | 71 s in the fuzzy matcher |
| ``junk_rows_10mb.csv`` | the same, 9.9 MB | still running after 300 s |

``python -m tests.hostile DIR`` writes them into DIR for a manual try.
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import openpyxl

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
_SHEET_END = "</sheetData></worksheet>"
_CHUNK = 1 << 20


def _workbook(sheet_parts, shared_parts=("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
                                         " count=\"0\" uniqueCount=\"0\"/>",)) -> bytes:
    """A minimal xlsx; the sheet and the shared strings are written from iterables of text pieces,
    streamed through the compressor, so a 300 MB part never sits in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        for name, parts in (("xl/worksheets/sheet1.xml", sheet_parts), ("xl/sharedStrings.xml", shared_parts)):
            with archive.open(name, "w", force_zip64=True) as part:
                for piece in parts:
                    part.write(piece.encode() if isinstance(piece, str) else piece)
    return buffer.getvalue()


def xfd_xlsx() -> bytes:
    """One cell in A1 and one at XFD1048576, saved by openpyxl (which declares A1:XFD1048576)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Tên xã"
    sheet["XFD1048576"] = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xfd_undeclared_xlsx() -> bytes:
    """The same two cells in a sheet that declares no dimension."""
    return _workbook([_SHEET_START, '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên xã</t></is></c></row>',
                      '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', _SHEET_END])


def empty_lines_wide_csv() -> bytes:
    return b"\n" * 200_000 + b",".join([b"x"] * 5_000) + b"\n"


def _bare_cells(count: int):
    yield _SHEET_START + '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên xã</t></is></c>'
    block = "<c/>" * 100_000
    for _ in range(count // 100_000):
        yield block
    yield "</row>" + _SHEET_END


def bare_cells_xlsx(count: int = 20_000_000) -> bytes:
    """20 million ``<c/>`` without a reference, in one row."""
    return _workbook(_bare_cells(count))


def _long_string(size: int):
    yield ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
           "<si><t>")
    block = "a" * _CHUNK
    for _ in range(size // _CHUNK):
        yield block
    yield "</t></si></sst>"


def long_shared_string_xlsx(size: int = 300 * 1024 * 1024) -> bytes:
    """One shared string of 300 MB, used by cell B2."""
    return _workbook([_SHEET_START, '<row r="1"><c r="A1" t="inlineStr"><is><t>Tên xã</t></is></c></row>',
                      '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', _SHEET_END], _long_string(size))


def junk_rows_csv(rows: int = 40_000, row: bytes = b"1,a,2") -> bytes:
    """A header a commune table could have, then ``rows`` rows of junk."""
    return b"STT,T\xc3\xaan x\xc3\xa3,S\xe1\xbb\x91 t\xe1\xbb\x95\n" + (row + b"\n") * rows


HOSTILE = {
    "xfd.xlsx": xfd_xlsx,
    "xfd_undeclared.xlsx": xfd_undeclared_xlsx,
    "empty_lines_wide.csv": empty_lines_wide_csv,
    "bare_cells.xlsx": bare_cells_xlsx,
    "long_shared_string.xlsx": long_shared_string_xlsx,
    "junk_rows.csv": junk_rows_csv,
    "junk_rows_10mb.csv": lambda: junk_rows_csv(1_650_000),
    # Under the unpacked-size limit, so that the cell count and the string length are what refuse them.
    "bare_cells_5m.xlsx": lambda: bare_cells_xlsx(5_000_000),
    "long_shared_string_30mb.xlsx": lambda: long_shared_string_xlsx(30 * 1024 * 1024),
}
# What each is refused as (the reader's bound that catches it first).
EXPECTED_CODE = {
    "xfd.xlsx": "too_many_rows",
    "xfd_undeclared.xlsx": "too_many_rows",
    "empty_lines_wide.csv": "too_many_rows",
    "bare_cells.xlsx": "unpacked_too_large",
    "long_shared_string.xlsx": "unpacked_too_large",
    "junk_rows.csv": "too_many_rows",
    "junk_rows_10mb.csv": "too_many_rows",
    "bare_cells_5m.xlsx": "too_many_cells",
    "long_shared_string_30mb.xlsx": "text_too_long",
}


def write_hostile(directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, build in HOSTILE.items():
        paths[name] = directory / name
        paths[name].write_bytes(build())
    return paths


if __name__ == "__main__":
    for path in write_hostile(Path(sys.argv[1])).values():
        print(f"{path}: {path.stat().st_size} bytes")
