"""The database on both backends: migrations, versions, publishing, rollback, read-only access,
and the published dataset's provenance."""
import datetime as dt
import os

import pandas as pd
import pytest
import sqlalchemy as sa

from indicators.published import effective_catalogue, importable_indicators, published_dataset
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from indicators.table import commune_table
from storage import datasets
from storage.db import is_current, make_read_only_engine, upgrade


def new_version(connection, figures, **overrides):
    fields = dict(period="2023", as_of=dt.date(2023, 12, 31), source="UBND huyện", illustrative=False,
                  created_by="editor", file_name="bao_cao.xlsx", file_sha256="a" * 64, sheet="Sheet1",
                  rows_read=len(figures), rows_matched=len(figures), rows_rejected=0, note="",
                  figures=figures, report=[datasets.ReportRow("Sheet1", 7, "Phường 1", "32005", "exact", "")])
    return datasets.create_version(connection, **(fields | overrides))


def test_migrations_create_the_schema_and_rerun_safely(engine):
    assert is_current(engine)
    upgrade(engine)  # a second run changes nothing
    tables = set(sa.inspect(engine).get_table_names())
    assert {"dataset_versions", "version_values", "version_rows", "publications", "users", "audit_log",
            "login_failures", "alembic_version"} <= tables


def test_sample_is_version_zero_and_published(engine, catalogue):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    ensure_sample_version(engine, read_sample_csv(), catalogue)  # idempotent
    with engine.connect() as connection:
        versions = datasets.list_versions(connection)
        assert [v.number for v in versions] == [0] and versions[0].illustrative
        assert datasets.published_version(connection).number == 0
        data = published_dataset(connection, catalogue)
        frame, provenance = data.old, data.provenance
    assert frame["pilot"].sum() == 45 and frame["teams"].sum() == 343
    assert all(p.version == 0 and p.illustrative for p in provenance.values())


def test_publish_and_rollback_never_overwrite(engine, catalogue):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    with engine.begin() as connection:
        first = new_version(connection, [("32005", "hamlet_teams", 11.0)])
        second = new_version(connection, [("32005", "hamlet_teams", 12.0)])
        assert (first.number, second.number) == (1, 2)
        datasets.publish(connection, first.id, "editor")
        datasets.publish(connection, second.id, "editor")
        with pytest.raises(datasets.DatasetError):
            datasets.publish(connection, second.id, "editor")
        assert datasets.rollback(connection, "editor").number == 1
        assert datasets.rollback(connection, "editor").number == 0
        with pytest.raises(datasets.DatasetError):
            datasets.rollback(connection, "editor")
        # Every version and its values are still there.
        assert [v.number for v in datasets.list_versions(connection)] == [2, 1, 0]
        assert datasets.version_values(connection, second.id)["value"].tolist() == [12.0]
        assert [action for _, action, _, _ in datasets.publication_history(connection)][:3] == [
            "rollback", "rollback", "publish"]


def test_published_sample_knows_every_commune_pilot_status(engine, catalogue, sources, reference):
    # Regression: the sample stores teams only for pilots, so deriving the status from teams left
    # the 56 communes without a team "unknown" instead of "no team".
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    with engine.connect() as connection:
        data = published_dataset(connection, catalogue)
        frame, provenance = data.old, data.provenance
    table = commune_table(reference, frame, effective_catalogue(catalogue, sources, provenance)[0])
    assert table["pilot_status"].value_counts().to_dict() == {"not_pilot": 56, "pilot": 45}
    assert provenance["pilot_status"].version == 0


def test_partial_import_keeps_sample_for_missing_indicators(engine, catalogue, sources, reference):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    with engine.begin() as connection:
        version = new_version(connection, [("32005", "hamlet_teams", 20.0), ("31999", "hamlet_teams", 0.0),
                                           ("32005", "vneid_dossiers", 5000.0)], as_of=dt.date(2024, 1, 15))
        datasets.publish(connection, version.id, "editor")
    with engine.connect() as connection:
        data = published_dataset(connection, catalogue)
        frame, provenance = data.old, data.provenance
    assert provenance["hamlet_teams"].version == 1 and not provenance["hamlet_teams"].illustrative
    assert provenance["pilot_status"].version == 1
    assert provenance["mobile_money"].version == 0 and provenance["mobile_money"].illustrative
    effective, effective_sources = effective_catalogue(catalogue, sources, provenance)
    assert not effective["vneid_per_1000"].illustrative  # a ratio follows its numerator
    assert effective["vneid_dossiers"].as_of == dt.date(2024, 1, 15)
    assert effective["mobile_money_per_1000"].illustrative
    assert "phiên bản 1" in effective_sources[effective["hamlet_teams"].source_id].title["vi"]
    table = commune_table(reference, frame, effective).set_index("gso_code")
    assert table.loc["32005", "hamlet_teams"] == 20 and table.loc["32005", "pilot_status"] == "pilot"
    assert table.loc["31999", "pilot_status"] == "not_pilot"
    # A commune the import did not cover has no value rather than a sample one, and an unknown
    # pilot status rather than "not piloted".
    assert table["hamlet_teams"].notna().sum() == 1
    assert table["pilot_status"].isna().sum() == 99 and table["pilot"].isna().sum() == 99


def test_read_only_engine_cannot_write(engine, database_url, monkeypatch):
    if engine.dialect.name == "postgresql" and not os.environ.get("DATABASE_URL_RO"):
        pytest.skip("DATABASE_URL_RO is not set")
    reader = make_read_only_engine(database_url)
    with reader.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM dataset_versions")).scalar() == 0
    with pytest.raises(sa.exc.DBAPIError), reader.begin() as connection:
        connection.execute(sa.text("INSERT INTO audit_log (at, username, action, target, details) "
                                   "VALUES (CURRENT_TIMESTAMP, 'x', 'x', 'x', '{}')"))
    reader.dispose()


def test_importable_indicators_are_the_digital_transformation_counts(catalogue):
    assert [i.id for i in importable_indicators(catalogue)] == [
        "hamlet_teams", "team_members", "households_guided", "vneid_dossiers", "mobile_money",
        "digital_signatures", "einvoice_households"]


def test_a_version_s_data_are_read_by_its_id_even_after_a_later_publish(engine, catalogue):
    # Regression: the caches keyed by the published version's id used to read "whatever is
    # published now", so a publish between the id lookup and the read cached new data under the old id.
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    with engine.connect() as connection:
        old_id = datasets.published_version(connection).id
        old_frame = published_dataset(connection, catalogue, old_id).old
    with engine.begin() as connection:
        version = new_version(connection, [("32005", "hamlet_teams", 77.0)], as_of=dt.date(2024, 1, 15))
        datasets.publish(connection, version.id, "editor")
    with engine.connect() as connection:
        again_data = published_dataset(connection, catalogue, old_id)
        again, provenance = again_data.old, again_data.provenance
        latest = published_dataset(connection, catalogue, version.id).old
    pd.testing.assert_frame_equal(again, old_frame)
    assert provenance["hamlet_teams"].version == 0
    assert latest.set_index("gso_code").loc["32005", "teams"] == 77.0
