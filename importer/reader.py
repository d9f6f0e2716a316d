"""Read an uploaded ``.xlsx`` or ``.csv`` file into plain sheets of cell values.

The format is decided by the file's content, never by its name: a PDF renamed ``.csv`` or a PNG
renamed ``.xlsx`` is refused as not a spreadsheet, and a CSV renamed ``.xlsx`` is read as CSV.
Every refusal is an ``ImportFileError`` whose message names the file and says what to do.

Conventions shared with ``importer.layout``: row numbers are 1-based as Excel shows them
(``rows[0]`` is sheet row 1); column numbers are 0-based indices into a row list (0 is column A).

Cells keep the values the file stores: numbers as ``int``/``float``, text as ``str`` exactly as
typed (``"<script>"`` included — escaping is the display's job), dates as ``datetime``, empty cells
as ``None``. CSV cells are always text. Merged cells are **not** filled in: only the top-left cell of
a merged range holds its value, and the ranges are listed in ``RawSheet.merged`` so that header
detection can spread a merged header label over its columns while a merged district row does not
copy its name into the number columns.

Excel formulas are never evaluated: a formula cell holds the value Excel saved with it. A formula
saved without a value (written by a program that does not calculate) reads as ``None`` and its
position is listed in ``RawSheet.formulas_without_value`` so that it can be reported as such.
"""
from __future__ import annotations

import codecs
import csv
import io
import math
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import NamedTuple

import openpyxl
from openpyxl.utils import get_column_letter

from importer.errors import ImportFileError
from importer.legacy import TCVN3, detect_legacy_encoding

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Other formats people upload by mistake, recognised so the message can name them.
KNOWN_BINARY_FORMATS = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "ảnh PNG"),
    (b"\xff\xd8\xff", "ảnh JPEG"),
    (b"GIF8", "ảnh GIF"),
    (b"Rar!", "nén RAR"),
    (b"7z\xbc\xaf", "nén 7-Zip"),
    (b"{\\rtf", "văn bản RTF"),
)
# Web systems often export an HTML or XML page named .xls/.xlsx; Excel opens it, we do not.
MARKUP_STARTS = ("<!doctype html", "<html", "<table", "<?xml")

CSV_DELIMITERS = (",", ";", "\t")
DELIMITER_SAMPLE_CHARS = 64 * 1024
# A text file where more than this share of characters are control codes is binary data.
MAX_CONTROL_SHARE = 0.01


class CellRange(NamedTuple):
    """A merged range: rows 1-based, columns 0-based, both ends inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    def contains(self, row: int, col: int) -> bool:
        return self.first_row <= row <= self.last_row and self.first_col <= col <= self.last_col


@dataclass(frozen=True)
class RawSheet:
    """One sheet's cells. All rows have the same length; trailing empty rows and columns are cut."""

    name: str
    rows: list[list[object]]
    merged: tuple[CellRange, ...] = ()
    formulas_without_value: frozenset[tuple[int, int]] = field(default_factory=frozenset)  # (row, col)

    def cell(self, row: int, col: int) -> object:
        """The stored value at a 1-based row and 0-based column (None outside the sheet)."""
        if 1 <= row <= len(self.rows) and 0 <= col < len(self.rows[row - 1]):
            return self.rows[row - 1][col]
        return None


