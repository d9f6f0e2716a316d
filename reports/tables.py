"""Tables written for Excel: CSV in UTF-8 with a BOM (so Excel shows Vietnamese correctly) with
every cell that Excel could run as a formula neutralised."""
from __future__ import annotations

import pandas as pd

# A cell starting with one of these is a formula to Excel and LibreOffice (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix an apostrophe to text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(str(column)) for column in safe.columns]
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def unit_table_csv(table: pd.DataFrame, indicator_ids: list[str]) -> bytes:
    """The published table for scripts: plain UTF-8 (no BOM), columns ``gso_code``, ``name``,
    one per indicator id (ratios included; empty = no data), then ``estimated``. Whole-number
    columns are written without a decimal part."""
    frame = table[["gso_code", "name", *indicator_ids, "estimated"]].copy()
    for column in indicator_ids:
        values = frame[column]
        if pd.api.types.is_float_dtype(values) and (values.dropna() == values.dropna().round()).all():
            frame[column] = values.astype("Int64")
    return safe_frame(frame).to_csv(index=False).encode("utf-8")
