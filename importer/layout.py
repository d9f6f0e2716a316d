"""Find the commune table inside a sheet and split it into classified rows.

A district report puts a letterhead and title above the table, one or two header rows (a merged
parent such as "Tổ công nghệ số cộng đồng" over "Số tổ" and "Số thành viên"), often a row of column
numbers "(1) (2) (3)", then commune rows interleaved with district rows (which may carry
subtotals), a total row, and a signature block below. ``detect_layout`` finds those parts;
the editor can override the header rows and the data rows when detection gets them wrong.

Row numbers are 1-based sheet rows; column numbers are 0-based indices into ``RawSheet.rows``.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from unidecode import unidecode

from importer.errors import ImportFileError
from importer.names import clean_label, parse_unit_name
from importer.numbers import parse_vn_number
from importer.reader import RawSheet, column_letter, is_blank

# The header is expected near the top; scanning further only finds false headers in notes.
HEADER_SCAN_ROWS = 40
MAX_HEADER_ROWS = 4

# Keyword patterns work on ``_key`` text: ASCII, lower case, words separated by single spaces.
_NAME_HEADER = re.compile(
    r"^ten\b.*\b(xa|phuong|don vi|dvhc|dia ban|dia phuong)\b"          # Tên xã, Tên đơn vị
    r"|^(xa|phuong|thi tran)\b.*\b(xa|phuong|thi tran)$"                 # Xã, phường, thị trấn
    r"|^(don vi|dia ban|dia phuong|don vi hanh chinh|dvhc|xa|don vi cap xa)$"
)
_CODE_HEADER = re.compile(r"^ma( so)?( (xa|dvhc|gso|don vi|don vi hanh chinh|dia ban|hanh chinh))?$")
_STT_HEADER = re.compile(r"^(stt|tt|so tt|so thu tu|thu tu)$")

_TOTAL_LABEL = re.compile(r"^(tong cong|tong so|tong|cong|toan tinh|toan huyen|tinh ca mau)\b")
_SUBTOTAL_LABEL = re.compile(r"^(tong cong|tong so|tong|cong)\s+(huyen|thanh pho|tp|thi xa|tx|h)\b")
_COMMUNE_LABEL = re.compile(r"^(xa|phuong|thi tran|tt|p)\b")
_DISTRICT_LABEL = re.compile(r"^(huyen|h|thanh pho|tp|thi xa|tx|quan)\b")
_ROMAN_PREFIX = re.compile(r"^[IVX]+\s*[.)\-–:]")
_SECTION_NUMBER = re.compile(r"^([IVX]+|[A-Z])\.?$")       # STT of a district row: I, II, A, B
_ROW_NUMBER = re.compile(r"^\d+(\.\d+)*\.?$")               # STT of a commune row: 1, 1., 1.2

# A column-number row holds tokens such as 1, (2), A, (B), "(5)=(3)/(4)".
_COLUMN_NUMBER_TOKEN = re.compile(r"^\(?\s*(\d{1,3}|[A-Za-z])\s*\)?(\s*=.*)?$")

# Rows of text that start these phrases end the table: signatures, dates, notes, sources.
_END_MARKER = re.compile(
    r"^(nguoi lap|lap bieu|tm|kt|chu tich|pho chu tich|giam doc|pho giam doc|truong phong|"
    r"thu truong|noi nhan|ky ten|ky ghi ro|xac nhan|ghi chu|nguon)\b"
    r"|\bngay\b.*\bthang\b.*\bnam\b"
)


@dataclass(frozen=True)
class Layout:
    """Where the commune table lies in a sheet.

    ``columns`` has one label per sheet column: the header text with whitespace collapsed and
    diacritics kept, two header rows joined as "Parent / Child"; "[F]" for a column with data but
    no header; "" for a column the table does not use.
    """

    sheet: str
    header_rows: tuple[int, ...]
    first_data_row: int
    last_data_row: int
    columns: tuple[str, ...]
    stt_column: int | None
    code_column: int | None
    name_column: int | None
    number_row: int | None

    def value_columns(self) -> tuple[int, ...]:
        """The labelled columns that hold figures or notes, i.e. all but STT, code and name."""
        ids = {self.stt_column, self.code_column, self.name_column}
        return tuple(col for col, label in enumerate(self.columns) if label and col not in ids)


@dataclass(frozen=True)
class TableRow:
    """One non-blank row of the table.

    ``kind`` is "data" (a commune), "group" (a district row, with or without subtotals) or
    "total". ``label`` is the name cell exactly as stored. ``code`` is the code cell as text
    (numbers without ".0"). ``values`` maps each value column's label to the raw cell value.
    ``formulas_without_value`` lists the labels of cells whose formula was saved without a value.
    """

    sheet: str
    row: int
    kind: str
    label: str
    code: str | None
    values: dict[str, object]
    formulas_without_value: tuple[str, ...] = field(default=())


# --- public API ----------------------------------------------------------------------------

def pick_sheet(sheets: Sequence[RawSheet], name: str | None = None) -> RawSheet:
    """The sheet called ``name``, or by default the first sheet with a detectable commune table."""
    names = tuple(sheet.name for sheet in sheets)
    if name is not None:
        for sheet in sheets:
            if sheet.name.strip().casefold() == name.strip().casefold():
                return sheet
        raise ImportFileError("no_sheet", {"sheet": name, "sheets": names}, ", ".join(names))
    for sheet in sheets:
        try:
            detect_layout(sheet)
        except ImportFileError:
            continue
        return sheet
    raise ImportFileError("no_table", {"sheets": names}, ", ".join(names))


def detect_layout(sheet: RawSheet, header_rows: tuple[int, ...] | None = None,
                  data_rows: tuple[int, int] | None = None) -> Layout:
    """Detect the header rows, columns and data rows; the editor's overrides, when given, win."""
    if header_rows is not None:
        header_rows = _checked_header_rows(sheet, header_rows)
    else:
        header_rows = _detect_header_rows(sheet)
    number_row = _number_row_after(sheet, header_rows[-1])
    if data_rows is not None:
        first, last = _checked_data_rows(sheet, data_rows, header_rows)
    else:
        first, last = _detect_data_rows(sheet, header_rows, number_row)
    labels = _column_labels(sheet, header_rows, first, last)
    name_column = _find_column(labels, _NAME_HEADER)
    code_column = _find_column(labels, _CODE_HEADER)
    stt_column = _find_column(labels, _STT_HEADER)
    if name_column is None and code_column is None:
        name_column = _guess_name_column(sheet, first, last, exclude=stt_column)
    if name_column is None and code_column is None:
        raise _no_table(sheet)
    return Layout(sheet.name, header_rows, first, last, tuple(labels),
                  stt_column, code_column, name_column, number_row)


