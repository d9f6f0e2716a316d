"""The whole import: corpus files through reader, matcher and validator; saving versions;
a process killed mid-import; the command line."""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

import tests.corpus as corpus
from importer.errors import ImportFileError
from importer.pipeline import EXCLUDED, RESOLVED, ImportOptions, analyse
from importer.template import template_workbook
from importer.unit_sets import unit_set_indexes
from indicators.published import importable_indicators
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from l10n.importing import describe, where
from services.editing import import_version
from storage import datasets

REPO = Path(__file__).resolve().parents[1]
REFUSED = {
    "chi_co_tieu_de.xlsx": "no_table", "khong_co_bang.xlsx": "no_table", "tcvn3.xlsx": "legacy_encoding",
    "vni.xlsx": "legacy_encoding", "trang_trong.xlsx": "empty", "rong.xlsx": "empty", "hong.xlsx": "corrupt",
    "hong_noi_dung.xlsx": "corrupt", "zip_khac.xlsx": "not_spreadsheet", "anh.xlsx": "not_spreadsheet",
    "mat_khau.xlsx": "encrypted", "cu.xls": "xls_unsupported", "van_ban.doc.xlsx": "not_spreadsheet",
    "trang_web.xlsx": "not_spreadsheet", "tcvn3.csv": "legacy_encoding", "vni.csv": "legacy_encoding",
    "rong.csv": "empty", "khoang_trang.csv": "empty", "pdf.csv": "not_spreadsheet",
    "nhi_phan.csv": "not_spreadsheet", "qua_lon.csv": "too_large",
}
CLEAN = ["bao_cao_tinh.xlsx", "bao_cao_huyen.xlsx", "khong_stt.xlsx", "ma_gso.xlsx", "nhieu_trang.xlsx",
         "nhom_gop_o.xlsx", "bao_cao_tinh.csv", "bao_cao_tinh_bom.csv", "unicode_tab.csv", "utf16be.csv",
         "utf16_khong_bom.csv", "windows1258.csv", "tab_utf8.csv", "ky_hieu.csv"]


@pytest.fixture(scope="module")
def files(reference, tmp_path_factory):
    return corpus.write_corpus(tmp_path_factory.mktemp("corpus"), reference.units)


@pytest.fixture(scope="module")
def unit_sets(reference, reference_2025):
    return unit_set_indexes(reference, reference_2025)


@pytest.fixture
def run(unit_sets, catalogue):
    """An analysis with both unit sets offered, as on the page: 2022–2024 files must be detected."""
    def run(data, name="bang.xlsx", **options):
        return analyse(data, name, unit_sets=unit_sets, catalogue=catalogue, options=ImportOptions(**options))
    return run


def test_corpus_has_at_least_30_files(files):
    assert len(files) >= 30


@pytest.mark.parametrize("name", CLEAN)
def test_realistic_files_import_with_every_commune_matched(files, run, name):
    analysis = run(files[name].read_bytes(), name)
    assert analysis.valid, [describe(p.message) for p in analysis.errors]
    assert analysis.rows_read == analysis.rows_matched > 0
    assert analysis.rows_rejected == 0


def test_province_report_values_and_group_rows(files, run, reference):
    analysis = run(files["bao_cao_tinh.xlsx"].read_bytes(), "bao_cao_tinh.xlsx")
    figures = {(code, indicator): value for code, indicator, value in analysis.figures}
    expected = {f.code: f for f in corpus.report_figures(reference.units)}
    for code, figure in expected.items():
        assert figures[(code, "hamlet_teams")] == figure.teams
        assert figures[(code, "team_members")] == figure.members
        assert figures[(code, "households_guided")] == figure.households
        assert figures[(code, "vneid_dossiers")] == figure.vneid
    kinds = [row.kind for row in analysis.rows]
    assert kinds.count("group") == 3 and kinds.count("total") == 1
    # District subtotals agree with their communes, so the cross-check raises no warning.
    assert not [p for p in analysis.problems if p.severity == "warning"]
    # "Tân Thành" twice in the city: the prefixes told them apart.
    assert {r.gso_code for r in analysis.rows if "Tân Thành" in r.label} == {"32025", "32026"}


