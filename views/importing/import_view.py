"""What the import page shows, computed without Streamlit: row specifications typed by the
editor, the match report and the problem list as display tables, every importer code and reason
in the reader's language (``l10n.importing``)."""
from __future__ import annotations

import re

import pandas as pd

from importer.pipeline import Analysis
from l10n import fmt, labels
from l10n.importing import describe, describe_reason, where
from l10n.messages import t
from l10n.text import plain

_NUMBERS = re.compile(r"^\s*\d+(\s*,\s*\d+)*\s*$")
_RANGE = re.compile(r"^\s*(\d+)\s*[-–:]\s*(\d+)\s*$")


def parse_header_rows(text: str) -> tuple[int, ...] | None:
    """"8,9" -> (8, 9); "" -> None (detect); raises ValueError for anything else."""
    if not text.strip():
        return None
    if not _NUMBERS.match(text):
        raise ValueError(text)
    return tuple(int(part) for part in text.split(","))


def parse_data_rows(text: str) -> tuple[int, int] | None:
    """"11-40" -> (11, 40); "" -> None (detect); raises ValueError for anything else."""
    if not text.strip():
        return None
    match = _RANGE.match(text)
    if not match or int(match.group(1)) > int(match.group(2)):
        raise ValueError(text)
    return int(match.group(1)), int(match.group(2))


def plain_label(text: str, limit: int = 120) -> str:
    """Text from an uploaded file made safe for a widget label, which Streamlit renders as
    Markdown: every Markdown character is escaped, so a cell cannot become a link or formatting."""
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return plain(text)


def report_table(analysis: Analysis, unit_names: dict[str, str], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("col.sheet", lang): [r.sheet for r in analysis.rows],
        t("col.row", lang): [r.row for r in analysis.rows],
        t("col.text", lang): [r.label for r in analysis.rows],
        t("col.status", lang): [labels.label(labels.MATCH_STATUS, r.status, lang) for r in analysis.rows],
        t("col.matched", lang): [f"{unit_names[r.gso_code]} ({r.gso_code})" if r.gso_code else "" for r in analysis.rows],
        t("col.reason", lang): [describe_reason(r.reason, lang) for r in analysis.rows],
    })


def report_download(analysis: Analysis, unit_names: dict[str, str], lang: str) -> pd.DataFrame:
    """The match report with each row's problems beside it, plus the problems that concern no
    single row, for the data steward to fix the file in Excel."""
    report = report_table(analysis, unit_names, lang)
    by_row: dict[int, list[str]] = {}
    for problem in analysis.problems:
        if problem.row is not None:
            column = f" [{problem.column}]" if problem.column else ""
            by_row.setdefault(problem.row, []).append(
                f"{labels.label(labels.SEVERITY, problem.severity, lang)}{column}: {describe(problem.message, lang)}")
    report.insert(0, t("col.file", lang), analysis.file_name)
    report[t("import.problems", lang)] = ["; ".join(by_row.get(row.row, [])) for row in analysis.rows]
    general = [p for p in analysis.problems if p.row is None]
    if general:
        extra = pd.DataFrame({t("col.file", lang): analysis.file_name, t("col.sheet", lang): [p.sheet for p in general],
                              t("import.problems", lang): [describe(p.message, lang) for p in general]})
        report = pd.concat([report, extra], ignore_index=True)
    return report


def problem_table(analysis: Analysis, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("col.file", lang): [analysis.file_name] * len(analysis.problems),
        t("col.severity", lang): [labels.label(labels.SEVERITY, p.severity, lang) for p in analysis.problems],
        t("col.where", lang): [where(p.sheet, p.row, p.column, lang) for p in analysis.problems],
        t("col.message", lang): [describe(p.message, lang) for p in analysis.problems],
    })


def rows_needing_decision(analysis: Analysis):
    return [r for r in analysis.rows if r.kind == "data" and r.status in ("ambiguous", "unmatched", "resolved",
                                                                         "excluded")]


def error_text(error, lang: str) -> str:
    """A refused file (``ImportFileError``) as one sentence in ``lang``."""
    return describe(error.message, lang)


def decision_label(row, lang: str) -> str:
    """The label of a row's decision box: row number, the cell's text and why it needs a decision,
    escaped so that no cell text becomes Markdown."""
    return (f"{t('col.row', lang)} {row.row}: “{plain_label(row.label)}” — "
            f"{plain_label(describe_reason(row.reason, lang), 300)}")


def conflict_rows(found, unit_names: dict[str, str], indicator_names: dict[str, str], lang: str) -> pd.DataFrame:
    """The values a submission would replace (``indicators.rounds.Conflict``), both shown."""
    return pd.DataFrame({
        t("col.commune", lang): [f"{unit_names.get(c.gso_code, c.gso_code)} ({c.gso_code})" for c in found],
        t("import.round.col.indicator", lang): [indicator_names.get(c.indicator, c.indicator) for c in found],
        t("import.round.col.current", lang): [fmt.number(c.current, 2 if c.current % 1 else 0, lang) for c in found],
        t("import.round.col.incoming", lang): [fmt.number(c.incoming, 2 if c.incoming % 1 else 0, lang) for c in found],
    })
