"""The editors' actions, each one transaction with its audit row: a failure or a killed process
leaves the database as it was, and no action happens without its trace in the audit log."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

import pandas as pd
import sqlalchemy as sa

from auth import accounts
from importer.errors import ImportFileError
from importer.pipeline import Analysis
from indicators.rounds import conflicts, gaps, merge, outside_area, unit_completeness
from l10n.fmt import in_vietnam
from l10n.importing import describe_reason
from publicsite.build import SiteBuild, SiteError, build_site, public_site_disabled
from storage import datasets, rounds, scenarios
from storage.datasets import record_audit
from storage.queries import VersionInfo
from storage.settings import round_approval_required

log = logging.getLogger(__name__)


def refresh_public_site() -> SiteBuild | None:
    """Rebuild the public static site for the version published now (after every publish and
    rollback, and when an editors' app starts). A failure is logged, never raised: the publication
    stands, and the versions page shows that the public site lags behind it."""
    if public_site_disabled():
        return None
    try:
        return build_site()
    except (SiteError, OSError, sa.exc.DBAPIError):
        log.exception("the public static site was not rebuilt")
        return None


def rebuild_public_site(engine: sa.Engine, user: str) -> SiteBuild | None:
    """An editor's explicit rebuild (the versions page), audited."""
    site = refresh_public_site()
    with engine.begin() as connection:
        record_audit(connection, user, "public_site_build", "public site",
                     {"version": site.version_number if site else None, "built": site is not None})
    return site


def import_version(engine: sa.Engine, analysis: Analysis, *, period: str, as_of: dt.date, source: str,
                   note: str, user: str, publish: bool = False) -> VersionInfo:
    """Store a valid analysis as a one-submission reporting round (closed at once) and its version,
    with the match report, and publish it if asked: the file is the whole table for its period."""
    if not analysis.valid:
        raise ImportFileError("invalid", {"file": analysis.file_name})
    with engine.begin() as connection:
        at = datasets.now()
        round_ = rounds.create_round(connection, period=period, units=analysis.units, due=None,
                                     indicators=sorted({indicator for _, indicator, _ in analysis.figures}),
                                     created_by=user, at=at, status=rounds.CLOSED, kind=rounds.FILE)
        submission = _file_submission(connection, round_, analysis, sender=source, area=None, note=note, user=user,
                                      at=at, outside=[])
        version = datasets.create_version(
            connection, period=period, as_of=as_of, source=source, illustrative=False, created_by=user,
            file_name=analysis.file_name, file_sha256=analysis.sha256, sheet=analysis.layout.sheet,
            rows_read=analysis.rows_read, rows_matched=analysis.rows_matched,
            rows_rejected=analysis.rows_rejected, note=note, figures=analysis.figures, report=_report(analysis),
            units=analysis.units, round_id=round_.id,
            value_sources={(code, indicator): submission.id for code, indicator, _ in analysis.figures})
        record_audit(connection, user, "import", f"version {version.number}", {
            "file": analysis.file_name, "sha256": analysis.sha256, "sheet": analysis.layout.sheet,
            "units": analysis.units, "round": round_.id, "rows_read": analysis.rows_read,
            "rows_matched": analysis.rows_matched, "rows_rejected": analysis.rows_rejected,
            "values": len(analysis.figures)})
        if publish:
            datasets.publish(connection, version.id, user)
            record_audit(connection, user, "publish", f"version {version.number}", {})
    if publish:
        refresh_public_site()
    return version


def _report(analysis: Analysis) -> list[datasets.ReportRow]:
    """The stored match report, in the app's first language (it is the version's record)."""
    return [datasets.ReportRow(r.sheet, r.row, r.label, r.gso_code, r.status, describe_reason(r.reason, "vi"))
            for r in analysis.rows if r.kind == "data"]


def _file_submission(connection: sa.Connection, round_: rounds.Round, analysis: Analysis, *, sender: str,
                     area: str | None, note: str, user: str, at: dt.datetime, outside: list[str]) -> rounds.Submission:
    return rounds.add_submission(
        connection, round_id=round_.id, sender=sender, area=area, file_name=analysis.file_name,
        file_sha256=analysis.sha256, sheet=analysis.layout.sheet, rows_read=analysis.rows_read,
        rows_matched=analysis.rows_matched, outside_area=outside, note=note, created_by=user, at=at,
        figures=analysis.figures)


# --- reporting rounds -------------------------------------------------------------------------

def create_round(engine: sa.Engine, *, period: str, units: str, due: dt.date | None, indicators: list[str],
                 user: str) -> rounds.Round:
    with engine.begin() as connection:
        round_ = rounds.create_round(connection, period=period, units=units, due=due, indicators=indicators,
                                     created_by=user, at=datasets.now())
        record_audit(connection, user, "round_create", f"round {round_.id}", {
            "period": round_.period, "units": units, "due": due, "indicators": indicators})
    return round_


def submit(engine: sa.Engine, analysis: Analysis, *, round_id: int, sender: str, area: str | None,
           district_of: Mapping[str, str], user: str, note: str = "",
           confirm_overwrite: bool | frozenset[tuple[str, str]] = False) -> rounds.Submission:
    """File a valid analysis into an open round as a submission. A value that would replace a
    different one raises ``RoundError`` "conflicts" (with the ``Conflict`` list) unless confirmed:
    ``True`` confirms any, a set of (gso_code, indicator) only those the editor was shown (a value
    filed by someone else in the meantime makes a new conflict, refused). Units outside the
    sender's district ``area`` are recorded and audited."""
    if not analysis.valid:
        raise ImportFileError("invalid", {"file": analysis.file_name})
    if not sender.strip():
        raise rounds.RoundError("chưa ghi đơn vị gửi", "no_sender")
    with engine.begin() as connection:
        round_ = rounds.get_round(connection, round_id, for_update=True)
        if round_.status != rounds.OPEN:
            raise rounds.RoundError(f"đợt {round_id} đã đóng", "closed")
        if round_.units != analysis.units:
            raise rounds.RoundError(f"đợt {round_id} theo bộ đơn vị {round_.units}, tệp theo {analysis.units}",
                                    "wrong_units", {"round": round_.units, "file": analysis.units})
        found = conflicts(merge(rounds.round_values(connection, round_id)), analysis.figures)
        confirmed = confirm_overwrite if isinstance(confirm_overwrite, frozenset) else None
        if found and (not confirm_overwrite or
                      (confirmed is not None and not {(c.gso_code, c.indicator) for c in found} <= confirmed)):
            raise rounds.RoundError(f"{len(found)} giá trị khác giá trị đã có", "conflicts", found)
        outside = outside_area({code for code, _, _ in analysis.figures}, area, district_of)
        submission = _file_submission(connection, round_, analysis, sender=sender, area=area, note=note, user=user,
                                      at=datasets.now(), outside=outside)
        rounds.set_approval(connection, round_id, None, None)   # an approval is of the table as it was
        record_audit(connection, user, "submit", f"round {round_id}", {
            "file": analysis.file_name, "sha256": analysis.sha256, "sender": submission.sender, "area": area,
            "rows_matched": analysis.rows_matched, "values": len(analysis.figures),
            "overwritten": len(found), "outside_area": outside})
    return submission


def publish_round(engine: sa.Engine, round_id: int, *, units: pd.DataFrame, user: str,
                  allow_incomplete: bool = False, today: dt.date | None = None) -> VersionInfo:
    """Store the round's merged table as a version and publish it. ``units`` are the units the round
    expects (gso_code, name, group). An incomplete round raises ``RoundError`` "incomplete" (with
    the gaps) unless ``allow_incomplete``; a round without submissions raises "no_submissions"."""
    today = today or in_vietnam(datasets.now()).date()
    with engine.begin() as connection:
        round_ = rounds.get_round(connection, round_id, for_update=True)
        submissions = rounds.round_submissions(connection, round_id)
        if not submissions:
            raise rounds.RoundError(f"đợt {round_id} chưa có báo cáo nào", "no_submissions")
        if round_approval_required() and round_.approved_by in (None, user):
            raise rounds.RoundError(f"đợt {round_id} cần một biên tập viên khác duyệt trước khi công bố",
                                    "needs_approval")
        published = datasets.round_versions(connection, round_id)
        if published and published[-1].created_at >= submissions[-1].created_at:
            raise rounds.RoundError(f"đợt {round_id} đã được công bố thành phiên bản {published[-1].number} "
                                    "và chưa có báo cáo mới", "unchanged", published[-1].number)
        merged = merge(rounds.round_values(connection, round_id))
        per_unit = unit_completeness(merged, units, list(round_.indicators), submitted_dates(submissions),
                                     round_.due, today)
        missing = gaps(per_unit)
        if missing and not allow_incomplete:
            raise rounds.RoundError(f"còn {len(missing)} đơn vị thiếu số liệu", "incomplete", missing)
        senders = list(dict.fromkeys(s.sender for s in submissions))
        version = datasets.create_version(
            connection, period=round_.period, as_of=round_.due or today, source="; ".join(senders)[:300],
            illustrative=False, created_by=user, file_name=f"dot-bao-cao-{round_id}", file_sha256="",
            sheet="", rows_read=len(units), rows_matched=int(merged["gso_code"].nunique()),
            rows_rejected=0, note="", figures=list(merged[["gso_code", "indicator", "value"]].itertuples(index=False)),
            report=[], units=round_.units, round_id=round_id,
            value_sources={(row.gso_code, row.indicator): int(row.submission_id) for row in merged.itertuples()})
        datasets.publish(connection, version.id, user)
        record_audit(connection, user, "round_publish", f"round {round_id}", {
            "version": version.number, "submissions": len(submissions), "units_missing": len(missing)})
    refresh_public_site()
    return version


def approve_round(engine: sa.Engine, round_id: int, user: str) -> None:
    """A second editor approves the round's table as it is now (``CAMAU_ROUND_APPROVAL``): the
    publisher must be someone else, and a later submission withdraws the approval."""
    with engine.begin() as connection:
        rounds.get_round(connection, round_id, for_update=True)
        if not rounds.round_submissions(connection, round_id):
            raise rounds.RoundError(f"đợt {round_id} chưa có báo cáo nào", "no_submissions")
        rounds.set_approval(connection, round_id, user, datasets.now())
        record_audit(connection, user, "round_approve", f"round {round_id}", {})


def close_round(engine: sa.Engine, round_id: int, user: str) -> None:
    """No more submissions into the round (publishing stays possible)."""
    with engine.begin() as connection:
        rounds.get_round(connection, round_id, for_update=True)
        rounds.set_status(connection, round_id, rounds.CLOSED)
        record_audit(connection, user, "round_close", f"round {round_id}", {})


def submitted_dates(submissions: list[rounds.Submission]) -> dict[int, dt.date]:
    """Each submission's day in Vietnam time (the day an editor would say it arrived)."""
    return {s.id: in_vietnam(s.created_at).date() for s in submissions}


def publish_version(engine: sa.Engine, number: int, user: str) -> VersionInfo:
    """Make version ``number`` the public one (``DatasetError`` when unknown or already public)."""
    with engine.begin() as connection:
        version = datasets.version_by_number(connection, number)
        datasets.publish(connection, version.id, user)
        record_audit(connection, user, "publish", f"version {version.number}", {})
    refresh_public_site()
    return version


def rollback(engine: sa.Engine, user: str) -> VersionInfo:
    """Publish again the version that was public before the current one."""
    with engine.begin() as connection:
        version = datasets.rollback(connection, user)
        record_audit(connection, user, "rollback", f"version {version.number}", {})
    refresh_public_site()
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
