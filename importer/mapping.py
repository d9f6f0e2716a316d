"""Suggest which catalogue indicator each column of an imported sheet holds.

A header matches an indicator by its Vietnamese or English name, its name with the unit (the
template's header), or one of the catalogue's ``import_aliases``, compared without diacritics,
case or punctuation. Failing that, RapidFuzz's weighted ratio (WRatio) proposes the closest indicator when
it scores at least ``FUZZY_THRESHOLD``. A rate column ("Tỷ lệ ... (%)") is never proposed for a
count. The editor can always correct the suggestion.
"""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process
from unidecode import unidecode

from indicators.catalogue import Indicator

FUZZY_THRESHOLD = 88


def header_key(text: str) -> str:
    text = unidecode(unicodedata.normalize("NFC", str(text))).lower()
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", text).split())


def template_header(indicator: Indicator, lang: str = "vi") -> str:
    unit = indicator.unit[lang]
    return f"{indicator.name[lang]} ({unit})" if unit else indicator.name[lang]


def _names(indicator: Indicator) -> list[str]:
    return [indicator.name["vi"], indicator.name["en"], template_header(indicator, "vi"),
            template_header(indicator, "en"), *indicator.import_aliases]


def _is_rate(key: str) -> bool:
    return "%" in key or key.startswith(("ty le", "ti le"))


def suggest_mapping(columns: list[str], indicators: list[Indicator]) -> dict[str, str | None]:
    """Column label -> indicator id (or None). Each indicator is suggested for one column at most:
    the first column that names it exactly, else the best fuzzy match."""
    exact = {header_key(name): indicator.id for indicator in indicators for name in _names(indicator)}
    choices = {key: indicator_id for key, indicator_id in exact.items()}
    mapping: dict[str, str | None] = {}
    taken: set[str] = set()
    for column in columns:
        key = header_key(column)
        # Two-row headers arrive as "Parent / Child": the child alone may be the indicator's name.
        candidates = [key] + [header_key(part) for part in reversed(str(column).split("/"))]
        found = next((exact[c] for c in candidates if c in exact and exact[c] not in taken), None)
        if found is None and key and not _is_rate(key):
            best = process.extractOne(key, list(choices), scorer=fuzz.WRatio)
            if best and best[1] >= FUZZY_THRESHOLD and choices[best[0]] not in taken:
                found = choices[best[0]]
        mapping[column] = found
        if found:
            taken.add(found)
    return mapping
