"""The versions page and the audit log show words, not the codes stored in the database."""
import datetime as dt
import json

import pandas as pd
import pytest

from l10n.messages import t
from views.records.tables import ACTION, audit_table, details_text, history_table, match_report_table

AT = dt.datetime(2026, 7, 12, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_audit_rows_show_actions_and_details_in_words(lang):
    log = pd.DataFrame({"at": [AT] * 3, "username": ["an", "an", "an"], "action": ["publish", "import", "sign_in"],
                        "target": ["version 2", "version 2", "an"],
                        "details": ["{}", json.dumps({"file": "dam_doi.xlsx", "rows_matched": 1610}), "{}"]})
    shown = audit_table(log, lang)
    cells = shown.astype(str).to_numpy().ravel().tolist()
    assert {"publish", "import", "sign_in", "{}"}.isdisjoint(cells)
    assert t("audit.action.publish", lang) in cells and "12/07/2026 16:30:00" in cells
    expected = "1.610" if lang == "vi" else "1,610"
    assert f"{t('audit.detail.file', lang)}: dam_doi.xlsx · {t('audit.detail.rows_matched', lang)}: {expected}" in cells


def test_every_action_the_code_writes_has_words():
    import subprocess
    from pathlib import Path
    repo = Path(__file__).resolve().parents[1]
    written = subprocess.run(["git", "grep", "-h", "-o", "-E", r"record_audit\([^,]+, [^,]+, \"[a-z_]+\"", "--",
                              "*.py", ":!tests"], cwd=repo, capture_output=True, text=True).stdout
    actions = {line.rsplit('"', 2)[1] for line in written.splitlines()}
    assert actions and actions <= set(ACTION), actions - set(ACTION)


def test_odd_details_are_shown_as_stored():
    assert details_text(None, "en") == "" and details_text("not json", "en") == "not json"
    assert details_text(json.dumps({"new_field": 3}), "en") == "new_field: 3"


def test_history_and_match_report_use_words():
    history = history_table([(AT, "rollback", "an", 1)], "en")
    assert history.iloc[0].tolist() == ["12/07/2026 16:30", "Roll back", "an", 1]
    report = pd.DataFrame({"sheet": ["S"], "row": [5], "label": ["X. Tân Hưng"], "gso_code": ["32212"],
                           "status": ["tolerant"], "reason": ["…"]})
    shown = match_report_table(report, "en")
    assert "status" not in shown.columns and "gso_code" not in shown.columns
    assert shown.iloc[0, 4] == t("status.tolerant", "en")


def test_stored_moments_are_shown_in_vietnam_time():
    import datetime as dt

    from l10n import fmt

    stored = dt.datetime(2026, 12, 5, 7, 45, 30)                      # SQLite: UTC without a zone
    assert fmt.moment(stored) == "05/12/2026 14:45"
    assert fmt.moment(stored.replace(tzinfo=dt.UTC), seconds=True) == "05/12/2026 14:45:30"   # PostgreSQL
    assert fmt.moment(dt.datetime(2026, 12, 31, 20, 0, tzinfo=dt.UTC)) == "01/01/2027 03:00"