def table_rows(sheet: RawSheet, layout: Layout) -> list[TableRow]:
    """The table's rows in sheet order, without blank rows, the column-number row and anything
    from the signature block down.

    A row's kind comes from its label first: "Tổng cộng", "Tổng", "Cộng", "Toàn tỉnh" are totals
    ("Cộng huyện …" is a district subtotal, so a group); a label with a commune's type prefix in any
    form ("Xã …", "X. …", "Phường …", "P.5", "Thị trấn …", "TT …") is a commune, before any group
    rule is tried: "X. Thới Bình" is Xã Thới Bình, never the roman group number X. "Huyện …",
    "H. …", "Thành phố …", "TP …" and "I.", "II." prefixes are groups.
    Failing that, the STT: a section number (I, II, A) marks a group, and so does an empty STT
    when most rows are numbered, which catches bare district names such as "Đầm Dơi".
    Everything else is data."""
    row_numbers = _content_rows(sheet, layout)
    numbered = _rows_are_numbered(sheet, layout, row_numbers)
    value_columns = layout.value_columns()
    rows = []
    for row in row_numbers:
        label = _label(sheet, layout, row)
        code = _code_text(sheet.cell(row, layout.code_column)) if layout.code_column is not None else None
        values = {layout.columns[col]: sheet.cell(row, col) for col in value_columns}
        if not label.strip() and code is None and all(is_blank(v) for v in values.values()):
            continue  # a pre-numbered template row with nothing in it
        stt = sheet.cell(row, layout.stt_column) if layout.stt_column is not None else None
        missing = tuple(layout.columns[col] for col in value_columns
                        if (row, col) in sheet.formulas_without_value)
        rows.append(TableRow(sheet.name, row, _classify(label, stt, numbered), label, code, values, missing))
    return rows


