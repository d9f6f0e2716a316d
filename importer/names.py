"""Normalising Vietnamese commune and district labels so that differently typed names compare equal.

A label goes through separate steps, so that the matcher can say which tolerance a match needed:

* ``clean_label``: Unicode NFC, lower case, one space between words, no bullets or invisible characters;
* ``parse_unit_name``: the type prefix (Xã / X. / xa, Phường / P. / P / F, Thị trấn / TT. / T.T) and the
  base name; a ward number loses its zero padding ("Phường 01" -> ``Phường``, ``"1"``);
* ``tone_key``: both tone-mark placements made equal ("hoà" and "hòa", "thuỷ" and "thủy");
* ``fold``: all diacritics removed ("tân thành" -> "tan thanh").

Everything here is pure string handling; the list of units lives in ``importer.matcher``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

import pandas as pd
from unidecode import unidecode

XA, PHUONG, THI_TRAN = "Xã", "Phường", "Thị trấn"

PREFIX_FULL = "full"                    # "xã", "phường", "thị trấn"
PREFIX_NO_DIACRITICS = "no_diacritics"  # "xa", "phuong", "thi tran"
PREFIX_ABBREVIATED = "abbreviated"      # "x.", "p", "f", "tt", "t.t."

# A prefix must be followed by a dot, a space, a digit or the end, so that "Phú Hưng", "Tân ..." or
# "Thới Bình" are never read as "P.", "T.T" or "TP". Patterns run on the diacritic-free label.
_PREFIX_END = r"(?:\s*\.\s*|\s+|(?=\d)|$)"
_UNIT_PREFIXES = (
    (THI_TRAN, "thị trấn", re.compile(rf"^(thi\s*tran|t\.\s*tran|t\.\s*t|tt){_PREFIX_END}")),
    (PHUONG, "phường", re.compile(rf"^(phuong|p|f){_PREFIX_END}")),
    (XA, "xã", re.compile(rf"^(xa|x){_PREFIX_END}")),
)
_DISTRICT_PREFIX = re.compile(rf"^(huyen|h|thanh\s*pho|t\.?\s*p){_PREFIX_END}")

# "1. Xã Tân Thành" when the row number was typed into the name cell.
_ARABIC_ENUMERATOR = re.compile(r"^\d{1,3}\s*[.)/:-]\s*(?=\D)")
# "I. THÀNH PHỐ CÀ MAU": Cà Mau has 9 districts, so I..IX; a bare "X." is the abbreviation of "Xã".
_ROMAN_ENUMERATOR = re.compile(r"^(?:i{1,3}|iv|vi{0,3}|ix)\s*[.)/:-]\s*")
_TRAILING_PARENTHESIS = re.compile(r"\s*\([^()]*\)$")  # "Huyện Đầm Dơi (16 xã, thị trấn)"
_WARD_NUMBER = re.compile(r"(?:số\s*|so\s*)?(\d{1,3})")
_TOTAL_LABEL = re.compile(r"^(tong|cong|toan tinh|toan huyen|ca tinh|tinh ca mau)\b")

_LEADING_BULLETS = "-–—•*+·> "
_TRAILING_PUNCTUATION = ".:;,* "

# The two spelling conventions put the tone of "oa", "oe", "uy" on different vowels ("hoà"/"hòa",
# "thuỷ"/"thủy"); the GSO list itself mixes them. The key puts it on the first vowel. In NFD the tone
# is a combining mark right after its vowel, so moving it is a swap.
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_SECOND_VOWEL_TONE = re.compile(rf"([ou])([aey])([{_TONE_MARKS}])")


@dataclass(frozen=True)
class ParsedName:
    """A cleaned commune label split into its type prefix and base name."""
    unit_type: str | None        # "Xã" | "Phường" | "Thị trấn"; None when the label has no prefix
    prefix_form: str | None      # PREFIX_FULL | PREFIX_NO_DIACRITICS | PREFIX_ABBREVIATED | None
    base: str                    # cleaned name after the prefix; a ward number without zero padding
    ward_number_reformatted: bool  # "Phường 01", "P. số 1"

    # Computed once per label: the matcher compares them with every unit of the list.
    @cached_property
    def key(self) -> str:
        return tone_key(self.base)

    @cached_property
    def folded(self) -> str:
        return fold(self.key)


@dataclass(frozen=True)
class DistrictLabel:
    base: str       # cleaned district name without "Huyện" / "Thành phố" and without numbering
    explicit: bool  # it carried a district prefix or a roman group number, so it is a group row


def clean_label(value: object) -> str:
    """NFC, lower case, single spaces, no bullets, trailing punctuation or invisible characters.

    Missing values (None, NaN, pd.NA) give ""; anything else is converted with ``str``.
    """
    if _is_missing(value):
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = "".join(_visible(char) for char in text).casefold()
    text = " ".join(text.split()).lstrip(_LEADING_BULLETS).rstrip(_TRAILING_PUNCTUATION)
    return unicodedata.normalize("NFC", text)


def tone_key(text: str) -> str:
    """The label with the tone of "oa", "oe", "uy" on the first vowel, for comparison only."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _SECOND_VOWEL_TONE.sub(r"\1\3\2", decomposed))


