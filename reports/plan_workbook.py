"""The plan as files to hand over: Excel (a plan sheet and an assumptions sheet) and CSV (UTF-8
with BOM). Both carry the illustrative mark on every plan row when the plan rests on sample data."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from indicators.published import PILOT_INDICATOR
from l10n import fmt, labels
from l10n.messages import t
from planner.scoring import CRITERIA
from planner.wave import WaveResult
from reports.tables import csv_bytes, neutralise
from views.map.mapview import units_caption


def plan_table(result: WaveResult, lang: str) -> pd.DataFrame:
    """One row per selected commune, highest score first; numbers stay numbers."""
    frame = result.candidates[result.candidates["selected"]].sort_values("score", ascending=False, kind="stable")
    table = pd.DataFrame({
        t("plan.col.code", lang): frame.index.to_numpy(),
        (t("plan.col.district", lang) if result.has_districts else t("col.former_district", lang)):
            frame["district"].to_numpy(),
        t("plan.col.commune", lang): frame["name"].to_numpy(),
        t("plan.col.score", lang): frame["score"].round(4).to_numpy(),
    })
    for name in CRITERIA:
        table[labels.label(labels.PLAN_CRITERION, name, lang)] = frame[name].round(4).to_numpy()
    table[t("plan.col.households", lang)] = frame["households"].round().astype("Int64").to_numpy()
    table[t("plan.col.teams", lang)] = frame["teams"].to_numpy()
    table[t("plan.col.members", lang)] = frame["members"].to_numpy()
    table[t("plan.col.reached", lang)] = frame["reached"].to_numpy()
    if result.illustrative:
        table[t("plan.col.data", lang)] = t("illustrative", lang)
    return table


# Excel number formats. Excel shows them with the reader's own separators (1.234,5 in Vietnamese).
COUNT, SCORE, RATIO, SHARE = "#,##0", "0.0000", "0.00", "0.0%"


def assumption_rows(result: WaveResult, catalogue, version_label: str, lang: str,
                    day: dt.date | None = None) -> list[tuple[str, object, str | None]]:
    """(parameter, value, Excel number format or None for text): numbers stay numbers."""
    settings, constraints, a = result.settings, result.settings.constraints, result.assumptions
    weights = settings.weights.as_dict()
    rows: list[tuple[str, object, str | None]] = [
        (t("plan.xlsx.created", lang), fmt.date(day or dt.date.today()), None),
        (t("plan.xlsx.data_version", lang), version_label, None),
        (t("units.switch", lang), labels.label(labels.UNIT_SET, "2023" if result.has_districts else "2025", lang), None)]
    if not result.has_districts:
        # Which units have a team decides the plan: say how that was made.
        rows.append((t("col.conversion", lang), units_caption(catalogue[PILOT_INDICATOR], lang, short=True), None))
    if result.illustrative:
        rows.append((t("plan.col.data", lang), t("illustrative.long", lang), None))
    rows += [(t("plan.xlsx.weight", lang, criterion=labels.label(labels.PLAN_CRITERION, name, lang)), weights[name], COUNT)
             for name in CRITERIA]
    rows += [
        (t("plan.adoption", lang), "; ".join(catalogue[i].name[lang] for i in settings.adoption) or "—", None),
        (t("plan.proximity", lang), labels.label(labels.PLAN_PROXIMITY, settings.proximity, lang), None),
        (t("plan.size_kind", lang), labels.label(labels.PLAN_SIZE_KIND, constraints.size_kind, lang), None),
        (t("plan.xlsx.size", lang), constraints.size, COUNT),
        (t("plan.dmin", lang), constraints.district_min, COUNT),
        (t("plan.dmax", lang), "—" if constraints.district_max is None else constraints.district_max,
         None if constraints.district_max is None else COUNT),
        (t("plan.include", lang), ", ".join(sorted(constraints.must_include)) or "—", None),
        (t("plan.exclude", lang), ", ".join(sorted(constraints.must_exclude)) or "—", None),
        (t("plan.tpk", lang), a.teams_per_1000_households, RATIO),
        (t("plan.mpt", lang), a.members_per_team, RATIO),
        (t("plan.cov", lang), a.coverage_rate, SHARE),
        (t("plan.xlsx.assumptions_source", lang),
         (t("plan.xlsx.from_pilot", lang) if settings.assumptions is None and result.pilot_ratios
          else t("plan.xlsx.edited", lang)), None),
        (t("plan.xlsx.method", lang), t("plan.method.short", lang), None),
    ]
    if result.totals is not None:
        totals = result.totals
        rows += [
            (t("plan.metric.communes", lang), totals.communes, COUNT),
            (t("plan.metric.teams", lang), totals.teams, COUNT),
            (t("plan.metric.members", lang), totals.members, COUNT),
            (t("plan.metric.reached", lang), totals.reached, COUNT),
            (t("plan.xlsx.coverage_before", lang), totals.coverage_before, SHARE),
            (t("plan.xlsx.coverage_after", lang), totals.coverage_after, SHARE),
            (t("plan.metric.with_teams", lang), f"{totals.communes_with_teams_after}/{totals.communes_total}", None),
            (t("plan.xlsx.total_score", lang), result.plan.total_score, SCORE),
        ]
    return rows


def _plain(value):
    """A cell value openpyxl can store: numpy scalars as Python numbers, missing values empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _fit_widths(sheet, first_row: int, limit: int = 60) -> None:
    """Each column as wide as its longest text from ``first_row`` on (the title row spans them)."""
    for column in sheet.iter_cols(min_row=first_row):
        longest = max((len(f"{cell.value:,.4f}" if isinstance(cell.value, float) else str(cell.value))
                       for cell in column if cell.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(column[0].column)].width = min(limit, longest + 2)


def plan_xlsx(result: WaveResult, catalogue, version_label: str, lang: str, day: dt.date | None = None) -> bytes:
    """Sheet 1: a title row (the plan, its data version and period, the day it was made), the
    header, one row per commune with real numbers and number formats, and a totals row; headers
    frozen. Sheet 2: every parameter, numbers typed as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("plan.sheet.plan", lang)
    table = plan_table(result, lang)
    columns = list(table.columns)
    sheet.append([neutralise(t("plan.xlsx.title", lang, version=version_label,
                                date=fmt.date(day or dt.date.today())))])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([neutralise(str(c)) for c in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = {t("plan.col.score", lang): SCORE,
               **{labels.label(labels.PLAN_CRITERION, name, lang): SCORE for name in CRITERIA},
               **{t(key, lang): COUNT for key in ("plan.col.households", "plan.col.teams", "plan.col.members",
                                                  "plan.col.reached")}}
    for row in table.itertuples(index=False):
        sheet.append([neutralise(_plain(v)) for v in row])
    totals = [None] * len(columns)
    totals[columns.index(t("plan.col.commune", lang))] = t("plan.xlsx.totals", lang)
    for key in ("plan.col.households", "plan.col.teams", "plan.col.members", "plan.col.reached"):
        totals[columns.index(t(key, lang))] = _plain(table[t(key, lang)].sum())
    sheet.append(totals)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for position, name in enumerate(columns, start=1):
        if name in formats:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=position, max_col=position):
                cell.number_format = formats[name]
    sheet.freeze_panes = "A3"
    _fit_widths(sheet, first_row=2)

    notes = workbook.create_sheet(t("plan.sheet.assumptions", lang))
    notes.append([t("plan.xlsx.parameter", lang), t("plan.xlsx.value", lang)])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for name, value, number_format in assumption_rows(result, catalogue, version_label, lang, day):
        notes.append([neutralise(name), neutralise(value)])
        if number_format:
            notes.cell(row=notes.max_row, column=2).number_format = number_format
            notes.cell(row=notes.max_row, column=2).alignment = Alignment(horizontal="left")
    notes.freeze_panes = "A2"
    _fit_widths(notes, first_row=1, limit=90)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_csv(result: WaveResult, lang: str) -> bytes:
    return csv_bytes(plan_table(result, lang))
