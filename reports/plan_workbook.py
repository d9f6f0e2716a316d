"""The plan as files to hand over: Excel (a plan sheet and an assumptions sheet) and CSV (UTF-8
with BOM). Both carry the illustrative mark on every plan row when the plan rests on sample data."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

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


def assumption_rows(result: WaveResult, catalogue, version_label: str, lang: str,
                    day: dt.date | None = None) -> list[tuple[str, str]]:
    settings, constraints, a = result.settings, result.settings.constraints, result.assumptions
    weights = settings.weights.as_dict()
    rows = [(t("plan.xlsx.created", lang), fmt.date(day or dt.date.today())),
            (t("plan.xlsx.data_version", lang), version_label),
            (t("units.switch", lang), labels.label(labels.UNIT_SET, "2023" if result.has_districts else "2025", lang))]
    if not result.has_districts:
        # Which units have a team decides the plan: say how that was made.
        rows.append((t("col.conversion", lang), units_caption(catalogue[PILOT_INDICATOR], lang, short=True)))
    if result.illustrative:
        rows.append((t("plan.col.data", lang), t("illustrative.long", lang)))
    rows += [(t("plan.xlsx.weight", lang, criterion=labels.label(labels.PLAN_CRITERION, name, lang)), fmt.number(weights[name], 0, lang))
             for name in CRITERIA]
    rows += [
        (t("plan.adoption", lang), "; ".join(catalogue[i].name[lang] for i in settings.adoption) or "—"),
        (t("plan.proximity", lang), labels.label(labels.PLAN_PROXIMITY, settings.proximity, lang)),
        (t("plan.size_kind", lang), f"{labels.label(labels.PLAN_SIZE_KIND, constraints.size_kind, lang)}: "
                                    f"{fmt.number(constraints.size, 0, lang)}"),
        (t("plan.dmin", lang), fmt.number(constraints.district_min, 0, lang)),
        (t("plan.dmax", lang), "—" if constraints.district_max is None else fmt.number(constraints.district_max, 0, lang)),
        (t("plan.include", lang), ", ".join(sorted(constraints.must_include)) or "—"),
        (t("plan.exclude", lang), ", ".join(sorted(constraints.must_exclude)) or "—"),
        (t("plan.tpk", lang), fmt.number(a.teams_per_1000_households, 2, lang)),
        (t("plan.mpt", lang), fmt.number(a.members_per_team, 2, lang)),
        (t("plan.cov", lang), fmt.percent(a.coverage_rate * 100, 1, lang)),
        (t("plan.xlsx.assumptions_source", lang),
         (t("plan.xlsx.from_pilot", lang) if settings.assumptions is None and result.pilot_ratios
          else t("plan.xlsx.edited", lang))),
        (t("plan.xlsx.method", lang), t("plan.method.short", lang)),
    ]
    if result.totals is not None:
        totals = result.totals
        rows += [
            (t("plan.metric.communes", lang), fmt.number(totals.communes, 0, lang)),
            (t("plan.metric.teams", lang), fmt.number(totals.teams, 0, lang)),
            (t("plan.metric.members", lang), fmt.number(totals.members, 0, lang)),
            (t("plan.metric.reached", lang), fmt.number(totals.reached, 0, lang)),
            (t("plan.metric.coverage", lang), f"{fmt.percent(totals.coverage_before * 100, 1, lang)} → "
                                              f"{fmt.percent(totals.coverage_after * 100, 1, lang)}"),
            (t("plan.metric.with_teams", lang), f"{totals.communes_with_teams_after}/{totals.communes_total}"),
            (t("plan.xlsx.total_score", lang), fmt.number(result.plan.total_score, 3, lang)),
        ]
    return rows


def plan_xlsx(result: WaveResult, catalogue, version_label: str, lang: str, day: dt.date | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = t("plan.sheet.plan", lang)
    table = plan_table(result, lang)
    sheet.append([neutralise(str(c)) for c in table.columns])
    for row in table.itertuples(index=False):
        sheet.append([neutralise(None if pd.isna(v) else v.item() if hasattr(v, "item") else v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABC", (10, 24, 26)):
        sheet.column_dimensions[column].width = width

    notes = workbook.create_sheet(t("plan.sheet.assumptions", lang))
    notes.append([t("plan.xlsx.parameter", lang), t("plan.xlsx.value", lang)])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for name, value in assumption_rows(result, catalogue, version_label, lang, day):
        notes.append([neutralise(name), neutralise(value)])
    notes.column_dimensions["A"].width = 42
    notes.column_dimensions["B"].width = 70
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plan_csv(result: WaveResult, lang: str) -> bytes:
    return csv_bytes(plan_table(result, lang))
