"""The versions page and the audit log in the reader's language: codes stored in the database
(actions, match results, detail fields) become words; the stored texts stay as they were typed."""
from __future__ import annotations

import json

import pandas as pd

from l10n import fmt, labels
from l10n.messages import N_, t

ACTION = {"import": N_("audit.action.import"), "publish": N_("audit.action.publish"),
          "rollback": N_("audit.action.rollback"), "create_editor": N_("audit.action.create_editor"),
          "create_sample": N_("audit.action.create_sample"), "sign_in": N_("audit.action.sign_in"),
          "sign_in_failed": N_("audit.action.sign_in_failed"), "sign_in_locked": N_("audit.action.sign_in_locked"),
          "scenario_save": N_("audit.action.scenario_save"), "scenario_delete": N_("audit.action.scenario_delete"),
          "round_create": N_("audit.action.round_create"), "submit": N_("audit.action.submit"),
          "round_approve": N_("audit.action.round_approve"), "round_publish": N_("audit.action.round_publish"),
          "round_close": N_("audit.action.round_close"), "public_site_build": N_("audit.action.public_site_build")}
DETAIL = {"file": N_("audit.detail.file"), "sha256": N_("audit.detail.sha256"), "sheet": N_("audit.detail.sheet"),
          "rows_read": N_("audit.detail.rows_read"), "rows_matched": N_("audit.detail.rows_matched"),
          "rows_rejected": N_("audit.detail.rows_rejected"), "values": N_("audit.detail.values"),
          "rows": N_("audit.detail.rows"), "name": N_("audit.detail.name"),
          "communes": N_("audit.detail.communes"), "version_id": N_("audit.detail.version_id"),
          "query": N_("audit.detail.query"), "units": N_("units.switch"), "round": N_("round.choose"),
          "period": N_("import.period"), "due": N_("round.due"), "indicators": N_("round.indicators"),
          "sender": N_("round.col.sender"), "area": N_("round.col.area"), "overwritten": N_("audit.detail.overwritten"),
          "outside_area": N_("round.col.outside"), "version": N_("audit.detail.version"),
          "submissions": N_("round.submissions"), "units_missing": N_("audit.detail.units_missing"),
          "built": N_("audit.detail.built")}
REPORT_COLUMNS = {"sheet": N_("col.sheet"), "row": N_("col.row"), "label": N_("col.text"),
                  "gso_code": N_("col.gso_code"), "status": N_("col.status"), "reason": N_("col.reason")}


def action_text(action: str, lang: str) -> str:
    """An audit or publication action in words (an unknown one as stored)."""
    return t(ACTION[action], lang) if action in ACTION else action


def details_text(details: str | None, lang: str) -> str:
    """An audit row's details (stored as JSON) as "Tệp: a.xlsx · Dòng khớp: 101"; empty when none."""
    try:
        values = json.loads(details) if details else {}
    except ValueError:
        return str(details)
    if not isinstance(values, dict):
        return str(values)
    parts = []
    for key, value in values.items():
        name = t(DETAIL[key], lang) if key in DETAIL else key
        if isinstance(value, bool):
            shown = labels.yes_no(value, lang)
        elif isinstance(value, (int, float)) and key != "version_id":
            shown = fmt.number_compact(value, lang)
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            shown = str(value)
        parts.append(f"{name}: {shown}")
    return " · ".join(parts)


def audit_table(log: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``storage.queries.recent_audit`` rows with words for the actions, fields and dates."""
    return pd.DataFrame({
        labels.label(labels.AUDIT_COLUMN, "at", lang): [fmt.moment(at, seconds=True) for at in log["at"]],
        labels.label(labels.AUDIT_COLUMN, "user", lang): log["username"].to_list(),
        labels.label(labels.AUDIT_COLUMN, "action", lang): [action_text(a, lang) for a in log["action"]],
        labels.label(labels.AUDIT_COLUMN, "target", lang): log["target"].to_list(),
        labels.label(labels.AUDIT_COLUMN, "details", lang): [details_text(d, lang) for d in log["details"]],
    })


def history_table(history: list[tuple], lang: str) -> pd.DataFrame:
    """The publication log (at, action, by, version number), newest first."""
    return pd.DataFrame({
        t("versions.col.at", lang): [fmt.moment(at) for at, *_ in history],
        t("audit.col.action", lang): [action_text(action, lang) for _, action, _, _ in history],
        t("versions.col.by", lang): [by for _, _, by, _ in history],
        t("versions.col.number", lang): [number for *_, number in history],
    })


def match_report_table(report: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A stored version's match report with column names and match results in words. The reasons
    are kept as they were written when the version was saved."""
    shown = report.copy()
    shown["status"] = [labels.label(labels.MATCH_STATUS, s, lang) if s in labels.MATCH_STATUS else s
                       for s in shown["status"]]
    return shown.rename(columns={column: t(key, lang) for column, key in REPORT_COLUMNS.items()})
