"""One planning run: candidates → criteria → score → exact selection → resource estimates."""
from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from indicators.catalogue import Indicator
from indicators.table import has_districts as table_has_districts
from indicators.table import has_team
from planner.geography import Geography
from planner.resources import Assumptions, WaveTotals, commune_estimates, pilot_assumptions, wave_totals
from planner.scoring import Weights, raw_criteria, scaled_criteria, score
from planner.selection import Constraints, Plan, choose_wave

# Used only when the published data hold no pilot figures to derive the ratios from; the page
# then says the assumptions are not from the pilot.
FALLBACK_ASSUMPTIONS = Assumptions(teams_per_1000_households=10.0, members_per_team=5.0, coverage_rate=0.25)


@dataclass(frozen=True)
class PlanSettings:
    weights: Weights = Weights()
    adoption: tuple[str, ...] = ("vneid_per_1000", "mobile_money_per_1000")
    proximity: str = "border"
    constraints: Constraints = Constraints()
    assumptions: Assumptions | None = None      # None: the pilot's ratios


@dataclass(frozen=True)
class WaveResult:
    settings: PlanSettings
    candidates: pd.DataFrame     # index GSO code: names, raw and scaled criteria, breakdown, score, estimates, selected
    plan: Plan
    totals: WaveTotals | None
    assumptions: Assumptions
    pilot_ratios: Assumptions | None
    illustrative: bool           # the plan rests on illustrative (sample) data
    ignored_includes: tuple[str, ...]   # must-include codes that already have a team (or are unknown codes)
    has_districts: bool = True   # False on the 2025 units: no district limits or balance; "district"
                                 # is then the former district a unit lies wholly in (else blank)


def candidate_codes(table: pd.DataFrame, must_include: frozenset[str]) -> list[str]:
    """Communes known to have no team, plus those of unknown status that the planner includes by hand."""
    known_without = table["pilot"].notna() & ~has_team(table)
    unknown_included = table["pilot"].isna() & table["gso_code"].isin(must_include)
    return sorted(table.loc[known_without | unknown_included, "gso_code"])


def plan_wave(table: pd.DataFrame, catalogue: dict[str, Indicator], geography: Geography,
              settings: PlanSettings, explain: bool = True) -> WaveResult:
    codes = candidate_codes(table, settings.constraints.must_include)
    ignored = tuple(sorted(settings.constraints.must_include - set(codes)))
    constraints = replace(settings.constraints, must_include=settings.constraints.must_include & set(codes))
    has_districts = table_has_districts(table)
    if not has_districts:
        constraints = replace(constraints, district_min=0, district_max=None)
    adoption = [i for i in settings.adoption if i in catalogue]

    pilot_ratios = pilot_assumptions(table)
    assumptions = settings.assumptions or pilot_ratios or FALLBACK_ASSUMPTIONS
    rows = table.set_index("gso_code")
    raw = raw_criteria(table, codes, catalogue, adoption, geography, settings.proximity)
    scaled = scaled_criteria(raw, settings.proximity)
    breakdown = score(scaled, settings.weights)
    estimates = commune_estimates(rows.loc[breakdown.index, "households_2019"].astype(float), assumptions)

    if has_districts:
        frame = rows.loc[breakdown.index, ["name", "type", "district_code", "district"]].copy()
    else:
        frame = rows.loc[breakdown.index, ["name", "type"]].assign(
            district_code=None, district=rows.loc[breakdown.index, "former_district"])
    frame = frame.join(raw.add_prefix("raw_")).join(scaled.add_prefix("scaled_")).join(breakdown).join(estimates)
    plan = choose_wave(frame[["score", "district_code", "teams", "members"]], constraints, explain=explain)
    frame["selected"] = frame.index.isin(plan.selected)
    totals = wave_totals(table, estimates, plan.selected) if plan.feasible else None

    # Coverage before and after always counts the households guided so far.
    used = [catalogue["pilot_status"], catalogue["households_guided"]] + [catalogue[i] for i in adoption]
    if settings.assumptions is None and pilot_ratios is not None:
        used += [catalogue[i] for i in ("hamlet_teams", "team_members")]
    illustrative = any(indicator.illustrative for indicator in used)
    return WaveResult(replace(settings, constraints=constraints), frame, plan, totals, assumptions, pilot_ratios,
                      illustrative, ignored, has_districts)

