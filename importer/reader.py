"""Read an uploaded ``.xlsx`` or ``.csv`` file into plain sheets of cell values, with bounded work.

The format is decided by the file's content, never by its name: a PDF renamed ``.csv`` or a PNG
renamed ``.xlsx`` is refused as not a spreadsheet, and a CSV renamed ``.xlsx`` is read as CSV.
Every refusal is an ``ImportFileError`` whose code and parameters name the file and what to do.

**Bounds first** (``importer.limits``). Before openpyxl parses anything, the xlsx is unpacked as a
stream and scanned: every part's real unpacked size, the sheets' declared dimensions, every cell
reference, the number of cells and merged ranges, and the length of every text (shared strings
included) are checked against the limits, stopping at the first one exceeded. The sheets are then
read with openpyxl's streaming parser, keeping only the cells that hold something: an empty cell is
never built, and no row is padded to the width of the widest one. A CSV is counted the same way
while it is split into fields. So a tiny file that declares a million rows, or a cell at
XFD1048576, costs milliseconds, not gigabytes.

Conventions shared with ``importer.layout``: row numbers are 1-based as Excel shows them
(``rows[0]`` is sheet row 1); column numbers are 0-based indices into a row list (0 is column A).
Rows are as long as their last non-blank cell (``RawSheet.cell`` gives ``None`` beyond it).

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
import html
import io
import re
import unicodedata
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath
from typing import NamedTuple

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, range_boundaries
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from importer import limits
from importer.errors import ImportFileError
from importer.legacy import TCVN3, detect_legacy_encoding

DEFAULT_MAX_BYTES = limits.MAX_FILE_BYTES

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Other formats people upload by mistake, recognised so the message can name them (by a code).
KNOWN_BINARY_FORMATS = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"Rar!", "rar"),
    (b"7z\xbc\xaf", "7z"),
    (b"{\\rtf", "rtf"),
)
# Web systems often export an HTML or XML page named .xls/.xlsx; Excel opens it, we do not.
MARKUP_STARTS = ("<!doctype html", "<html", "<table", "<?xml")

CSV_DELIMITERS = (",", ";", "\t")
DELIMITER_SAMPLE_CHARS = 64 * 1024
# A text file where more than this share of characters are control codes is binary data.
MAX_CONTROL_SHARE = 0.01
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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
    """One sheet's cells. Each row ends at its last non-blank cell; trailing empty rows are cut."""

    name: str
    rows: list[list[object]]
    merged: tuple[CellRange, ...] = ()
    formulas_without_value: frozenset[tuple[int, int]] = field(default_factory=frozenset)  # (row, col)

    def cell(self, row: int, col: int) -> object:
        """The stored value at a 1-based row and 0-based column (None outside the sheet)."""
        if 1 <= row <= len(self.rows) and 0 <= col < len(self.rows[row - 1]):
            return self.rows[row - 1][col]
        return None

    @cached_property
    def width(self) -> int:
        """The number of columns up to the last one used in any row."""
        return max((len(row) for row in self.rows), default=0)

    def row_cells(self, row: int) -> list[object]:
        """Row ``row`` padded with None to the sheet's width (for the few header rows only)."""
        cells = self.rows[row - 1] if 1 <= row <= len(self.rows) else []
        return cells + [None] * (self.width - len(cells))


