"""Reporting rounds on both backends: district sheets merged unit by unit, a correction, the
conflict review, the out-of-area flag, completeness, publishing incomplete rounds (and the map's
"chưa báo cáo"), the migration of existing versions, the command line, and hostile cases."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command

from importer.pipeline import ImportOptions, analyse
from importer.unit_sets import unit_set_indexes
from indicators.published import effective_catalogue, published_dataset
from indicators.rounds import (
    IN,
    LATE,
    MISSING,
    OVERDUE,
    conflicts,
    covered_total,
    expected_units,
    merge,
    outside_area,
    unit_completeness,
)
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from indicators.table import commune_table
from services import editing
from storage import datasets, rounds
from storage.db import _alembic_config, make_engine, upgrade
from storage.settings import DATABASE_URL_ENV
from views.map.mapview import MISSING_NOT_REPORTED, missing_kind

ROOT = Path(__file__).resolve().parents[1]
DAM_DOI, NAM_CAN = "Huyện Đầm Dơi", "Huyện Năm Căn"


def district_sheet(units: pd.DataFrame, district: str, teams=lambda i: i, extra: list[list] = (),
                   heading: bool = True) -> bytes:
    """A district's sheet: its communes with a team count and members, as a district would send it
    (under its district heading, unless ``heading`` is False)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Tên xã", "Số tổ công nghệ số", "Số thành viên"])
    if heading:
        sheet.append([None, district, None, None])
    members = units[units["district"] == district]
    for number, unit in enumerate(members.itertuples(index=False), start=1):
        sheet.append([number, unit.name, teams(number), teams(number) * 5])
    for row in extra:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def unit_sets(reference, reference_2025):
    return unit_set_indexes(reference, reference_2025)


@pytest.fixture
def analysed(unit_sets, catalogue):
    def run(data: bytes, name: str = "bao_cao.xlsx"):
        analysis = analyse(data, name, unit_sets=unit_sets, catalogue=catalogue, options=ImportOptions())
        assert analysis.valid, analysis.errors
        return analysis
    return run


@pytest.fixture
def district_of(reference):
    return dict(zip(reference.units["gso_code"], reference.units["district_code"]))


def code_of(reference, name: str) -> str:
    return reference.units.loc[reference.units["district"] == name, "district_code"].iloc[0]


def teams_round(engine, catalogue, **overrides):
    fields = dict(period="6 tháng đầu năm 2026", units="2023", due=dt.date(2026, 7, 15),
                  indicators=["hamlet_teams", "team_members"], user="bien_tap")
    return editing.create_round(engine, **(fields | overrides))


# --- merging, corrections and conflicts ---------------------------------------------------------

