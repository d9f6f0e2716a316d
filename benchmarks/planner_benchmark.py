"""Solve time of the rollout planner's exact selection (0/1 integer programme, HiGHS), for the 56
sample candidates and for 1,000 and 10,000 synthetic candidates, against a naive baseline in the
same run. Prints `name: value` lines with medians over --runs runs.

    .venv/bin/python benchmarks/planner_benchmark.py [--runs 7]

Baseline: the greedy rule a spreadsheet would use (sort by score, take the best communes that
still fit the per-district maximum). It is faster but not exact: the script also prints how
often, over random limits, greedy gives a lower total score than the exact solve or breaks a
minimum, which is why the planner does not use it.

Target (issue 4): ≤ 200 ms to solve the sample on these machines.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np
import pandas as pd

from geo.reference import load_reference
from indicators.catalogue import load_catalogue
from indicators.sample import read_sample_csv
from indicators.table import commune_table
from planner.geography import commune_geography
from planner.selection import Constraints, choose_wave
from planner.wave import PlanSettings, plan_wave


def greedy(candidates: pd.DataFrame, constraints: Constraints) -> list[str]:
    chosen, per_district = [], {}
    for code, row in candidates.sort_values(["score"], ascending=False, kind="stable").iterrows():
        if len(chosen) == constraints.size:
            break
        count = per_district.get(row["district_code"], 0)
        if constraints.district_max is not None and count >= constraints.district_max:
            continue
        chosen.append(code)
        per_district[row["district_code"]] = count + 1
    return chosen


def synthetic(n: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    teams = rng.integers(2, 15, n)
    districts = rng.integers(0, max(9, n // 11), n).astype(str)   # ~11 candidates per district, as in Cà Mau
    return pd.DataFrame({"score": rng.random(n).round(4), "district_code": districts, "teams": teams,
                         "members": teams * 5}, index=[f"{i:05d}" for i in range(n)])


def timed(function, runs: int) -> tuple[float, object]:
    samples, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    reference, catalogue = load_reference(), load_catalogue()
    table = commune_table(reference, read_sample_csv(), catalogue)
    geography = commune_geography(reference.communes)
    sample = plan_wave(table, catalogue, geography, PlanSettings(), explain=False).candidates
    sample = sample[["score", "district_code", "teams", "members"]]

    cases = [("sample_56", sample, Constraints(size=10, district_min=0, district_max=3)),
             ("synthetic_1000", synthetic(1000), Constraints(size=100, district_min=0, district_max=3)),
             ("synthetic_10000", synthetic(10_000), Constraints(size=1000, district_min=0, district_max=3))]
    for name, candidates, constraints in cases:
        runs = args.runs if len(candidates) <= 1000 else max(3, args.runs // 2)
        exact_ms, plan = timed(lambda c=candidates, k=constraints: choose_wave(c, k, explain=False), runs)
        greedy_ms, picked = timed(lambda c=candidates, k=constraints: greedy(c, k), runs)
        greedy_total = float(np.rint(candidates.loc[picked, "score"] * 10_000).sum()) / 10_000
        print(f"{name}.candidates: {len(candidates)}")
        print(f"{name}.solve_ms: {exact_ms:.1f}")
        print(f"{name}.greedy_baseline_ms: {greedy_ms:.1f}")
        print(f"{name}.exact_total: {plan.total_score:.4f}  greedy_total: {greedy_total:.4f}")
    explained_ms, _ = timed(lambda: choose_wave(sample, Constraints(size=10, district_max=3)), args.runs)
    print(f"sample_56.solve_and_explain_ms: {explained_ms:.1f}")
    page_ms, _ = timed(lambda: plan_wave(table, catalogue, geography, PlanSettings()), args.runs)
    print(f"sample_56.whole_planning_run_ms: {page_ms:.1f}  (criteria + score + solve + explanations + estimates)")

    # How often greedy is worse than exact, on the sample with random per-district limits.
    rng = np.random.default_rng(1)
    worse = broken = 0
    trials = 40
    for _ in range(trials):
        constraints = Constraints(size=int(rng.integers(5, 20)), district_min=int(rng.integers(0, 2)),
                                  district_max=int(rng.integers(1, 4)))
        plan = choose_wave(sample, constraints, explain=False)
        picked = greedy(sample, constraints)
        counts = sample.loc[picked, "district_code"].value_counts()
        if plan.feasible and any(counts.get(d, 0) < constraints.district_min for d in sample["district_code"].unique()):
            broken += 1
        elif plan.feasible and round(float(sample.loc[picked, "score"].sum()), 4) < round(plan.total_score, 4):
            worse += 1
    print(f"greedy_vs_exact_on_sample: {trials} random limits, greedy broke a district minimum {broken} times "
          f"and scored lower {worse} times")


if __name__ == "__main__":
    main()