def test_wrong_subtotal_is_reported_as_a_warning(files, run):
    workbook = openpyxl.load_workbook(io.BytesIO(files["bao_cao_tinh.xlsx"].read_bytes()))
    sheet = workbook.worksheets[0]
    group_row = next(row for row in sheet.iter_rows() if str(row[1].value or "").upper().startswith("THÀNH PHỐ")
                     or str(row[0].value or "") == "I")
    group_row[2].value = 999
    buffer = io.BytesIO()
    workbook.save(buffer)
    analysis = run(buffer.getvalue(), "sai_tong.xlsx")
    warnings = [p for p in analysis.problems if p.severity == "warning"]
    assert warnings and "999" in describe(warnings[0].message) and warnings[0].row == group_row[0].row
    assert analysis.valid  # a warning does not block saving


@pytest.mark.parametrize("name, code", sorted(REFUSED.items()))
def test_bad_files_are_refused_with_a_clear_message(files, run, name, code):
    with pytest.raises(ImportFileError) as error:
        run(files[name].read_bytes(), name)
    assert error.value.code == code
    assert name in describe(error.value.message) or code in ("no_table",)


def test_bad_values_are_reported_with_row_and_column(files, run):
    analysis = run(files["gia_tri_xau.xlsx"].read_bytes(), "gia_tri_xau.xlsx")
    assert not analysis.valid
    messages = " | ".join(f"{where(p.sheet, p.row, p.column)}: {describe(p.message)}" for p in analysis.errors)
    assert "“ba” không phải là số" in messages
    assert "số âm" in messages
    assert "lớn hơn" in messages           # 1e9 and friends: more than the commune's population
    assert "không tìm thấy xã" in messages  # the <script> row
    assert all(p.row is not None for p in analysis.errors)
    assert any(p.column for p in analysis.errors)


def test_ambiguous_rows_are_never_guessed_but_the_editor_can_resolve_or_reject(files, run):
    data = files["nhom_khong_tien_to.xlsx"].read_bytes()
    analysis = run(data, "nhom_khong_tien_to.xlsx")
    ambiguous = [r for r in analysis.rows if r.status == "ambiguous"]
    assert ambiguous and all(r.gso_code is None for r in ambiguous) and not analysis.valid
    assert all(set(r.candidates) for r in ambiguous)
    resolutions = {r.row: r.candidates[0] for r in ambiguous}
    resolved = run(data, "nhom_khong_tien_to.xlsx", resolutions=resolutions)
    assert [r.status for r in resolved.rows if r.row in resolutions] == [RESOLVED] * len(resolutions)
    rejected = run(data, "nhom_khong_tien_to.xlsx", excluded=frozenset(resolutions))
    assert [r.status for r in rejected.rows if r.row in resolutions] == [EXCLUDED] * len(resolutions)
    assert rejected.rows_rejected == len(resolutions)
    assert not [p for p in rejected.errors if "trùng tên" in describe(p.message)]


def test_editor_overrides_sheet_header_and_mapping(files, run):
    data = files["nhieu_trang.xlsx"].read_bytes()
    analysis = run(data, "nhieu_trang.xlsx")
    column = next(c for c, indicator in analysis.mapping.items() if indicator == "hamlet_teams")
    remapped = run(data, "nhieu_trang.xlsx", sheet=analysis.layout.sheet,
                   header_rows=analysis.layout.header_rows, mapping={column: None})
    assert "hamlet_teams" not in {indicator for _, indicator, _ in remapped.figures}
    with pytest.raises(ImportFileError) as error:
        run(data, "nhieu_trang.xlsx", sheet="Không có trang này")
    assert error.value.code == "no_sheet"


