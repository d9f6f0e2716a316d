"""One import, from file bytes to a stored version: read → find the table → match communes →
map columns → validate → (if valid) save as a new version in one transaction.

``analyse`` stores nothing; the page and ``manage.py`` both call it, then
``services.editing.import_version``.
The editor's decisions (sheet, header and data rows, column mapping, the commune chosen for an
ambiguous row, rows rejected by hand) arrive in ``ImportOptions``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from importer import limits
from importer.errors import ImportFileError, Message
from importer.layout import Layout, TableRow, detect_layout, pick_sheet, table_rows
from importer.mapping import header_key, suggest_mapping
from importer.matcher import AMBIGUOUS, UNMATCHED, CommuneMatcher
from importer.reader import RawSheet, read_file
from importer.unit_sets import Detection, UnitSetIndex, detect_unit_set
from importer.validate import MatchedRow, Problem, check_rows, cross_check_totals
from indicators.catalogue import Indicator
from indicators.published import importable_indicators

EXCLUDED, RESOLVED = "excluded", "resolved"
_DISTRICT_HEADERS = ("huyen", "huyen thanh pho", "don vi cap huyen", "quan huyen")


@dataclass(frozen=True)
class ImportOptions:
    sheet: str | None = None
    header_rows: tuple[int, ...] | None = None
    data_rows: tuple[int, int] | None = None
    mapping: dict[str, str | None] | None = None       # column label -> indicator id (None = ignore)
    resolutions: dict[int, str] = field(default_factory=dict)  # sheet row -> gso_code chosen by the editor
    excluded: frozenset[int] = frozenset()              # sheet rows the editor rejects
    units: str | None = None                            # the unit set chosen by the editor (None: detect)


@dataclass(frozen=True)
class RowReport:
    sheet: str
    row: int
    kind: str            # "data", "group" or "total"
    label: str
    code_text: str | None
    gso_code: str | None
    status: str          # exact, tolerant, ambiguous, unmatched, resolved, excluded; or group/total
    reason: tuple[Message, ...]   # codes and parameters, in parts (l10n.importing words them)
    candidates: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.kind == "data" and self.gso_code is not None and self.status not in (EXCLUDED,)


@dataclass(frozen=True)
class Analysis:
    file_name: str
    sha256: str
    sheet_names: tuple[str, ...]
    layout: Layout
    mapping: dict[str, str | None]
    rows: tuple[RowReport, ...]
    figures: tuple[tuple[str, str, float], ...]
    problems: tuple[Problem, ...]
    detection: Detection

    @property
    def units(self) -> str:
        """The unit set of the rows' codes ("2023" or "2025")."""
        return self.detection.units

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def valid(self) -> bool:
        return not self.errors and bool(self.figures)

    @property
    def rows_read(self) -> int:
        return sum(1 for r in self.rows if r.kind == "data")

    @property
    def rows_matched(self) -> int:
        return sum(1 for r in self.rows if r.accepted)

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.rows_matched


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _district_column(columns: tuple[str, ...]) -> str | None:
    return next((c for c in columns if header_key(c) in _DISTRICT_HEADERS), None)


def _match_rows(rows: list[TableRow], layout: Layout, matcher: CommuneMatcher,
                options: ImportOptions) -> list[RowReport]:
    """Match every data row. The fuzzy step runs on at most ``limits.MAX_FUZZY_ROWS`` rows of a
    table: later rows that need it stay unmatched, with that reason."""
    district_column = _district_column(layout.columns)
    current_district: str | None = None
    reports = []
    fuzzy_rows = 0
    for row in rows:
        if row.kind != "data":
            if row.kind == "group":
                current_district = matcher.match_district(row.label)
            reports.append(RowReport(row.sheet, row.row, row.kind, row.label, row.code, None, row.kind, ()))
            continue
        district = row.values.get(district_column) if district_column else None
        match = matcher.match(row.label, row.code, district if district else current_district,
                              fuzzy=fuzzy_rows < limits.MAX_FUZZY_ROWS)
        fuzzy_rows += match.fuzzy
        if row.row in options.excluded:
            reports.append(RowReport(row.sheet, row.row, "data", row.label, row.code, None, EXCLUDED,
                                     (Message("match.excluded_by_editor"),), match.candidates))
        elif row.row in options.resolutions and match.status in (AMBIGUOUS, UNMATCHED):
            code = options.resolutions[row.row]
            reports.append(RowReport(row.sheet, row.row, "data", row.label, row.code, code, RESOLVED,
                                     (Message("match.resolved_by_editor", {"unit": matcher.unit_label(code)}),),
                                     match.candidates))
        else:
            reports.append(RowReport(row.sheet, row.row, "data", row.label, row.code, match.gso_code,
                                     match.status, match.reason, match.candidates))
    return reports


