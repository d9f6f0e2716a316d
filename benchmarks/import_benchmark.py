"""Import time for a 101-row commune sheet: read → match → validate (analyse), then save as a
version in one transaction, on SQLite (a temporary file) and, when DATABASE_URL names one, on
PostgreSQL; and the hostile files of issue 11, each refused. Prints `name: value` lines with medians
over --runs runs, and the load average.

    .venv/bin/python benchmarks/import_benchmark.py [--runs 10] [--baseline /work/main]

The sheet is the app's own Excel template with every commune's seven indicators filled in
(101 rows × 7 values), i.e. what a complete district-level return looks like. It is analysed three
ways in the same run: in process (the pipeline alone), the way the page and manage.py now do it
(parsed in the bounded child process, then analysed), and, with --baseline, by the code of another
checkout (today's main) in a subprocess. Each hostile file is refused through the child process
(time, and the child's peak memory above its start) and in process (time, and the Python peak).
"""
import argparse
import contextlib
import datetime as dt
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import openpyxl
import pandas as pd

from geo.reference import load_reference
from geo.units2025 import load_reference_2025
from importer.errors import ImportFileError
from importer.isolation import ParseStats, read_isolated, warm_up
from importer.pipeline import analyse
from importer.reader import read_file
from importer.template import template_workbook
from importer.unit_sets import unit_set_indexes
from indicators.catalogue import load_catalogue
from indicators.published import importable_indicators
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from services.editing import import_version
from storage.db import make_engine, upgrade
from tests.hostile import HOSTILE

BASELINE_SCRIPT = """
import inspect, statistics, sys, time
sys.path.insert(0, ".")
from geo.reference import load_reference
from importer.matcher import CommuneMatcher
from importer.pipeline import analyse
from indicators.catalogue import load_catalogue
reference, catalogue = load_reference(), load_catalogue()
if "unit_sets" in inspect.signature(analyse).parameters:   # a checkout with the two unit sets
    from geo.units2025 import load_reference_2025
    from importer.unit_sets import unit_set_indexes
    kwargs = {"unit_sets": unit_set_indexes(reference, load_reference_2025(reference))}
else:                                                      # the 2022-2024 units only
    kwargs = {"matcher": CommuneMatcher(reference.units), "census": reference.population.set_index("gso_code")}
data = open(sys.argv[1], "rb").read()
timings = []
for _ in range(int(sys.argv[2]) + 1):
    started = time.perf_counter()
    analysis = analyse(data, "tong_hop_101_xa.xlsx", catalogue=catalogue, **kwargs)
    timings.append(time.perf_counter() - started)
assert analysis.rows_matched == 101
print(f"{statistics.median(timings[1:]) * 1000:.1f}")
"""


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
    parser.add_argument("--baseline", help="another checkout (e.g. /work/main) whose analyse() is timed too")
    args = parser.parse_args()
    print(f"load_average_start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    reference, catalogue = load_reference(), load_catalogue()
    # Both unit sets, as on the page: the detection matches every row against each set first.
    unit_sets = unit_set_indexes(reference, load_reference_2025(reference))
    data = full_sheet(reference, catalogue)

    timings = []
    for _ in range(args.runs + 1):
        started = time.perf_counter()
        analysis = analyse(data, "tong_hop_101_xa.xlsx", unit_sets=unit_sets, catalogue=catalogue)
        timings.append(time.perf_counter() - started)
    assert analysis.units == "2023"
    assert analysis.valid and analysis.rows_matched == 101, [p.message for p in analysis.errors]
    print(f"sheet_bytes: {len(data)}")
    print(f"rows: {analysis.rows_read}")
    print(f"values: {len(analysis.figures)}")
    print(f"analyse_ms_median: {median_ms(timings[1:])}")

    warm_up()
    read_isolated(data, "warm.xlsx")
    isolated = []
    for _ in range(args.runs):
        started = time.perf_counter()
        sheets = read_isolated(data, "tong_hop_101_xa.xlsx")
        analyse(data, "tong_hop_101_xa.xlsx", unit_sets=unit_sets, catalogue=catalogue, sheets=sheets)
        isolated.append(time.perf_counter() - started)
    print(f"analyse_isolated_parse_ms_median: {median_ms(isolated)}")
    if args.baseline:
        with tempfile.NamedTemporaryFile(suffix=".xlsx") as sheet_file:
            sheet_file.write(data)
            sheet_file.flush()
            baseline = subprocess.run([sys.executable, "-c", BASELINE_SCRIPT, sheet_file.name, str(args.runs)],
                                      cwd=args.baseline, capture_output=True, text=True)
        print(f"analyse_ms_median_baseline ({args.baseline}): "
              f"{baseline.stdout.strip() or baseline.stderr.strip().splitlines()[-1]}")

    for name, build in HOSTILE.items():
        hostile = build()
        stats = ParseStats()
        started = time.perf_counter()
        try:
            read_isolated(hostile, name, stats=stats)
            code = "ACCEPTED"
        except ImportFileError as error:
            code = error.code
        child_seconds = time.perf_counter() - started
        tracemalloc.start()
        started = time.perf_counter()
        with contextlib.suppress(ImportFileError):
            read_file(hostile, name)
        process_seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"hostile {name} ({len(hostile)} bytes): {code}; child {child_seconds:.3f} s, "
              f"child peak +{(stats.child_peak_bytes - stats.child_start_bytes) / 2**20:.1f} MB; "
              f"in process {process_seconds:.3f} s (traced), python peak {peak / 2**20:.1f} MB")

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
    print(f"load_average_end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
