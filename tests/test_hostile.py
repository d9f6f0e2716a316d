"""The hostile-input corpus (issue 11): every file is refused within 5 s, within 300 MB of memory,
with a message that names the limit, and nothing is stored. Plus the child process's own walls
(memory, time), the fuzzy step's bounds, and the two importer bugs of issue 10."""
import io
import re
import time
import tracemalloc

import openpyxl
import pytest
import sqlalchemy as sa

import manage
import tests.hostile as hostile_module
from importer import limits
from importer.errors import ImportFileError
from importer.isolation import ParseStats, read_isolated
from importer.matcher import CommuneMatcher
from importer.pipeline import analyse
from importer.reader import read_file
from importer.unit_sets import UnitSetIndex
from l10n.importing import describe, describe_reason
from storage import datasets
from storage.db import make_engine
from tests.hostile import EXPECTED_CODE, HOSTILE, junk_rows_csv
from views.importing.import_view import problem_table, report_table

SECONDS = 5.0
MEMORY = 300 * 1024 * 1024
VIETNAMESE_ONLY = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)


@pytest.fixture(scope="module")
def hostile():
    return {name: build() for name, build in HOSTILE.items()}


def _rss() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


@pytest.mark.parametrize("name", list(HOSTILE))
def test_reader_refuses_each_hostile_file_fast_and_small(hostile, name):
    """In the server's own process (without the child's walls): the bounds alone hold."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ImportFileError) as caught:
            read_file(hostile[name], name)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.code == EXPECTED_CODE[name]
    assert seconds <= SECONDS, f"{name}: {seconds:.1f} s"
    assert peak <= MEMORY, f"{name}: {peak / 2**20:.0f} MB"


@pytest.mark.parametrize("name", list(HOSTILE))
def test_isolated_parse_refuses_each_hostile_file_and_the_server_keeps_its_memory(hostile, name):
    """The page's and manage.py's path: a child process parses, the server only waits."""
    read_isolated(b"STT,Ten xa\n1,Xa Tan Thanh\n", "warm.csv")   # the forkserver is started once per process
    before = _rss()
    stats = ParseStats()
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read_isolated(hostile[name], name, stats=stats)
    seconds = time.perf_counter() - started
    assert caught.value.code == EXPECTED_CODE[name]
    assert seconds <= SECONDS, f"{name}: {seconds:.1f} s"
    assert _rss() - before <= MEMORY
    assert 0 < stats.child_peak_bytes - stats.child_start_bytes + 1 <= MEMORY + 1


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_refusal_says_what_which_limit_and_how_to_fix_in_both_languages(hostile, name):
    with pytest.raises(ImportFileError) as caught:
        read_file(hostile[name], name)
    vi, en = describe(caught.value.message, "vi"), describe(caught.value.message, "en")
    assert f"“{name}”" in vi and f"“{name}”" in en
    assert ("Hãy" in vi or "hãy" in vi) and any(word in en for word in ("Delete", "Copy", "Remove"))
    limit = caught.value.params.get("limit") or caught.value.params.get("limit_bytes")
    assert limit and (f"{limit:,}".replace(",", ".") in vi or "MB" in vi)
    assert not VIETNAMESE_ONLY.search(en.replace(name, "")), en


@pytest.mark.parametrize("name", ["xfd.xlsx", "empty_lines_wide.csv", "bare_cells.xlsx", "long_shared_string.xlsx",
                                  "junk_rows.csv"])
def test_manage_import_refuses_and_stores_nothing(hostile, name, tmp_path, monkeypatch, capsys):
    state = tmp_path / "state"
    monkeypatch.setenv("CAMAU_STATE_DIR", str(state))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    path = tmp_path / name
    path.write_bytes(hostile[name])
    started = time.perf_counter()
    assert manage.main(["import", str(path), "--period", "2023"]) == manage.INVALID
    assert time.perf_counter() - started <= SECONDS + 3   # loading the reference data included
    assert f"{name}:" in capsys.readouterr().err
    engine = make_engine()
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        versions = len(datasets.list_versions(connection)) if tables else 0
    engine.dispose()
    assert versions == 0   # the database was not even created


# --- the child's own walls, for what no bound foresaw ------------------------------------------

def test_a_child_over_its_memory_limit_is_stopped_with_a_message(hostile):
    before = _rss()
    with pytest.raises(ImportFileError) as caught:
        # 8 MB of room is less than decoding a 9.9 MB CSV needs
        read_isolated(hostile["junk_rows_10mb.csv"], "lon.csv", memory_bytes=8 * 1024 * 1024)
    assert caught.value.code == "parse_memory"
    assert "8 MB" in describe(caught.value.message, "vi") and "memory" in describe(caught.value.message, "en")
    assert _rss() - before <= 50 * 1024 * 1024


def test_a_child_over_its_time_limit_is_killed_with_a_message(hostile):
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        read_isolated(hostile["junk_rows_10mb.csv"], "cham.csv", timeout=0.05)
    assert caught.value.code == "parse_timeout"
    assert time.perf_counter() - started < 3


def test_isolated_parse_gives_the_same_sheets_as_in_process(hostile, reference):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Tên xã", "Số tổ"])
    for number, name in enumerate(reference.units["name"][:20], start=1):
        sheet.append([number, name, number * 2])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    assert read_isolated(data, "a.xlsx") == read_file(data, "a.xlsx")


# --- the fuzzy step -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def matcher(reference):
    return CommuneMatcher(reference.units)


def _analyse(data, name, matcher, catalogue, reference):
    """Analysed against the 2022–2024 units only: these files test the matcher, not the detection."""
    return analyse(data, name, unit_sets=[UnitSetIndex("2023", matcher, reference.population.set_index("gso_code"))],
                   catalogue=catalogue)


def test_junk_rows_under_the_row_limit_never_reach_the_fuzzy_step(matcher, catalogue, reference):
    data = junk_rows_csv(limits.MAX_ROWS - 1)   # the 40,000-row attack, cut to fit under the row limit
    started = time.perf_counter()
    analysis = _analyse(data, "rac.csv", matcher, catalogue, reference)
    assert time.perf_counter() - started < SECONDS
    assert {part.code for row in analysis.rows for part in row.reason} == {"match.not_a_name"}


def test_the_fuzzy_step_stops_after_its_limit(matcher, catalogue, reference):
    rows = b"".join(b"%d,Ab Cdefg %d,2\n" % (i, i) for i in range(1, limits.MAX_ROWS - 1))
    data = b"STT,T\xc3\xaan x\xc3\xa3,S\xe1\xbb\x91 t\xe1\xbb\x95\n" + rows
    started = time.perf_counter()
    analysis = _analyse(data, "rac_ten.csv", matcher, catalogue, reference)
    seconds = time.perf_counter() - started
    codes = [row.reason[0].code for row in analysis.rows if row.kind == "data"]
    assert codes.count("match.fuzzy_limit") == len(codes) - limits.MAX_FUZZY_ROWS
    assert codes.index("match.fuzzy_limit") == limits.MAX_FUZZY_ROWS
    assert seconds < 2 * SECONDS


# --- issue 10: the importer's bugs ---------------------------------------------------------

def test_communes_abbreviated_x_under_a_numbered_stt_are_communes_not_groups(matcher, catalogue, reference):
    """"X. Thới Bình" used to be read as the roman group number X, so it and the communes after it
    were lost or attached to the wrong group."""
    data = ("STT,Tên đơn vị,Số tổ công nghệ số cộng đồng\n"
            "I,Huyện Thới Bình,12\n"
            "1,Thị trấn Thới Bình,3\n"
            "2,X. Thới Bình,4\n"
            "3,X. Biển Bạch,5\n"
            "4,Xã Tân Bằng,0\n").encode()
    analysis = _analyse(data, "thoi_binh.csv", matcher, catalogue, reference)
    kinds = [(row.label, row.kind, row.gso_code) for row in analysis.rows]
    assert kinds == [("Huyện Thới Bình", "group", None), ("Thị trấn Thới Bình", "data", "32065"),
                     ("X. Thới Bình", "data", "32077"), ("X. Biển Bạch", "data", "32068"),
                     ("Xã Tân Bằng", "data", "32069")]
    assert not [p for p in analysis.problems if p.code == "total.mismatch"]


def _formula_total_xlsx(reference) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Tên xã", "Số tổ công nghệ số cộng đồng"])
    sheet.append([1, "Xã Tân Bằng", 3])
    sheet.append([2, "Xã Biển Bạch", 4])
    sheet.append([None, "Tổng cộng", "=SUM(C2:C3)"])   # openpyxl saves no calculated value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_uncalculated_formula_in_a_total_row_is_a_warning_not_a_blocker(matcher, catalogue, reference):
    analysis = _analyse(_formula_total_xlsx(reference), "tong.xlsx", matcher, catalogue, reference)
    assert analysis.valid and analysis.rows_matched == 2
    warning, = [p for p in analysis.problems if p.code == "total.formula_without_value"]
    assert warning.severity == "warning" and warning.row == 4
    assert "không đối chiếu được" in describe(warning.message, "vi")
    assert "could not be checked" in describe(warning.message, "en")


def test_an_uncalculated_formula_in_a_commune_row_still_blocks(matcher, catalogue, reference):
    workbook = openpyxl.load_workbook(io.BytesIO(_formula_total_xlsx(reference)))
    workbook.active["C2"] = "=1+2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    analysis = _analyse(buffer.getvalue(), "xa.xlsx", matcher, catalogue, reference)
    assert not analysis.valid
    assert [p.code for p in analysis.errors] == ["value.formula_without_value"]


# --- codes in words: no Vietnamese on the English page ------------------------------------------

def test_the_english_report_and_problem_tables_hold_no_vietnamese(files_for_language, matcher, catalogue, reference):
    analysis = _analyse(files_for_language, "xau.csv", matcher, catalogue, reference)
    unit_names = dict(zip(reference.units["gso_code"], reference.units["name"]))
    report = report_table(analysis, unit_names, "en")
    problems = problem_table(analysis, "en")
    reasons = " ".join(report.iloc[:, 5]) + " ".join(problems.iloc[:, 3]) + " ".join(problems.iloc[:, 2])
    for name in list(unit_names.values()) + list(reference.units["district"]) + ["Tổng cộng", "Xã Tân Thành"]:
        reasons = reasons.replace(name, "")
    reasons = re.sub(r"“[^”]*”", "", reasons)   # cell texts quoted from the file are data, not language
    # The unit types are named as the file must write them: "ward (Phường)", "write Xã/Phường/Thị trấn".
    reasons = re.sub(r"Xã/Phường/Thị trấn|\((Xã|Phường|Thị trấn)\)", "", reasons)
    assert problems.shape[0] >= 4 and not VIETNAMESE_ONLY.search(reasons), reasons
    assert describe_reason(analysis.rows[0].reason, "vi") != describe_reason(analysis.rows[0].reason, "en")


@pytest.fixture
def files_for_language():
    return ("STT,Tên xã,Số tổ công nghệ số cộng đồng,Số hộ được hướng dẫn\n"
            "1,Xã Tân Thành,ba,-4\n"
            "2,Tân Thành,3,1\n"
            "3,Xã Khánh Bìh,2,1.5\n"
            "4,Phường Khánh Bình,1,99999999\n"
            "5,Xã Không Có,1,1\n"
            ",Tổng cộng,999,\n").encode()


def test_a_refusal_names_the_sheet_as_the_editor_sees_it():
    workbook = openpyxl.Workbook()
    workbook.active.title = "Tổng hợp"
    workbook.active["A1"] = "Tên xã"
    workbook.active[f"A{limits.MAX_ROWS + 1}"] = "ghi chú lạc"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFileError) as caught:
        read_file(buffer.getvalue(), "bao_cao.xlsx")
    assert caught.value.params["sheet"] == "Tổng hợp" and caught.value.params["row"] == limits.MAX_ROWS + 1
    assert "trang “Tổng hợp”: trang tính khai báo vùng dữ liệu đến dòng 5001" in describe(caught.value.message)


def _xlsx(cells: dict[str, object]) -> bytes:
    workbook = openpyxl.Workbook()
    for ref, value in cells.items():
        workbook.active[ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("data, name, code", [
    (_xlsx({"A1": "Tên xã", "GS1": 1}), "rong.xlsx", "too_many_columns"),         # column 201
    (b"T\xc3\xaan x\xc3\xa3" + b",1" * limits.MAX_COLUMNS + b"\n", "rong.csv", "too_many_columns"),
    (b"a,b\n" + b"x" * (limits.MAX_CELL_CHARS + 1) + b",1\n", "dai.csv", "text_too_long"),
    # (openpyxl truncates what it writes to Excel's limit, so this cell is written by hand)
    (hostile_module._workbook([hostile_module._SHEET_START, '<row r="1"><c r="A1" t="inlineStr"><is><t>'
                               + "x" * (limits.MAX_CELL_CHARS + 1) + "</t></is></c></row>",
                               hostile_module._SHEET_END]), "dai.xlsx", "text_too_long"),
])
def test_each_bound_refuses_just_past_its_limit(data, name, code):
    with pytest.raises(ImportFileError) as caught:
        read_file(data, name)
    assert caught.value.code == code
    assert str(caught.value.params["limit"]) in {str(limits.MAX_COLUMNS), str(limits.MAX_CELL_CHARS)}


def test_files_at_the_limits_are_read():
    wide = _xlsx({"A1": "Tên xã", "GR1": 1, f"A{limits.MAX_ROWS}": "cuối"})
    sheet, = read_file(wide, "rong.xlsx")
    assert len(sheet.rows) == limits.MAX_ROWS and sheet.width == limits.MAX_COLUMNS
    assert len(sheet.rows[1]) == 0 and len(sheet.rows[-1]) == 1     # no row is padded
    trailing = b"T\xc3\xaan x\xc3\xa3,S\xe1\xbb\x91 t\xe1\xbb\x95" + b"," * 300 + b"\nX\xc3\xa3 A,1" + b"," * 300 + b"\n"
    sheet, = read_file(trailing, "excel.csv")        # Excel's trailing separators are not columns
    assert sheet.rows == [["Tên xã", "Số tổ"], ["Xã A", "1"]]