# --- header rows ---------------------------------------------------------------------------

def _detect_header_rows(sheet: RawSheet) -> tuple[int, ...]:
    """The first row with a name or code header, plus the row below when it holds sub-labels.

    A parent label typed only in the row above the name header cannot be told from a title
    without merge information; such headers are left to the editor's override."""
    anchor = _header_anchor(sheet)
    if anchor is None:
        raise _no_table(sheet)
    id_columns = [col for col, value in enumerate(sheet.rows[anchor - 1])
                  if _is_id_header(value) or _matches(value, _STT_HEADER)]
    if anchor < len(sheet.rows) and _is_child_header(sheet, anchor + 1, anchor, id_columns):
        return (anchor, anchor + 1)
    return (anchor,)


def _header_anchor(sheet: RawSheet) -> int | None:
    for row in range(1, min(len(sheet.rows), HEADER_SCAN_ROWS) + 1):
        if any(_is_id_header(value) for value in sheet.rows[row - 1]):
            return row
    return None


def _is_id_header(value: object) -> bool:
    """A name or code column header; text with a colon is a form field ("Tên đơn vị: …")."""
    return (isinstance(value, str) and ":" not in value
            and (_matches(value, _NAME_HEADER) or _matches(value, _CODE_HEADER)))


def _is_child_header(sheet: RawSheet, row: int, anchor: int, id_columns: list[int]) -> bool:
    """Sub-labels under the anchor: nothing under STT, name or code (a district row such as
    "I. THÀNH PHỐ CÀ MAU" has its text there), only words, and some of them under a label
    (others may sit under a parent written once, over its first child)."""
    cells = sheet.row_cells(row)
    if _is_number_row(cells) or any(_occupied(sheet, row, col) for col in id_columns):
        return False
    parents = _header_texts(sheet, anchor)
    filled = [col for col, value in enumerate(cells) if not is_blank(value)]
    return (any(parents[col] for col in filled)
            and all(isinstance(cells[col], str) and not _is_numeric(cells[col]) for col in filled))


def _occupied(sheet: RawSheet, row: int, col: int) -> bool:
    """The cell has a value, or a merged range starting on this row covers it (a range merged
    down from the row above does not count: that is a header cell spanning both rows)."""
    return not is_blank(sheet.cell(row, col)) or any(
        merged.first_row == row and merged.contains(row, col) for merged in sheet.merged)


def _checked_header_rows(sheet: RawSheet, header_rows: tuple[int, ...]) -> tuple[int, ...]:
    rows = tuple(sorted(set(header_rows)))
    if not rows or len(rows) > MAX_HEADER_ROWS or rows[0] < 1 or rows[-1] > len(sheet.rows):
        raise ImportFileError("bad_header_rows", {"sheet": sheet.name, "rows": _row_list(header_rows),
                                                  "max_rows": MAX_HEADER_ROWS, "last_row": len(sheet.rows)},
                              repr(header_rows))
    return rows


# --- data rows -----------------------------------------------------------------------------

def _number_row_after(sheet: RawSheet, last_header_row: int) -> int | None:
    row = _next_filled_row(sheet, last_header_row + 1)
    if row is not None and _is_number_row(sheet.rows[row - 1]):
        return row
    return None


def _is_number_row(cells: list[object]) -> bool:
    """A row of column numbers: (1) (2) (3), 1 2 3, A B 1 2 …, numbers increasing."""
    tokens = [value for value in cells if not is_blank(value)]
    if len(tokens) < 2:
        return False
    numbers = []
    for value in tokens:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not float(value).is_integer() or not 0 < value <= 999:
                return False
            numbers.append(int(value))
        elif isinstance(value, str) and (match := _COLUMN_NUMBER_TOKEN.match(value.strip())):
            if match.group(1).isdigit():
                numbers.append(int(match.group(1)))
        else:
            return False
    return all(a < b for a, b in zip(numbers, numbers[1:]))


