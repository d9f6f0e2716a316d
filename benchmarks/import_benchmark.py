"""Import time for a 101-row commune sheet: read → match → validate (analyse), then save as a
version in one transaction, on SQLite (a temporary file) and, when DATABASE_URL names one, on
PostgreSQL. Prints `name: value` lines with medians over --runs runs.

    .venv/bin/python benchmarks/import_benchmark.py [--runs 10]

The sheet is the app's own Excel template with every commune's seven indicators filled in
(101 rows × 7 values), i.e. what a complete district-level return looks like.
"""
import argparse
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import openpyxl
import pandas as pd

from geo.reference import load_reference
from importer.matcher import CommuneMatcher
from importer.pipeline import analyse
from importer.template import template_workbook
from indicators.catalogue import load_catalogue
from indicators.published import importable_indicators
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from services.editing import import_version
from storage.db import make_engine, upgrade


def full_sheet(reference, catalogue) -> bytes:
    sample = read_sample_csv().set_index("gso_code")
    indicators = importable_indicators(catalogue)
    workbook = openpyxl.load_workbook(io.BytesIO(template_workbook(reference.units, indicators)))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        for offset, indicator in enumerate(indicators):
            value = sample.loc[code, indicator.column]
            row[3 + offset].value = None if pd.isna(value) else int(value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def median_ms(samples):
    return f"{statistics.median(samples) * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    reference, catalogue = load_reference(), load_catalogue()
    matcher = CommuneMatcher(reference.units)
    census = reference.population.set_index("gso_code")
    data = full_sheet(reference, catalogue)

    timings = []
    for _ in range(args.runs + 1):
        started = time.perf_counter()
        analysis = analyse(data, "tong_hop_101_xa.xlsx", matcher=matcher, catalogue=catalogue, census=census)
        timings.append(time.perf_counter() - started)
    assert analysis.valid and analysis.rows_matched == 101, [p.message for p in analysis.errors]
    print(f"sheet_bytes: {len(data)}")
    print(f"rows: {analysis.rows_read}")
    print(f"values: {len(analysis.figures)}")
    print(f"analyse_ms_median: {median_ms(timings[1:])}")

    backends = {"sqlite": f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"}
    if os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        backends["postgresql"] = os.environ["DATABASE_URL"]
    for name, url in backends.items():
        engine = make_engine(url)
        upgrade(engine)
        ensure_sample_version(engine, read_sample_csv(), catalogue)
        saves = []
        for _ in range(args.runs):
            started = time.perf_counter()
            import_version(engine, analysis, period="2023", as_of=dt.date(2023, 12, 31), source="benchmark",
                         note="", user="benchmark")
            saves.append(time.perf_counter() - started)
        print(f"save_ms_median_{name}: {median_ms(saves)}")
        print(f"import_total_ms_median_{name}: {statistics.median(timings[1:]) * 1000 + statistics.median(saves) * 1000:.1f}")
        engine.dispose()


if __name__ == "__main__":
    main()