def read_file(data: bytes, file_name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[RawSheet]:
    """Read an ``.xlsx`` workbook (every worksheet, in order) or a CSV file (one sheet)."""
    _check_size(data, file_name, max_bytes)
    if not data.strip():
        raise _empty(file_name)
    if data.startswith(ZIP_MAGIC):
        sheets = _read_xlsx(data, file_name)
    elif data.startswith(OLE2_MAGIC):
        raise _ole2_error(data, file_name)
    else:
        _refuse_known_binary(data, file_name)
        sheets = [_read_csv(data, file_name)]
    if not any(sheet.rows for sheet in sheets):
        raise _empty(file_name)
    _refuse_legacy_encoding(sheets, file_name)
    return sheets


def is_blank(value: object) -> bool:
    """An empty cell: None, or text of nothing but whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(col: int) -> str:
    """The Excel letter of a 0-based column index (0 -> "A")."""
    return get_column_letter(col + 1)


def cell_ref(row: int, col: int) -> str:
    """The Excel reference of a 1-based row and 0-based column ("C7"), for messages."""
    return f"{column_letter(col)}{row}"


# --- checks on the raw bytes ---------------------------------------------------------------

def _check_size(data: bytes, file_name: str, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise ImportFileError(
            "too_large",
            f"Tệp “{file_name}” có dung lượng {_size_text(len(data))}, vượt giới hạn "
            f"{_size_text(max_bytes)}. Hãy bỏ bớt các trang tính không cần thiết hoặc chia nhỏ tệp.",
            f"{len(data)} byte > {max_bytes} byte",
        )


def _size_text(size: int) -> str:
    """A file size the Vietnamese way: "10 MB", "12,0 MB", "512 KB"."""
    if size < 1024 * 1024:
        return f"{math.ceil(size / 1024)} KB"
    megabytes = size / (1024 * 1024)
    text = f"{megabytes:.0f}" if megabytes.is_integer() else f"{megabytes:.1f}".replace(".", ",")
    return f"{text} MB"


def _empty(file_name: str) -> ImportFileError:
    return ImportFileError("empty", f"Tệp “{file_name}” trống, không có dữ liệu nào để nhập.")


def _ole2_error(data: bytes, file_name: str) -> ImportFileError:
    """An OLE2 container is either a password-protected .xlsx or a legacy .xls (or a .doc)."""
    streams = {name: name.encode("utf-16-le") in data
               for name in ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book")}
    if streams["EncryptionInfo"] or streams["EncryptedPackage"]:
        return ImportFileError(
            "encrypted",
            f"Tệp “{file_name}” được đặt mật khẩu nên không đọc được. Hãy mở tệp bằng Excel, gỡ mật "
            "khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu, để trống) rồi lưu "
            "lại và tải lên.",
            "OLE2 container with EncryptionInfo/EncryptedPackage streams",
        )
    if streams["Workbook"] or streams["Book"]:
        return ImportFileError(
            "xls_unsupported",
            f"Tệp “{file_name}” là định dạng Excel 97–2003 (.xls) cũ, không đọc được. Hãy mở tệp bằng "
            "Excel, chọn Lưu thành → Sổ làm việc Excel (.xlsx) rồi tải tệp .xlsx lên.",
            "OLE2 container with a BIFF Workbook stream",
        )
    return _not_spreadsheet(file_name, "tài liệu Office cũ (OLE2) không phải bảng tính")


def _refuse_known_binary(data: bytes, file_name: str) -> None:
    for magic, kind in KNOWN_BINARY_FORMATS:
        if data.startswith(magic):
            raise _not_spreadsheet(file_name, kind)


def _not_spreadsheet(file_name: str, kind: str) -> ImportFileError:
    return ImportFileError(
        "not_spreadsheet",
        f"Tệp “{file_name}” không phải bảng tính (nội dung là {kind}). "
        "Chỉ nhận tệp Excel .xlsx hoặc tệp .csv.",
        kind,
    )


def _corrupt(file_name: str, detail: str) -> ImportFileError:
    return ImportFileError(
        "corrupt",
        f"Tệp “{file_name}” bị hỏng hoặc tải lên chưa trọn vẹn nên không mở được. Hãy mở tệp bằng "
        "Excel, lưu lại rồi tải lên lần nữa.",
        detail,
    )


def _refuse_legacy_encoding(sheets: list[RawSheet], file_name: str) -> None:
    texts = (value for sheet in sheets for row in sheet.rows for value in row
             if isinstance(value, str))
    legacy = detect_legacy_encoding(texts)
    if legacy is None:
        return
    converter = "TCVN3 (ABC)" if legacy.encoding == TCVN3 else "VNI Windows"
    raise ImportFileError(
        "legacy_encoding",
        f"Tệp “{file_name}” dùng bảng mã cũ {legacy.encoding} nên chữ tiếng Việt bị lỗi "
        f"(ví dụ: “{legacy.sample}”). Hãy dùng Unikey (Công cụ chuyển mã, từ {converter} sang "
        "Unicode) để chuyển mã tệp rồi tải lên lại.",
        legacy.sample,
    )


# --- xlsx ----------------------------------------------------------------------------------

def _read_xlsx(data: bytes, file_name: str) -> list[RawSheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _corrupt(file_name, str(exc)) from None
    if "xl/workbook.xml" not in names:
        raise _not_spreadsheet(file_name, "tệp nén ZIP không chứa sổ làm việc Excel")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions and styles
            workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            uncached = _formulas_without_value(data, archive, workbook)
    except Exception as exc:  # openpyxl raises many unrelated types (KeyError, XML, zip) on bad files
        raise _corrupt(file_name, f"{type(exc).__name__}: {exc}") from None
    return [_sheet_from_worksheet(ws, uncached.get(ws.title, frozenset())) for ws in workbook.worksheets]


def _formulas_without_value(data: bytes, archive: zipfile.ZipFile, workbook) -> dict[str, frozenset]:
    """Positions of formula cells that were saved without a value, per sheet title.

    The value pass (``data_only=True``) cannot tell such a cell from an empty one, so a second,
    streaming pass reads the formulas; it is skipped when no sheet contains a formula at all.
    """
    if not any(b"<f" in archive.read(name) for name in archive.namelist()
               if name.startswith("xl/worksheets/") and name.endswith(".xml")):
        return {}
    formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    found: dict[str, frozenset] = {}
    for ws in formulas.worksheets:
        values = workbook[ws.title]
        found[ws.title] = frozenset(
            (cell.row, cell.column - 1)
            for row in ws.iter_rows() for cell in row
            if cell.data_type == "f" and values.cell(cell.row, cell.column).value is None
        )
    formulas.close()
    return found


def _sheet_from_worksheet(ws, uncached: frozenset) -> RawSheet:
    rows = _trim([list(row) for row in ws.iter_rows(values_only=True)])
    merged = tuple(
        CellRange(r.min_row, r.min_col - 1, r.max_row, r.max_col - 1) for r in ws.merged_cells.ranges
    )
    return RawSheet(ws.title, rows, merged, uncached)


def _trim(rows: list[list[object]]) -> list[list[object]]:
    """Cut trailing blank rows and columns and pad every row to the same width."""
    while rows and all(is_blank(value) for value in rows[-1]):
        rows.pop()
    width = max((_used_width(row) for row in rows), default=0)
    return [(row + [None] * width)[:width] for row in rows]


def _used_width(row: list[object]) -> int:
    for index in range(len(row) - 1, -1, -1):
        if not is_blank(row[index]):
            return index + 1
    return 0


# --- csv -----------------------------------------------------------------------------------

def _read_csv(data: bytes, file_name: str) -> RawSheet:
    text = _decode(data, file_name)
    _refuse_binary_text(text, file_name)
    if text.lstrip().lower().startswith(MARKUP_STARTS):
        raise _not_spreadsheet(file_name, "trang web (HTML/XML); hãy mở bằng Excel và lưu thành .xlsx")
    delimiter = _detect_delimiter(text[:DELIMITER_SAMPLE_CHARS])
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _corrupt(file_name, f"CSV: {exc}") from None
    rows = [[cell if cell != "" else None for cell in record] for record in records]
    return RawSheet(PurePath(file_name).stem or file_name, _trim(rows))


def _decode(data: bytes, file_name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or BOM-less by its zero bytes), else Windows-1258.
    Zero bytes outside UTF-16 mean binary data."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data.decode("utf-8-sig")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        bomless_utf16 = _bomless_utf16(data)
        if bomless_utf16:
            return data.decode(bomless_utf16)
    except UnicodeDecodeError as exc:
        raise _unknown_encoding(file_name, str(exc)) from None
    if b"\x00" in data:
        raise _not_spreadsheet(file_name, "dữ liệu nhị phân")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1258 writes most tone marks as combining characters; compose them as Unicode does.
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    except UnicodeDecodeError as exc:
        raise _unknown_encoding(file_name, str(exc)) from None


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 text of Latin letters has a zero in every other byte; which half says the byte order."""
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even_zeros = sample[0::2].count(0) / len(sample[0::2])
    odd_zeros = sample[1::2].count(0) / len(sample[1::2])
    if odd_zeros > 0.6 and even_zeros < 0.1:
        return "utf-16-le"
    if even_zeros > 0.6 and odd_zeros < 0.1:
        return "utf-16-be"
    return None


def _unknown_encoding(file_name: str, detail: str) -> ImportFileError:
    return ImportFileError(
        "unknown_encoding",
        f"Không nhận ra bảng mã chữ của tệp “{file_name}”. Hãy mở tệp bằng Excel và lưu lại dạng "
        "“CSV UTF-8” hoặc .xlsx rồi tải lên.",
        detail,
    )


def _refuse_binary_text(text: str, file_name: str) -> None:
    controls = sum(1 for char in text if char < " " and char not in "\t\r\n")
    if "\x00" in text or controls > MAX_CONTROL_SHARE * len(text):
        raise _not_spreadsheet(file_name, "dữ liệu nhị phân")


def _detect_delimiter(sample: str) -> str:
    """The separator that splits the most lines into the same number (>1) of fields."""
    return max(CSV_DELIMITERS, key=lambda delimiter: _consistency(sample, delimiter))


def _consistency(sample: str, delimiter: str) -> tuple[int, int]:
    try:
        widths = [len(record) for record in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
                  if len(record) > 1]
    except csv.Error:
        return (0, 0)
    if not widths:
        return (0, 0)
    width, count = Counter(widths).most_common(1)[0]
    return (count, width)