def test_two_district_sheets_merge_and_a_confirmed_correction_wins(engine, catalogue, reference, analysed,
                                                                   district_of):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    round_ = teams_round(engine, catalogue)
    dam_doi = analysed(district_sheet(reference.units, DAM_DOI))
    nam_can = analysed(district_sheet(reference.units, NAM_CAN))
    editing.submit(engine, dam_doi, round_id=round_.id, sender="UBND huyện Đầm Dơi",
                   area=code_of(reference, DAM_DOI), district_of=district_of, user="a")
    editing.submit(engine, nam_can, round_id=round_.id, sender="UBND huyện Năm Căn",
                   area=code_of(reference, NAM_CAN), district_of=district_of, user="b")
    with engine.connect() as connection:
        merged = merge(rounds.round_values(connection, round_.id))
    units = reference.units[reference.units["district"].isin([DAM_DOI, NAM_CAN])]
    assert set(merged["gso_code"]) == set(units["gso_code"]) and len(merged) == 2 * len(units)

    # Đầm Dơi corrects its first commune: the review names the one value that changes.
    correction = analysed(district_sheet(reference.units, DAM_DOI, teams=lambda i: i + 10 if i == 1 else i))
    with pytest.raises(rounds.RoundError) as refused:
        editing.submit(engine, correction, round_id=round_.id, sender="UBND huyện Đầm Dơi", area=None,
                       district_of=district_of, user="a")
    assert refused.value.kind == "conflicts"
    first = units[units["district"] == DAM_DOI]["gso_code"].iloc[0]
    assert {(c.gso_code, c.indicator, c.current, c.incoming) for c in refused.value.details} == {
        (first, "hamlet_teams", 1.0, 11.0), (first, "team_members", 5.0, 55.0)}
    with engine.connect() as connection:
        assert len(rounds.round_submissions(connection, round_.id)) == 2      # nothing filed
    # A confirmation covers the values the editor was shown, not one changed since by someone else.
    with pytest.raises(rounds.RoundError):
        editing.submit(engine, correction, round_id=round_.id, sender="UBND huyện Đầm Dơi", area=None,
                       district_of=district_of, user="a", confirm_overwrite=frozenset({(first, "hamlet_teams")}))
    submission = editing.submit(engine, correction, round_id=round_.id, sender="UBND huyện Đầm Dơi", area=None,
                                district_of=district_of, user="a",
                                confirm_overwrite=frozenset({(first, "hamlet_teams"), (first, "team_members")}))
    with engine.connect() as connection:
        merged = merge(rounds.round_values(connection, round_.id)).set_index(["gso_code", "indicator"])
        audit = datasets.recent_audit(connection, 10)
    assert merged.loc[(first, "hamlet_teams"), "value"] == 11.0
    assert merged.loc[(first, "hamlet_teams"), "submission_id"] == submission.id
    assert json.loads(audit.loc[audit["action"] == "submit", "details"].iloc[0])["overwritten"] == 2


def test_equal_values_are_not_conflicts_and_the_latest_submission_wins():
    values = pd.DataFrame({"submission_id": [1, 1, 2], "gso_code": ["32005", "32008", "32005"],
                           "indicator": ["hamlet_teams"] * 3, "value": [3.0, 4.0, 5.0]})
    merged = merge(values).set_index("gso_code")
    assert merged.loc["32005", "value"] == 5.0 and merged.loc["32005", "submission_id"] == 2
    assert conflicts(merge(values), [("32008", "hamlet_teams", 4.0), ("32011", "hamlet_teams", 1.0)]) == []


def test_units_outside_the_senders_district_are_flagged(engine, catalogue, reference, analysed, district_of):
    round_ = teams_round(engine, catalogue)
    other = reference.units[reference.units["district"] == NAM_CAN].iloc[0]
    sheet = district_sheet(reference.units, DAM_DOI, extra=[[99, other["name"], 2, 10]], heading=False)
    submission = editing.submit(engine, analysed(sheet), round_id=round_.id, sender="UBND huyện Đầm Dơi",
                                area=code_of(reference, DAM_DOI), district_of=district_of, user="a")
    assert submission.outside_area == (other["gso_code"],)
    assert outside_area(["32005"], None, district_of) == []               # a province-wide sender


# --- completeness and publishing ----------------------------------------------------------------

def test_completeness_counts_units_in_missing_late_and_overdue(reference):
    units = expected_units(reference.units)
    merged = pd.DataFrame({"gso_code": ["32005", "32005", "32008"], "indicator": ["hamlet_teams", "team_members",
                           "hamlet_teams"], "value": [1.0, 5.0, 2.0], "submission_id": [1, 1, 2]})
    days = {1: dt.date(2026, 7, 10), 2: dt.date(2026, 7, 20)}
    per_unit = unit_completeness(merged, units, ["hamlet_teams", "team_members"], days, dt.date(2026, 7, 15),
                                 dt.date(2026, 7, 14)).set_index("gso_code")
    assert per_unit.loc["32005", "status"] == IN and per_unit.loc["32008", "status"] == MISSING
    assert per_unit.loc["32008", "missing"] == ["team_members"] and per_unit.loc["32011", "received"] == 0
    after_due = unit_completeness(merged, units, ["hamlet_teams"], days, dt.date(2026, 7, 15),
                                  dt.date(2026, 7, 30)).set_index("gso_code")
    assert after_due.loc["32008", "status"] == LATE and after_due.loc["32011", "status"] == OVERDUE
    assert covered_total(merged, "hamlet_teams") == (3.0, 2)


