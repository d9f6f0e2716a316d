"""The rollout planner: adjacency, the score, the exact selection, resources, URL state, scenarios."""
import itertools
import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from l10n import fmt
from planner.geography import commune_geography
from planner.resources import commune_estimates, pilot_assumptions
from planner.scoring import CRITERIA, Weights, score
from planner.selection import Constraints, Group, choose_wave
from planner.wave import PlanSettings, candidate_codes, plan_wave
from services.editing import delete_scenario, save_scenario
from storage import queries
from storage.scenarios import ScenarioError, get_scenario, list_scenarios
from views.plan.plan_state import read_plan, write_plan


@pytest.fixture(scope="module")
def geography(reference):
    return commune_geography(reference.communes)


# --- Adjacency -------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("32005", "31999"),   # Phường 1 – Phường 9 (Cà Mau city)
    ("32008", "32002"),   # Phường 5 – Phường 4
    ("32022", "32092"),   # Phường Tân Xuyên – Xã Hồ Thị Kỷ, across a district border
    ("31999", "32011"),   # Phường 9 – Phường 2: a 15 m gap between the coarse polygons
    ("32128", "32142"),   # Thị trấn Cái Nước – Xã Đông Hưng: a 7 m gap
])
def test_known_neighbours_share_a_border_despite_gaps(geography, a, b):
    assert b in geography.neighbours[a] and a in geography.neighbours[b]


@pytest.mark.parametrize("a, b", [
    ("31999", "32245"),   # Phường 9 – Xã Tân Ân, opposite ends of the province
    ("32005", "32008"),   # Phường 1 – Phường 5: same city, not touching
    ("32197", "32233"),   # Xã Hiệp Tùng – Xã Tam Giang Tây: meet only at a corner
    ("32230", "32242"),   # Xã Nguyễn Việt Khái – Xã Viên An: meet only at a corner
])
def test_non_neighbours(geography, a, b):
    assert b not in geography.neighbours[a]


def test_every_commune_has_a_neighbour_and_distances_are_symmetric(geography):
    assert len(geography.codes) == 101
    assert all(geography.neighbours[code] for code in geography.codes)
    assert np.allclose(geography.distance_km, geography.distance_km.T)
    assert 50 < geography.distance("31999", "32245") < 90   # city centre to the southern tip


# --- Score -----------------------------------------------------------------------------------

def scaled_frame():
    return pd.DataFrame({"reach": [1.0, 0.0, 0.5], "density": [0.0, 1.0, 0.5], "adoption": [0.2, 0.8, 0.5],
                         "proximity": [0.0, 0.0, 1.0], "balance": [1.0, 0.0, 0.0]},
                        index=pd.Index(["32001", "32002", "32003"], name="gso_code"))


@pytest.mark.parametrize("criterion", CRITERIA)
def test_raising_a_weight_moves_scores_towards_that_criterion(criterion):
    scaled = scaled_frame()
    before = score(scaled, Weights())
    after = score(scaled, Weights(**{**Weights().as_dict(), criterion: Weights().as_dict()[criterion] + 4}))
    for code in scaled.index:
        change = after.at[code, "score"] - before.at[code, "score"]
        gap = scaled.at[code, criterion] - before.at[code, "score"]
        if abs(gap) > 1e-3:
            assert np.sign(change) == np.sign(gap), (code, change, gap)


def test_breakdown_adds_up_to_the_score_in_zero_one():
    breakdown = score(scaled_frame(), Weights(1, 2, 3, 4, 5))
    assert np.allclose(breakdown[list(CRITERIA)].sum(axis=1), breakdown["score"], atol=1e-4)
    assert breakdown["score"].between(0, 1).all()


def test_scores_sorted_with_ties_in_code_order():
    scaled = pd.DataFrame({name: [0.5, 0.5, 0.9] for name in CRITERIA},
                          index=pd.Index(["32009", "32001", "32005"], name="gso_code"))
    assert list(score(scaled, Weights()).index) == ["32005", "32001", "32009"]


