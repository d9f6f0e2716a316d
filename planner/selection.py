"""Choose the wave: maximise the total priority score under the planner's constraints, exactly.

A 0/1 integer programme solved by HiGHS through ``scipy.optimize.milp``. Scores are compared as
whole numbers of 1/10,000 so that "equal" is exact. Among plans with the same total, a second
solve takes the one whose communes come earliest in GSO code order by the sum of their positions
(with two tied communes, the lower code); the problem is built in code order, so the same inputs
always give the same plan.

Every constraint is a named group (the wave's size, each district's minimum and maximum, each
must-include and must-exclude). When the groups cannot all hold, a deletion filter finds a
smallest set of groups that conflict; when they can, each group at its limit is re-solved without
it to tell whether it binds (the total would rise without it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from planner.scoring import SCORE_DECIMALS

SIZE_KINDS = ("communes", "teams", "members")
SCALE = 10 ** SCORE_DECIMALS


@dataclass(frozen=True)
class Constraints:
    size_kind: str = "communes"          # the wave is this many communes, or fits a budget of teams/members
    size: int = 10
    district_min: int = 0                # per district
    district_max: int | None = None      # per district; None = no limit
    must_include: frozenset[str] = frozenset()
    must_exclude: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Group:
    """One constraint: kind is "size", "district_min", "district_max", "include" or "exclude";
    ``target`` the district code or the commune code it is about."""
    kind: str
    target: str = ""


@dataclass(frozen=True)
class Binding:
    group: Group
    total_without: float                 # the best total score if this constraint were lifted
    selected_without: tuple[str, ...] = ()   # the communes of that best plan


@dataclass(frozen=True)
class NextBest:
    code: str
    score: float
    excluded: bool                       # on the must-exclude list
    total_with: float | None             # the best total score when it is forced in (None: impossible)
    dropped: tuple[str, ...] = ()        # communes the plan would lose to take it
    added: tuple[str, ...] = ()          # other communes that would come in with it
    conflicts: tuple[Group, ...] = ()    # why it cannot come in at all
    blocking: tuple[Group, ...] = ()     # constraints at their limit that its district or size hits


@dataclass
class Plan:
    feasible: bool
    selected: list[str] = field(default_factory=list)     # by score, highest first
    total_score: float = 0.0
    conflicts: list[Group] = field(default_factory=list)
    binding: list[Binding] = field(default_factory=list)
    at_limit: list[Group] = field(default_factory=list)
    next_best: NextBest | None = None


class _Model:
    """The integer programme over the candidates, rebuilt cheaply with some groups lifted."""

    def __init__(self, candidates: pd.DataFrame, constraints: Constraints):
        # Sorted by code: the solver sees the same problem whatever order the rows came in.
        self.frame = candidates.sort_index()
        self.codes = list(self.frame.index)
        self.position = {code: i for i, code in enumerate(self.codes)}
        self.constraints = constraints
        self.points = np.rint(self.frame["score"].to_numpy(float) * SCALE)
        self.districts = sorted(self.frame["district_code"].unique())
        self.groups = [Group("size")]
        if constraints.district_min > 0:
            self.groups += [Group("district_min", d) for d in self.districts]
        if constraints.district_max is not None:
            self.groups += [Group("district_max", d) for d in self.districts]
        self.groups += [Group("include", c) for c in sorted(constraints.must_include) if c in self.position]
        self.groups += [Group("exclude", c) for c in sorted(constraints.must_exclude) if c in self.position]

    def size_weights(self) -> np.ndarray:
        kind = self.constraints.size_kind
        return np.ones(len(self.codes)) if kind == "communes" else self.frame[kind].to_numpy(float)

    def solve(self, groups: list[Group], objective: np.ndarray | None = None,
              floor: float | None = None, forced: str | None = None) -> np.ndarray | None:
        """The chosen 0/1 vector, or None when ``groups`` cannot all hold. ``floor``: a least total
        of points (for the tie-breaking second solve)."""
        n = len(self.codes)
        lower, upper = np.zeros(n), np.ones(n)
        rows, low, high = [], [], []
        district = self.frame["district_code"].to_numpy()
        for group in groups:
            if group.kind == "include":
                lower[self.position[group.target]] = 1
            elif group.kind == "exclude":
                upper[self.position[group.target]] = 0
            elif group.kind == "size":
                rows.append(self.size_weights())
                size = self.constraints.size
                low.append(size if self.constraints.size_kind == "communes" else 0)
                high.append(size)
            else:
                rows.append((district == group.target).astype(float))
                low.append(self.constraints.district_min if group.kind == "district_min" else 0)
                high.append(np.inf if group.kind == "district_min" else self.constraints.district_max)
        if forced is not None:
            lower[self.position[forced]] = 1
        if np.any(lower > upper):
            return None
        if floor is not None:
            rows.append(self.points)
            low.append(floor)
            high.append(np.inf)
        linear = [LinearConstraint(csr_array(np.vstack(rows)), low, high)] if rows else []
        cost = -(self.points if objective is None else objective)
        result = milp(cost, integrality=np.ones(n), bounds=Bounds(lower, upper), constraints=linear,
                      options={"mip_rel_gap": 0.0})
        if result.status != 0 or result.x is None:
            return None
        return np.rint(result.x).astype(bool)

    def best(self, groups: list[Group], forced: str | None = None) -> np.ndarray | None:
        first = self.solve(groups, forced=forced)
        if first is None:
            return None
        # Among the plans with this total, prefer communes earlier in code order.
        preference = np.arange(len(self.codes), 0, -1, dtype=float)
        second = self.solve(groups, objective=preference, floor=float(self.points[first].sum()) - 0.5, forced=forced)
        return second if second is not None else first

    def total(self, chosen: np.ndarray) -> float:
        return float(self.points[chosen].sum()) / SCALE

    def conflicting(self, groups: list[Group], forced: str | None = None) -> list[Group]:
        """A smallest-by-deletion set of groups that cannot hold together."""
        kept = list(groups)
        for group in list(groups):
            trial = [g for g in kept if g != group]
            if self.solve(trial, objective=np.zeros(len(self.codes)), forced=forced) is None:
                kept = trial
        return kept


def choose_wave(candidates: pd.DataFrame, constraints: Constraints, explain: bool = True) -> Plan:
    """``candidates``: index GSO code, columns score (0–1), district_code, teams, members."""
    if candidates.empty:
        return Plan(feasible=False, conflicts=[Group("size")])
    model = _Model(candidates, constraints)
    chosen = model.best(model.groups)
    if chosen is None:
        return Plan(feasible=False, conflicts=model.conflicting(model.groups))
    selected = [model.codes[i] for i in np.flatnonzero(chosen)]
    selected.sort(key=lambda code: (-model.frame.at[code, "score"], code))
    plan = Plan(feasible=True, selected=selected, total_score=model.total(chosen))
    if explain:
        plan.at_limit = _at_limit(model, chosen)
        plan.binding = _binding(model, plan.at_limit, plan.total_score)
        plan.next_best = _next_best(model, chosen, plan)
    return plan


def _at_limit(model: _Model, chosen: np.ndarray) -> list[Group]:
    constraints = model.constraints
    district = model.frame["district_code"].to_numpy()
    used = float(model.size_weights()[chosen].sum())
    remaining = model.size_weights()[~chosen]
    limits = []
    for group in model.groups:
        if group.kind == "size":
            full = (used == constraints.size if constraints.size_kind == "communes"
                    else not np.any(remaining <= constraints.size - used))
            if full:
                limits.append(group)
        elif group.kind in ("district_min", "district_max"):
            count = int(chosen[district == group.target].sum())
            limit = constraints.district_min if group.kind == "district_min" else constraints.district_max
            if count == limit:
                limits.append(group)
        else:
            limits.append(group)
    return limits


def _binding(model: _Model, at_limit: list[Group], total: float) -> list[Binding]:
    binding = []
    for group in at_limit:
        lifted = model.solve([g for g in model.groups if g != group])
        if lifted is not None and model.total(lifted) > total + 0.5 / SCALE:
            binding.append(Binding(group, model.total(lifted), tuple(model.codes[i] for i in np.flatnonzero(lifted))))
    return binding


def _next_best(model: _Model, chosen: np.ndarray, plan: Plan) -> NextBest | None:
    left_out = [model.codes[i] for i in np.flatnonzero(~chosen)]
    if not left_out:
        return None
    excluded = model.constraints.must_exclude
    eligible = [code for code in left_out if code not in excluded] or left_out
    code = min(eligible, key=lambda c: (-model.frame.at[c, "score"], c))
    score = float(model.frame.at[code, "score"])
    groups = [g for g in model.groups if g != Group("exclude", code)]
    district = model.frame.at[code, "district_code"]
    blocking = tuple(g for g in plan.at_limit
                     if g == Group("size") or (g.kind == "district_max" and g.target == district))
    forced = model.best(groups, forced=code)
    if forced is None:
        return NextBest(code, score, code in excluded, None, conflicts=tuple(model.conflicting(groups, forced=code)),
                        blocking=blocking)
    new = {model.codes[i] for i in np.flatnonzero(forced)}
    old = set(plan.selected)
    return NextBest(code, score, code in excluded, model.total(forced), dropped=tuple(sorted(old - new)),
                    added=tuple(sorted(new - old - {code})), blocking=blocking)
