"""Reports in the 2025 units: detection of a file's unit set, the layouts they come in, the mixed-set
refusal, names never matched across sets, versions that record their set, and the published data
in either set (importer/unit_sets.py, indicators/conversion.py)."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from unidecode import unidecode

from importer.errors import ImportFileError
from importer.pipeline import ImportOptions, analyse
from importer.template import template_workbook
from importer.unit_sets import unit_set_indexes
from indicators.conversion import NotInUnits, census_bounds_2025, tables_in_units
from indicators.published import importable_indicators, published_dataset
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from l10n.importing import describe
from services import editing
from storage import datasets
from storage.db import make_engine, upgrade
from storage.settings import DATABASE_URL_ENV

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def unit_sets(reference, reference_2025):
    return unit_set_indexes(reference, reference_2025)


@pytest.fixture(scope="module")
def new_units(reference_2025):
    return reference_2025.units


def teams_of(code: str) -> int:
    """A made-up team count per unit, different for every unit, so a wrong match shows."""
    return int(code) % 17 + 1


def workbook_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def grouped_report(units: pd.DataFrame, name_of=lambda unit: unit.name, codes: bool = False) -> bytes:
    """A province table in the 2025 units: title, "I. CÁC PHƯỜNG" / "II. CÁC XÃ" headings, STT,
    (optionally) the code, the name as ``name_of`` writes it, and a total row."""
    header = ["STT", *(["Mã ĐVHC"] if codes else []), "Tên đơn vị", "Số tổ công nghệ số"]
    rows = [["BÁO CÁO KẾT QUẢ TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"], ["(Số liệu đến 30/9/2025)"], [], header]
    for roman, kind, title in (("I", "Phường", "CÁC PHƯỜNG"), ("II", "Xã", "CÁC XÃ")):
        rows.append([roman, *([None] if codes else []), f"{roman}. {title}", None])
        members = units[units["type"] == kind]
        for number, unit in enumerate(members.itertuples(index=False), start=1):
            rows.append([number, *([unit.gso_code] if codes else []), name_of(unit), teams_of(unit.gso_code)])
    rows.append([None, *([None] if codes else []), "Tổng cộng", sum(teams_of(c) for c in units["gso_code"])])
    return workbook_bytes(rows)


def abbreviated(unit) -> str:
    return ("P. " if unit.type == "Phường" else "X. ") + unit.name.split(" ", 1)[1]


def unaccented_upper(unit) -> str:
    return unidecode(unit.name).upper()


def other_tone(unit) -> str:
    return unit.name.replace("Hoà", "Hòa").replace("oà", "òa")


def manage(*args: str, database: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, DATABASE_URL_ENV: database})


def run(unit_sets, catalogue, data: bytes, name: str = "bao_cao_2025.xlsx", **options):
    return analyse(data, name, unit_sets=unit_sets, catalogue=catalogue, options=ImportOptions(**options))


# --- the 64-row layouts ------------------------------------------------------------------------

@pytest.mark.parametrize("name_of, codes", [
    (lambda unit: unit.name, True),      # official names with codes
    (lambda unit: unit.name, False),     # official names only
    (abbreviated, False),                # "P. An Xuyên", "X. Đá Bạc"
    (unaccented_upper, False),           # "PHUONG AN XUYEN"
    (other_tone, False),                 # "Hòa Thành" for "Hoà Thành"
], ids=["codes", "names", "abbreviated", "unaccented_upper", "tone"])
def test_a_64_row_report_in_the_2025_units_is_detected_and_every_row_matched(unit_sets, catalogue, new_units,
                                                                              name_of, codes):
    analysis = run(unit_sets, catalogue, grouped_report(new_units, name_of, codes))
    assert analysis.units == "2025" and analysis.detection.chosen_by == "rows"
    assert analysis.valid, [describe(p.message) for p in analysis.errors]
    assert analysis.rows_read == analysis.rows_matched == 64
    assert [r.kind for r in analysis.rows].count("group") == 2 and [r.kind for r in analysis.rows][-1] == "total"
    figures = {code: value for code, indicator, value in analysis.figures if indicator == "hamlet_teams"}
    assert figures == {code: teams_of(code) for code in new_units["gso_code"]}
    assert not [p for p in analysis.problems if p.code == "total.mismatch"]


def test_the_reporting_template_for_the_2025_units_imports(unit_sets, catalogue, new_units):
    blank = openpyxl.load_workbook(io.BytesIO(template_workbook(new_units, importable_indicators(catalogue))))
    sheet = blank.active
    assert [cell.value for cell in sheet[1]][:2] == ["Mã GSO", "Xã, phường"] and sheet.max_row == 65
    for row in sheet.iter_rows(min_row=2):
        row[2].value = teams_of(row[0].value)
    buffer = io.BytesIO()
    blank.save(buffer)
    analysis = run(unit_sets, catalogue, buffer.getvalue(), "mau_2025.xlsx")
    assert analysis.units == "2025" and analysis.valid and analysis.rows_matched == 64


def test_detection_explains_itself_in_both_languages(unit_sets, catalogue, new_units):
    analysis = run(unit_sets, catalogue, grouped_report(new_units))
    assert describe(analysis.detection.message, "vi").startswith("Bộ đơn vị: 64 xã, phường từ 01/07/2025 (tự nhận biết")
    assert describe(analysis.detection.message, "en").startswith("Unit set: the 64 communes and wards from 1 July 2025")


# --- same names, reused codes ------------------------------------------------------------------

def test_a_name_in_both_sets_goes_to_the_unit_of_the_files_own_set(unit_sets, catalogue, reference, new_units):
    """Xã Thới Bình is 32077 in 2022–2024 and 32065 since 2025 (32065 was Thị trấn Thới Bình): the
    file's set decides, never the name alone."""
    old_code = reference.units.loc[reference.units["name"] == "Xã Thới Bình", "gso_code"].item()
    new_code = new_units.loc[new_units["name"] == "Xã Thới Bình", "gso_code"].item()
    assert (old_code, new_code) == ("32077", "32065")
    new_file = workbook_bytes([["STT", "Tên xã", "Số tổ"], [1, "Xã Thới Bình", 3], [2, "X. Đá Bạc", 4],
                               [3, "P. An Xuyên", 5]])
    old_file = workbook_bytes([["STT", "Tên xã", "Số tổ"], [None, "Huyện Thới Bình", None],
                               [1, "Xã Thới Bình", 3], [2, "Thị trấn Thới Bình", 4]])
    new, old = run(unit_sets, catalogue, new_file), run(unit_sets, catalogue, old_file)
    assert new.units == "2025" and new.rows[0].gso_code == new_code
    assert old.units == "2023" and [r.gso_code for r in old.rows[1:]] == [old_code, "32065"]