def _detect_data_rows(sheet: RawSheet, header_rows: tuple[int, ...],
                      number_row: int | None) -> tuple[int, int]:
    first = _next_filled_row(sheet, (number_row or header_rows[-1]) + 1)
    last = None
    row = first
    while row is not None and not _is_end_row(sheet.rows[row - 1]):
        last = row
        row = _next_filled_row(sheet, row + 1)
    if first is None or last is None:
        raise ImportFileError("no_data", {"sheet": sheet.name, "header_rows": _row_list(header_rows)}, sheet.name)
    return first, last


def _checked_data_rows(sheet: RawSheet, data_rows: tuple[int, int],
                       header_rows: tuple[int, ...]) -> tuple[int, int]:
    first, last = data_rows
    if not header_rows[-1] < first <= last <= len(sheet.rows):
        raise ImportFileError("bad_data_rows", {"sheet": sheet.name, "first_row": first, "last_row": last,
                                                "header_rows": _row_list(header_rows), "sheet_rows": len(sheet.rows)},
                              repr(data_rows))
    return first, last


def _is_end_row(cells: list[object]) -> bool:
    """A signature, date, note or source line: an end marker, no figures and no commune name."""
    if any(_is_numeric(value) for value in cells):  # the cheap test first: most rows have figures
        return False
    return (any(_matches(value, _END_MARKER) for value in cells)
            and not any(_matches(value, _COMMUNE_LABEL) for value in cells))


def _content_rows(sheet: RawSheet, layout: Layout) -> list[int]:
    rows = []
    for row in range(layout.first_data_row, layout.last_data_row + 1):
        cells = sheet.rows[row - 1]
        if row == layout.number_row or all(is_blank(v) for v in cells):
            continue
        if _is_end_row(cells):
            break  # an overridden range may reach into the signature block
        rows.append(row)
    return rows


def _next_filled_row(sheet: RawSheet, start: int) -> int | None:
    for row in range(start, len(sheet.rows) + 1):
        if not all(is_blank(v) for v in sheet.rows[row - 1]):
            return row
    return None


# --- columns -------------------------------------------------------------------------------

def _column_labels(sheet: RawSheet, header_rows: tuple[int, ...], first: int, last: int) -> list[str]:
    levels = [_header_texts(sheet, row) for row in header_rows]
    for upper, row, row_below in zip(levels, header_rows, header_rows[1:]):
        _spread_unmerged_parents(upper, _merged_columns(sheet, row), sheet.row_cells(row_below))
    labels = [_join_parts(level[col] for level in levels) for col in range(len(levels[0]))]
    return _named_and_unique(sheet, labels, first, last)


def _header_texts(sheet: RawSheet, row: int) -> list[str]:
    """The cleaned text of each cell in a header row, a merged label repeated over its range."""
    texts = [_clean(value) for value in sheet.row_cells(row)]
    for merged in sheet.merged:
        if merged.first_row <= row <= merged.last_row:
            text = _clean(sheet.cell(merged.first_row, merged.first_col))
            for col in range(merged.first_col, min(merged.last_col + 1, len(texts))):
                texts[col] = texts[col] or text
    return texts


def _merged_columns(sheet: RawSheet, row: int) -> set[int]:
    return {col for merged in sheet.merged if merged.first_row <= row <= merged.last_row
            for col in range(merged.first_col, merged.last_col + 1)}


def _spread_unmerged_parents(upper: list[str], merged: set[int], below: list[object]) -> None:
    """CSV and "centre across selection" headers write a parent once, over its first child:
    an empty, unmerged parent cell over a child inherits the unmerged parent to its left when
    that one has a child too. (Merged parents were already spread by their range.)"""
    for col in range(1, len(upper)):
        if (not upper[col] and upper[col - 1] and not {col, col - 1} & merged
                and not is_blank(below[col]) and not is_blank(below[col - 1])):
            upper[col] = upper[col - 1]


def _join_parts(parts) -> str:
    joined: list[str] = []
    for part in parts:
        if part and (not joined or joined[-1] != part):
            joined.append(part)
    return " / ".join(joined)


