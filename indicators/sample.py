"""Illustrative commune-level sample dataset (Dữ liệu minh họa).

The conference of 10/02/2023 reviewing Đề án 06 and digital transformation in Cà Mau reports
province totals only. So that maps and tables have something to show before data stewards import
official commune tables, this module generates a sample for the 101 communes whose totals equal
the report exactly: 45 pilot communes, 343 hamlet teams, 1,610 team members, households guided
just over 26% (in the pilot communes), 233,175 VNeID dossiers, 21,000 Mobile Money accounts,
19,580 digital signatures and 939 household businesses using e-invoices.

Every total is read from ``data/province_report_2023.csv``. How the totals are spread across
communes is invented: weighted by the 2019 census (population, households, urban share) with seeded
random noise. NO COMMUNE-LEVEL FIGURE IN THIS DATASET IS REAL; it must always be labelled
"Dữ liệu minh họa" (illustrative data) wherever it is shown.

``data/sample_communes.csv`` is produced by this generator and nothing else:

    python -m indicators.sample --write   # regenerate the CSV
    python -m indicators.sample --check   # exit 1 if the committed CSV differs from a fresh run
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SAMPLE_SEED = 20230210  # the report's date, so the seed explains itself

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
REPORT_CSV = DATA_DIR / "province_report_2023.csv"
SAMPLE_CSV = DATA_DIR / "sample_communes.csv"

# Khóm 6, Phường 1 is the report's "Khu dân cư điện tử" model, so Phường 1 is always a pilot.
MODEL_COMMUNE = "32005"

PILOT_ACTIVITY_COLUMNS = ("teams", "team_members", "hh_guided")
COUNT_COLUMNS = ("vneid_dossiers", "mobile_money", "digital_signatures", "einvoice_households")
SAMPLE_COLUMNS = ("gso_code", "pilot", *PILOT_ACTIVITY_COLUMNS, *COUNT_COLUMNS)

REQUIRED_TARGETS = (
    "pilot_communes", "hamlet_teams", "team_members", "households_guided_share", *COUNT_COLUMNS,
)

# Pilot choice leans towards bigger, more urban communes: weight = households × (1 + lean × urban).
PILOT_URBAN_LEAN = 2.0
MIN_TEAMS_PER_PILOT = 2
TEAM_NOISE_SIGMA = 0.25            # lognormal noise on households when sharing out teams
MEMBERS_PER_TEAM_BOUNDS = (3, 7)   # each commune's members lie between 3× and 7× its teams
MEMBERS_PER_TEAM_DRAW = (3.6, 5.8)  # raw per-commune team size before rescaling to the total
GUIDED_RATE_BOUNDS = (0.10, 0.50)  # share of a pilot commune's households guided
GUIDED_RATE_DRAW = (0.12, 0.42)
# The report says "over 26%"; land just above it rather than exactly on it.
GUIDED_SHARE_ABOVE_REPORTED = 0.2  # percentage points

# Count indicators are population × (1 + lean × urban share) × noise. Digital signatures and
# e-invoices are mostly businesses and offices, hence a much stronger urban lean than VNeID,
# which every resident aged 14+ needs.
COUNT_URBAN_LEAN = {
    "vneid_dossiers": 0.5,
    "mobile_money": 1.5,
    "digital_signatures": 4.0,
    "einvoice_households": 6.0,
}
COUNT_NOISE_SIGMA = 0.3
VNEID_MAX_SHARE_OF_POPULATION = 0.8  # dossiers are for people aged 14+, never the whole commune


# --------------------------------------------------------------------------- apportionment

def apportion(total: int, weights, minimum=0, maximum=None) -> np.ndarray:
    """Split the whole number ``total`` across items in proportion to ``weights``.

    Largest-remainder (Hamilton) method: every item gets the floor of its quota, and the seats
    left over go to the largest fractional parts, ties to the earlier position. The result is a
    non-negative int64 array that sums exactly to ``total``.

    ``minimum`` and ``maximum`` (an int or one int per item) bound each item. Quotas are then
    ``clip(c × weight, minimum, maximum)`` with the single factor ``c`` that makes them add up to
    ``total``, so items between their bounds stay proportional to their weights.
    """
    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 1:
        raise ValueError("weights must be a one-dimensional sequence")
    if not np.isfinite(weights).all():
        raise ValueError("weights must be finite numbers (no NaN or infinity)")
    if (weights < 0).any():
        raise ValueError(f"weights must not be negative (item {int(np.argmax(weights < 0))})")
    total = _whole_number(total, "total")
    if total < 0:
        raise ValueError(f"total must not be negative, got {total}")

    count = len(weights)
    lower = _bounds(minimum, count, "minimum")
    upper = np.full(count, np.inf) if maximum is None else _bounds(maximum, count, "maximum").astype(float)
    if (lower < 0).any():
        raise ValueError("minimum must not be negative")
    if (lower > upper).any():
        raise ValueError(f"minimum exceeds maximum at item {int(np.argmax(lower > upper))}")
    if total < lower.sum():
        raise ValueError(f"total {total} is below the sum of the minimums ({int(lower.sum())})")
    excess = total - int(lower.sum())
    if excess > 0 and not (weights > 0).any():
        raise ValueError(f"weights are all zero, so a total of {total} cannot be shared out")
    # Only items with a positive weight can rise above their minimum.
    room = float(np.where(weights > 0, upper - lower, 0).sum())
    if excess > room:
        raise ValueError(
            f"total {total} cannot be reached: the maximums of the items with a positive weight "
            f"allow at most {int(lower.sum() + room)}")
    if count == 0:
        return np.zeros(0, dtype=np.int64)

    quotas = _bounded_quotas(total, weights, lower.astype(float), upper)
    result = np.clip(np.floor(quotas), lower, upper).astype(np.int64)
    remainder = total - int(result.sum())
    fractions = np.where(result < upper, quotas - result, -1.0)
    # Stable sort on the negated fractions: equal fractions keep their order, so the earlier
    # item wins a tie.
    eligible = int((fractions >= 0).sum())
    if not 0 <= remainder <= eligible:  # cannot happen with exact quotas; guards float trouble
        raise ArithmeticError(f"apportionment left {remainder} seats for {eligible} items")
    result[np.argsort(-fractions, kind="stable")[:remainder]] += 1
    return result


def _whole_number(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value) or not float(value).is_integer():
            raise ValueError(f"{name} must be a whole number, got {value!r}")
        return int(value)
    try:
        return int(value.__index__())
    except AttributeError:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None


def _bounds(value, count: int, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        array = np.full(count, float(array))
    if array.shape != (count,):
        raise ValueError(f"{name} must be a single number or one number per weight ({count})")
    if not np.isfinite(array).all() or not (array == np.floor(array)).all():
        raise ValueError(f"{name} must hold whole numbers")
    return array.astype(np.int64)


def _bounded_quotas(total: int, weights: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Quotas clip(c × w, lower, upper) summing to ``total``.

    Their sum is piecewise linear and non-decreasing in c, with breaks where an item meets one of
    its bounds; find the piece containing ``total`` and solve it exactly.
    """
    def quotas_at(factor: float) -> np.ndarray:
        return np.clip(factor * weights, lower, upper)

    positive = weights > 0
    breaks = np.concatenate(([0.0], lower[positive] / weights[positive], upper[positive] / weights[positive]))
    breaks = np.unique(breaks[np.isfinite(breaks)])
    sums = np.array([quotas_at(b).sum() for b in breaks])
    reached = np.flatnonzero(sums >= total)
    if reached.size and sums[reached[0]] == total:
        return quotas_at(breaks[reached[0]])
    # total lies after breaks[start]: on that piece the free items grow at rate sum(free weights).
    start = reached[0] - 1 if reached.size else len(breaks) - 1
    step = breaks[start + 1] - breaks[start] if reached.size else 1.0
    probe = breaks[start] + step / 2
    free = positive & (probe * weights > lower) & (probe * weights < upper)
    factor = breaks[start] + (total - sums[start]) / weights[free].sum()
    return quotas_at(factor)


