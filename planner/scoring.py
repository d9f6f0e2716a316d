"""The transparent priority score of each candidate commune.

Every criterion is a raw figure per commune, scaled to 0–1 over the candidates by min–max
(the candidate with the highest raw figure gets 1, the lowest 0, the others in proportion; when
all are equal, all get 0). "Low adoption" and "proximity by distance" are reversed so that 1 is
always the stronger claim to go next. The score is the weighted mean of the scaled criteria, so
it lies in 0–1 and each criterion's share of it can be shown.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.catalogue import Indicator
from indicators.table import has_districts, has_team
from planner.geography import Geography

CRITERIA = ("reach", "density", "adoption", "proximity", "balance")
PROXIMITY_MODES = ("border", "distance")
SCORE_DECIMALS = 4    # scores are compared at this precision, so that ties are real ties


@dataclass(frozen=True)
class Weights:
    reach: float = 3
    density: float = 1
    adoption: float = 3
    proximity: float = 2
    balance: float = 2

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in CRITERIA}

    @property
    def total(self) -> float:
        return sum(self.as_dict().values())


def adoption_indicators(catalogue: dict[str, Indicator]) -> list[str]:
    """Indicators that measure take-up in every commune (not only in the pilots) and can be put
    per 1,000 people: counts and per-1,000 rates where more is better."""
    return [i.id for i in catalogue.values()
            if i.kind == "number" and i.applies_to == "all" and i.higher_is_better == "higher"]


def per_thousand(table: pd.DataFrame, indicator: Indicator) -> pd.Series:
    """The indicator per 1,000 people: rates with a population denominator as they are, counts
    divided by the 2019 population."""
    values = table[indicator.id].astype(float)
    if indicator.denominator is None:
        population = table["population_2019"].astype(float)
        values = values / population.where(population > 0) * 1000
    elif indicator.scale != 1000:
        values = values / indicator.scale * 1000
    return values


def min_max(values: pd.Series, reverse: bool = False) -> pd.Series:
    """Scaled to 0–1 (or 1–0 when ``reverse``); all zero when the values do not differ, because
    then the criterion cannot tell the candidates apart. Missing values stay missing."""
    low, high = values.min(), values.max()
    if pd.isna(low) or math.isclose(low, high):
        return pd.Series(0.0, index=values.index).where(values.notna())
    scaled = (values - low) / (high - low)
    return 1 - scaled if reverse else scaled


def raw_criteria(table: pd.DataFrame, candidates: list[str], catalogue: dict[str, Indicator],
                 adoption_ids: list[str], geography: Geography, proximity_mode: str) -> pd.DataFrame:
    """One row per candidate (index = GSO code): the raw figure behind each criterion."""
    rows = table.set_index("gso_code")
    frame = pd.DataFrame(index=pd.Index(candidates, name="gso_code"))
    frame["reach"] = rows.loc[candidates, "households_2019"].astype(float)
    frame["density"] = rows.loc[candidates, "population_density"].astype(float)

    rates = pd.DataFrame({i: per_thousand(table, catalogue[i]).set_axis(table["gso_code"]) for i in adoption_ids},
                         index=table["gso_code"])
    frame["adoption"] = rates.loc[candidates].mean(axis=1, skipna=True) if adoption_ids else np.nan

    with_team = has_team(rows)
    teams = set(with_team[with_team].index)
    if proximity_mode == "border":
        frame["proximity"] = [len(geography.neighbours[c] & teams) / max(1, len(geography.neighbours[c]))
                              for c in candidates]
    else:
        index = {code: i for i, code in enumerate(geography.codes)}
        team_columns = [index[c] for c in sorted(teams)]
        frame["proximity"] = [float(geography.distance_km[index[c], team_columns].min()) if team_columns else np.nan
                              for c in candidates]

    if has_districts(rows):
        district_share = with_team.groupby(rows["district_code"]).mean()
        frame["balance"] = rows.loc[candidates, "district_code"].map(district_share).astype(float).to_numpy()
    else:
        # The 2025 units have no districts: the balance criterion cannot tell candidates apart.
        frame["balance"] = np.nan
    return frame


def scaled_criteria(raw: pd.DataFrame, proximity_mode: str) -> pd.DataFrame:
    """Each criterion scaled to 0–1 over the candidates, 1 = stronger claim. A commune with no
    adoption figure gets the neutral 0.5 (missing data is neither need nor its absence); other
    missing figures count as 0."""
    return pd.DataFrame({
        "reach": min_max(raw["reach"]).fillna(0.0),
        "density": min_max(raw["density"]).fillna(0.0),
        "adoption": min_max(raw["adoption"], reverse=True).fillna(0.5),
        "proximity": min_max(raw["proximity"], reverse=proximity_mode == "distance").fillna(0.0),
        "balance": min_max(raw["balance"], reverse=True).fillna(0.0),
    }, index=raw.index)


def score(scaled: pd.DataFrame, weights: Weights) -> pd.DataFrame:
    """The breakdown (each criterion's weighted contribution) and the total score, sorted by
    score (highest first) with ties in GSO code order."""
    weight = weights.as_dict()
    total_weight = weights.total
    breakdown = pd.DataFrame(index=scaled.index)
    for name in CRITERIA:
        breakdown[name] = scaled[name] * (weight[name] / total_weight if total_weight > 0 else 0.0)
    breakdown["score"] = breakdown[list(CRITERIA)].sum(axis=1).round(SCORE_DECIMALS)
    return breakdown.reset_index().sort_values(["score", "gso_code"], ascending=[False, True]).set_index("gso_code")
