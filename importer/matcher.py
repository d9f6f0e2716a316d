"""Match the rows of imported district report sheets to the 101 GSO communes.

Order of evidence, first that applies wins:

1. **GSO code.** A code cell (32005, "32005", 32005.0, " 32005 ") identifies the commune; an empty
   cell (None, NaN, "", "-") means "no code". A code that cannot be read, or is not one of the 101,
   makes the row ``unmatched``: the name is *not* used instead, because a wrong code usually means a
   wrong row and guessing would hide it; the name's own match is offered as the suggestion. When the
   name or the sheet's district points elsewhere the code still wins, but ``conflict`` is set and the
   reason says what disagrees.
2. **Exact name**: equal after NFC, case and whitespace normalisation, type included -> ``exact``.
3. **Same spelling** after parsing the type prefix, ward number and tone placement, or via an alias
   -> ``tolerant``. A label without a type prefix matches every type with that name, so "Tân Thành"
   in Thành phố Cà Mau stays ``ambiguous`` (Phường and Xã Tân Thành), as does "Thới Bình".
4. **Diacritics left out**, none changed -> ``tolerant``. "Tân Thạnh" is not "Tân Thành" with marks
   left out; only the fuzzy step may judge it.
5. A name that exists with another type only ("Phường Khánh Bình") is ``unmatched`` with the real
   unit as suggestion; it is not fuzzy-matched to a neighbour.
6. **Fuzzy**, last: RapidFuzz ``ratio`` against the units of the row's district and type (see
   ``_similarity``). Accepted at ``FUZZY_MIN_SCORE`` or more and only with ``FUZZY_MIN_MARGIN``
   points over the runner-up; otherwise ``ambiguous`` (or ``unmatched`` with suggestions below the
   threshold). Ward numbers are never fuzzy-matched.

At every step the sheet's district narrows the candidates. A name found only in another district is
``unmatched`` (with that unit as suggestion), never silently moved across districts. District and
total rows ("Huyện Đầm Dơi", "Tổng cộng") and non-names (blank, digits only, over
``MAX_LABEL_LENGTH`` characters) are ``unmatched`` with their reason. ``match`` never raises.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import pandas as pd
from rapidfuzz import fuzz

from geo.codes import InvalidCodeError, normalise_gso_code
from importer.errors import Message
from importer.names import (
    PHUONG,
    PREFIX_ABBREVIATED,
    PREFIX_NO_DIACRITICS,
    THI_TRAN,
    XA,
    ParsedName,
    clean_label,
    diacritics_compatible,
    fold,
    has_diacritics,
    is_total_label,
    parse_district_label,
    parse_unit_name,
    tone_key,
)

EXACT, TOLERANT, AMBIGUOUS, UNMATCHED = "exact", "tolerant", "ambiguous", "unmatched"

# One wrong or missing letter scores 90-96 in names of 9-14 letters. Real units one letter apart
# score 89-94 against each other (Khánh Hòa/Hội/Hải, Tân Ân/Tân Dân, Trần Hợi/Trần Thới), so a typo
# between two of them lands inside the margin and stays ambiguous. Known limit: a name that is not in
# the list at all but is one letter from a listed one (e.g. "An Xuyên" without Xã An Xuyên) would
# be accepted; the rule shows the score so the steward can see it.
FUZZY_MIN_SCORE = 90.0
FUZZY_MIN_MARGIN = 5.0
SUGGESTION_MIN_SCORE = 70.0
MAX_SUGGESTIONS = 3
MAX_LABEL_LENGTH = 200  # the longest real name has 25 characters; longer text is not a name

# Old names of units that still appear in district sheets: full name -> GSO code.
DEFAULT_ALIASES = {
    "Xã Việt Khái": "32230",  # renamed Xã Nguyễn Việt Khái (Phú Tân); same unit, see SOURCES.md §2
}

# Tolerance codes (l10n.importing names them: "bỏ dấu" / "diacritics left out" ...).
RULE_CODE = "code"
RULE_NO_PREFIX = "no_prefix"
RULE_ABBREVIATED_PREFIX = "abbreviated_prefix"
RULE_NO_DIACRITICS = "no_diacritics"
RULE_WARD_NUMBER = "ward_number"
RULE_TONE_PLACEMENT = "tone_placement"
RULE_ALIAS = "alias"
RULE_SPACING = "spacing"  # only punctuation or spacing differs ("Xã.Tân Thành", "Phường1")
RULE_FUZZY = "fuzzy"      # with the score in Match.score

UNIT_TYPE_CODES = {XA: "xa", PHUONG: "phuong", THI_TRAN: "thi_tran"}
# A label goes to the fuzzy step only if it could be a name: at least this many letters, and
# more letters than digits ("a", "1,2", "x1x2x3" are refused at once, without scoring 101 units).
MIN_NAME_LETTERS = 3

REQUIRED_COLUMNS = ("gso_code", "name", "type")
# The 2025 units have no districts: without these columns every unit is in no district.
DISTRICT_COLUMNS = ("district_code", "district")


@dataclass(frozen=True)
class Match:
    status: str                   # EXACT | TOLERANT | AMBIGUOUS | UNMATCHED
    gso_code: str | None          # set for EXACT and TOLERANT only
    rule: str                     # the tolerance codes used (RULE_*), comma-separated
    score: float | None           # fuzzy score (0-100) when the fuzzy step decided
    candidates: tuple[str, ...]   # AMBIGUOUS: the candidate codes; UNMATCHED: suggestions
    reason: tuple[Message, ...]   # why, for the data steward: codes and parameters, in parts
    conflict: bool = False        # matched by code, but the name or district points elsewhere
    fuzzy: bool = False           # the fuzzy step ran (it is the costly one)

    @property
    def matched(self) -> bool:
        return self.status in (EXACT, TOLERANT)


@dataclass(frozen=True)
class _Unit:
    name: str
    district_code: str
    district: str


@dataclass(frozen=True)
class _Entry:
    """One spelling under which a unit can be found: its official name or an alias."""
    gso_code: str
    unit_type: str | None
    base: str      # cleaned base name as spelled in the list
    key: str       # tone-normalised base
    folded: str    # without diacritics
    district_code: str
    is_alias: bool


@dataclass(frozen=True)
class _Hit:
    entry: _Entry
    rules: tuple[str, ...]


class CommuneMatcher:
    """Index of the units (and aliases), built once; ``match`` is then cheap and never raises."""

    def __init__(self, units: pd.DataFrame, aliases: dict[str, str] | None = None):
        missing = [column for column in REQUIRED_COLUMNS if column not in units.columns]
        districts = [column for column in DISTRICT_COLUMNS if column in units.columns]
        if districts and len(districts) < len(DISTRICT_COLUMNS):
            missing += [column for column in DISTRICT_COLUMNS if column not in districts]
        if missing:
            raise ValueError(f"units thiếu cột {', '.join(missing)}")
        if not districts:
            units = units.assign(district_code="", district="")
        self._units = {str(row.gso_code): _Unit(row.name, str(row.district_code), row.district)
                       for row in units.itertuples(index=False)}
        self._by_full_name: dict[str, list[_Entry]] = {}
        self._entries: list[_Entry] = []
        for row in units.itertuples(index=False):
            self._add(str(row.gso_code), row.name, is_alias=False)
        for alias, code in (DEFAULT_ALIASES if aliases is None else aliases).items():
            if code not in self._units:
                raise ValueError(f"bí danh {alias!r} trỏ tới mã {code!r} không có trong danh mục")
            self._add(code, alias, is_alias=True)
        self._districts = {code: name for code, name in zip(units["district_code"].astype(str), units["district"])
                           if code}
        self._district_keys = {tone_key(label.base): code for code, name in self._districts.items()
                               if (label := parse_district_label(clean_label(name)))}

    # ---- public API ---------------------------------------------------------------------------

    def match(self, name: object = None, code: object = None, district: object = None,
              fuzzy: bool = True) -> Match:
        """Match one row: its name cell, its code cell (if the sheet has one) and its district
        (the group row above, a district column value, or a district code). ``fuzzy=False``
        skips the fuzzy step (a table that has used up ``limits.MAX_FUZZY_ROWS``)."""
        district_code = self.match_district(district)
        if clean_label(code):
            result = self._match_code(code, name, district_code, fuzzy)
        else:
            result = self._match_name(name, district_code, fuzzy)
        if district_code is None and clean_label(district):
            result = replace(result, reason=(*result.reason, Message("match.unknown_district")))
        return result

    def match_district(self, text: object) -> str | None:
        """District code for "Huyện Đầm Dơi", "H. Đầm Dơi", "TP. Cà Mau", "I. THÀNH PHỐ CÀ MAU",
        "dam doi", "970" or 970; None for a commune, a total row or anything unknown."""
        label = clean_label(text)
        if not label or len(label) > MAX_LABEL_LENGTH:
            return None
        as_code = label.removesuffix(".0")
        if as_code in self._districts:
            return as_code
        parsed = parse_district_label(label)
        return self._district_code_for(parsed.base) if parsed else None

    def is_district_label(self, text: object) -> bool:
        """True for a district group row: a district name with "Huyện"/"Thành phố"/"H."/"TP." or a
        roman group number. A bare "Đầm Dơi" is not: it may be the commune-level Thị trấn Đầm Dơi."""
        label = clean_label(text)
        parsed = parse_district_label(label) if len(label) <= MAX_LABEL_LENGTH else None
        return parsed is not None and parsed.explicit and self._district_code_for(parsed.base) is not None

    def unit_label(self, gso_code: str) -> str:
        """"Xã Tân Thành (32026)": how reasons name a unit."""
        return f"{self._units[gso_code].name} ({gso_code})"

    # ---- index --------------------------------------------------------------------------------

    def _add(self, gso_code: str, name: str, is_alias: bool) -> None:
        label = clean_label(name)
        parsed = parse_unit_name(label)
        entry = _Entry(gso_code, parsed.unit_type, parsed.base, parsed.key, parsed.folded,
                       self._units[gso_code].district_code, is_alias)
        self._entries.append(entry)
        if not is_alias:  # an alias is never an exact match: the steward should see the old name
            self._by_full_name.setdefault(label, []).append(entry)

    def _district_code_for(self, base: str) -> str | None:
        key = tone_key(base)
        if key in self._district_keys:
            return self._district_keys[key]
        same_letters = [code for known, code in self._district_keys.items() if fold(known) == fold(key)]
        if same_letters:
            return same_letters[0]  # the 9 district names differ in their letters, not only in marks
        choices = [(code, code, known) for known, code in self._district_keys.items()]
        return _clear_winner(_ranked(key, choices))

    # ---- code ---------------------------------------------------------------------------------

    def _match_code(self, code: object, name: object, district_code: str | None, fuzzy: bool) -> Match:
        try:
            gso_code = normalise_gso_code(code)
        except InvalidCodeError:
            return _unmatched(Message("match.code_unreadable"))
        if gso_code not in self._units:
            by_name = self._match_name(name, district_code, fuzzy)
            if by_name.matched:
                return _unmatched(Message("match.code_unknown_name_matches",
                                          {"code": gso_code, "unit": self.unit_label(by_name.gso_code)}),
                                  (by_name.gso_code,), fuzzy=by_name.fuzzy)
            return _unmatched(Message("match.code_unknown", {"code": gso_code}), fuzzy=by_name.fuzzy)
        problems = self._code_disagreements(gso_code, name, district_code, fuzzy)
        reason = Message("match.by_code", {"unit": self.unit_label(gso_code)})
        return Match(EXACT, gso_code, RULE_CODE, None, (), (reason, *problems), bool(problems))

    def _code_disagreements(self, gso_code: str, name: object, district_code: str | None,
                            fuzzy: bool) -> list[Message]:
        problems = []
        if clean_label(name):
            by_name = self._match_name(name, None, fuzzy)
            if gso_code not in (by_name.gso_code, *by_name.candidates):
                problems.append(Message("match.name_points_to", {"unit": self.unit_label(by_name.gso_code)})
                                if by_name.matched else Message("match.name_disagrees"))
        unit = self._units[gso_code]
        if district_code is not None and unit.district_code != district_code:
            problems.append(Message("match.code_other_district",
                                    {"district": unit.district, "row_district": self._districts[district_code]}))
        return problems

    # ---- name ---------------------------------------------------------------------------------

    def _match_name(self, name: object, district_code: str | None, fuzzy: bool = True) -> Match:
        label = clean_label(name)
        refusal = self._refusal(label)
        if refusal:
            return _unmatched(Message(refusal))
        parsed = parse_unit_name(label)
        if not parsed.base:
            return _unmatched(Message("match.no_base"))
        if parsed.base.isdigit() and parsed.unit_type != PHUONG:
            return _unmatched(Message("match.digits_only"))
        exact = [_Hit(entry, ()) for entry in self._by_full_name.get(label, [])]
        if exact:
            return self._resolve(parsed, exact, EXACT, district_code)
        for hits in (self._same_spelling(parsed), self._without_diacritics(parsed)):
            if hits:
                return self._resolve(parsed, hits, TOLERANT, district_code)
        other_type = (self._same_spelling(parsed, any_type=True)
                      or self._without_diacritics(parsed, any_type=True))
        if other_type:
            return self._other_type(parsed, other_type)
        if not parsed.base.isdigit() and not _could_be_name(parsed.base):
            return _unmatched(Message("match.not_a_name"))
        if not fuzzy:
            return _unmatched(Message("match.fuzzy_limit"))
        return replace(self._fuzzy(parsed, district_code), fuzzy=True)

    def _refusal(self, label: str) -> str | None:
        """Why a label cannot be a commune name at all (a reason code), or None."""
        if not label:
            return "match.no_name"
        if len(label) > MAX_LABEL_LENGTH:
            return "match.too_long"
        if is_total_label(label):
            return "match.total_row"
        if self.is_district_label(label):
            return "match.district_row"
        return None

    def _same_spelling(self, parsed: ParsedName, any_type: bool = False) -> list[_Hit]:
        return [_Hit(entry, _spelling_rules(parsed, entry, diacritics_missing=False))
                for entry in self._entries
                if entry.key == parsed.key and (any_type or _type_fits(parsed, entry))]

    def _without_diacritics(self, parsed: ParsedName, any_type: bool = False) -> list[_Hit]:
        return [_Hit(entry, _spelling_rules(parsed, entry, diacritics_missing=True))
                for entry in self._entries
                if entry.folded == parsed.folded and diacritics_compatible(parsed.key, entry.key)
                and (any_type or _type_fits(parsed, entry))]

    def _resolve(self, parsed: ParsedName, hits: list[_Hit], status: str, district_code: str | None) -> Match:
        in_district = [hit for hit in hits if district_code in (None, hit.entry.district_code)]
        if not in_district:
            return self._other_district(parsed, hits, district_code)
        best = _best_hit_per_code(in_district)
        if len(best) > 1:
            codes = tuple(sorted(best))
            return Match(AMBIGUOUS, None, "", None, codes, (Message("match.same_name", {"units": self._labels(codes)}),))
        (gso_code, hit), = best.items()
        rule = ", ".join(hit.rules)
        reason = Message("match.matched", {"unit": self.unit_label(gso_code), "rules": hit.rules})
        return Match(status, gso_code, rule, None, (), (reason,))

    def _other_district(self, parsed: ParsedName, hits: list[_Hit], district_code: str) -> Match:
        codes = tuple(sorted({hit.entry.gso_code for hit in hits}))
        elsewhere = tuple(Message("match.unit_in_district", {"unit": self.unit_label(code),
                                                              "district": self._units[code].district})
                          for code in codes)
        # The row may also be a misspelt unit of its own district ("Tân Hưng" for Tân Hưng Tây).
        nearby = tuple(code for code in self._suggestions(parsed, district_code) if code not in codes)
        reason = [Message("match.other_district", {"found": elsewhere, "district": self._districts[district_code]})]
        if nearby:
            reason.append(Message("match.in_district", {"units": self._labels(nearby)}))
        return Match(UNMATCHED, None, "", None, codes + nearby, tuple(reason))

    def _other_type(self, parsed: ParsedName, hits: list[_Hit]) -> Match:
        codes = tuple(sorted({hit.entry.gso_code for hit in hits}))
        return _unmatched(Message("match.other_type", {"unit_type": UNIT_TYPE_CODES[parsed.unit_type],
                                                       "units": self._labels(codes)}), codes)

    def _fuzzy(self, parsed: ParsedName, district_code: str | None) -> Match:
        if parsed.base.isdigit():
            return _unmatched(Message("match.no_ward", {"number": parsed.base}))
        ranked = self._ranked_entries(parsed, district_code, same_type=True)
        winner = _clear_winner(ranked)
        if winner:
            score = ranked[0][1]
            rules = (*_prefix_rules(parsed), *((RULE_ALIAS,) if winner.is_alias else ()), RULE_FUZZY)
            reason = Message("match.fuzzy", {"unit": self.unit_label(winner.gso_code), "rules": rules,
                                             "score": round(score)})
            return Match(TOLERANT, winner.gso_code, ", ".join(rules), score, (), (reason,))
        if ranked and ranked[0][1] >= FUZZY_MIN_SCORE:
            best_score = ranked[0][1]
            close = tuple(entry.gso_code for entry, score in ranked if score >= best_score - FUZZY_MIN_MARGIN)
            return Match(AMBIGUOUS, None, "", best_score, close,
                         (Message("match.fuzzy_ambiguous", {"units": self._labels(close)}),))
        suggestions = self._suggestions(parsed)
        if suggestions:
            return _unmatched(Message("match.not_found_suggest", {"units": self._labels(suggestions)}), suggestions)
        return _unmatched(Message("match.not_found"))

    def _suggestions(self, parsed: ParsedName, district_code: str | None = None) -> tuple[str, ...]:
        """Closest units of any type (in the district, if given), for the steward to choose from."""
        ranked = self._ranked_entries(parsed, district_code, same_type=False)
        return tuple(entry.gso_code for entry, score in ranked[:MAX_SUGGESTIONS]
                     if score >= SUGGESTION_MIN_SCORE)

    def _ranked_entries(self, parsed: ParsedName, district_code: str | None,
                        same_type: bool) -> list[tuple[_Entry, float]]:
        """Named entries of the district (all if None) by similarity; ward numbers are left out,
        because "Phường 3" is not a typo of "Phường 8"."""
        scope = [entry for entry in self._entries
                 if not entry.base.isdigit() and district_code in (None, entry.district_code)
                 and (not same_type or _type_fits(parsed, entry))]
        return _ranked(parsed.key, [(entry.gso_code, entry, entry.key) for entry in scope])

    def _labels(self, codes: Iterable[str]) -> str:
        return ", ".join(self.unit_label(code) for code in codes)


def _type_fits(parsed: ParsedName, entry: _Entry) -> bool:
    return parsed.unit_type is None or entry.unit_type in (None, parsed.unit_type)


def _prefix_rules(parsed: ParsedName) -> tuple[str, ...]:
    if parsed.unit_type is None:
        return (RULE_NO_PREFIX,)
    return {PREFIX_ABBREVIATED: (RULE_ABBREVIATED_PREFIX,),
            PREFIX_NO_DIACRITICS: (RULE_NO_DIACRITICS,)}.get(parsed.prefix_form, ())


def _spelling_rules(parsed: ParsedName, entry: _Entry, diacritics_missing: bool) -> tuple[str, ...]:
    rules = list(_prefix_rules(parsed))
    if diacritics_missing and RULE_NO_DIACRITICS not in rules:
        rules.append(RULE_NO_DIACRITICS)
    if parsed.ward_number_reformatted:
        rules.append(RULE_WARD_NUMBER)
    if not diacritics_missing and parsed.base != entry.base:
        rules.append(RULE_TONE_PLACEMENT)  # keys are equal, so only the tone placement differs
    if entry.is_alias:
        rules.append(RULE_ALIAS)
    return tuple(rules) or (RULE_SPACING,)


def _best_hit_per_code(hits: list[_Hit]) -> dict[str, _Hit]:
    """One hit per unit: the one needing the fewest tolerances (the official name over an alias)."""
    best: dict[str, _Hit] = {}
    for hit in hits:
        current = best.get(hit.entry.gso_code)
        if current is None or len(hit.rules) < len(current.rules):
            best[hit.entry.gso_code] = hit
    return best


def _similarity(query_key: str, choice_key: str) -> float:
    """``fuzz.ratio`` of the letters; when the query was typed with diacritics, averaged with the
    ratio of the marked text, so a changed mark ("Hới" for "Hợi") costs half a changed letter."""
    letters = fuzz.ratio(fold(query_key), fold(choice_key))
    if not has_diacritics(query_key):
        return letters  # typed without marks: the missing marks are no evidence either way
    return (letters + fuzz.ratio(query_key, choice_key)) / 2


def _ranked(query_key: str, choices: Iterable[tuple[str, object, str]]) -> list[tuple[object, float]]:
    """(item, score), best first, for choices given as (group, item, key): one item per group
    (a unit's best spelling, official name or alias), ties in group order."""
    best: dict[str, tuple[object, float]] = {}
    for group, item, key in choices:
        score = _similarity(query_key, key)
        if group not in best or score > best[group][1]:
            best[group] = (item, score)
    return [best[group] for group in sorted(best, key=lambda group: (-best[group][1], str(group)))]


def _clear_winner(ranked: list[tuple[object, float]]):
    """The top choice if it scores at least FUZZY_MIN_SCORE and leads by FUZZY_MIN_MARGIN."""
    if not ranked or ranked[0][1] < FUZZY_MIN_SCORE:
        return None
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0] if ranked[0][1] - runner_up >= FUZZY_MIN_MARGIN else None


def _unmatched(reason: Message, suggestions: tuple[str, ...] = (), fuzzy: bool = False) -> Match:
    return Match(UNMATCHED, None, "", None, suggestions, (reason,), fuzzy=fuzzy)


def _could_be_name(base: str) -> bool:
    """Whether a label without a known spelling is worth the fuzzy step: enough letters, and
    more letters than digits. Junk such as "a", "1 a 2" or "x1x2" is not."""
    letters = sum(1 for char in base if char.isalpha())
    digits = sum(1 for char in base if char.isdigit())
    return letters >= MIN_NAME_LETTERS and letters > digits