def test_duplicate_commune_is_an_error(run, reference):
    rows = "STT,Tên xã,Số tổ\n1,Phường 1,3\n2,Phường 1,4\n"
    analysis = run(rows.encode(), "trung.csv")
    assert any("xã đã có ở dòng" in describe(p.message) for p in analysis.errors)


def test_hostile_text_is_kept_as_plain_text(files, run):
    analysis = run(files["script.csv"].read_bytes(), "script.csv")
    assert any(r.label.startswith("<script>") for r in analysis.rows)


def filled_template(reference, catalogue, teams=5):
    workbook = openpyxl.load_workbook(io.BytesIO(
        template_workbook(reference.units, importable_indicators(catalogue))))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        row[3].value = teams      # hamlet teams
        row[4].value = teams * 5  # members
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_blank_template_reads_cleanly_and_filled_template_imports(run, reference, catalogue):
    blank = run(template_workbook(reference.units, importable_indicators(catalogue)), "mau.xlsx")
    assert blank.rows_matched == 101 and not blank.figures
    assert [describe(p.message) for p in blank.errors] == ["bảng chưa có số liệu nào: không có gì để lưu"]
    assert set(blank.mapping.values()) - {None} == {i.id for i in importable_indicators(catalogue)}
    filled = run(filled_template(reference, catalogue), "mau.xlsx")
    assert filled.valid and len(filled.figures) == 202 and filled.rows_matched == 101


def test_saving_creates_a_version_with_report_and_audit(engine, run, reference, catalogue):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    analysis = run(filled_template(reference, catalogue), "mau.xlsx")
    version = import_version(engine, analysis, period="2023", as_of=__import__("datetime").date(2023, 12, 31),
                             source="Sở TT&TT", note="thử", user="bien_tap")
    with engine.connect() as connection:
        assert version.number == 1 and version.rows_matched == 101 and len(version.file_sha256) == 64
        assert datasets.published_version(connection).number == 0  # publishing is a separate step
        assert len(datasets.version_values(connection, version.id)) == 202
        assert len(datasets.version_report(connection, version.id)) == 101
        audit = datasets.recent_audit(connection)
    assert audit.iloc[0]["action"] == "import" and audit.iloc[0]["username"] == "bien_tap"


def test_invalid_analysis_is_never_stored(engine, files, run, catalogue):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    analysis = run(files["gia_tri_xau.xlsx"].read_bytes(), "gia_tri_xau.xlsx")
    with pytest.raises(ImportFileError):
        import_version(engine, analysis, period="2023", as_of=__import__("datetime").date(2023, 12, 31),
                       source="x", note="", user="bien_tap")
    with engine.connect() as connection:
        assert [v.number for v in datasets.list_versions(connection)] == [0]


KILLED_IMPORT = textwrap.dedent("""
    import datetime, sys, time
    from geo.reference import load_reference
    from indicators.catalogue import load_catalogue
    from importer.pipeline import analyse
    from importer.unit_sets import unit_set_indexes
    from services import editing
    from storage.db import make_engine

    data = open(sys.argv[2], "rb").read()
    reference, catalogue = load_reference(), load_catalogue()
    analysis = analyse(data, "mau.xlsx", unit_sets=unit_set_indexes(reference, None), catalogue=catalogue)
    real_audit = editing.record_audit

    def audit_then_hang(connection, *args):
        real_audit(connection, *args)       # the version and its values are written by now
        print("INSIDE", flush=True)
        time.sleep(60)                      # ... and the transaction is still open

    editing.record_audit = audit_then_hang
    editing.import_version(make_engine(sys.argv[1]), analysis, period="2023", as_of=datetime.date(2023, 12, 31),
                           source="x", note="", user="killed", publish=True)
""")