def fold(text: str) -> str:
    """The label without any diacritics ("đầm dơi" -> "dam doi")."""
    return unidecode(text)


def has_diacritics(text: str) -> bool:
    return fold(text) != text


def diacritics_compatible(typed: str, official: str) -> bool:
    """True when ``typed`` is ``official`` with some diacritics left out, and none changed or added.

    "tan thành" and "tân thanh" are compatible with "tân thành"; "tân thạnh" is not: a different
    mark is a different name (or a typo, which only the fuzzy step may judge).
    """
    typed_letters, official_letters = _letters(typed), _letters(official)
    return len(typed_letters) == len(official_letters) and all(
        typed_base == official_base and typed_marks <= official_marks
        for (typed_base, typed_marks), (official_base, official_marks)
        in zip(typed_letters, official_letters))


def parse_unit_name(label: str) -> ParsedName:
    """Split a cleaned label into type prefix and base name ("p.01" -> Phường, "1")."""
    text = _ARABIC_ENUMERATOR.sub("", label)
    unit_type, prefix_form, rest = _split_unit_prefix(text)
    if unit_type == PHUONG and (number := _WARD_NUMBER.fullmatch(rest)):
        canonical = str(int(number.group(1)))
        return ParsedName(unit_type, prefix_form, canonical, rest != canonical)
    return ParsedName(unit_type, prefix_form, rest, False)


def parse_district_label(label: str) -> DistrictLabel | None:
    """The district part of a cleaned label, or None when it is a commune or a total row.

    "i. thành phố cà mau" -> ("cà mau", explicit); "h.đầm dơi" -> ("đầm dơi", explicit);
    "đầm dơi" -> ("đầm dơi", not explicit: could equally be a district column value or a commune).
    """
    text = _TRAILING_PARENTHESIS.sub("", label)
    numbered = _ROMAN_ENUMERATOR.match(text)
    text = _ARABIC_ENUMERATOR.sub("", text[numbered.end():] if numbered else text)
    if not text or is_total_label(text) or _split_unit_prefix(text)[0] is not None:
        return None
    prefix = _DISTRICT_PREFIX.match(_fold_per_char(text))
    if prefix:
        return DistrictLabel(text[prefix.end():].strip(), True) if prefix.end() < len(text) else None
    return DistrictLabel(text, numbered is not None)


def is_total_label(text: object) -> bool:
    """A total or subtotal row: "Tổng cộng", "Cộng", "Toàn tỉnh", "Tổng huyện Đầm Dơi", "Tỉnh Cà Mau"."""
    label = _ROMAN_ENUMERATOR.sub("", clean_label(text))
    return bool(_TOTAL_LABEL.match(fold(label)))


def _split_unit_prefix(text: str) -> tuple[str | None, str | None, str]:
    folded = _fold_per_char(text)
    for unit_type, full_form, pattern in _UNIT_PREFIXES:
        found = pattern.match(folded)
        if found:
            written = text[:found.end(1)].replace(" ", "")
            return unit_type, _prefix_form(written, full_form.replace(" ", "")), text[found.end():].strip()
    return None, None, text


def _prefix_form(written: str, full_form: str) -> str:
    if written == full_form:
        return PREFIX_FULL
    return PREFIX_NO_DIACRITICS if fold(written) == fold(full_form) else PREFIX_ABBREVIATED


def _fold_per_char(text: str) -> str:
    """``fold`` that keeps one character per input character, so match positions map back."""
    return "".join((unidecode(char) or "?")[0] for char in text)


def _letters(text: str) -> list[tuple[str, frozenset[str]]]:
    """Each letter with its set of diacritic marks ("ấ" -> ("a", {circumflex, acute}))."""
    letters: list[tuple[str, frozenset[str]]] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and letters:
            base, marks = letters[-1]
            letters[-1] = (base, marks | {char})
        elif char == "đ":  # the stroke of đ is not a combining mark in Unicode; treat it as one
            letters.append(("d", frozenset({char})))
        else:
            letters.append((char, frozenset()))
    return letters


def _visible(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cf":  # zero-width spaces and joiners, soft hyphens, BOMs
        return ""
    return " " if category in ("Zs", "Zl", "Zp", "Cc") else char


def _is_missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and arrays are not missing scalars
        return False
