"""Generate the importer's test corpus: realistic district reports and hostile files.

Nothing binary is committed. Every file is built at test time from real commune names and GSO
codes (the reference unit list) and written into a temporary directory by ``write_corpus``.
``CORPUS`` lists every file with what it exercises; ``report_figures`` gives the figures the
report-shaped files contain, so tests can compare what the reader finds with what was written.

Legacy encodings are produced by small encoders below (Python has no TCVN3 or VNI codec):
TCVN3 turns "Cà Mau" into "Cµ Mau", VNI into "Caø Mau".
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd

# --- the figures every report-shaped file carries ------------------------------------------

# Three districts, three units each; chosen for the traps they set: "Xã Tân Thành" and "Phường Tân
# Thành" share a name, and "Xã Thới Bình", "Thị trấn Thới Bình" and "Huyện Thới Bình" share one too.
REPORT_CODES = {
    "Thành phố Cà Mau": ("32005", "32025", "32026"),
    "Huyện Đầm Dơi": ("32152", "32155", "32173"),
    "Huyện Thới Bình": ("32065", "32077", "32068"),
}
MODEL_NOTE = "Mô hình Khu dân cư điện tử (Khóm 6)"


@dataclass(frozen=True)
class CommuneFigures:
    code: str
    name: str
    district: str
    teams: int
    members: int
    households: int
    share: float
    vneid: int


def report_figures(units: pd.DataFrame) -> list[CommuneFigures]:
    """Nine communes in three districts, with deterministic figures (Phường 1 guided 1,610 homes)."""
    names = dict(zip(units["gso_code"], units["name"]))
    figures = []
    for district, codes in REPORT_CODES.items():
        for code in codes:
            i = len(figures)
            figures.append(CommuneFigures(
                code=code, name=names[code], district=district, teams=3 + i, members=5 * (3 + i) + i % 3,
                households=1610 if i == 0 else 150 + 37 * i, share=round(26.5 - 1.5 * i, 1),
                vneid=2300 + 415 * i,
            ))
    return figures


def by_district(figures: list[CommuneFigures]) -> dict[str, list[CommuneFigures]]:
    grouped: dict[str, list[CommuneFigures]] = {}
    for figure in figures:
        grouped.setdefault(figure.district, []).append(figure)
    return grouped


def subtotal(figures: list[CommuneFigures]) -> tuple[int, int, int, float, int]:
    """Sums of the counts and the mean share, as a district row carries them."""
    return (sum(f.teams for f in figures), sum(f.members for f in figures),
            sum(f.households for f in figures), round(sum(f.share for f in figures) / len(figures), 1),
            sum(f.vneid for f in figures))


# --- sheet grids ---------------------------------------------------------------------------

@dataclass
class Grid:
    """A sheet as rows of values (None for empty) plus merged ranges such as "C8:D8"."""

    rows: list[list[object]]
    merges: tuple[str, ...] = ()
    title: str = "Sheet1"


PROVINCE_HEADER_TOP = ["STT", "Tên xã, phường, thị trấn", "Tổ công nghệ số cộng đồng", None,
                       "Số hộ được hướng dẫn", "Tỷ lệ hộ được hướng dẫn (%)",
                       "Hồ sơ định danh\nđiện tử", "Ghi chú"]
PROVINCE_HEADER_SUB = [None, None, "Số tổ", "Số  thành viên", None, None, None, None]
PROVINCE_LABELS = ("STT", "Tên xã, phường, thị trấn", "Tổ công nghệ số cộng đồng / Số tổ",
                   "Tổ công nghệ số cộng đồng / Số thành viên", "Số hộ được hướng dẫn",
                   "Tỷ lệ hộ được hướng dẫn (%)", "Hồ sơ định danh điện tử", "Ghi chú")


def province_report_grid(figures: list[CommuneFigures], number: Callable[[float], object] = lambda x: x,
                         formulas: bool = False) -> Grid:
    """The provincial compilation: letterhead, title, two-row merged header, column numbers,
    district rows (I, II, III) with subtotals, a "Tổng cộng" row merged over STT and name, and a
    signature block. ``number`` formats each figure (e.g. as Vietnamese text for a CSV)."""
    rows: list[list[object]] = [
        ["UBND TỈNH CÀ MAU", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", None, None, None],
        ["SỞ THÔNG TIN VÀ TRUYỀN THÔNG", None, None, None, "Độc lập - Tự do - Hạnh phúc", None, None, None],
        [None, None, None, None, "Cà Mau, ngày 10 tháng 02 năm 2023", None, None, None],
        [None] * 8,
        ["BÁO CÁO KẾT QUẢ TRIỂN KHAI TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG VÀ ĐỀ ÁN 06 NĂM 2022"] + [None] * 7,
        ["(Kèm theo Báo cáo số 15/BC-STTTT ngày 10/02/2023 của Sở Thông tin và Truyền thông)"] + [None] * 7,
        [None] * 7 + ["Đơn vị tính: tổ, người, hộ, %"],
        PROVINCE_HEADER_TOP,
        PROVINCE_HEADER_SUB,
        [f"({n})" for n in range(1, 9)],
    ]
    merges = ["A1:C1", "E1:H1", "A2:C2", "E2:H2", "E3:H3", "A5:H5", "A6:H6",
              "A8:A9", "B8:B9", "C8:D8", "E8:E9", "F8:F9", "G8:G9", "H8:H9"]
    group_rows = []
    for roman, (district, members) in zip(("I", "II", "III"), by_district(figures).items()):
        first = len(rows) + 2
        last = first + len(members) - 1
        group_rows.append(len(rows) + 1)
        if formulas:
            rows.append([roman, district] + [f"=SUM({col}{first}:{col}{last})" for col in "CDE"]
                        + [f"=ROUND(AVERAGE(F{first}:F{last}),1)", f"=SUM(G{first}:G{last})", None])
        else:
            rows.append([roman, district] + [number(v) for v in subtotal(members)] + [None])
        for i, f in enumerate(members, start=1):
            note = MODEL_NOTE if f.code == "32005" else None
            rows.append([i, f.name] + [number(v) for v in (f.teams, f.members, f.households, f.share, f.vneid)]
                        + [note])
    total_row = len(rows) + 1
    if formulas:
        refs = ",".join(f"{{col}}{r}" for r in group_rows)
        rows.append(["Tổng cộng", None] + [f"=SUM({refs.format(col=col)})" for col in "CDE"]
                    + [f"=ROUND(AVERAGE({refs.format(col='F')}),1)", f"=SUM({refs.format(col='G')})", None])
    else:
        rows.append(["Tổng cộng", None] + [number(v) for v in subtotal(figures)] + [None])
    merges.append(f"A{total_row}:B{total_row}")
    rows += [
        [None] * 8,
        [None, "Người lập biểu", None, None, None, "KT. GIÁM ĐỐC", None, None],
        [None, None, None, None, None, "PHÓ GIÁM ĐỐC", None, None],
        [None] * 8,
        [None, "Nguyễn Văn An", None, None, None, "Trần Thị Bình", None, None],
    ]
    return Grid(rows, tuple(merges), "Tổng hợp")


def district_report_grid(figures: list[CommuneFigures]) -> Grid:
    """One district's report: letterhead, single header row at row 6, column numbers 1 2 3 as
    numbers, no district rows, a "Cộng" total and "TM. ỦY BAN NHÂN DÂN" signature."""
    communes = by_district(figures)["Huyện Đầm Dơi"]
    rows: list[list[object]] = [
        ["UBND HUYỆN ĐẦM DƠI", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        [None, None, None, "Độc lập - Tự do - Hạnh phúc"],
        [None] * 5,
        ["BÁO CÁO KẾT QUẢ THỰC HIỆN TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"],
        [None] * 5,
        ["TT", "Xã, phường, thị trấn", "Số tổ công nghệ số cộng đồng", "Số thành viên", "Số hộ được hướng dẫn"],
        [1, 2, 3, 4, 5],
    ]
    for i, f in enumerate(communes, start=1):
        rows.append([i, f.name, f.teams, f.members, f.households])
    rows.append([None, "Cộng", *subtotal(communes)[:3]])
    rows += [[None] * 5,
             [None, None, None, "Đầm Dơi, ngày 05 tháng 02 năm 2023"],
             [None, None, None, "TM. ỦY BAN NHÂN DÂN"],
             [None, None, None, "CHỦ TỊCH"]]
    return Grid(rows, ("A1:B1",), "Đầm Dơi")


def plain_grid(figures: list[CommuneFigures], header: list[str], row: Callable[[int, CommuneFigures], list],
               title: str = "Sheet1", groups: Callable[[str], list | None] | None = None,
               total: list | None = None) -> Grid:
    """A header row at row 1, then optional district rows, commune rows and a total row."""
    rows: list[list[object]] = [header]
    for district, members in by_district(figures).items():
        if groups is not None and (group := groups(district)) is not None:
            rows.append(group)
        rows += [row(i, f) for i, f in enumerate(members, start=1)]
    if total is not None:
        rows.append(total)
    return Grid(rows, (), title)


# --- writers -------------------------------------------------------------------------------

def xlsx_bytes(*grids: Grid, cached: dict[str, object] | None = None) -> bytes:
    """An .xlsx with one sheet per grid. ``cached`` gives the saved value of formula cells of the
    first sheet by reference ("C11": 12); formulas not listed are saved without a value, as
    openpyxl (which does not calculate) always does."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for grid in grids:
        sheet = workbook.create_sheet(grid.title)
        for values in grid.rows:
            sheet.append(values)
        for merge in grid.merges:
            sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _with_cached_values(buffer.getvalue(), cached) if cached else buffer.getvalue()