def test_an_incomplete_round_publishes_only_when_confirmed_and_the_map_says_not_reported(
        engine, catalogue, sources, reference, analysed, district_of):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    round_ = teams_round(engine, catalogue)
    units = expected_units(reference.units)
    with pytest.raises(rounds.RoundError) as empty:
        editing.publish_round(engine, round_.id, units=units, user="a", allow_incomplete=True)
    assert empty.value.kind == "no_submissions"
    editing.submit(engine, analysed(district_sheet(reference.units, DAM_DOI)), round_id=round_.id,
                   sender="UBND huyện Đầm Dơi", area=None, district_of=district_of, user="a")
    with pytest.raises(rounds.RoundError) as incomplete:
        editing.publish_round(engine, round_.id, units=units, user="a")
    assert incomplete.value.kind == "incomplete" and len(incomplete.value.details) == 101 - 16
    version = editing.publish_round(engine, round_.id, units=units, user="a", allow_incomplete=True)
    assert (version.round_id, version.period, version.as_of) == (round_.id, "6 tháng đầu năm 2026", dt.date(2026, 7, 15))
    with engine.connect() as connection:
        assert datasets.published_version(connection).id == version.id
        data = published_dataset(connection, catalogue)
    effective, _ = effective_catalogue(catalogue, sources, data.provenance)
    table = commune_table(reference, data.old, effective).set_index("gso_code")
    dam_doi = reference.units.loc[reference.units["district"] == DAM_DOI, "gso_code"]
    assert table.loc[dam_doi, "hamlet_teams"].notna().all()
    outside = "32005"                                   # Phường 1: not in Đầm Dơi, so not reported
    assert pd.isna(table.loc[outside, "hamlet_teams"])
    assert missing_kind(effective["hamlet_teams"], table.loc[outside, "pilot"]) == MISSING_NOT_REPORTED
    assert not effective["vneid_dossiers"].round_expected             # not asked for: the sample, marked
    assert missing_kind(effective["pilot_status"], table.loc[outside, "pilot"]) == MISSING_NOT_REPORTED
    # Publishing again with nothing new filed is refused; the round page lists its versions.
    with pytest.raises(rounds.RoundError) as unchanged:
        editing.publish_round(engine, round_.id, units=units, user="a", allow_incomplete=True)
    assert unchanged.value.kind == "unchanged"
    with engine.connect() as connection:
        assert [v.id for v in datasets.round_versions(connection, round_.id)] == [version.id]
    # Rolling back brings the sample back, as for any version.
    editing.rollback(engine, "a")
    with engine.connect() as connection:
        assert datasets.published_version(connection).number == 0


def test_a_closed_round_takes_no_submission(engine, catalogue, reference, analysed, district_of):
    round_ = teams_round(engine, catalogue)
    editing.close_round(engine, round_.id, "a")
    with pytest.raises(rounds.RoundError) as closed:
        editing.submit(engine, analysed(district_sheet(reference.units, DAM_DOI)), round_id=round_.id,
                       sender="UBND huyện Đầm Dơi", area=None, district_of=district_of, user="a")
    assert closed.value.kind == "closed"
    with engine.connect() as connection:
        assert rounds.round_submissions(connection, round_.id) == []


def test_a_file_in_the_other_unit_set_is_refused(engine, catalogue, reference_2025, analysed, district_of):
    from tests.test_import_units import grouped_report
    round_ = teams_round(engine, catalogue)
    with pytest.raises(rounds.RoundError) as refused:
        editing.submit(engine, analysed(grouped_report(reference_2025.units)), round_id=round_.id, sender="Sở",
                       area=None, district_of=district_of, user="a")
    assert refused.value.kind == "wrong_units"


def test_two_editors_filing_at_once_lose_nothing(engine, catalogue, reference, analysed, district_of):
    round_ = teams_round(engine, catalogue)
    sheets = {name: analysed(district_sheet(reference.units, name)) for name in (DAM_DOI, NAM_CAN)}
    errors = []

    def file(name):
        try:
            editing.submit(engine, sheets[name], round_id=round_.id, sender=name, area=None, district_of=district_of,
                           user=name)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=file, args=(name,)) for name in sheets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        assert {s.sender for s in rounds.round_submissions(connection, round_.id)} == set(sheets)
        assert len(merge(rounds.round_values(connection, round_.id))) == 2 * (16 + 8)