def test_a_reused_code_is_read_in_the_set_its_name_agrees_with(unit_sets, catalogue):
    """32002 was Phường 4 and is now Phường An Xuyên: the pair says which."""
    new = run(unit_sets, catalogue, workbook_bytes([["Mã xã", "Tên xã", "Số tổ"], ["32002", "Phường An Xuyên", 2],
                                                    ["32104", "Xã Đá Bạc", 1]]))
    old = run(unit_sets, catalogue, workbook_bytes([["Mã xã", "Tên xã", "Số tổ"], ["32002", "Phường 4", 2],
                                                    ["32005", "Phường 1", 1]]))
    assert (new.units, new.rows[0].gso_code, new.rows[0].status) == ("2025", "32002", "exact")
    assert (old.units, old.rows[0].gso_code, old.rows[0].status) == ("2023", "32002", "exact")
    assert "An Xuyên" not in describe(old.rows[0].reason) and "Phường 4" in describe(old.rows[0].reason)


def test_names_found_in_both_sets_alone_cannot_tell_and_the_editor_chooses(unit_sets, catalogue, new_units):
    data = workbook_bytes([["STT", "Tên xã", "Số tổ"], [1, "Xã Khánh Bình", 3], [2, "Xã Phú Tân", 4]])
    with pytest.raises(ImportFileError) as refused:
        run(unit_sets, catalogue, data)
    assert refused.value.code == "units_undetermined"
    assert "Choose the file's unit set" in describe(refused.value.message, "en")
    chosen = run(unit_sets, catalogue, data, units="2025")
    assert chosen.detection.chosen_by == "editor"
    assert [r.gso_code for r in chosen.rows] == [
        new_units.loc[new_units["name"] == name, "gso_code"].item() for name in ("Xã Khánh Bình", "Xã Phú Tân")]


def test_a_file_that_mixes_the_two_sets_is_refused_naming_its_rows(unit_sets, catalogue, tmp_path):
    data = workbook_bytes([["STT", "Tên xã", "Số tổ"], [1, "Phường 1", 3], [2, "Xã Tắc Vân", 2],
                           [3, "Phường An Xuyên", 5], [4, "Xã Khánh Bình", 1], [5, "X. Hồng Dân", 4]])
    with pytest.raises(ImportFileError) as refused:
        run(unit_sets, catalogue, data, "tron.xlsx")
    assert refused.value.code == "mixed_units"
    text = describe(refused.value.message, "vi")
    assert "2 (Phường 1), 3 (Xã Tắc Vân)" in text and "4 (Phường An Xuyên), 6 (X. Hồng Dân)" in text
    assert "Xã Khánh Bình" not in text and "Chưa lưu gì" in text
    # Through manage.py: exit 2, the rows named, and nothing stored.
    path = tmp_path / "tron.xlsx"
    path.write_bytes(data)
    database = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = manage("import", str(path), database=database)
    assert result.returncode == 2 and "2 (Phường 1)" in result.stderr
    assert manage("versions", database=database).stdout.count("kỳ") == 1   # the sample alone