def _with_cached_values(data: bytes, cached: dict[str, object]) -> bytes:
    """Write Excel's saved formula results into the first sheet's XML: <f>…</f><v>123</v>."""
    def fill(match: re.Match) -> bytes:
        ref = match.group(2).decode()
        if ref not in cached:
            return match.group(0)
        return match.group(1) + match.group(3) + f"<v>{cached[ref]}</v>".encode()

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            content = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'(<c r="([A-Z]+\d+)"[^>]*>)(<f>[^<]*</f>)<v\s*/>', fill, content)
            target.writestr(name, content)
    return out.getvalue()


def csv_text(grid: Grid, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for values in grid.rows:
        writer.writerow(["" if v is None else v for v in values])
    return buffer.getvalue()


def vn_number(value: float) -> str:
    """A figure typed the Vietnamese way: 1.610, 26,5."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value}".replace(".", ",")


# --- legacy encodings ----------------------------------------------------------------------

# Tone order in the tables below: none, huyền, sắc, hỏi, ngã, nặng.
TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
# Vowel letters by base and modifier (circumflex U+0302, breve U+0306, horn U+031B).
TCVN3_VOWELS = {
    ("a", ""): "aµ¸¶·¹", ("a", "\u0306"): "¨»¾¼½Æ", ("a", "\u0302"): "©ÇÊÈÉË",
    ("e", ""): "eÌÐÎÏÑ", ("e", "\u0302"): "ªÒÕÓÔÖ", ("i", ""): "i×ÝØÜÞ",
    ("o", ""): "oßãáâä", ("o", "\u0302"): "«åèæçé", ("o", "\u031b"): "¬êíëìî",
    ("u", ""): "uïóñòô", ("u", "\u031b"): "­õøö÷ù", ("y", ""): "yúýûüþ",
}
TCVN3_CAPITALS = {"Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§", "đ": "®"}
VNI_PLAIN_TONES = ("", "ø", "ù", "û", "õ", "ï")
VNI_CIRCUMFLEX_TONES = ("â", "à", "á", "å", "ã", "ä")
VNI_BREVE_TONES = ("ê", "è", "é", "ú", "ü", "ë")
VNI_I = ("i", "ì", "í", "æ", "ó", "ò")
VNI_Y_HEAVY = "î"


def _split_letter(char: str) -> tuple[str, str, int]:
    """A Vietnamese letter as (lower-case base, modifier mark, tone index)."""
    decomposed = unicodedata.normalize("NFD", char.lower())
    base, marks = decomposed[0], decomposed[1:]
    modifier = next((m for m in marks if m in "\u0302\u0306\u031b"), "")
    tone = next((TONES.index(m) for m in marks if m in TONES[1:]), 0)
    return base, modifier, tone


def to_tcvn3(text: str) -> str:
    """Text as typed in a TCVN3 (.VnTime) font; capitals with a tone mark become lower case,
    as the ABC lower-case font has no such capitals."""
    out = []
    for char in text:
        base, modifier, tone = _split_letter(char)
        if char in TCVN3_CAPITALS:
            out.append(TCVN3_CAPITALS[char])
        elif (base, modifier) in TCVN3_VOWELS and (modifier or tone):
            out.append(TCVN3_VOWELS[(base, modifier)][tone])
        else:
            out.append(char)
    return "".join(out)


def to_vni(text: str) -> str:
    """Text as typed in a VNI (VNI-Times) font: base letter followed by mark keys."""
    out = []
    for char in text:
        base, modifier, tone = _split_letter(char)
        if char.lower() == "đ":
            piece = "ñ"
        elif base not in "aeiouy" or not (modifier or tone):
            out.append(char)
            continue
        elif base == "i":
            piece = VNI_I[tone]
        elif base == "y" and tone == 5:
            piece = VNI_Y_HEAVY
        elif modifier == "\u031b":
            piece = {"o": "ô", "u": "ö"}[base] + VNI_PLAIN_TONES[tone]
        elif modifier == "\u0302":
            piece = base + VNI_CIRCUMFLEX_TONES[tone]
        elif modifier == "\u0306":
            piece = base + VNI_BREVE_TONES[tone]
        else:
            piece = base + VNI_PLAIN_TONES[tone]
        out.append(piece.upper() if char.isupper() else piece)
    return "".join(out)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: letters it lacks are written as base letter plus combining tone."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, modifier, tone = _split_letter(char)
            letter = unicodedata.normalize("NFC", base + modifier)
            letter = letter.upper() if char.isupper() else letter
            out += (letter + TONES[tone]).encode("cp1258")
    return bytes(out)


# --- hostile bytes -------------------------------------------------------------------------

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole2_with_streams(*names: str) -> bytes:
    """An OLE2 compound file lookalike: header, then directory entries naming the streams."""
    header = OLE2_MAGIC + bytes(504)
    entries = b"".join(name.encode("utf-16-le").ljust(128, b"\x00") for name in ("Root Entry", *names))
    return (header + entries).ljust(4096, b"\x00")


def _png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06" + bytes(64)


def _pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


# --- the corpus ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CorpusEntry:
    name: str
    note: str
    build: Callable[[pd.DataFrame], bytes]


CORPUS: list[CorpusEntry] = []


def entry(name: str, note: str):
    def register(build: Callable[[pd.DataFrame], bytes]):
        CORPUS.append(CorpusEntry(name, note, build))
        return build
    return register


def write_corpus(directory: Path, units: pd.DataFrame) -> dict[str, Path]:
    """Build every corpus file into ``directory``; returns file name -> path."""
    paths = {}
    for item in CORPUS:
        path = directory / item.name
        path.write_bytes(item.build(units))
        paths[item.name] = path
    return paths


SIMPLE_HEADER = ["STT", "Tên xã", "Số tổ", "Số thành viên", "Số hộ được hướng dẫn"]


def _simple_grid(units: pd.DataFrame, transform: Callable[[str], str] = str, title: str = "Sheet1") -> Grid:
    return plain_grid(report_figures(units), [transform(h) for h in SIMPLE_HEADER],
                      lambda i, f: [i, transform(f.name), f.teams, f.members, f.households], title)


@entry("bao_cao_tinh.xlsx", "province compilation: letterhead, merged two-row header, STT, "
       "column numbers, district rows with subtotals, total, signature; second sheet of notes")
def _province_xlsx(units):
    notes = Grid([["Ghi chú"], ["Số liệu tính đến ngày 31/12/2022."],
                  ["Tỷ lệ hộ được hướng dẫn tính trên số hộ của các khóm, ấp thí điểm."]], (), "Ghi chú")
    return xlsx_bytes(province_report_grid(report_figures(units)), notes)


@entry("bao_cao_huyen.xlsx", "district report: single header at row 6, TT, numbers 1 2 3 as "
       "integers, 'Cộng' total, TM. signature")
def _district_xlsx(units):
    return xlsx_bytes(district_report_grid(report_figures(units)))


@entry("cong_thuc.xlsx", "province layout with SUM formulas: cached values saved, except the "
       "total of column G which has none")
def _formulas_xlsx(units):
    figures = report_figures(units)
    grid = province_report_grid(figures, formulas=True)
    cached = {}
    for row_number, values in enumerate(grid.rows, start=1):
        if values[1] in REPORT_CODES:
            sums = subtotal(by_district(figures)[values[1]])
        elif values[0] == "Tổng cộng":
            sums = subtotal(figures)
        else:
            continue
        for col, value in zip("CDEFG", sums):
            if not (values[0] == "Tổng cộng" and col == "G"):
                cached[f"{col}{row_number}"] = value
    return xlsx_bytes(grid, cached=cached)


@entry("khong_stt.xlsx", "no STT column, header on row 1, district rows 'TP Cà Mau' / 'H. Đầm Dơi', "
       "'Toàn tỉnh' total")
def _no_stt_xlsx(units):
    figures = report_figures(units)
    short = {"Thành phố Cà Mau": "TP Cà Mau", "Huyện Đầm Dơi": "H. Đầm Dơi", "Huyện Thới Bình": "H. Thới Bình"}
    grid = plain_grid(figures, ["Đơn vị", "Số tổ", "Số thành viên"],
                      lambda i, f: [f.name, f.teams, f.members],
                      groups=lambda d: [short[d], None, None], total=["Toàn tỉnh", *subtotal(figures)[:2]])
    return xlsx_bytes(grid)


@entry("ma_gso.xlsx", "a 'Mã ĐVHC' code column (numbers and text) before 'Tên đơn vị', header on row 3")
def _code_column_xlsx(units):
    figures = report_figures(units)
    rows = [["DANH SÁCH XÃ THÍ ĐIỂM TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"], [None],
            ["STT", "Mã ĐVHC", "Tên đơn vị", "Hộ kinh doanh sử dụng hóa đơn điện tử", "Chữ ký số"]]
    for i, f in enumerate(figures, start=1):
        code = f.code if i % 2 else int(f.code)  # typed as text in half of the rows
        rows.append([i, code, f.name, 10 + i, 100 * i])
    return xlsx_bytes(Grid(rows, ("A1:E1",), "DS xã"))


@entry("nhieu_trang.xlsx", "three sheets: instructions, then 'Số liệu 2022' and 'Số liệu 2021' tables")
def _several_sheets_xlsx(units):
    guide = Grid([["HƯỚNG DẪN NHẬP SỐ LIỆU"], ["Điền số liệu vào trang “Số liệu 2022”."],
                  ["Không sửa tên cột."]], (), "Hướng dẫn")
    return xlsx_bytes(guide, _simple_grid(units, title="Số liệu 2022"),
                      _simple_grid(units, title="Số liệu 2021"))


@entry("nhom_khong_tien_to.xlsx", "district rows written as bare names with no STT, communes by short "
       "name with STT, 'Cộng huyện …' subtotal rows")
def _bare_district_rows_xlsx(units):
    figures = report_figures(units)
    short_names = dict(zip(units["gso_code"], units["name_short"]))
    rows = [["STT", "Tên xã", "Số tổ"]]
    for district, members in by_district(figures).items():
        rows.append([None, district.removeprefix("Huyện ").removeprefix("Thành phố "), None])
        rows += [[i, short_names[f.code], f.teams] for i, f in enumerate(members, start=1)]
        rows.append([None, f"Cộng {district.lower()}", sum(f.teams for f in members)])
    return xlsx_bytes(Grid(rows))


@entry("nhom_gop_o.xlsx", "district rows 'I. THÀNH PHỐ CÀ MAU' merged across the whole row, "
       "a 'Cộng' total merged over STT and name, then a 'Ghi chú:' line")
def _merged_group_rows_xlsx(units):
    figures = report_figures(units)
    rows: list[list[object]] = [["STT", "Tên xã", "Số tổ", "Số thành viên"]]
    merges = []
    for roman, (district, members) in zip(("I", "II", "III"), by_district(figures).items()):
        rows.append([f"{roman}. {district.upper()}", None, None, None])
        merges.append(f"A{len(rows)}:D{len(rows)}")
        rows += [[i, f.name, f.teams, f.members] for i, f in enumerate(members, start=1)]
    rows.append(["Cộng", None, *subtotal(figures)[:2]])
    merges.append(f"A{len(rows)}:B{len(rows)}")
    rows.append(["Ghi chú: số liệu tạm tính", None, None, None])
    return xlsx_bytes(Grid(rows, tuple(merges)))


@entry("chi_co_tieu_de.xlsx", "a header row and nothing under it")
def _header_only_xlsx(units):
    return xlsx_bytes(Grid([["BÁO CÁO"], [None], SIMPLE_HEADER]))


@entry("khong_co_bang.xlsx", "text and numbers but no commune table")
def _no_table_xlsx(units):
    return xlsx_bytes(Grid([["Kế hoạch năm 2023"], ["Chỉ tiêu", "Giá trị"], ["Số tổ", 343],
                            ["Số thành viên", 1610]], (), "Kế hoạch"))


@entry("gia_tri_xau.xlsx", "hostile cells: <script> and <img> names, 'ba', '1e9', 1e9, -5, a date")
def _bad_values_xlsx(units):
    rows = [SIMPLE_HEADER,
            [1, "<script>alert(1)</script>", 3, 15, 200],
            [2, "Xã Tân Duyệt", "ba", 1e9, -5],
            [3, "Xã Tân Tiến", "1e9", datetime(2023, 2, 10), None],
            [4, "<img src=x onerror=alert(1)>", -2, "  ", "12"]]
    return xlsx_bytes(Grid(rows))


@entry("so_dang_chu.xlsx", "figures typed as Vietnamese text: 1.610, 26,5%, 1 610, 1.610,5")
def _text_numbers_xlsx(units):
    rows = [["STT", "Tên xã", "Số hộ được hướng dẫn", "Tỷ lệ hộ được hướng dẫn (%)"],
            [1, "Phường 1", "1.610", "26,5%"], [2, "Phường 2", "1 610", "26,5"],
            [3, "Phường 4", "1.610,5", 26.5], [4, "Phường 5", 1610, "0,5"]]
    return xlsx_bytes(Grid(rows))


@entry("tcvn3.xlsx", "names typed in a TCVN3 (.VnTime) font")
def _tcvn3_xlsx(units):
    return xlsx_bytes(_simple_grid(units, to_tcvn3))


@entry("vni.xlsx", "names typed in a VNI font")
def _vni_xlsx(units):
    return xlsx_bytes(_simple_grid(units, to_vni))


@entry("trang_trong.xlsx", "a valid workbook whose sheets have no cells")
def _blank_workbook(units):
    return xlsx_bytes(Grid([], (), "Trang 1"), Grid([], (), "Trang 2"))


@entry("rong.xlsx", "zero bytes named .xlsx")
def _zero_xlsx(units):
    return b""


@entry("hong.xlsx", "a real workbook cut in half")
def _truncated_xlsx(units):
    data = xlsx_bytes(_simple_grid(units))
    return data[: len(data) // 2]


@entry("hong_noi_dung.xlsx", "a zip holding xl/workbook.xml that is not XML")
def _bad_xml_xlsx(units):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<<< not xml")
    return out.getvalue()


@entry("zip_khac.xlsx", "a zip archive without a workbook (a renamed .zip)")
def _other_zip(units):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("bao_cao.txt", "Báo cáo")
    return out.getvalue()


@entry("anh.xlsx", "a PNG image renamed .xlsx")
def _png_as_xlsx(units):
    return _png_bytes()


@entry("mat_khau.xlsx", "a password-protected workbook (OLE2 with EncryptionInfo/EncryptedPackage)")
def _encrypted_xlsx(units):
    return _ole2_with_streams("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")


@entry("cu.xls", "a legacy Excel 97-2003 workbook (OLE2 with a Workbook stream)")
def _legacy_xls(units):
    return _ole2_with_streams("Workbook", "\x05SummaryInformation")


@entry("van_ban.doc.xlsx", "an OLE2 Word document renamed .xlsx")
def _ole2_word(units):
    return _ole2_with_streams("WordDocument", "1Table")


@entry("trang_web.xlsx", "an HTML page named .xlsx, as some web systems export")
def _html_as_xlsx(units):
    return "<html><body><table><tr><td>Tên xã</td></tr></table></body></html>".encode()


@entry("bao_cao_tinh.csv", "the province compilation exported as CSV UTF-8, comma, English numbers")
def _province_csv(units):
    return csv_text(province_report_grid(report_figures(units))).encode("utf-8")


@entry("bao_cao_tinh_bom.csv", "the province compilation as CSV UTF-8 with BOM, semicolon, "
       "Vietnamese numbers (1.610; 26,5)")
def _province_csv_bom(units):
    grid = province_report_grid(report_figures(units), number=vn_number)
    return codecs.BOM_UTF8 + csv_text(grid, ";").encode("utf-8")


@entry("unicode_tab.csv", "UTF-16 LE with BOM, tab-separated (Excel's 'Unicode text')")
def _utf16le_tab(units):
    return csv_text(_simple_grid(units), "\t").encode("utf-16")


@entry("utf16be.csv", "UTF-16 BE with BOM, semicolon")
def _utf16be(units):
    return codecs.BOM_UTF16_BE + csv_text(_simple_grid(units), ";").encode("utf-16-be")


@entry("utf16_khong_bom.csv", "UTF-16 LE without BOM, comma")
def _utf16_no_bom(units):
    return csv_text(_simple_grid(units)).encode("utf-16-le")


@entry("windows1258.csv", "Windows-1258 (tone marks as combining characters), comma")
def _cp1258(units):
    return to_cp1258(csv_text(_simple_grid(units)))


@entry("tab_utf8.csv", "UTF-8, tab-separated")
def _tab_utf8(units):
    return csv_text(_simple_grid(units), "\t").encode("utf-8")


@entry("so_kieu_viet.csv", "semicolon CSV with 1.610, 1 610, 1.610,5, 26,5%, 1,610 and 1610")
def _vn_numbers_csv(units):
    rows = [["STT", "Tên xã", "Số hộ được hướng dẫn", "Tỷ lệ hộ được hướng dẫn (%)"],
            [1, "Phường 1", "1.610", "26,5%"], [2, "Phường 2", "1 610", "26,5"],
            [3, "Phường 4", "1.610,5", "1,610"], [4, "Phường 5", "1610", "0,5 %"]]
    return csv_text(Grid(rows), ";").encode("utf-8")


@entry("tieu_de_xuong_dong.csv", "quoted header cells with line breaks and quoted '26,5' in a comma file")
def _multiline_header_csv(units):
    text = ('STT,"Tên xã,\nphường",Số tổ,"Tỷ lệ hộ\nđược hướng dẫn (%)"\r\n'
            '1,Phường 1,5,"26,5"\r\n2,Phường 2,4,"12,0"\r\n')
    return text.encode("utf-8")


@entry("script.csv", "names that are HTML/JS: kept as plain text")
def _script_csv(units):
    rows = [SIMPLE_HEADER, [1, "<script>alert('x')</script>", 1, 2, 3],
            [2, "Xã <b>Tân</b> Thành & \"Hòa\"", 4, 5, 6]]
    return csv_text(Grid(rows)).encode("utf-8")


@entry("gia_tri_xau.csv", "'ba', '1e9', '-5', '' in figure cells")
def _bad_values_csv(units):
    rows = [SIMPLE_HEADER, [1, "Xã Tân Duyệt", "ba", "1e9", "-5"], [2, "Xã Tân Tiến", "", "3", "x"]]
    return csv_text(Grid(rows)).encode("utf-8")


@entry("ky_hieu.csv", "genuine Unicode with ©, ·, °, ± and oà/uý/uâ spellings: not legacy")
def _symbols_csv(units):
    rows = [["STT", "Tên xã", "Số tổ", "Ghi chú"],
            [1, "Xã Hoà Mỹ", 4, "© Sở TT&TT · nhiệt độ 30°C ± 2"],
            [2, "Xã Khánh Hòa", 3, "Khoá học · quân sự · Thuý · «mẫu» ¼ số hộ"],
            [3, "Phường 1", 5, "Mô hình điểm"]]
    return csv_text(Grid(rows)).encode("utf-8")


@entry("tcvn3.csv", "TCVN3 (ABC) bytes")
def _tcvn3_csv(units):
    return csv_text(_simple_grid(units, to_tcvn3)).encode("latin-1")


@entry("vni.csv", "VNI Windows bytes")
def _vni_csv(units):
    return csv_text(_simple_grid(units, to_vni)).encode("cp1252")


@entry("bang_ma_la.csv", "bytes that are neither UTF-8 nor Windows-1258 (0x81, 0x8D are undefined)")
def _unknown_encoding_csv(units):
    return b"STT,T\x81n x\x8d\r\n1,Ph\x81\x8dng 1\r\n"


@entry("rong.csv", "zero bytes")
def _zero_csv(units):
    return b""


@entry("khoang_trang.csv", "only blank lines and separators")
def _blank_csv(units):
    return b"\r\n  \r\n;;;\r\n"


@entry("pdf.csv", "a PDF renamed .csv")
def _pdf_as_csv(units):
    return _pdf_bytes()


@entry("nhi_phan.csv", "binary bytes with no known signature")
def _binary_csv(units):
    return bytes(range(256)) * 8


@entry("qua_lon.csv", "a 12 MB CSV (over the 10 MB limit)")
def _too_large_csv(units):
    line = "1,Xã Tân Thành,3,15,200\r\n".encode()
    return csv_text(Grid([SIMPLE_HEADER])).encode() + line * (12 * 1024 * 1024 // len(line) + 1)