def test_a_whole_table_import_is_a_closed_one_submission_round(engine, catalogue, reference, analysed):
    version = editing.import_version(engine, analysed(district_sheet(reference.units, DAM_DOI)), period="2025",
                                     as_of=dt.date(2025, 6, 30), source="UBND huyện Đầm Dơi", note="", user="a")
    with engine.connect() as connection:
        round_ = rounds.get_round(connection, version.round_id)
        assert round_.status == rounds.CLOSED and round_.indicators == ("hamlet_teams", "team_members")
        [submission] = rounds.round_submissions(connection, round_.id)
        sources = connection.execute(sa.text("SELECT DISTINCT submission_id FROM version_values "
                                             "WHERE version_id = :v"), {"v": version.id}).scalars().all()
    assert submission.sender == "UBND huyện Đầm Dơi" and sources == [submission.id]


# --- the migration ------------------------------------------------------------------------------

def test_existing_versions_become_rounds_and_nothing_published_changes(database_url):
    engine = make_engine(database_url)
    command.upgrade(_alembic_config(engine.url.render_as_string(hide_password=False)), "0004")
    at = dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    with engine.begin() as connection:
        for version_id, number in ((1, 0), (2, 1), (3, 2)):
            connection.execute(sa.text(
                "INSERT INTO dataset_versions (id, dataset, number, period, as_of, source, illustrative, created_at, "
                "created_by, file_name, file_sha256, sheet, rows_read, rows_matched, rows_rejected, note, units) "
                "VALUES (:id, 'commune_indicators', :number, '2023', :as_of, 'UBND', :ill, :at, 'ed', 'f.xlsx', 'x', "
                "'s', 2, 2, 0, '', '2023')"), {"id": version_id, "number": number, "as_of": dt.date(2023, 12, 31),
                                                "ill": number == 0, "at": at})
            connection.execute(sa.text("INSERT INTO version_values (version_id, gso_code, indicator, value) "
                                       "VALUES (:v, '32005', 'hamlet_teams', :value)"),
                               {"v": version_id, "value": float(number)})
        connection.execute(sa.text("INSERT INTO publications (dataset, version_id, action, at, by) "
                                   "VALUES ('commune_indicators', 3, 'publish', :at, 'ed')"), {"at": at})
    upgrade(engine)
    with engine.connect() as connection:
        assert datasets.published_version(connection).number == 2
        assert datasets.version_values(connection, 3)["value"].tolist() == [2.0]
        versions = {v.number: v for v in datasets.list_versions(connection)}
        assert versions[0].round_id is None and versions[1].round_id != versions[2].round_id
        migrated = rounds.get_round(connection, versions[2].round_id)
        assert (migrated.period, migrated.status, migrated.kind, migrated.indicators) == (
            "2023", rounds.CLOSED, rounds.FILE, ("hamlet_teams",))
        [submission] = rounds.round_submissions(connection, migrated.id)
        assert (submission.sender, submission.file_name) == ("UBND", "f.xlsx")
        assert rounds.round_values(connection, migrated.id)["value"].tolist() == [2.0]
    engine.dispose()


# --- the command line ---------------------------------------------------------------------------

def manage(*args: str, database: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, DATABASE_URL_ENV: database}, timeout=120)