# --------------------------------------------------------------------------- report targets

def report_targets(path: Path | str | None = None) -> dict[str, float]:
    """The numeric figures of the province report, by id (e.g. ``{"hamlet_teams": 343.0, ...}``).

    Text-only rows (no value) are left out. ``path`` defaults to data/province_report_2023.csv.
    """
    path = Path(path) if path is not None else REPORT_CSV
    report = pd.read_csv(path, encoding="utf-8", dtype={"id": str})
    missing = {"id", "value"} - set(report.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    values = pd.to_numeric(report["value"], errors="coerce")
    numeric = values.notna()
    return dict(zip(report.loc[numeric, "id"], values[numeric].astype(float)))


def _whole_target(targets: dict, key: str) -> int:
    try:
        return _whole_number(targets[key], key)
    except ValueError:
        raise ValueError(f"target {key!r} must be a whole number, got {targets[key]!r}") from None


# --------------------------------------------------------------------------- generator

def generate_sample(units: pd.DataFrame, population: pd.DataFrame, targets: dict | None = None,
                    seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """One row per commune (sorted by gso_code) of illustrative indicators matching the report.

    Pure and deterministic: the same inputs and seed give the same frame. ``targets`` defaults to
    :func:`report_targets`. Pilot-activity columns (teams, team_members, hh_guided) are nullable
    Int64 and <NA> outside the pilot communes; the count columns are int64 for every commune.
    """
    targets = report_targets() if targets is None else targets
    missing = [key for key in REQUIRED_TARGETS if key not in targets]
    if missing:
        raise ValueError(f"report targets missing: {', '.join(missing)}")

    communes = _commune_table(units, population)
    rng = np.random.default_rng(seed)
    pilot = _choose_pilots(communes, _whole_target(targets, "pilot_communes"), rng)
    teams, members, guided = _pilot_activity(communes[pilot], targets, rng)

    sample = pd.DataFrame({"gso_code": communes["gso_code"].to_numpy(dtype=object), "pilot": pilot})
    for column, values in zip(PILOT_ACTIVITY_COLUMNS, (teams, members, guided)):
        filled = pd.array([pd.NA] * len(sample), dtype="Int64")
        filled[pilot] = values
        sample[column] = filled
    for column in COUNT_COLUMNS:
        sample[column] = _spread_count(communes, column, _whole_target(targets, column), rng)
    return sample


def _commune_table(units: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """gso_code, district_code, population, households and urban share, sorted by gso_code."""
    table = units[["gso_code", "district_code"]].merge(
        population[["gso_code", "pop2019_total", "pop2019_urban", "hh2019_total"]],
        on="gso_code", how="left", validate="1:1",
    )
    if table[["pop2019_total", "hh2019_total"]].isna().any().any():
        lacking = table.loc[table["pop2019_total"].isna() | table["hh2019_total"].isna(), "gso_code"]
        raise ValueError(f"no 2019 population for commune(s) {', '.join(lacking)}")
    if (table["pop2019_total"] <= 0).any() or (table["hh2019_total"] <= 0).any():
        raise ValueError("every commune needs a positive 2019 population and household count")
    table = table.sort_values("gso_code", ignore_index=True)
    # A missing urban population means the commune has no urban area.
    urban = table["pop2019_urban"].fillna(0).astype(float)
    return pd.DataFrame({
        "gso_code": table["gso_code"].astype(str).to_numpy(dtype=object),
        "district_code": table["district_code"].astype(str).to_numpy(dtype=object),
        "population": table["pop2019_total"].astype(np.int64).to_numpy(),
        "households": table["hh2019_total"].astype(np.int64).to_numpy(),
        "urban_share": (urban / table["pop2019_total"]).clip(0, 1).to_numpy(),
    })


def _choose_pilots(communes: pd.DataFrame, pilot_count: int, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of pilot communes: Phường 1, one per district, the rest by weighted draw."""
    codes = communes["gso_code"].to_numpy()
    districts = communes["district_code"].to_numpy()
    if MODEL_COMMUNE not in codes:
        raise ValueError(f"commune {MODEL_COMMUNE} (Phường 1, the e-residential-area model) is missing")
    district_count = len(set(districts))
    if not district_count <= pilot_count <= len(codes):
        raise ValueError(f"{pilot_count} pilot communes cannot cover {district_count} districts "
                         f"out of {len(codes)} communes")

    weights = communes["households"].to_numpy(float) * (1 + PILOT_URBAN_LEAN * communes["urban_share"].to_numpy())
    pilot = codes == MODEL_COMMUNE
    for district in sorted(set(districts)):
        in_district = np.flatnonzero(districts == district)
        if not pilot[in_district].any():
            chances = weights[in_district] / weights[in_district].sum()
            pilot[rng.choice(in_district, p=chances)] = True
    remaining = np.flatnonzero(~pilot)
    chances = weights[remaining] / weights[remaining].sum()
    pilot[rng.choice(remaining, size=pilot_count - int(pilot.sum()), replace=False, p=chances)] = True
    return pilot


def _pilot_activity(pilots: pd.DataFrame, targets: dict, rng: np.random.Generator):
    """Teams, members and households guided for the pilot communes (in gso_code order)."""
    households = pilots["households"].to_numpy()
    count = len(pilots)

    team_weights = households * rng.lognormal(0.0, TEAM_NOISE_SIGMA, count)
    teams = apportion(_whole_target(targets, "hamlet_teams"), team_weights, minimum=MIN_TEAMS_PER_PILOT)

    low, high = MEMBERS_PER_TEAM_BOUNDS
    team_size = rng.uniform(*MEMBERS_PER_TEAM_DRAW, count)
    members = apportion(_whole_target(targets, "team_members"), teams * team_size,
                        minimum=low * teams, maximum=high * teams)

    reported_share = float(targets["households_guided_share"])
    guided_total = round((reported_share + GUIDED_SHARE_ABOVE_REPORTED) / 100 * int(households.sum()))
    rate_low, rate_high = GUIDED_RATE_BOUNDS
    guided_rate = rng.uniform(*GUIDED_RATE_DRAW, count)
    guided = apportion(guided_total, households * guided_rate,
                       minimum=np.ceil(rate_low * households), maximum=np.floor(rate_high * households))
    return teams, members, guided


def _spread_count(communes: pd.DataFrame, column: str, total: int, rng: np.random.Generator) -> np.ndarray:
    population = communes["population"].to_numpy()
    lean = COUNT_URBAN_LEAN[column]
    weights = (population * (1 + lean * communes["urban_share"].to_numpy())
               * rng.lognormal(0.0, COUNT_NOISE_SIGMA, len(communes)))
    maximum = np.floor(VNEID_MAX_SHARE_OF_POPULATION * population) if column == "vneid_dossiers" else None
    return apportion(total, weights, maximum=maximum)


# --------------------------------------------------------------------------- CSV and CLI

def sample_csv_text(sample: pd.DataFrame) -> str:
    """The sample as plain UTF-8 CSV text: no index, <NA> written as an empty field."""
    return sample.loc[:, list(SAMPLE_COLUMNS)].to_csv(index=False, lineterminator="\n")


def read_sample_csv(path: Path | str | None = None) -> pd.DataFrame:
    """Read data/sample_communes.csv back with the generator's dtypes."""
    path = Path(path) if path is not None else SAMPLE_CSV
    dtypes = {"gso_code": str, "pilot": bool}
    dtypes |= {column: "Int64" for column in PILOT_ACTIVITY_COLUMNS}
    dtypes |= {column: np.int64 for column in COUNT_COLUMNS}
    return pd.read_csv(path, encoding="utf-8", dtype=dtypes)


def _fresh_sample() -> pd.DataFrame:
    from geo.reference import load_reference  # only the CLI needs the reference files

    reference = load_reference()
    return generate_sample(reference.units, reference.population)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m indicators.sample",
        description="Generate the illustrative commune sample (Dữ liệu minh họa).")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help=f"write {SAMPLE_CSV.name}")
    action.add_argument("--check", action="store_true",
                        help=f"exit 1 if {SAMPLE_CSV.name} differs from a fresh generation")
    args = parser.parse_args(argv)

    text = sample_csv_text(_fresh_sample())
    if args.write:
        SAMPLE_CSV.write_text(text, encoding="utf-8", newline="")
        print(f"wrote {SAMPLE_CSV}")
        return 0
    if not SAMPLE_CSV.is_file():
        print(f"{SAMPLE_CSV} does not exist; run python -m indicators.sample --write", file=sys.stderr)
        return 1
    with open(SAMPLE_CSV, encoding="utf-8", newline="") as committed:  # newline="": compare bytes as written
        up_to_date = committed.read() == text
    if not up_to_date:
        print(f"{SAMPLE_CSV} differs from a fresh generation; run python -m indicators.sample --write",
              file=sys.stderr)
        return 1
    print(f"{SAMPLE_CSV} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