def test_the_editor_can_force_a_set_and_the_other_sets_rows_are_then_unmatched(unit_sets, catalogue):
    data = workbook_bytes([["STT", "Tên xã", "Số tổ"], [1, "Phường 1", 3], [2, "Phường An Xuyên", 5]])
    forced = run(unit_sets, catalogue, data, units="2025")
    assert [r.status for r in forced.rows] == ["unmatched", "exact"] and not forced.valid


# --- census bounds on the 2025 units -----------------------------------------------------------

def test_census_bounds_on_the_2025_units_hold_only_where_the_unit_is_not_an_estimate(reference, reference_2025):
    bounds = census_bounds_2025(reference, reference_2025)
    crosswalk = reference_2025.crosswalk
    split = set(crosswalk.loc[crosswalk["relation"] != "whole", "new_code"])
    whole = set(crosswalk["new_code"]) - split
    assert bounds.loc[list(split)].isna().all().all()
    assert bounds.loc[sorted(set(bounds.index) - set(crosswalk["new_code"]))].isna().all().all()   # Bạc Liêu
    census = reference.population.set_index("gso_code")
    for code in whole:
        olds = crosswalk.loc[crosswalk["new_code"] == code, "old_gso_code"]
        assert bounds.loc[code, "hh2019_total"] == census.loc[olds, "hh2019_total"].sum()


def test_a_figure_over_the_converted_census_is_refused_only_where_the_census_is_exact(unit_sets, catalogue,
                                                                                      reference, reference_2025):
    bounds = census_bounds_2025(reference, reference_2025)
    exact = bounds["hh2019_total"].dropna().index[0]
    estimated = "32025"   # Phường Tân Thành: part of the split Xã Tắc Vân
    assert pd.isna(bounds.loc[estimated, "hh2019_total"])
    data = workbook_bytes([["Mã xã", "Tên xã", "Số hộ được hướng dẫn"],
                           [exact, None, bounds.loc[exact, "hh2019_total"] + 1], [estimated, "Phường Tân Thành", 10**6]])
    analysis = run(unit_sets, catalogue, data, units="2025")
    assert [(p.row, p.code) for p in analysis.errors] == [(2, "value.over_census")]


# --- versions in either set, and what the pages get --------------------------------------------

@pytest.fixture
def engine(tmp_path, catalogue):
    engine = make_engine(f"sqlite:///{tmp_path / 'units.sqlite'}")
    upgrade(engine)
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    return engine


def test_a_2025_version_records_its_set_and_is_shown_as_reported_on_the_2025_units(
        engine, unit_sets, catalogue, sources, reference, reference_2025, new_units):
    analysis = run(unit_sets, catalogue, grouped_report(new_units, codes=True))
    version = editing.import_version(engine, analysis, period="2025", as_of=dt.date(2025, 9, 30), source="Sở KH&CN",
                                     note="", user="test", publish=True)
    assert version.units == "2025"
    with engine.connect() as connection:
        assert datasets.published_version(connection).units == "2025"
        data = published_dataset(connection, catalogue)
        audit = datasets.recent_audit(connection, 5)
    assert json.loads(audit.loc[audit["action"] == "import", "details"].iloc[0])["units"] == "2025"
    assert data.units == "2025" and set(data.own["gso_code"]) == set(new_units["gso_code"])
    table, effective, _ = tables_in_units(reference, reference_2025, data, catalogue, sources, "2025")
    teams = table.set_index("gso_code")["hamlet_teams"]
    assert teams.to_dict() == {code: teams_of(code) for code in new_units["gso_code"]}   # Bạc Liêu too: reported
    assert effective["hamlet_teams"].conversion == ""                     # as reported, no conversion mark
    assert effective["population_2019"].conversion == "converted"         # the census is converted
    with pytest.raises(NotInUnits):
        tables_in_units(reference, None, data, catalogue, sources, "2023")
    # Rolling back publishes the 2023-units sample again, and the 2023 view works again.
    editing.rollback(engine, "test")
    with engine.connect() as connection:
        back = published_dataset(connection, catalogue)
    assert back.units == "2023" and back.own is None
    assert len(tables_in_units(reference, None, back, catalogue, sources, "2023")[0]) == 101


def test_the_json_report_names_the_unit_set(tmp_path, new_units):
    path = tmp_path / "bao_cao_2025.xlsx"
    path.write_bytes(grouped_report(new_units, abbreviated))
    database = f"sqlite:///{tmp_path / 'j.sqlite'}"
    result = manage("import", str(path), "--dry-run", "--json", database=database)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["units"] == "2025" and report["units_chosen_by"] == "rows"
    assert {row["gso_code"] for row in report["rows"]} == set(new_units["gso_code"])
    forced = manage("import", str(path), "--dry-run", "--json", "--units", "2023", database=database)
    assert forced.returncode == 2 and json.loads(forced.stdout)["units"] == "2023"