def test_process_killed_mid_import_leaves_the_published_version_intact(engine, database_url, reference,
                                                                        catalogue, tmp_path):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    with engine.connect() as connection:
        before_versions = datasets.list_versions(connection)
        published_before = datasets.published_version(connection)
        values_before = connection.execute(sa.text("SELECT count(*) FROM version_values")).scalar()
    workbook = tmp_path / "mau.xlsx"
    workbook.write_bytes(filled_template(reference, catalogue))
    script = tmp_path / "killed_import.py"
    script.write_text(KILLED_IMPORT, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), database_url, str(workbook)], cwd=REPO,
                               stdout=subprocess.PIPE, text=True, env=os.environ | {"PYTHONPATH": str(REPO)})
    try:
        assert process.stdout.readline().strip() == "INSIDE"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    with engine.connect() as connection:
        assert datasets.list_versions(connection) == before_versions
        assert datasets.published_version(connection) == published_before
        assert connection.execute(sa.text("SELECT count(*) FROM version_values")).scalar() == values_before
        assert connection.execute(sa.text("SELECT count(*) FROM version_rows")).scalar() == 0


def manage(*args, stdin="", state=None):
    env = os.environ | {"PYTHONPATH": str(REPO)}
    env = {k: v for k, v in env.items() if not k.startswith("DATABASE_URL")}
    env["CAMAU_STATE_DIR"] = str(state)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_command_line_import_publish_rollback(tmp_path, files, reference, catalogue):
    state = tmp_path / "state"
    bad = manage("import", str(files["gia_tri_xau.xlsx"]), "--dry-run", "--json", state=state)
    assert bad.returncode == 2
    report = json.loads(bad.stdout)
    assert report["valid"] is False
    entry = report["rows"][0]
    assert set(entry) >= {"sheet", "row", "text", "gso_code", "status", "reason"}
    assert any(row["gso_code"] is None and row["status"] == "unmatched" for row in report["rows"])

    refused = manage("import", str(files["pdf.csv"]), "--json", state=state)
    assert refused.returncode == 2 and json.loads(refused.stdout)["error"] == "not_spreadsheet"

    good_path = tmp_path / "mau.xlsx"
    good_path.write_bytes(filled_template(reference, catalogue))
    dry = manage("import", str(good_path), "--dry-run", state=state)
    assert dry.returncode == 0 and "101 khớp" in dry.stdout
    assert "  1 " not in manage("versions", state=state).stdout
    saved = manage("import", str(good_path), "--period", "2023", "--as-of", "2023-12-31", state=state)
    assert saved.returncode == 0 and "phiên bản 1" in saved.stdout
    assert manage("publish", "1", state=state).returncode == 0
    assert manage("versions", state=state).stdout.splitlines()[0].startswith("*   1")
    assert manage("rollback", state=state).returncode == 0
    assert manage("versions", state=state).stdout.splitlines()[1].startswith("*   0")
    assert manage("rollback", state=state).returncode == 2

    template = tmp_path / "template.xlsx"
    assert manage("template", str(template), state=state).returncode == 0 and template.stat().st_size > 5000

    assert manage("create-editor", "bien_tap", stdin="ngan\n", state=state).returncode == 2
    created = manage("create-editor", "bien_tap", stdin="mat-khau-du-dai-123\n", state=state)
    assert created.returncode == 0
    audit = manage("audit", state=state).stdout
    assert "create_editor" in audit and "rollback" in audit and "publish" in audit and "import" in audit


def test_match_report_download_lists_each_rows_problems(files, run, reference):
    from reports.tables import csv_bytes
    from views.importing.import_view import report_download
    analysis = run(files["gia_tri_xau.xlsx"].read_bytes(), "gia_tri_xau.xlsx")
    names = dict(zip(reference.units["gso_code"], reference.units["name"]))
    table = report_download(analysis, names, "vi")
    assert (table["Tệp"] == "gia_tri_xau.xlsx").all()
    assert table["Lỗi và lưu ý"].str.contains("không phải là số").any()
    text = csv_bytes(table).decode("utf-8-sig")
    assert "<script>alert(1)</script>" in text  # kept as plain text
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@"))]
    english = report_download(analysis, names, "en")
    assert english["Errors and warnings"].str.contains("is not a number").any()
    assert not english["Errors and warnings"].str.contains("không phải là số").any()
