"""GSO unit codes: the join key, always a 5-character string such as "32005"."""
from __future__ import annotations

import math
import re

import pandas as pd

_DIGITS = re.compile(r"^\d{1,5}$")


class InvalidCodeError(ValueError):
    """A value that cannot be read as a GSO commune code."""


def normalise_gso_code(value: object) -> str:
    """Return the 5-character GSO code for a string, integer or integral float.

    The GeoJSON stores codes as strings and the CSVs as integers; both become "32005".
    Leading zeros are restored ("1" -> "00001") because GSO codes are fixed-width.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidCodeError(f"không đọc được mã đơn vị: {value!r}")
    if isinstance(value, float):
        if math.isnan(value) or not value.is_integer():
            raise InvalidCodeError(f"không đọc được mã đơn vị: {value!r}")
        value = int(value)
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not _DIGITS.match(text):
        raise InvalidCodeError(f"không đọc được mã đơn vị: {value!r}")
    return text.zfill(5)


def normalise_code_column(series: pd.Series) -> pd.Series:
    """Normalise a whole column of codes; raises InvalidCodeError naming the first bad row."""
    out = []
    for position, value in enumerate(series.tolist()):
        try:
            out.append(normalise_gso_code(value))
        except InvalidCodeError as exc:
            raise InvalidCodeError(f"{exc} (dòng {position + 2})") from None
    return pd.Series(out, index=series.index, name=series.name, dtype="string").astype(object)
