"""Resource estimates for a wave, from ratios observed in the pilot.

The reference data do not hold the number of hamlets per commune, so the number of hamlet teams a
commune needs is estimated from its 2019 households with the pilot's teams per 1,000 households.
The planner can change every ratio (they are assumptions, shown as such).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from indicators.table import has_team


@dataclass(frozen=True)
class Assumptions:
    teams_per_1000_households: float
    members_per_team: float
    coverage_rate: float            # share of a commune's households the teams reach, 0–1


def pilot_assumptions(table: pd.DataFrame) -> Assumptions | None:
    """The ratios of the communes with a team and figures for teams, members and households
    guided; None when the published data have no such commune."""
    pilots = table[has_team(table)]
    pilots = pilots.dropna(subset=["hamlet_teams", "team_members", "households_guided", "households_2019"])
    households, teams = pilots["households_2019"].sum(), pilots["hamlet_teams"].sum()
    if households <= 0 or teams <= 0:
        return None
    return Assumptions(teams_per_1000_households=float(teams / households * 1000),
                       members_per_team=float(pilots["team_members"].sum() / teams),
                       coverage_rate=float(pilots["households_guided"].sum() / households))


def commune_estimates(households: pd.Series, assumptions: Assumptions) -> pd.DataFrame:
    """Teams (at least one per commune), members and households expected to be reached."""
    teams = households.map(lambda h: max(1, math.ceil(h / 1000 * assumptions.teams_per_1000_households - 1e-9))
                           if pd.notna(h) else 1)
    return pd.DataFrame({
        "households": households,
        "teams": teams.astype(int),
        "members": (teams * assumptions.members_per_team).round().astype(int),
        "reached": (households.fillna(0) * assumptions.coverage_rate).round().astype(int),
    }, index=households.index)


@dataclass(frozen=True)
class WaveTotals:
    communes: int
    teams: int
    members: int
    households: int
    reached: int
    communes_with_teams_after: int
    communes_total: int
    coverage_before: float          # households guided / all households in the province, 0–1
    coverage_after: float


def wave_totals(table: pd.DataFrame, estimates: pd.DataFrame, selected: list[str]) -> WaveTotals:
    chosen = estimates.loc[selected]
    province_households = float(table["households_2019"].sum())
    guided = float(table["households_guided"].fillna(0).sum())
    pilots = int(has_team(table).sum())
    reached = int(chosen["reached"].sum())
    return WaveTotals(
        communes=len(selected), teams=int(chosen["teams"].sum()), members=int(chosen["members"].sum()),
        households=int(chosen["households"].fillna(0).sum()), reached=reached,
        communes_with_teams_after=pilots + len(selected), communes_total=len(table),
        coverage_before=guided / province_households if province_households else 0.0,
        coverage_after=(guided + reached) / province_households if province_households else 0.0)
