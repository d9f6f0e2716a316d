"""Version 0: the illustrative sample stored and published in an empty database."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from indicators.catalogue import Indicator
from indicators.published import PILOT_INDICATOR, importable_indicators
from indicators.sample import SAMPLE_SEED
from storage import datasets


def sample_figures(sample: pd.DataFrame, catalogue: dict[str, Indicator]) -> list[tuple[str, str, float]]:
    figures = [(code, PILOT_INDICATOR, 1.0 if pilot else 0.0) for code, pilot in zip(sample["gso_code"], sample["pilot"])]
    for indicator in importable_indicators(catalogue):
        for code, value in zip(sample["gso_code"], sample[indicator.column]):
            if pd.notna(value):
                figures.append((code, indicator.id, float(value)))
    return figures


def ensure_sample_version(engine: sa.Engine, sample: pd.DataFrame, catalogue: dict[str, Indicator]) -> None:
    """Create and publish version 0 (the illustrative sample) in an empty database."""
    with engine.begin() as connection:
        if datasets.list_versions(connection):
            return
        report_date = max(i.as_of for i in importable_indicators(catalogue))
        version = datasets.create_version(
            connection, period=str(report_date.year - 1), as_of=report_date,
            source="Dữ liệu minh họa", illustrative=True, created_by="system",
            file_name="data/sample_communes.csv", file_sha256="", sheet="", rows_read=len(sample),
            rows_matched=len(sample), rows_rejected=0, note=f"seed {SAMPLE_SEED}",
            figures=sample_figures(sample, catalogue), report=[], number=0)
        datasets.publish(connection, version.id, "system")
        datasets.record_audit(connection, "system", "create_sample", "version 0", {"rows": len(sample)})
