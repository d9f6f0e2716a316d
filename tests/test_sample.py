"""Tests for the illustrative commune sample: apportionment, report totals, rules, CSV."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.reference import load_reference
from indicators import sample as sample_module
from indicators.sample import (
    COUNT_COLUMNS,
    PILOT_ACTIVITY_COLUMNS,
    SAMPLE_COLUMNS,
    SAMPLE_CSV,
    SAMPLE_SEED,
    apportion,
    generate_sample,
    main,
    read_sample_csv,
    report_targets,
    sample_csv_text,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
# Rules must hold for any seed, not just the committed one.
SEEDS = (SAMPLE_SEED, 1, 2, 3)


@pytest.fixture(scope="module")
def reference():
    return load_reference()


@pytest.fixture(scope="module")
def targets():
    return report_targets()


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def joined(request, reference):
    """A generated sample joined with the census columns the rules refer to."""
    frame = generate_sample(reference.units, reference.population, seed=request.param)
    census = reference.population[["gso_code", "pop2019_total", "pop2019_urban", "hh2019_total"]]
    out = frame.merge(census, on="gso_code", how="left", validate="1:1").merge(
        reference.units[["gso_code", "district_code"]], on="gso_code", how="left", validate="1:1")
    out["urban_share"] = out["pop2019_urban"].fillna(0) / out["pop2019_total"]
    return out


@pytest.fixture(scope="module")
def default_sample(reference):
    return generate_sample(reference.units, reference.population)


# --------------------------------------------------------------------------- apportion

class TestApportion:
    def test_proportional_weights_divide_exactly(self):
        assert apportion(10, [5, 3, 2]).tolist() == [5, 3, 2]
        assert apportion(100, [1, 3]).tolist() == [25, 75]

    def test_largest_remainders_get_the_leftover_seats(self):
        # quotas 4.29, 3.43, 2.29 -> floors 4, 3, 2; the one seat left goes to 0.43
        assert apportion(10, [5, 4, 2.67]).tolist() == [4, 4, 2]
        assert apportion(7, [0.5, 0.3, 0.2]).tolist() == [4, 2, 1]  # quotas 3.5, 2.1, 1.4

    def test_ties_go_to_the_earlier_position(self):
        assert apportion(10, [1, 1, 1]).tolist() == [4, 3, 3]
        assert apportion(2, [1, 1, 1]).tolist() == [1, 1, 0]
        assert apportion(1, [2, 1, 1, 2]).tolist() == [1, 0, 0, 0]

    def test_result_is_int64_and_sums_exactly(self):
        rng = np.random.default_rng(0)
        for _ in range(200):
            weights = rng.lognormal(0, 1.5, rng.integers(1, 60))
            total = int(rng.integers(0, 100_000))
            result = apportion(total, weights)
            assert result.dtype == np.int64
            assert result.sum() == total
            assert (result >= 0).all()
            # Hamilton satisfies the quota rule: each item gets floor or ceil of its quota.
            quotas = total * weights / weights.sum()
            assert (result >= np.floor(quotas) - 1e-9).all()
            assert (result <= np.ceil(quotas) + 1e-9).all()

    def test_zero_weights_get_nothing(self):
        assert apportion(9, [0, 1, 0, 2]).tolist() == [0, 3, 0, 6]

    def test_zero_total(self):
        assert apportion(0, [1, 2, 3]).tolist() == [0, 0, 0]
        assert apportion(0, [0, 0]).tolist() == [0, 0]
        assert apportion(0, []).tolist() == []

    def test_accepts_integral_float_and_numpy_totals(self):
        assert apportion(6.0, [1, 2]).tolist() == [2, 4]
        assert apportion(np.int64(6), [1, 2]).tolist() == [2, 4]

    def test_minimum_raises_small_items_and_keeps_the_rest_proportional(self):
        # clip(c × [0, 1, 1, 8], 2): the three small items sit at 2, so 8c = 14 (c = 1.75)
        result = apportion(20, [0, 1, 1, 8], minimum=2)
        assert result.sum() == 20
        assert (result >= 2).all()
        assert result.tolist() == [2, 2, 2, 14]
        assert apportion(10, [0, 1, 1], minimum=2).tolist() == [2, 4, 4]

    def test_maximum_caps_items_and_redistributes(self):
        # c = 2.5: quotas 2.5, 2.5, 5 (capped) -> tie goes to the first item
        assert apportion(10, [1, 1, 8], maximum=5).tolist() == [3, 2, 5]
        assert apportion(10, [1, 1, 8], maximum=[10, 10, 2]).tolist() == [4, 4, 2]

    def test_per_item_bounds_hold_on_random_cases(self):
        rng = np.random.default_rng(1)
        for _ in range(200):
            count = int(rng.integers(1, 50))
            weights = rng.lognormal(0, 1, count)
            lower = rng.integers(0, 5, count)
            upper = lower + rng.integers(0, 20, count)
            total = int(rng.integers(lower.sum(), upper.sum() + 1))
            result = apportion(total, weights, minimum=lower, maximum=upper)
            assert result.sum() == total
            assert (result >= lower).all() and (result <= upper).all()

    def test_bounds_reached_exactly(self):
        assert apportion(6, [1, 5], minimum=3).tolist() == [3, 3]
        assert apportion(8, [1, 5], maximum=4).tolist() == [4, 4]
        assert apportion(4, [0, 0], minimum=2).tolist() == [2, 2]

    @pytest.mark.parametrize(
        ("total", "weights", "options", "message"),
        [
            (5, [1, -1, 2], {}, "negative"),
            (5, [0, 0, 0], {}, "all zero"),
            (5, [], {}, "all zero"),
            (5, [1, float("nan")], {}, "finite"),
            (5, [1, float("inf")], {}, "finite"),
            (-1, [1, 2], {}, "negative"),
            (2.5, [1, 2], {}, "whole number"),
            (True, [1, 2], {}, "whole number"),
            ("5", [1, 2], {}, "whole number"),
            (3, [1, 1], {"minimum": 2}, "below the sum of the minimums"),
            (9, [1, 1], {"maximum": 4}, "cannot be reached"),
            (5, [0, 1], {"maximum": 2}, "cannot be reached"),  # the zero-weight item cannot grow
            (5, [1, 1], {"minimum": 3, "maximum": 2}, "minimum exceeds maximum"),
            (5, [1, 1], {"minimum": [1, 1, 1]}, "one number per weight"),
            (5, [1, 1], {"minimum": 0.5}, "whole numbers"),
            (5, [1, 1], {"minimum": -1}, "minimum must not be negative"),
            (5, [[1, 2]], {}, "one-dimensional"),
        ],
    )
    def test_invalid_input_raises_a_clear_error(self, total, weights, options, message):
        with pytest.raises(ValueError, match=message):
            apportion(total, weights, **options)


# --------------------------------------------------------------------------- report targets

def test_report_targets_read_by_id(targets):
    expected = {
        "pilot_communes": 45, "hamlet_teams": 343, "team_members": 1610,
        "households_guided_share": 26, "vneid_dossiers": 233175, "mobile_money": 21000,
        "digital_signatures": 19580, "einvoice_households": 939,
    }
    for key, value in expected.items():
        assert targets[key] == value
    assert all(isinstance(value, float) for value in targets.values())
    # Text rows (no value) are not targets.
    assert "egov_app" not in targets


def test_report_targets_follow_the_file(tmp_path):
    report = pd.read_csv(REPO_ROOT / "data" / "province_report_2023.csv", dtype=str)
    report.loc[report["id"] == "hamlet_teams", "value"] = "300"
    changed = tmp_path / "report.csv"
    report.to_csv(changed, index=False)
    assert report_targets(changed)["hamlet_teams"] == 300


def test_generator_uses_the_targets_it_is_given(reference, targets):
    changed = dict(targets, pilot_communes=30, hamlet_teams=200, team_members=900,
                   vneid_dossiers=100_000, einvoice_households=50)
    frame = generate_sample(reference.units, reference.population, targets=changed)
    assert frame["pilot"].sum() == 30
    assert frame["teams"].sum() == 200
    assert frame["team_members"].sum() == 900
    assert frame["vneid_dossiers"].sum() == 100_000
    assert frame["einvoice_households"].sum() == 50


def test_missing_targets_are_reported(reference, targets):
    incomplete = {key: value for key, value in targets.items() if key != "mobile_money"}
    with pytest.raises(ValueError, match="mobile_money"):
        generate_sample(reference.units, reference.population, targets=incomplete)


def test_phuong_1_is_required(reference):
    units = reference.units[reference.units["gso_code"] != "32005"]
    with pytest.raises(ValueError, match="32005"):
        generate_sample(units, reference.population)


# --------------------------------------------------------------------------- shape

def test_one_row_per_commune_sorted_with_expected_dtypes(default_sample, reference):
    frame = default_sample
    assert list(frame.columns) == list(SAMPLE_COLUMNS)
    assert len(frame) == 101
    assert frame["gso_code"].tolist() == sorted(reference.units["gso_code"])
    assert frame["gso_code"].map(lambda code: isinstance(code, str) and len(code) == 5).all()
    assert frame["pilot"].dtype == bool
    for column in PILOT_ACTIVITY_COLUMNS:
        assert frame[column].dtype == "Int64"
    for column in COUNT_COLUMNS:
        assert frame[column].dtype == np.int64
        assert (frame[column] >= 0).all()


def test_generation_does_not_modify_its_inputs(reference):
    units, population = reference.units.copy(), reference.population.copy()
    generate_sample(units, population)
    pd.testing.assert_frame_equal(units, reference.units)
    pd.testing.assert_frame_equal(population, reference.population)


# --------------------------------------------------------------------------- pilot communes

def test_exactly_45_pilots_including_phuong_1(joined):
    assert joined["pilot"].sum() == 45
    assert joined.loc[joined["gso_code"] == "32005", "pilot"].item()


def test_every_district_has_a_pilot(joined):
    per_district = joined.groupby("district_code")["pilot"].sum()
    assert len(per_district) == 9
    assert (per_district >= 1).all()


def test_pilots_lean_to_larger_and_urban_communes(joined):
    pilots, others = joined[joined["pilot"]], joined[~joined["pilot"]]
    assert pilots["hh2019_total"].mean() > others["hh2019_total"].mean()
    assert pilots["urban_share"].mean() > others["urban_share"].mean()


def test_pilots_are_drawn_not_simply_the_largest(joined):
    largest = set(joined.nlargest(45, "hh2019_total")["gso_code"])
    assert set(joined.loc[joined["pilot"], "gso_code"]) != largest


# --------------------------------------------------------------------------- teams and members

def test_activity_only_in_pilot_communes(joined):
    for column in PILOT_ACTIVITY_COLUMNS:
        assert joined.loc[joined["pilot"], column].notna().all(), column
        assert joined.loc[~joined["pilot"], column].isna().all(), column


def test_team_totals_match_the_report(joined):
    assert joined["teams"].sum() == 343
    assert joined["team_members"].sum() == 1610


def test_at_least_two_teams_per_pilot(joined):
    assert (joined.loc[joined["pilot"], "teams"] >= 2).all()


def test_teams_roughly_proportional_to_households_with_noise(joined):
    pilots = joined[joined["pilot"]]
    teams = pilots["teams"].astype(float)
    assert np.corrcoef(teams, pilots["hh2019_total"])[0, 1] > 0.6
    households_per_team = pilots["hh2019_total"] / teams
    assert households_per_team.std() / households_per_team.mean() > 0.1  # not a fixed ratio


def test_members_between_three_and_seven_per_team(joined):
    pilots = joined[joined["pilot"]]
    assert (pilots["team_members"] >= 3 * pilots["teams"]).all()
    assert (pilots["team_members"] <= 7 * pilots["teams"]).all()
    assert (pilots["team_members"] / pilots["teams"]).astype(float).nunique() > 5


# --------------------------------------------------------------------------- households guided

def test_households_guided_total_just_over_26_percent(joined):
    pilots = joined[joined["pilot"]]
    pilot_households = int(pilots["hh2019_total"].sum())
    guided = int(pilots["hh_guided"].sum())
    assert guided == round(0.262 * pilot_households)
    share = 100 * guided / pilot_households
    assert 26 < share < 26.5
    assert 25.5 <= share <= 26.5


def test_households_guided_rates_vary_plausibly(joined):
    pilots = joined[joined["pilot"]]
    assert (pilots["hh_guided"] <= pilots["hh2019_total"]).all()
    rates = (pilots["hh_guided"] / pilots["hh2019_total"]).astype(float)
    assert rates.min() >= 0.10 and rates.max() <= 0.50
    assert rates.std() > 0.03


# --------------------------------------------------------------------------- count indicators

def test_count_totals_match_the_report(joined):
    assert joined["vneid_dossiers"].sum() == 233_175
    assert joined["mobile_money"].sum() == 21_000
    assert joined["digital_signatures"].sum() == 19_580
    assert joined["einvoice_households"].sum() == 939


def test_vneid_never_above_80_percent_of_population(joined):
    assert (joined["vneid_dossiers"] <= 0.8 * joined["pop2019_total"]).all()


def test_counts_follow_population_with_noise(joined):
    for column in COUNT_COLUMNS:
        assert np.corrcoef(joined[column], joined["pop2019_total"])[0, 1] > 0.3, column
        per_person = joined[column] / joined["pop2019_total"]
        assert per_person.std() > 0, column


def _urban_lean(joined, column):
    """Per-person rate in mostly-urban communes divided by the rate in fully rural ones."""
    per_person = joined[column] / joined["pop2019_total"]
    return per_person[joined["urban_share"] > 0.5].mean() / per_person[joined["urban_share"] == 0].mean()


def test_counts_lean_urban_more_so_for_signatures_and_einvoices(joined):
    leans = {column: _urban_lean(joined, column) for column in COUNT_COLUMNS}
    assert all(lean > 1 for lean in leans.values()), leans
    assert leans["digital_signatures"] > leans["vneid_dossiers"]
    assert leans["einvoice_households"] > leans["vneid_dossiers"]


# --------------------------------------------------------------------------- determinism

def test_same_seed_gives_identical_frame(reference, default_sample):
    again = generate_sample(reference.units, reference.population, seed=SAMPLE_SEED)
    pd.testing.assert_frame_equal(again, default_sample)


def test_different_seed_gives_different_pilot_set(reference, default_sample):
    for seed in (1, 2, 3):
        other = generate_sample(reference.units, reference.population, seed=seed)
        assert set(other.loc[other["pilot"], "gso_code"]) != set(
            default_sample.loc[default_sample["pilot"], "gso_code"])


def test_generation_does_not_depend_on_input_row_order(reference, default_sample):
    shuffled_units = reference.units.sample(frac=1, random_state=7)
    shuffled_population = reference.population.sample(frac=1, random_state=8)
    pd.testing.assert_frame_equal(generate_sample(shuffled_units, shuffled_population), default_sample)


# --------------------------------------------------------------------------- committed CSV and CLI

def test_committed_csv_matches_a_fresh_generation(default_sample):
    assert SAMPLE_CSV == REPO_ROOT / "data" / "sample_communes.csv"
    with open(SAMPLE_CSV, encoding="utf-8", newline="") as committed:
        assert committed.read() == sample_csv_text(default_sample)


def test_committed_csv_reads_back_to_the_same_frame(default_sample):
    pd.testing.assert_frame_equal(read_sample_csv(), default_sample)


def test_csv_writes_missing_values_as_empty_fields(default_sample):
    lines = sample_csv_text(default_sample).splitlines()
    assert lines[0] == ",".join(SAMPLE_COLUMNS)
    non_pilot = default_sample.index[~default_sample["pilot"]][0]
    fields = lines[non_pilot + 1].split(",")
    assert fields[1] == "False"
    assert fields[2:5] == ["", "", ""]
    assert "<NA>" not in "".join(lines) and "nan" not in "".join(lines).lower()


def test_cli_write_then_check(tmp_path, monkeypatch, capsys):
    target = tmp_path / "sample_communes.csv"
    monkeypatch.setattr(sample_module, "SAMPLE_CSV", target)

    assert main(["--check"]) == 1
    assert "does not exist" in capsys.readouterr().err

    assert main(["--write"]) == 0
    with open(SAMPLE_CSV, encoding="utf-8", newline="") as committed:
        assert target.read_bytes().decode("utf-8") == committed.read()
    assert main(["--check"]) == 0

    target.write_text(target.read_text(encoding="utf-8").replace("True", "False", 1), encoding="utf-8")
    assert main(["--check"]) == 1
    assert "differs from a fresh generation" in capsys.readouterr().err


def test_cli_requires_one_action(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        main(["--write", "--check"])


def test_module_check_passes_on_the_committed_csv():
    result = subprocess.run([sys.executable, "-m", "indicators.sample", "--check"],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
