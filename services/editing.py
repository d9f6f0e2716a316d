"""The editors' actions, each one transaction with its audit row: a failure or a killed process
leaves the database as it was, and no action happens without its trace in the audit log."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from auth import accounts
from importer.errors import ImportFileError
from importer.pipeline import Analysis
from l10n.importing import describe_reason
from storage import datasets, scenarios
from storage.datasets import record_audit
from storage.queries import VersionInfo


def import_version(engine: sa.Engine, analysis: Analysis, *, period: str, as_of: dt.date, source: str,
                   note: str, user: str, publish: bool = False) -> VersionInfo:
    """Store a valid analysis as a new version with its match report, and publish it if asked."""
    if not analysis.valid:
        raise ImportFileError("invalid", {"file": analysis.file_name})
    # The stored match report is the version's record, in the app's first language.
    report = [datasets.ReportRow(r.sheet, r.row, r.label, r.gso_code, r.status, describe_reason(r.reason, "vi"))
              for r in analysis.rows if r.kind == "data"]
    with engine.begin() as connection:
        version = datasets.create_version(
            connection, period=period, as_of=as_of, source=source, illustrative=False, created_by=user,
            file_name=analysis.file_name, file_sha256=analysis.sha256, sheet=analysis.layout.sheet,
            rows_read=analysis.rows_read, rows_matched=analysis.rows_matched,
            rows_rejected=analysis.rows_rejected, note=note, figures=analysis.figures, report=report,
            units=analysis.units)
        record_audit(connection, user, "import", f"version {version.number}", {
            "file": analysis.file_name, "sha256": analysis.sha256, "sheet": analysis.layout.sheet,
            "units": analysis.units,
            "rows_read": analysis.rows_read, "rows_matched": analysis.rows_matched,
            "rows_rejected": analysis.rows_rejected, "values": len(analysis.figures)})
        if publish:
            datasets.publish(connection, version.id, user)
            record_audit(connection, user, "publish", f"version {version.number}", {})
    return version


def publish_version(engine: sa.Engine, number: int, user: str) -> VersionInfo:
    """Make version ``number`` the public one (``DatasetError`` when unknown or already public)."""
    with engine.begin() as connection:
        version = datasets.version_by_number(connection, number)
        datasets.publish(connection, version.id, user)
        record_audit(connection, user, "publish", f"version {version.number}", {})
    return version


def rollback(engine: sa.Engine, user: str) -> VersionInfo:
    """Publish again the version that was public before the current one."""
    with engine.begin() as connection:
        version = datasets.rollback(connection, user)
        record_audit(connection, user, "rollback", f"version {version.number}", {})
    return version


def save_scenario(engine: sa.Engine, *, user: str, name: str, note: str, query: dict[str, str], version_id: int,
                  selected: list[str], totals: dict, illustrative: bool) -> int:
    with engine.begin() as connection:
        scenario_id = scenarios.save_scenario(connection, username=user, name=name, note=note, query=query,
                                              version_id=version_id, selected=selected, totals=totals,
                                              illustrative=illustrative)
        record_audit(connection, user, "scenario_save", f"scenario {scenario_id}",
                     {"name": name.strip(), "communes": len(selected), "version_id": version_id, "query": query})
    return scenario_id


def delete_scenario(engine: sa.Engine, *, user: str, scenario_id: int) -> None:
    with engine.begin() as connection:
        name = scenarios.delete_scenario(connection, username=user, scenario_id=scenario_id)
        record_audit(connection, user, "scenario_delete", f"scenario {scenario_id}", {"name": name})


def create_editor(engine: sa.Engine, username: str, password: str, created_by: str = "manage.py") -> str:
    """Create an editor account; returns the stored (normalised) user name."""
    with engine.begin() as connection:
        stored = accounts.create_editor(connection, username, password)
        record_audit(connection, created_by, "create_editor", stored, {})
    return stored
