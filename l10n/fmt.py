"""Numbers and dates formatted per language with babel: 233.175 / 26,5% / 10/02/2023 in
Vietnamese, 233,175 / 26.5% / 10/02/2023 in English."""
from __future__ import annotations

import datetime as dt
import math
import re
from functools import cache

from babel import Locale
from babel.numbers import NumberPattern, parse_pattern

from importer.numbers import parse_vn_number

LOCALES = {"vi": "vi_VN", "en": "en_GB"}

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
# 1610, 1,610, 1,610.5, 26.5, .5, 1e3 (with an optional sign): commas only as thousands groups.
_ENGLISH_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?")


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(LOCALES.get(lang, LOCALES["vi"]))


@cache
def _pattern(pattern: str) -> NumberPattern:
    # Parsed once: babel's format_decimal would parse the pattern again on every call.
    return parse_pattern(pattern)


def number(value: float | int | None, decimals: int = 0, lang: str = "vi") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return _pattern(pattern).apply(round(float(value), decimals), _locale(lang))


def number_compact(value: float, lang: str = "vi") -> str:
    """Up to 6 decimals, none shown when not needed (1.000; 2,5)."""
    return _pattern("#,##0.######").apply(value, _locale(lang))


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


def partial_date(value: dt.date, precision: str) -> str:
    """A date known to the ``"day"`` (10/02/2023), ``"month"`` (07/2023) or ``"year"`` (2023):
    never more precise than its source."""
    return value.strftime({"day": "%d/%m/%Y", "month": "%m/%Y", "year": "%Y"}[precision])


# The app's one date form, for Vega's time formats too.
_D3_DATE, _D3_TIME = "%d/%m/%Y", "%H:%M:%S"


def vega_locale(lang: str) -> dict:
    """Vega's ``config.locale`` for ``lang`` (d3-format and d3-time-format locale objects), from
    the same CLDR data as the numbers above: "210.000" and "26,5" in Vietnamese, "210,000" and
    "26.5" in English; month and day names of the language. Streamlit's bundled Vega honours it
    (the runtime's View applies the spec's ``config.locale``)."""
    locale = _locale(lang)
    symbols = locale.number_symbols["latn"]
    currency = locale.currency_formats["standard"]
    dong = locale.currency_symbols.get("VND", "₫")
    days, short_days = locale.days["format"]["wide"], locale.days["format"]["abbreviated"]
    months, short_months = locale.months["format"]["wide"], locale.months["format"]["abbreviated"]
    sunday_first = (6, 0, 1, 2, 3, 4, 5)      # d3 starts the week on Sunday, CLDR numbers from Monday
    periods = locale.day_periods["format"]["abbreviated"]
    return {
        "number": {"decimal": symbols["decimal"], "thousands": symbols["group"], "grouping": [3],
                   "currency": [currency.prefix[0].replace("¤", dong), currency.suffix[0].replace("¤", dong)]},
        "time": {"dateTime": f"{_D3_DATE} {_D3_TIME}", "date": _D3_DATE, "time": _D3_TIME,
                 "periods": [periods["am"], periods["pm"]],
                 "days": [days[day] for day in sunday_first], "shortDays": [short_days[day] for day in sunday_first],
                 "months": [months[month] for month in range(1, 13)],
                 "shortMonths": [short_months[month] for month in range(1, 13)]},
    }


# Vietnam keeps UTC+7 all year (no daylight saving), so a fixed offset is exact.
VIETNAM_TIME = dt.timezone(dt.timedelta(hours=7))


def in_vietnam(value: dt.datetime) -> dt.datetime:
    """A stored moment (UTC; SQLite returns it without a zone) in Vietnam time."""
    return (value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)).astimezone(VIETNAM_TIME)


def moment(value: dt.datetime, seconds: bool = False) -> str:
    """A stored moment in Vietnam time, "05/12/2026 14:45"."""
    return in_vietnam(value).strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def parse_number(text: str, lang: str = "vi") -> float:
    """Read a number a person typed, the one way each language reads numbers everywhere in the app.

    Vietnamese follows the importer's rules (``importer.numbers``): ``1.610`` = 1610, ``26,5`` =
    26.5, and ``26.5`` = 26.5 because a dot before other than three digits cannot be a thousands
    group. English: ``1,610.5`` = 1610.5; a comma before other than three digits (``26,5``) is
    refused rather than guessed. Raises ``ValueError`` for anything else."""
    body = _SPACES.sub("", text).removesuffix("%")
    if lang == "vi":
        return parse_vn_number(body)
    if not _ENGLISH_NUMBER.fullmatch(body):
        raise ValueError(text)
    value = float(body.replace(",", ""))
    if not math.isfinite(value):
        raise ValueError(text)
    return value
