"""The importer's codes in words: refusals, table problems and match reasons in the reader's language.

The importer says what it found as a ``code`` and ``params`` (``importer.errors``); this module
looks the code up as ``importer.<code>`` in ``l10n.messages`` and fills it in, formatting each
parameter for the language: counts and figures with ``l10n.fmt`` (1.610 / 1,610), sizes in KB/MB,
row numbers and codes as they are, tolerance and kind codes by their own keys, nested reasons
in their parts. It reads the objects by their attributes only (``code``, ``params``) and imports
nothing from the importer.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from l10n import fmt
from l10n.messages import N_, t

# Every key this module builds from a code, named here so that extraction finds it
# (tests/test_l10n.py); a code without a key is shown as itself.
KNOWN_KEYS = frozenset({
    N_("importer.empty"), N_("importer.too_large"), N_("importer.not_spreadsheet"), N_("importer.corrupt"),
    N_("importer.encrypted"), N_("importer.xls_unsupported"), N_("importer.legacy_encoding"),
    N_("importer.unknown_encoding"), N_("importer.too_many_rows"), N_("importer.too_many_rows.declared"),
    N_("importer.too_many_columns"), N_("importer.too_many_columns.declared"), N_("importer.too_many_cells"),
    N_("importer.text_too_long"), N_("importer.too_many_merged"), N_("importer.too_many_sheets"),
    N_("importer.too_many_parts"), N_("importer.unpacked_too_large"), N_("importer.parse_timeout"),
    N_("importer.parse_memory"), N_("importer.parse_failed"), N_("importer.no_sheet"), N_("importer.no_table"),
    N_("importer.no_table_in_sheet"), N_("importer.no_data"), N_("importer.bad_header_rows"),
    N_("importer.bad_data_rows"), N_("importer.bad_mapping"), N_("importer.invalid"), N_("importer.kind.pdf"),
    N_("importer.kind.png"), N_("importer.kind.jpeg"), N_("importer.kind.gif"), N_("importer.kind.rar"),
    N_("importer.kind.7z"), N_("importer.kind.rtf"), N_("importer.kind.ole2"), N_("importer.kind.zip"),
    N_("importer.kind.markup"), N_("importer.kind.binary"), N_("importer.value.not_number"),
    N_("importer.value.negative"), N_("importer.value.over_100"), N_("importer.value.not_whole"),
    N_("importer.value.over_census"), N_("importer.value.formula_without_value"),
    N_("importer.bound_kind.households"), N_("importer.bound_kind.population"), N_("importer.bound_kind.census"),
    N_("importer.row.duplicate"), N_("importer.row.ambiguous"), N_("importer.row.unmatched"),
    N_("importer.total.mismatch"), N_("importer.total.formula_without_value"), N_("importer.table.no_mapping"),
    N_("importer.table.no_values"), N_("importer.match.code_unreadable"), N_("importer.match.code_unknown"),
    N_("importer.match.code_unknown_name_matches"), N_("importer.match.by_code"),
    N_("importer.match.name_points_to"), N_("importer.match.name_disagrees"),
    N_("importer.match.code_other_district"), N_("importer.match.no_name"), N_("importer.match.too_long"),
    N_("importer.match.total_row"), N_("importer.match.district_row"), N_("importer.match.no_base"),
    N_("importer.match.digits_only"), N_("importer.match.not_a_name"), N_("importer.match.fuzzy_limit"),
    N_("importer.match.same_name"), N_("importer.match.matched"), N_("importer.match.matched_rules"),
    N_("importer.match.unit_in_district"), N_("importer.match.other_district"), N_("importer.match.in_district"),
    N_("importer.match.other_type"), N_("importer.match.no_ward"), N_("importer.match.fuzzy"),
    N_("importer.match.fuzzy_ambiguous"), N_("importer.match.not_found_suggest"), N_("importer.match.not_found"),
    N_("importer.match.unknown_district"), N_("importer.match.excluded_by_editor"),
    N_("importer.match.resolved_by_editor"), N_("importer.rule.code"), N_("importer.rule.no_prefix"),
    N_("importer.rule.abbreviated_prefix"), N_("importer.rule.no_diacritics"), N_("importer.rule.ward_number"),
    N_("importer.rule.tone_placement"), N_("importer.rule.alias"), N_("importer.rule.spacing"),
    N_("importer.rule.fuzzy"), N_("importer.unit_type.xa"), N_("importer.unit_type.phuong"),
    N_("importer.unit_type.thi_tran"), N_("importer.mixed_units"), N_("importer.units_undetermined"),
    N_("importer.units_unavailable"), N_("importer.units.rows"), N_("importer.units.districts"),
    N_("importer.units.editor"), N_("importer.units.nothing"), N_("importer.unit_set.2023"), N_("importer.unit_set.2025"),
})

# Integers that are positions or identifiers, shown as typed: "dòng 1234", not "dòng 1.234".
_PLAIN_NUMBERS = {"row", "first_row", "last_row", "sheet_rows", "max_rows", "number", "score", "seconds"}
# Parameters whose value is itself a code with its own key.
_CODED = {"kind": "importer.kind", "bound_kind": "importer.bound_kind", "unit_type": "importer.unit_type",
          "units": "importer.unit_set"}


def describe(message, lang: str = "vi") -> str:
    """One message (anything with ``code`` and ``params``, or a sequence of them as a match reason)
    as a sentence in ``lang``."""
    if message is None:
        return ""
    if isinstance(message, (tuple, list)):
        return describe_reason(message, lang)
    params = dict(message.params or {})
    key = f"importer.{message.code}"
    if params.pop("declared", False) and f"{key}.declared" in KNOWN_KEYS:
        key = f"{key}.declared"
    if message.code in ("match.matched",) and params.get("rules"):
        key = "importer.match.matched_rules"
    if key not in KNOWN_KEYS:
        return message.code   # an unknown code is shown as itself, never a crash
    values = {name: _value(name, value, lang, params) for name, value in params.items()}
    return t(key, lang, **values) if values else t(key, lang)


def describe_reason(parts: Iterable, lang: str = "vi") -> str:
    """A match reason, made of parts, as one text ("Theo mã GSO: …; tên ghi không khớp mã")."""
    return "; ".join(text for part in parts if (text := describe(part, lang)))


def where(sheet: str, row: int | None, column: str | None, lang: str = "vi") -> str:
    """Where a problem is: "trang Số liệu, dòng 12, cột “Số tổ”" / "sheet Số liệu, row 12, …"."""
    parts = [t("importer.where.sheet", lang, sheet=sheet)]
    if row is not None:
        parts.append(t("importer.where.row", lang, row=row))
    if column:
        parts.append(t("importer.where.column", lang, column=column))
    return ", ".join(parts)


def size_text(size: int, lang: str = "vi") -> str:
    """A file size: "512 KB", "10 MB", "12,0 MB" (Vietnamese) / "12.0 MB" (English)."""
    if size < 1024 * 1024:
        return f"{math.ceil(size / 1024)} KB"
    megabytes = size / (1024 * 1024)
    return f"{fmt.number(megabytes, 0 if megabytes.is_integer() else 1, lang)} MB"


def _value(name: str, value: object, lang: str, params: Mapping) -> str:
    if hasattr(value, "code") and hasattr(value, "params"):
        return describe(value, lang)
    if name in _CODED and isinstance(value, str):
        key = f"{_CODED[name]}.{value}"
        return t(key, lang) if key in KNOWN_KEYS else value
    if name == "rules":
        return ", ".join(_rule(code, params, lang) for code in value)
    if isinstance(value, (tuple, list)):
        if value and all(hasattr(item, "code") for item in value):
            separator = "; " if name == "reason" else ", "
            return separator.join(describe(item, lang) for item in value)
        return ", ".join(f"“{item}”" for item in value)
    if isinstance(value, Mapping):              # a text per language, e.g. an indicator's unit
        return str(value.get(lang, value.get("vi", "")))
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if name.endswith("bytes"):
            return size_text(int(value), lang)
        if name in _PLAIN_NUMBERS:
            return str(int(value)) if float(value).is_integer() else str(value)
        return fmt.number_compact(value, lang)
    return "" if value is None else str(value)


def _rule(code: str, params: Mapping, lang: str) -> str:
    key = f"importer.rule.{code}"
    if key not in KNOWN_KEYS:
        return code
    return t(key, lang, score=params.get("score", "")) if code == "fuzzy" else t(key, lang)