def test_the_command_line_runs_a_round(tmp_path, reference):
    database = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    created = manage("round", "create", "--period", "6 tháng đầu năm 2026", "--due", "2026-07-15",
                     "--indicators", "hamlet_teams,team_members", database=database)
    assert created.returncode == 0, created.stderr
    round_id = created.stdout.strip()
    for name in (DAM_DOI, NAM_CAN):
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(district_sheet(reference.units, name))
        filed = manage("import", str(path), "--round", round_id, "--sender", f"UBND {name.lower()}",
                       "--area", code_of(reference, name), database=database)
        assert filed.returncode == 0 and "Đã nộp vào đợt" in filed.stdout, filed.stderr
    status = json.loads(manage("round", "status", round_id, "--json", database=database).stdout)
    assert status["complete"] == 24 and status["units"] == 101
    assert status["totals"]["hamlet_teams"]["units"] == 24
    dam_doi = next(g for g in status["groups"] if g["group"] == DAM_DOI)
    assert (dam_doi["complete"], dam_doi["none"]) == (16, 0)
    refused = manage("round", "publish", round_id, database=database)
    assert refused.returncode == 2 and "Phường 1: thiếu" in refused.stderr and "--allow-incomplete" in refused.stderr
    published = manage("round", "publish", round_id, "--allow-incomplete", database=database)
    assert published.returncode == 0 and "phiên bản 1" in published.stdout
    assert manage("round", "close", round_id, database=database).returncode == 0
    late = manage("import", str(tmp_path / f"{DAM_DOI}.xlsx"), "--round", round_id, database=database)
    assert late.returncode == 2 and "đã đóng" in late.stderr


def test_with_approval_required_a_second_editor_approves_and_a_new_submission_withdraws_it(
        engine, catalogue, reference, analysed, district_of, monkeypatch):
    monkeypatch.setenv("CAMAU_ROUND_APPROVAL", "1")
    round_ = teams_round(engine, catalogue)
    units = expected_units(reference.units)
    editing.submit(engine, analysed(district_sheet(reference.units, DAM_DOI)), round_id=round_.id,
                   sender="UBND huyện Đầm Dơi", area=None, district_of=district_of, user="a")

    def publish(user):
        with pytest.raises(rounds.RoundError) as refused:
            editing.publish_round(engine, round_.id, units=units, user=user, allow_incomplete=True)
        return refused.value.kind

    assert publish("a") == "needs_approval"
    editing.approve_round(engine, round_.id, "b")
    assert publish("b") == "needs_approval"              # the approver may not publish alone
    editing.submit(engine, analysed(district_sheet(reference.units, NAM_CAN)), round_id=round_.id,
                   sender="UBND huyện Năm Căn", area=None, district_of=district_of, user="c")
    assert publish("a") == "needs_approval"              # the table changed since the approval
    editing.approve_round(engine, round_.id, "b")
    version = editing.publish_round(engine, round_.id, units=units, user="a", allow_incomplete=True)
    with engine.connect() as connection:
        actions = datasets.recent_audit(connection, 20)["action"].tolist()
    assert version.round_id == round_.id and actions.count("round_approve") == 2


def test_a_whole_table_import_keeps_no_data_for_the_units_it_lacks(engine, catalogue, sources, reference, analysed):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    editing.import_version(engine, analysed(district_sheet(reference.units, DAM_DOI)), period="2025",
                           as_of=dt.date(2025, 6, 30), source="UBND huyện Đầm Dơi", note="", user="a", publish=True)
    with engine.connect() as connection:
        data = published_dataset(connection, catalogue)
    effective, _ = effective_catalogue(catalogue, sources, data.provenance)
    assert not effective["hamlet_teams"].round_expected      # "no data" / "not deployed", as before rounds


def test_nine_district_sheets_filed_one_by_one_make_one_complete_province_table(
        engine, catalogue, sources, reference, analysed, district_of):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    round_ = teams_round(engine, catalogue)
    for district in reference.units["district"].unique():
        editing.submit(engine, analysed(district_sheet(reference.units, district)), round_id=round_.id,
                       sender=f"UBND {district}", area=code_of(reference, district), district_of=district_of, user="a")
    version = editing.publish_round(engine, round_.id, units=expected_units(reference.units), user="a")
    with engine.connect() as connection:
        data = published_dataset(connection, catalogue)
        submissions = rounds.round_submissions(connection, round_.id)
    assert len(submissions) == 9 and not any(s.outside_area for s in submissions)
    effective, _ = effective_catalogue(catalogue, sources, data.provenance)
    table = commune_table(reference, data.old, effective)
    assert version.rows_matched == 101 and table["hamlet_teams"].notna().all()