def _named_and_unique(sheet: RawSheet, labels: list[str], first: int, last: int) -> list[str]:
    named = []
    for col, label in enumerate(labels):
        has_data = any(not is_blank(sheet.cell(row, col)) for row in range(first, last + 1))
        if not label and has_data:
            label = f"[{column_letter(col)}]"
        elif label and label in named:
            label = f"{label} [{column_letter(col)}]"
        named.append(label)
    return named


def _find_column(labels: list[str], pattern: re.Pattern) -> int | None:
    for col, label in enumerate(labels):
        if any(pattern.search(_key(part)) for part in label.split(" / ")):
            return col
    return None


def _guess_name_column(sheet: RawSheet, first: int, last: int, exclude: int | None) -> int | None:
    """Without a recognisable header, the name column is the one with the most words in it."""
    width = sheet.width
    counts = {col: sum(1 for row in range(first, last + 1)
                       if isinstance(v := sheet.cell(row, col), str) and v.strip() and not _is_numeric(v))
              for col in range(width) if col != exclude}
    best = max(counts, key=counts.get, default=None)
    return best if best is not None and counts[best] > 0 else None


# --- rows ----------------------------------------------------------------------------------

def _label(sheet: RawSheet, layout: Layout, row: int) -> str:
    """The name cell; failing that, a label merged over it or typed into the STT column
    ("Tổng cộng" is often merged across STT and name)."""
    if layout.name_column is None:
        return ""
    value = sheet.cell(row, layout.name_column)
    if is_blank(value):
        value = _merged_value(sheet, row, layout.name_column)
    if is_blank(value) and layout.stt_column is not None:
        stt = sheet.cell(row, layout.stt_column)
        if isinstance(stt, str) and len(stt.strip()) > 3 and not _is_numeric(stt):
            value = stt
    if value is None:
        return ""
    return value if isinstance(value, str) else _clean(value)


def _merged_value(sheet: RawSheet, row: int, col: int) -> object:
    for merged in sheet.merged:
        if merged.contains(row, col) and merged.first_row == row:
            return sheet.cell(merged.first_row, merged.first_col)
    return None


def _code_text(value: object) -> str | None:
    if is_blank(value):
        return None
    return value.strip() if isinstance(value, str) else _clean(value)


def _rows_are_numbered(sheet: RawSheet, layout: Layout, rows: list[int]) -> bool:
    """Whether commune rows carry an STT number, so a row without one is a district row."""
    if layout.stt_column is None or not rows:
        return False
    numbered = sum(1 for row in rows if _is_row_number(sheet.cell(row, layout.stt_column)))
    return numbered * 2 >= len(rows)


def _classify(label: str, stt: object, numbered: bool) -> str:
    key = _key(label)
    if _SUBTOTAL_LABEL.match(key):
        return "group"
    if _TOTAL_LABEL.match(key):
        return "total"
    if _COMMUNE_LABEL.match(key) or parse_unit_name(clean_label(label)).unit_type is not None:
        return "data"   # "X. Tân Thành", "P.5", "TT Sông Đốc": no group prefix may override a commune's
    if _DISTRICT_LABEL.match(key) or _ROMAN_PREFIX.match(label.strip()):
        return "group"
    if isinstance(stt, str) and _SECTION_NUMBER.match(stt.strip()):
        return "group"
    if numbered and key and is_blank(stt):
        return "group"
    return "data"


def _is_row_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return float(value).is_integer()
    return isinstance(value, str) and bool(_ROW_NUMBER.match(value.strip()))


# --- text helpers --------------------------------------------------------------------------

def _clean(value: object) -> str:
    """Cell text with whitespace collapsed; whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """ASCII lower-case words, for keyword matching only ("Tên xã" -> "ten xa")."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", unidecode(text).lower()).split())


def _matches(value: object, pattern: re.Pattern) -> bool:
    return isinstance(value, str) and bool(pattern.search(_key(value)))


def _is_numeric(value: object) -> bool:
    try:
        parse_vn_number(value)
    except ValueError:
        return False
    return True


def _row_list(rows: Sequence[int]) -> str:
    return ", ".join(str(row) for row in rows)


def _no_table(sheet: RawSheet) -> ImportFileError:
    return ImportFileError("no_table_in_sheet", {"sheet": sheet.name}, sheet.name)
