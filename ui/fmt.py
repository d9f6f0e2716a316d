"""Numbers and dates formatted per language with babel: 233.175 / 26,5% / 10/02/2023 in
Vietnamese, 233,175 / 26.5% / 10/02/2023 in English."""
from __future__ import annotations

import datetime as dt
import math

from babel.numbers import format_decimal

LOCALES = {"vi": "vi_VN", "en": "en_GB"}


def _locale(lang: str) -> str:
    return LOCALES.get(lang, LOCALES["vi"])


def number(value: float | int | None, decimals: int = 0, lang: str = "vi") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(round(float(value), decimals), format=pattern, locale=_locale(lang))


def number_compact(value: float, lang: str = "vi") -> str:
    """Up to 6 decimals, none shown when not needed (1.000; 2,5)."""
    return format_decimal(value, format="#,##0.######", locale=_locale(lang))


def percent(value: float | None, decimals: int = 1, lang: str = "vi") -> str:
    """``value`` is already in percent (26.5 -> "26,5%")."""
    text = number(value, decimals, lang)
    return text if text == "—" else f"{text}%"


def with_unit(value: float | None, unit: str, decimals: int = 0, lang: str = "vi") -> str:
    if unit == "%":
        return percent(value, decimals, lang)
    text = number(value, decimals, lang)
    return text if text == "—" or not unit else f"{text} {unit}"


def date(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


def parse_number(text: str, lang: str = "vi") -> float:
    """Read a number typed the way the language writes it ("1.610,5" in Vietnamese)."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").rstrip("%")
    if lang == "vi":
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value