def test_sample_plan_scores_and_criteria(table, catalogue, geography):
    result = plan_wave(table, catalogue, geography, PlanSettings())
    frame = result.candidates
    assert len(frame) == 56 and not table.set_index("gso_code").loc[frame.index, "pilot"].any()
    for name in CRITERIA:
        assert frame[f"scaled_{name}"].between(0, 1).all()
    # Reach is min–max over the candidates: the largest candidate by households gets 1.
    assert frame.loc[frame["raw_reach"].idxmax(), "scaled_reach"] == 1
    assert frame.loc[frame["raw_reach"].idxmin(), "scaled_reach"] == 0
    assert len(result.plan.selected) == 10 and result.illustrative
    # Everything selected scores at least as high as the best commune left out (no other limits).
    left_out = frame.loc[~frame["selected"], "score"].max()
    assert frame.loc[frame["selected"], "score"].min() >= left_out


def test_reach_weight_alone_picks_the_largest_candidates(table, catalogue, geography):
    result = plan_wave(table, catalogue, geography, PlanSettings(weights=Weights(1, 0, 0, 0, 0)))
    largest = result.candidates["raw_reach"].nlargest(10).index
    assert set(result.plan.selected) == set(largest)


def test_proximity_by_border_counts_neighbours_with_teams(table, catalogue, geography):
    result = plan_wave(table, catalogue, geography, PlanSettings())
    teams = set(table.loc[table["pilot"].fillna(False).astype(bool), "gso_code"])
    code = result.candidates.index[0]
    expected = len(geography.neighbours[code] & teams) / len(geography.neighbours[code])
    assert result.candidates.at[code, "raw_proximity"] == pytest.approx(expected)


def test_candidates_are_known_non_pilots_plus_unknowns_included_by_hand(table):
    unknown = table.copy()
    unknown.loc[unknown["gso_code"] == "32092", "pilot"] = pd.NA
    assert "32092" not in candidate_codes(unknown, frozenset())
    assert "32092" in candidate_codes(unknown, frozenset({"32092"}))
    pilot = table.loc[table["pilot"].fillna(False).astype(bool), "gso_code"].iloc[0]
    assert pilot not in candidate_codes(table, frozenset({pilot}))


# --- Selection -------------------------------------------------------------------------------

def candidates_frame(scores, districts, teams=None):
    codes = [f"{32000 + i:05d}" for i in range(len(scores))]
    teams = teams or [1] * len(scores)
    return pd.DataFrame({"score": scores, "district_code": districts, "teams": teams,
                         "members": [5 * t for t in teams]}, index=codes)


def test_ties_are_broken_by_code_whatever_the_row_order():
    frame = candidates_frame([0.5, 0.7, 0.5, 0.5], ["A", "A", "B", "B"])
    plan = choose_wave(frame, Constraints(size=2))
    assert plan.selected == ["32001", "32000"]
    assert choose_wave(frame.iloc[::-1], Constraints(size=2)).selected == plan.selected


def test_infeasible_limits_name_the_conflicting_constraints():
    frame = candidates_frame([0.9, 0.8, 0.7, 0.6, 0.5, 0.4], ["A", "A", "B", "B", "C", "C"])
    plan = choose_wave(frame, Constraints(size=2, district_min=1))
    assert not plan.feasible
    assert Group("size") in plan.conflicts and all(g.kind in ("size", "district_min") for g in plan.conflicts)
    plan = choose_wave(frame, Constraints(size=3, district_max=1, must_include=frozenset({"32000", "32001"})))
    assert not plan.feasible and set(plan.conflicts) == {Group("district_max", "A"), Group("include", "32000"),
                                                          Group("include", "32001")}
    assert not choose_wave(frame, Constraints(size=7)).feasible


def test_binding_constraints_and_the_next_best_commune():
    frame = candidates_frame([0.9, 0.8, 0.7, 0.3], ["A", "A", "A", "B"])
    plan = choose_wave(frame, Constraints(size=2, district_min=1))
    assert plan.selected == ["32000", "32003"]
    assert Group("district_min", "B") in [b.group for b in plan.binding]
    best = plan.next_best
    # Taking 32001 (0.8) means dropping 32000 (0.9): 32003 must stay for district B's minimum.
    assert (best.code, best.dropped, best.added) == ("32001", ("32000",), ())
    assert best.total_with == pytest.approx(0.8 + 0.3) and Group("size") in best.blocking


def test_budget_of_teams_is_a_knapsack():
    frame = candidates_frame([0.9, 0.4, 0.4], ["A", "A", "A"], teams=[10, 5, 5])
    plan = choose_wave(frame, Constraints(size_kind="teams", size=10))
    assert plan.selected == ["32000"]
    assert choose_wave(frame, Constraints(size_kind="teams", size=10, must_exclude=frozenset({"32000"}))
                       ).selected == ["32001", "32002"]