def _row_problems(reports: list[RowReport], rows: list[TableRow]) -> list[Problem]:
    problems = []
    for report in reports:
        if report.kind == "data" and report.status in (AMBIGUOUS, UNMATCHED):
            problems.append(Problem(report.sheet, report.row, None, f"row.{report.status}",
                                    {"label": report.label[:60], "reason": report.reason}))
    for row in rows:
        for column in row.formulas_without_value:
            if row.kind == "data":
                problems.append(Problem(row.sheet, row.row, column, "value.formula_without_value"))
            else:  # a district or total row serves only the cross-check: it cannot block the import
                problems.append(Problem(row.sheet, row.row, column, "total.formula_without_value",
                                        {"label": row.label[:60]}, "warning"))
    return problems


def _total_warnings(rows: list[TableRow], reports: list[RowReport], figures, mapping) -> list[Problem]:
    by_code: dict[str, dict[str, float]] = {}
    for code, indicator, value in figures:
        by_code.setdefault(code, {})[indicator] = value
    warnings: list[Problem] = []
    group: TableRow | None = None
    group_sum: dict[str, float] = {}
    province_sum: dict[str, float] = {}

    def close_group():
        if group is not None:
            warnings.extend(cross_check_totals(group.label, group.sheet, group.row, group.values, group_sum, mapping))

    for row, report in zip(rows, reports):
        if row.kind == "group":
            close_group()
            group, group_sum = row, {}
        elif row.kind == "data" and report.accepted:
            for indicator, value in by_code.get(report.gso_code, {}).items():
                group_sum[indicator] = group_sum.get(indicator, 0.0) + value
                province_sum[indicator] = province_sum.get(indicator, 0.0) + value
    close_group()
    for row in rows:
        if row.kind == "total":
            warnings.extend(cross_check_totals(row.label, row.sheet, row.row, row.values, province_sum, mapping))
    return warnings


def analyse(data: bytes, file_name: str, *, unit_sets: list[UnitSetIndex], catalogue: dict[str, Indicator],
            options: ImportOptions = ImportOptions(),
            max_bytes: int = 10 * 1024 * 1024, sheets: list[RawSheet] | None = None) -> Analysis:
    """Everything about one file, without storing anything. File-level problems (empty, not a
    spreadsheet, encrypted, legacy encoding, no table, a mix of unit sets ...) raise
    ``ImportFileError``. ``unit_sets`` are the sets a file may be in (``importer.unit_sets``);
    ``sheets`` are the file's sheets when the caller has read them already."""
    sheets = sheets if sheets is not None else read_file(data, file_name, max_bytes)
    sheet = pick_sheet(sheets, options.sheet)
    layout = detect_layout(sheet, options.header_rows, options.data_rows)
    rows = table_rows(sheet, layout)
    value_columns = [c for c in layout.columns if rows and any(c in r.values for r in rows)]
    importable = importable_indicators(catalogue)
    mapping = suggest_mapping(value_columns, importable)
    if options.mapping is not None:
        mapping.update({column: indicator for column, indicator in options.mapping.items() if column in mapping})
    mapped = [indicator for indicator in mapping.values() if indicator]
    if len(mapped) != len(set(mapped)):
        raise ImportFileError("bad_mapping", {"file": file_name})

    indexes = {index.id: index for index in unit_sets}
    detection = detect_unit_set(rows, indexes, has_district_column=_district_column(layout.columns) is not None,
                                file_name=file_name, chosen=options.units)
    unit_set = indexes[detection.units]
    reports = _match_rows(rows, layout, unit_set.matcher, options)
    matched = [MatchedRow(r.sheet, r.row, report.gso_code, r.values)
               for r, report in zip(rows, reports) if report.accepted]
    figures, problems = check_rows(matched, mapping, catalogue, unit_set.census)
    problems = _row_problems(reports, rows) + problems
    if not mapped:
        problems.append(Problem(sheet.name, None, None, "table.no_mapping"))
    elif not figures and not [p for p in problems if p.severity == "error"]:
        problems.append(Problem(sheet.name, None, None, "table.no_values"))
    problems += _total_warnings(rows, reports, figures, mapping)
    problems.sort(key=lambda p: (p.row is None, p.row or 0))
    return Analysis(file_name, file_digest(data), tuple(s.name for s in sheets), layout, mapping,
                    tuple(reports), tuple(figures), tuple(problems), detection)
