"""Numbers as Vietnamese officials type them: ``1.610`` is 1610, ``26,5`` is 26.5.

Rules, applied to text after trimming spaces and a trailing ``%``:

- ``.`` groups thousands and ``,`` marks decimals: ``1.610`` = 1610, ``1.610,5`` = 1610.5,
  ``1.234.567`` = 1234567, ``26,5`` = 26.5, ``26,5%`` = 26.5 (a percentage keeps its figure).
- Spaces may group thousands too: ``1 610`` = 1610, ``1 610,5`` = 1610.5.
- **Ambiguity rule.** One separator followed by exactly three digits is read the Vietnamese way:
  ``1.610`` is one thousand six hundred ten and ``1,610`` is one point six one (1.61). The rule
  does not depend on the column or the other cells, so the same text always gives the same number.
- Forms that only make sense the English way are accepted as such, because they cannot be
  misread: a dot followed by other than three digits (``26.5`` = 26.5, ``0.610`` = 0.61, since a
  thousands group never follows a lone 0), several comma groups (``1,234,567``), and a comma group
  before a dot (``1,610.5``).
- Scientific notation is a number (``1e9``): whether it is plausible is for the validator to say.
- A leading ``-`` or ``−`` makes the number negative; ``+`` is allowed.

Excel cells that already hold numbers (``int``/``float``) are returned as floats unchanged.
Anything else raises ``ValueError`` with a Vietnamese message quoting the value.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time

# Plain, no-break, narrow no-break and thin spaces all appear in copied figures.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_MINUS_SIGNS = ("-", "\u2212", "\u2013")  # hyphen, minus sign, en dash

_PLAIN = re.compile(r"\d+")
_DOT_GROUPS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")       # 1.610 / 1.610,5
_SPACE_GROUPS = re.compile(r"[1-9]\d{0,2}(?: \d{3})+(?:,\d+)?")      # 1 610 / 1 610,5
_COMMA_DECIMAL = re.compile(r"\d+,\d+")                              # 26,5 / 1,610
_DOT_DECIMAL = re.compile(r"\d+\.\d+")                               # 26.5 / 0.610
_COMMA_GROUPS = re.compile(r"[1-9]\d{0,2}(?:,\d{3}){2,}|[1-9]\d{0,2}(?:,\d{3})+\.\d+")
_SCIENTIFIC = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")


def parse_vn_number(value: object) -> float:
    """Return ``value`` as a float, reading text by the rules in this module's docstring."""
    if isinstance(value, bool):
        raise ValueError(f"“{value}” là giá trị đúng/sai, không phải số")
    if isinstance(value, (int, float)):
        return _finite(float(value), value)
    if isinstance(value, (datetime, date, time)):
        raise ValueError(f"“{value}” là ngày giờ, không phải số")
    if value is None:
        raise ValueError("ô trống, không có số")
    if not isinstance(value, str):
        raise ValueError(f"“{value}” không phải là số")
    return _parse_text(value)


def _parse_text(text: str) -> float:
    shown = text.strip()
    body = _SPACES.sub(" ", text).strip().removesuffix("%").rstrip()
    sign = -1.0 if body[:1] in _MINUS_SIGNS else 1.0
    if body[:1] in (*_MINUS_SIGNS, "+"):
        body = body[1:].lstrip()
    number = _read_unsigned(body) if body else None
    if number is None:
        raise ValueError(f"“{shown}” không phải là số" if shown else "ô trống, không có số")
    return _finite(sign * number, shown)


def _read_unsigned(body: str) -> float | None:
    if _PLAIN.fullmatch(body):
        return float(body)
    if _DOT_GROUPS.fullmatch(body):
        return float(body.replace(".", "").replace(",", "."))
    if _SPACE_GROUPS.fullmatch(body):
        return float(body.replace(" ", "").replace(",", "."))
    if _COMMA_DECIMAL.fullmatch(body):
        return float(body.replace(",", "."))
    if _DOT_DECIMAL.fullmatch(body):
        return float(body)
    if _COMMA_GROUPS.fullmatch(body):
        return float(body.replace(",", ""))
    if _SCIENTIFIC.fullmatch(body):
        return float(body.replace(",", "."))
    return None


def _finite(number: float, original: object) -> float:
    if not math.isfinite(number):
        raise ValueError(f"“{original}” không phải là số hữu hạn")
    return number