def brute_force(frame, constraints):
    best, best_set = None, None
    codes = list(frame.index)
    weight = frame["teams"] if constraints.size_kind == "teams" else pd.Series(1, index=frame.index)
    for r in range(len(codes) + 1):
        for subset in itertools.combinations(codes, r):
            chosen = frame.loc[list(subset)]
            size = weight.loc[list(subset)].sum()
            if (constraints.size_kind == "communes" and size != constraints.size) or size > constraints.size:
                continue
            counts = chosen["district_code"].value_counts()
            per = [counts.get(d, 0) for d in frame["district_code"].unique()]
            if any(c < constraints.district_min for c in per):
                continue
            if constraints.district_max is not None and any(c > constraints.district_max for c in per):
                continue
            if not constraints.must_include <= set(subset) or constraints.must_exclude & set(subset):
                continue
            total = round(float(np.rint(chosen["score"] * 10_000).sum()))
            if best is None or total > best:
                best, best_set = total, subset
    return best, best_set


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_constraints_always_hold_and_the_plan_is_optimal(data):
    n = data.draw(st.integers(1, 8))
    scores = data.draw(st.lists(st.floats(0, 1).map(lambda x: round(x, 4)), min_size=n, max_size=n))
    districts = data.draw(st.lists(st.sampled_from("ABC"), min_size=n, max_size=n))
    teams = data.draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))
    frame = candidates_frame(scores, districts, teams)
    codes = list(frame.index)
    include = frozenset(data.draw(st.lists(st.sampled_from(codes), max_size=2)))
    exclude = frozenset(data.draw(st.lists(st.sampled_from(codes), max_size=2))) - include
    constraints = Constraints(size_kind=data.draw(st.sampled_from(["communes", "teams"])),
                              size=data.draw(st.integers(0, 12)), district_min=data.draw(st.integers(0, 2)),
                              district_max=data.draw(st.one_of(st.none(), st.integers(0, 3))),
                              must_include=include, must_exclude=exclude)
    plan = choose_wave(frame, constraints, explain=False)
    best, _ = brute_force(frame, constraints)
    assert plan.feasible == (best is not None)
    if not plan.feasible:
        assert plan.conflicts
        return
    chosen = frame.loc[plan.selected]
    size = len(chosen) if constraints.size_kind == "communes" else chosen["teams"].sum()
    assert size == constraints.size if constraints.size_kind == "communes" else size <= constraints.size
    counts = chosen["district_code"].value_counts()
    for district in frame["district_code"].unique():
        assert counts.get(district, 0) >= constraints.district_min
        assert constraints.district_max is None or counts.get(district, 0) <= constraints.district_max
    assert include <= set(plan.selected) and not exclude & set(plan.selected)
    assert round(plan.total_score * 10_000) == best


# --- Resources -------------------------------------------------------------------------------

def test_pilot_ratios_come_from_the_pilot_communes(table):
    ratios = pilot_assumptions(table)
    pilots = table[table["pilot"].fillna(False).astype(bool)]
    assert ratios.members_per_team == pytest.approx(pilots["team_members"].sum() / pilots["hamlet_teams"].sum())
    assert ratios.members_per_team == pytest.approx(1610 / 343)
    assert ratios.coverage_rate == pytest.approx(pilots["households_guided"].sum() / pilots["households_2019"].sum())
    assert ratios.teams_per_1000_households == pytest.approx(343 / pilots["households_2019"].sum() * 1000)


def test_estimates_and_totals(table, catalogue, geography):
    ratios = pilot_assumptions(table)
    estimates = commune_estimates(pd.Series([0.0, 1000.0, 5000.0], index=["a", "b", "c"]), ratios)
    assert estimates["teams"].tolist()[0] == 1 and (estimates["teams"] >= 1).all()
    assert estimates.at["c", "teams"] == int(np.ceil(5 * ratios.teams_per_1000_households))
    result = plan_wave(table, catalogue, geography, PlanSettings())
    chosen = result.candidates[result.candidates["selected"]]
    assert result.totals.teams == chosen["teams"].sum() and result.totals.members == chosen["members"].sum()
    assert result.totals.communes_with_teams_after == 45 + 10
    assert result.totals.coverage_after > result.totals.coverage_before


# --- URL state -------------------------------------------------------------------------------