def read_file(data: bytes, file_name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> list[RawSheet]:
    """Read an ``.xlsx`` workbook (every worksheet, in order) or a CSV file (one sheet)."""
    _check_size(data, file_name, max_bytes)
    if not data or data.isspace():
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
        raise ImportFileError("too_large", {"file": file_name, "size_bytes": len(data), "limit_bytes": max_bytes},
                              f"{len(data)} bytes > {max_bytes} bytes")


def _empty(file_name: str) -> ImportFileError:
    return ImportFileError("empty", {"file": file_name})


def _ole2_error(data: bytes, file_name: str) -> ImportFileError:
    """An OLE2 container is either a password-protected .xlsx or a legacy .xls (or a .doc)."""
    streams = {name: name.encode("utf-16-le") in data
               for name in ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book")}
    if streams["EncryptionInfo"] or streams["EncryptedPackage"]:
        return ImportFileError("encrypted", {"file": file_name},
                               "OLE2 container with EncryptionInfo/EncryptedPackage streams")
    if streams["Workbook"] or streams["Book"]:
        return ImportFileError("xls_unsupported", {"file": file_name}, "OLE2 container with a BIFF Workbook stream")
    return _not_spreadsheet(file_name, "ole2")


def _refuse_known_binary(data: bytes, file_name: str) -> None:
    for magic, kind in KNOWN_BINARY_FORMATS:
        if data.startswith(magic):
            raise _not_spreadsheet(file_name, kind)


def _not_spreadsheet(file_name: str, kind: str) -> ImportFileError:
    """``kind``: pdf, png, jpeg, gif, rar, 7z, rtf, ole2, zip, markup or binary."""
    return ImportFileError("not_spreadsheet", {"file": file_name, "kind": kind}, kind)


def _corrupt(file_name: str, detail: str) -> ImportFileError:
    return ImportFileError("corrupt", {"file": file_name}, detail)


def _over(code: str, file_name: str, detail: str = "", **params) -> ImportFileError:
    return ImportFileError(code, {"file": file_name, **params}, detail)


def _refuse_legacy_encoding(sheets: list[RawSheet], file_name: str) -> None:
    texts = (value for sheet in sheets for row in sheet.rows for value in row
             if isinstance(value, str))
    legacy = detect_legacy_encoding(texts)
    if legacy is None:
        return
    raise ImportFileError("legacy_encoding", {"file": file_name, "encoding": legacy.encoding,
                                              "converter": "TCVN3 (ABC)" if legacy.encoding == TCVN3 else "VNI Windows",
                                              "sample": legacy.sample}, legacy.sample)


# --- xlsx: bounds, streamed before parsing ---------------------------------------------------

_CHUNK = 1024 * 1024
_OVERLAP = 512          # longer than any tag the scanner matches, so none is split unseen
_NS = rb"(?:[A-Za-z_][\w.-]{0,40}:)?"
_CELL_TAG = re.compile(rb"<" + _NS + rb"c[\s/>]")
_CELL_REF = re.compile(rb"<" + _NS + rb"c\s[^>]{0,300}?\br\s*=\s*[\"']\$?([A-Za-z]{1,4})\$?([0-9]{1,9})[\"']")
_ROW_REF = re.compile(rb"<" + _NS + rb"row\s[^>]{0,300}?\br\s*=\s*[\"']([0-9]{1,9})[\"']")
_DIMENSION = re.compile(rb"<" + _NS + rb"dimension\s[^>]{0,300}?\bref\s*=\s*[\"']([A-Za-z0-9:$]{1,40})[\"']")
_MERGE_TAG = re.compile(rb"<" + _NS + rb"mergeCell[\s/>]")
_STRING_ITEM = re.compile(rb"<(/?)" + _NS + rb"si[\s/>]")
# A cell holds at most MAX_CELL_CHARS characters of up to 4 bytes each, plus its markup.
_MAX_TEXT_BYTES = limits.MAX_CELL_CHARS * 4 + 4096


_LONG_TEXT = re.compile(rb"[^<]{%d}" % (_MAX_TEXT_BYTES + 1))


class _Budget:
    """What the whole workbook has used so far."""

    def __init__(self):
        self.unpacked = 0
        self.cells = 0


def _check_xlsx_bounds(archive: zipfile.ZipFile, file_name: str) -> None:
    infos = archive.infolist()
    if len(infos) > limits.MAX_ZIP_MEMBERS:
        raise _over("too_many_parts", file_name, f"{len(infos)} zip members", count=len(infos),
                    limit=limits.MAX_ZIP_MEMBERS)
    sheets = [i for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")]
    if len(sheets) > limits.MAX_SHEETS:
        raise _over("too_many_sheets", file_name, count=len(sheets), limit=limits.MAX_SHEETS)
    budget = _Budget()
    titles: dict[str, str] | None = None
    for info in sorted(infos, key=lambda i: i.filename in {s.filename for s in sheets}):  # sheets last
        if info.is_dir():
            continue
        if info in sheets:
            if titles is None:
                titles = _sheet_titles(archive)
            _scan_sheet_part(archive, info, file_name, budget, titles.get(info.filename))
        elif info.filename.endswith("sharedStrings.xml"):
            _scan_part(archive, info, file_name, budget, _SharedStringScan(file_name))
        elif info.filename == "xl/workbook.xml":
            _scan_part(archive, info, file_name, budget, _SheetListScan(file_name), limits.MAX_XML_PART_BYTES)
        elif info.filename.endswith((".xml", ".rels")):
            # styles, theme, relationships, properties: read whole by openpyxl, small in any real file
            _scan_part(archive, info, file_name, budget, None, limits.MAX_XML_PART_BYTES)
        else:
            _scan_part(archive, info, file_name, budget, None)


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str, budget: _Budget, scanner,
               part_limit: int = limits.MAX_PART_BYTES) -> None:
    """Unpack one part as a stream, counting the bytes it really unpacks to; feed the scanner
    overlapping windows so that no tag is missed at a chunk boundary."""
    if info.file_size > part_limit or budget.unpacked + info.file_size > limits.MAX_UNPACKED_BYTES:
        raise _unpacked_too_large(file_name, info, part_limit)
    part_bytes = 0
    carry = b""
    offset = 0     # absolute position of carry[0] in the part
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                part_bytes += len(chunk)
                budget.unpacked += len(chunk)
                if part_bytes > part_limit or budget.unpacked > limits.MAX_UNPACKED_BYTES:
                    raise _unpacked_too_large(file_name, info, part_limit)
                window = carry + chunk
                final = not chunk
                if scanner is not None and window:
                    cut = len(window) if final else max(len(window) - _OVERLAP, 0)
                    scanner.scan(window, cut, offset)
                if final:
                    if scanner is not None:
                        scanner.finish(offset + len(window))
                    return
                keep = min(len(window), _OVERLAP)
                offset += len(window) - keep
                carry = window[len(window) - keep:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise _corrupt(file_name, f"{info.filename}: {type(exc).__name__}: {exc}") from None


def _unpacked_too_large(file_name: str, info: zipfile.ZipInfo, part_limit: int) -> ImportFileError:
    return _over("unpacked_too_large", file_name, info.filename, part=info.filename,
                 limit_bytes=part_limit, total_limit_bytes=limits.MAX_UNPACKED_BYTES)


class _SheetListScan:
    """The workbook lists at most MAX_SHEETS sheets (each is parsed in turn)."""

    _SHEET = re.compile(rb"<" + _NS + rb"sheet[\s/>]")

    def __init__(self, file_name: str):
        self.file_name, self.count = file_name, 0

    def scan(self, window: bytes, cut: int, offset: int) -> None:
        self.count += sum(1 for m in self._SHEET.finditer(window, 0, cut + 8) if m.start() < cut)
        if self.count > limits.MAX_SHEETS:
            raise _over("too_many_sheets", self.file_name, count=self.count, limit=limits.MAX_SHEETS)

    def finish(self, end: int) -> None:
        pass


class _SheetScan:
    """Counts the cells and merged ranges of one sheet part and checks every position it names:
    the declared dimension, each row number and each cell reference. Text length is checked
    between tags."""

    def __init__(self, file_name: str, sheet: str, budget: _Budget):
        self.file_name, self.sheet, self.budget = file_name, sheet, budget
        self.merged = 0
        self.text = _TextScan(file_name, sheet)

    def scan(self, window: bytes, cut: int, offset: int) -> None:
        self.text.scan(window, cut, offset)
        self.budget.cells += _count_cells(window, cut)
        if self.budget.cells > limits.MAX_CELLS:
            raise _over("too_many_cells", self.file_name, f"more than {limits.MAX_CELLS} <c> elements",
                        sheet=self.sheet, limit=limits.MAX_CELLS)
        for match in _DIMENSION.finditer(window):
            if match.start() < cut:
                self._check_dimension(match.group(1).decode("ascii", "replace"))
        for match in _ROW_REF.finditer(window):
            if match.start() < cut:
                self._check_position(int(match.group(1)), None, match.group(0))
        for match in _CELL_REF.finditer(window):
            if match.start() < cut:
                self._check_position(int(match.group(2)), match.group(1).decode("ascii").upper(), match.group(0))
        self.merged += sum(1 for m in _MERGE_TAG.finditer(window, 0, cut + 12) if m.start() < cut)
        if self.merged > limits.MAX_MERGED_RANGES:
            raise _over("too_many_merged", self.file_name, sheet=self.sheet, limit=limits.MAX_MERGED_RANGES)

    def finish(self, end: int) -> None:
        self.text.finish(end)

    def _check_dimension(self, ref: str) -> None:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", "").upper())
        except (ValueError, TypeError):
            return  # a malformed dimension is ignored by openpyxl too; the cells are checked one by one
        self._check_position(max_row or 1, get_column_letter(max_col) if max_col else None, ref.encode(),
                             declared=True)

    def _check_position(self, row: int, letters: str | None, raw: bytes, declared: bool = False) -> None:
        where = raw[:80].decode("ascii", "replace")
        if row > limits.MAX_ROWS:
            raise _over("too_many_rows", self.file_name, where, sheet=self.sheet, row=row, limit=limits.MAX_ROWS,
                        declared=declared)
        if letters is not None:
            try:
                column = column_index_from_string(letters)
            except ValueError:
                column = limits.MAX_COLUMNS + 1   # beyond XFD: not a column at all
            if column > limits.MAX_COLUMNS:
                raise _over("too_many_columns", self.file_name, where, sheet=self.sheet, column=letters,
                            limit=limits.MAX_COLUMNS, limit_column=get_column_letter(limits.MAX_COLUMNS),
                            declared=declared, cell=_ref_text(letters, row))


def _count_cells(window: bytes, cut: int) -> int:
    """The ``<c>`` tags that start before ``cut``, counted in C (a window may hold 250,000)."""
    count = sum(window.count(tag, 0, cut + 2) for tag in (b"<c ", b"<c/", b"<c>", b"<c\t", b"<c\n", b"<c\r"))
    if b":c" in window:   # a namespace prefix (<x:c r="A1">), rare: counted by the pattern
        count += sum(1 for m in _CELL_TAG.finditer(window, 0, cut + 4)
                     if m.start() < cut and window[m.start() + 1:m.start() + 2] != b"c")
    return count


def _ref_text(letters: str | None, row: int) -> str:
    return f"{letters}{row}" if letters else str(row)


class _TextScan:
    """No text between two tags may be longer than one cell can hold."""

    def __init__(self, file_name: str, sheet: str | None):
        self.file_name, self.sheet = file_name, sheet
        self.last_tag = 0          # absolute position of the last "<" seen

    def scan(self, window: bytes, cut: int, offset: int) -> None:
        first = window.find(b"<", 0, cut)
        if first == -1:
            self._gap(offset + cut)
            return
        self._gap(offset + first)
        if _LONG_TEXT.search(window, first, cut):
            self._gap(offset + cut + _MAX_TEXT_BYTES + 1)   # a run longer than any cell inside the window
        self.last_tag = offset + window.rfind(b"<", 0, cut)
        self._gap(offset + cut)

    def finish(self, end: int) -> None:
        self._gap(end)

    def _gap(self, at: int) -> None:
        if at - self.last_tag > _MAX_TEXT_BYTES:
            raise _over("text_too_long", self.file_name, f"{at - self.last_tag} bytes of text without markup",
                        sheet=self.sheet, limit=limits.MAX_CELL_CHARS)


class _SharedStringScan(_TextScan):
    """Every shared string (``<si>``, made of one or more runs) fits in one cell, and there are
    no more of them than cells a workbook may have."""

    def __init__(self, file_name: str):
        super().__init__(file_name, None)
        self.opened: int | None = None
        self.count = 0

    def scan(self, window: bytes, cut: int, offset: int) -> None:
        super().scan(window, cut, offset)
        for match in _STRING_ITEM.finditer(window, 0, min(len(window), cut + 64)):
            if match.start() >= cut:
                continue
            at = offset + match.start()
            if match.group(1):                       # </si>
                if self.opened is not None:
                    self._length(at - self.opened)
                self.opened = None
            elif not match.group(0).endswith(b"/"):  # <si> (an empty <si/> holds nothing)
                self.opened = at
                self.count += 1
                if self.count > limits.MAX_CELLS:
                    raise _over("too_many_cells", self.file_name, "shared strings", sheet=None,
                                limit=limits.MAX_CELLS)
        if self.opened is not None:
            self._length(offset + cut - self.opened)

    def _length(self, size: int) -> None:
        if size > _MAX_TEXT_BYTES:
            raise _over("text_too_long", self.file_name, f"a shared string of more than {size} bytes",
                        sheet=None, limit=limits.MAX_CELL_CHARS)


def _scan_sheet_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file_name: str, budget: _Budget,
                     title: str | None) -> None:
    sheet = title or PurePath(info.filename).stem
    _scan_part(archive, info, file_name, budget, _SheetScan(file_name, sheet, budget))


_SHEET_ENTRY = re.compile(r"<(?:\w+:)?sheet\s[^>]*>")
_ATTRIBUTE = re.compile(r"""([\w:]+)\s*=\s*["']([^"']*)["']""")


def _sheet_titles(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> the sheet's title, so that a refusal names the sheet the editor sees.
    Read from workbook.xml and its relationships, whose sizes were checked already; any oddity
    leaves the part name in the message instead."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        relations = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return {}
    targets = {}
    for tag in re.findall(r"<(?:\w+:)?Relationship\s[^>]*>", relations):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if "Id" in attributes and "Target" in attributes:
            target = attributes["Target"].lstrip("/")
            targets[attributes["Id"]] = target if target.startswith("xl/") else f"xl/{target}"
    titles = {}
    for tag in _SHEET_ENTRY.findall(workbook):
        attributes = dict(_ATTRIBUTE.findall(tag))
        relation = next((value for key, value in attributes.items() if key.endswith(":id")), None)
        if relation in targets and "name" in attributes:
            titles[targets[relation]] = html.unescape(attributes["name"])
    return titles


# --- xlsx: reading the cells ---------------------------------------------------------------

class _CellParser(WorkSheetParser):
    """openpyxl's streaming sheet parser, reading the saved values (``data_only``) and noting
    formula cells that were saved without one."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            cell["uncached_formula"] = True
        return cell


def _read_xlsx(data: bytes, file_name: str) -> list[RawSheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _corrupt(file_name, str(exc)) from None
    if "xl/workbook.xml" not in names:
        raise _not_spreadsheet(file_name, "zip")
    _check_xlsx_bounds(archive, file_name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about unsupported extensions and styles
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                budget = _Budget()
                return [_read_worksheet(workbook, ws, file_name, budget) for ws in workbook.worksheets]
            finally:
                workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many unrelated types (KeyError, XML, zip) on bad files
        raise _corrupt(file_name, f"{type(exc).__name__}: {exc}") from None


def _read_worksheet(workbook, ws, file_name: str, budget: _Budget) -> RawSheet:
    """The sheet's non-empty cells, row by row, as the parser streams them. The limits are
    enforced again here, for positions the scan could not see (cells without a reference)."""
    if not hasattr(ws, "_get_source"):   # a chart sheet or another kind without cells
        return RawSheet(ws.title, [])
    rows: list[list[object]] = []
    uncached: set[tuple[int, int]] = set()
    with ws._get_source() as source:
        parser = _CellParser(source, ws._shared_strings, data_only=True, epoch=workbook.epoch,
                             date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        for row_number, cells in parser.parse():
            if row_number > limits.MAX_ROWS:
                raise _over("too_many_rows", file_name, sheet=ws.title, row=row_number, limit=limits.MAX_ROWS)
            budget.cells += len(cells)
            if budget.cells > limits.MAX_CELLS:
                raise _over("too_many_cells", file_name, sheet=ws.title, limit=limits.MAX_CELLS)
            values: dict[int, object] = {}
            for cell in cells:
                column = cell["column"]
                if column > limits.MAX_COLUMNS:
                    raise _over("too_many_columns", file_name, sheet=ws.title, column=get_column_letter(column),
                                limit=limits.MAX_COLUMNS, limit_column=get_column_letter(limits.MAX_COLUMNS),
                                declared=False, cell=f"{get_column_letter(column)}{row_number}")
                value = cell["value"]
                if isinstance(value, str) and len(value) > limits.MAX_CELL_CHARS:
                    raise _over("text_too_long", file_name, sheet=ws.title, limit=limits.MAX_CELL_CHARS)
                if cell.get("uncached_formula"):
                    uncached.add((row_number, column - 1))
                if value is not None:
                    values[column - 1] = value
            _place_row(rows, row_number, values)
        merged = parser.merged_cells.mergeCell if parser.merged_cells is not None else []
        ranges = tuple(CellRange(min_row, min_col - 1, max_row, max_col - 1)
                       for min_col, min_row, max_col, max_row in (range_boundaries(m.ref) for m in merged)
                       if max_row <= limits.MAX_ROWS and max_col <= limits.MAX_COLUMNS)
    _cut_trailing_blank_rows(rows)
    return RawSheet(ws.title, rows, ranges, frozenset(uncached))


def _place_row(rows: list[list[object]], row_number: int, values: dict[int, object]) -> None:
    """Put a row's values at its 1-based number; gaps become empty lists, never padded cells."""
    used = [col for col, value in values.items() if not is_blank(value)]
    if not used:
        return
    while len(rows) < row_number - 1:
        rows.append([])
    row = [None] * (max(used) + 1)
    for col, value in values.items():
        if col < len(row):
            row[col] = value
    if len(rows) == row_number - 1:
        rows.append(row)
    else:
        rows[row_number - 1] = row   # a row number given twice: the later one wins, as in openpyxl


def _cut_trailing_blank_rows(rows: list[list[object]]) -> None:
    while rows and all(is_blank(value) for value in rows[-1]):
        rows.pop()


def _trimmed(record: list[object]) -> list[object]:
    """A row without its trailing blank cells."""
    end = len(record)
    while end and is_blank(record[end - 1]):
        end -= 1
    return record[:end] if end < len(record) else record


# --- csv -----------------------------------------------------------------------------------

def _read_csv(data: bytes, file_name: str) -> RawSheet:
    text = _decode(data, file_name)
    _refuse_binary_text(text, file_name)
    if text[:4096].lstrip().lower().startswith(MARKUP_STARTS):
        raise _not_spreadsheet(file_name, "markup")
    delimiter = _detect_delimiter(text[:DELIMITER_SAMPLE_CHARS])
    sheet = PurePath(file_name).stem or file_name
    rows: list[list[object]] = []
    cells = 0
    try:
        for number, record in enumerate(csv.reader(_lines(text), delimiter=delimiter), start=1):
            if number > limits.MAX_ROWS:
                raise _over("too_many_rows", file_name, sheet=sheet, row=number, limit=limits.MAX_ROWS)
            if len(record) > limits.MAX_COLUMNS and not all(cell == "" for cell in record[limits.MAX_COLUMNS:]):
                raise _over("too_many_columns", file_name, sheet=sheet, column=column_letter(len(record) - 1),
                            limit=limits.MAX_COLUMNS, limit_column=get_column_letter(limits.MAX_COLUMNS),
                            declared=False, cell=cell_ref(number, len(record) - 1))
            cells += len(record)
            if cells > limits.MAX_CELLS:
                raise _over("too_many_cells", file_name, sheet=sheet, limit=limits.MAX_CELLS)
            if any(len(cell) > limits.MAX_CELL_CHARS for cell in record):
                raise _over("text_too_long", file_name, sheet=sheet, limit=limits.MAX_CELL_CHARS)
            rows.append(_trimmed([cell if cell != "" else None for cell in record[:limits.MAX_COLUMNS]]))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _over("text_too_long", file_name, str(exc), sheet=sheet, limit=limits.MAX_CELL_CHARS) from None
        raise _corrupt(file_name, f"CSV: {exc}") from None
    _cut_trailing_blank_rows(rows)
    return RawSheet(sheet, rows)


def _lines(text: str):
    """The text's lines with their endings, one at a time (the csv module joins quoted line
    breaks itself): no copy of the whole text, and reading stops when a limit is reached."""
    newline = "\n" if "\n" in text[:DELIMITER_SAMPLE_CHARS] or "\r" not in text[:DELIMITER_SAMPLE_CHARS] else "\r"
    start, size = 0, len(text)
    while start < size:
        end = text.find(newline, start)
        if end == -1:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


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
        raise _not_spreadsheet(file_name, "binary")
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
    return ImportFileError("unknown_encoding", {"file": file_name}, detail)


def _refuse_binary_text(text: str, file_name: str) -> None:
    if "\x00" in text or len(_CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise _not_spreadsheet(file_name, "binary")


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