def test_plan_settings_round_trip_through_the_url():
    codes = ["32092", "32248", "32137"]
    settings_in, notices = read_plan({"w": "1,2,3,4,5", "adopt": "vneid_per_1000", "prox": "distance",
                                      "size_kind": "teams", "size": "80", "dmin": "1", "dmax": "3",
                                      "inc": "32092", "exc": "32248", "tpk": "2.5", "mpt": "5", "cov": "30"},
                                     ["vneid_per_1000"], codes)
    assert not notices
    assert read_plan(write_plan(settings_in), ["vneid_per_1000"], codes) == (settings_in, [])
    assert write_plan(PlanSettings()) == {}


@pytest.mark.parametrize("params", [
    {"w": "<script>alert(1)</script>"}, {"w": "1,2,3"}, {"w": "99,1,1,1,1"}, {"size": "-3"}, {"size": "1e9"},
    {"prox": "javascript:"}, {"inc": "32092,../../etc"}, {"exc": "'; DROP TABLE"}, {"tpk": "nan"},
    {"tpk": "2", "mpt": "0", "cov": "30"}, {"adopt": "not_an_indicator"}, {"dmax": "x"},
])
def test_hostile_plan_links_give_notices_not_errors(params):
    settings_out, notices = read_plan(params, ["vneid_per_1000"], ["32092"])
    assert notices
    assert isinstance(settings_out, PlanSettings)


# --- Scenarios -------------------------------------------------------------------------------

def test_scenarios_are_saved_listed_and_deleted_with_audit(engine, catalogue):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    with engine.connect() as connection:
        version_id = queries.published_version(connection).id
    first = save_scenario(engine, user="an", name="  Đợt 2 — ưu tiên hộ  ", note="<b>x</b>",
                          query={"size": "10"}, version_id=version_id, selected=["32092", "32248"],
                          totals={"teams": 12}, illustrative=True)
    second = save_scenario(engine, user="an", name="Đợt 2 — cân bằng", note="", query={},
                           version_id=version_id, selected=["32137"], totals={}, illustrative=True)
    with engine.connect() as connection:
        assert [s.id for s in list_scenarios(connection)] == [second, first]
        saved = get_scenario(connection, first)
        assert saved.name == "Đợt 2 — ưu tiên hộ" and saved.note == "<b>x</b>"
        assert saved.selected == ["32092", "32248"] and saved.query == {"size": "10"}
    delete_scenario(engine, user="binh", scenario_id=first)
    with engine.connect() as connection:
        assert [s.id for s in list_scenarios(connection)] == [second]
        audit = queries.recent_audit(connection)
    actions = audit["action"].tolist()
    assert actions.count("scenario_save") == 2 and "scenario_delete" in actions
    assert json.loads(audit.loc[audit["action"] == "scenario_delete", "details"].iloc[0]) == {"name": "Đợt 2 — ưu tiên hộ"}


@pytest.mark.parametrize("name, note, kind", [("   ", "", "name_missing"), ("x" * 121, "", "name_too_long"),
                                              ("ok", "y" * 2001, "note_too_long")])
def test_bad_scenarios_are_refused_and_nothing_is_written(engine, catalogue, name, note, kind):
    ensure_sample_version(engine, read_sample_csv(), catalogue)
    with pytest.raises(ScenarioError) as error:
        save_scenario(engine, user="an", name=name, note=note, query={}, version_id=1,
                      selected=[], totals={}, illustrative=True)
    assert error.value.kind == kind
    with engine.connect() as connection:
        assert list_scenarios(connection) == []
        assert connection.execute(sa.text("SELECT count(*) FROM plan_scenarios")).scalar() == 0
    with pytest.raises(ScenarioError):
        delete_scenario(engine, user="an", scenario_id=999)


# --- Export and explanations ---------------------------------------------------------------

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_excel_export_has_the_plan_and_the_assumptions(table, catalogue, geography, lang):
    import datetime as dt
    import io

    from openpyxl import load_workbook

    from reports.plan_workbook import plan_csv, plan_xlsx
    result = plan_wave(table, catalogue, geography, PlanSettings())
    workbook = load_workbook(io.BytesIO(plan_xlsx(result, catalogue, "Phiên bản 0 (kỳ 2022)", lang, dt.date(2026, 12, 6))))
    plan_sheet, notes = workbook.worksheets
    rows = list(plan_sheet.iter_rows(values_only=True))
    title, header, body, totals = rows[0], rows[1], rows[2:-1], rows[-1]
    # A title row with the data version (and its period) and the day the file was made.
    assert "Phiên bản 0 (kỳ 2022)" in title[0] and "06/12/2026" in title[0] and all(v is None for v in title[1:])
    assert len(body) == 10
    expected = {"vi": ("Mã", "Huyện", "Xã/phường/thị trấn", "Điểm"), "en": ("Code", "District", "Commune", "Score")}[lang]
    assert header[:4] == expected and ("Số tổ" if lang == "vi" else "Teams") in header
    assert [row[0] for row in body] == result.candidates[result.candidates["selected"]].sort_values(
        "score", ascending=False, kind="stable").index.tolist()
    mark = "Dữ liệu minh họa" if lang == "vi" else "Illustrative data"
    assert all(row[-1] == mark for row in body)
    # Real numbers, not text; the criterion parts add up to the score.
    assert all(isinstance(v, (int, float)) for row in body for v in row[3:-1])
    assert all(abs(sum(row[4:9]) - row[3]) < 5e-4 for row in body)
    # A totals row: the sums of households, teams, members and households reached.
    assert totals[2] == ("Tổng" if lang == "vi" else "Total")
    for column in range(9, 13):
        assert totals[column] == sum(row[column] for row in body)
    assert totals[12] == result.totals.reached and totals[10] == result.totals.teams
    formats = {cell.column: cell.number_format for cell in plan_sheet[3]}
    assert formats[4] == "0.0000" and formats[10] == "#,##0" and plan_sheet.cell(len(rows), 10).number_format == "#,##0"
    assert plan_sheet.freeze_panes == "A3"
    assert plan_sheet.column_dimensions["C"].width >= max(len(row[2]) for row in body)
    # The assumptions typed as numbers, with their formats.
    values = {row[0].value: row[1] for row in notes.iter_rows(min_row=2)}
    per_1000 = values["Số tổ trên 1.000 hộ" if lang == "vi" else "Teams per 1,000 households"]
    assert per_1000.value == pytest.approx(2.26, abs=0.005) and per_1000.number_format == "0.00"
    coverage = values["Tỷ lệ hộ được hướng dẫn (%)" if lang == "vi" else "Households guided (%)"]
    assert 0 < coverage.value < 1 and coverage.number_format == "0.0%"
    assert values["Tổng điểm" if lang == "vi" else "Total score"].value == pytest.approx(result.plan.total_score)
    note_text = " ".join(str(cell.value) for cell in values.values())
    assert mark in note_text
    csv = plan_csv(result, lang)
    assert csv.startswith(b"\xef\xbb\xbf") and csv.decode("utf-8-sig").count("\n") == 11
    assert mark in csv.decode("utf-8-sig")


def test_explanations_name_binding_limits_and_the_next_commune(table, catalogue, geography):
    from views.plan.plan_view import explanations
    result = plan_wave(table, catalogue, geography,
                       PlanSettings(constraints=Constraints(size=8, district_max=1)))
    names = dict(zip(table["gso_code"], table["name"]))
    districts = dict(zip(table["district_code"], table["district"]))
    lines = explanations(result, names, districts, "vi")
    assert any(line.startswith("Ràng buộc đang chặt — tối đa 1 xã ở") for line in lines)
    best = result.plan.next_best
    assert any(names[best.code] in line for line in lines)
    # Each alternative in a planner's quantities: households reached, teams, members, now → then.
    frame = result.candidates
    now = f"hộ được hướng dẫn {fmt.number(result.totals.reached, 0, 'vi')} → "
    binding_lines = [line for line in lines if line.startswith("Ràng buộc đang chặt")]
    assert len(binding_lines) == len(result.plan.binding) and all(now in line for line in binding_lines)
    for line, item in zip(binding_lines, result.plan.binding):
        then = int(frame.loc[list(item.selected_without), "reached"].sum())
        assert f"{now}{fmt.number(then, 0, 'vi')} (" in line
    swapped = [c for c in result.plan.selected if c not in best.dropped] + [best.code, *best.added]
    teams = int(frame.loc[swapped, "teams"].sum())
    swap_line = next(line for line in lines if names[best.code] in line)
    assert f"tổ {fmt.number(result.totals.teams, 0, 'vi')} → {teams} (" in swap_line
