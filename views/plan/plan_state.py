"""The planner's settings in the URL, so that an unsaved plan can be shared as a link.

Parameters: ``w`` five weights (reach, density, adoption, proximity, balance), ``adopt`` adoption
indicators, ``prox`` border|distance, ``size_kind`` communes|teams|members, ``size``, ``dmin``,
``dmax``, ``inc`` / ``exc`` commune codes, ``tpk`` teams per 1,000 households, ``mpt`` members
per team, ``cov`` coverage in percent. Defaults are left out. Bad values fall back to the default
with a notice (``views.map.state.QueryReader``), never an exception.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from planner.resources import Assumptions
from planner.scoring import CRITERIA, PROXIMITY_MODES, Weights
from planner.selection import SIZE_KINDS, Constraints
from planner.wave import PlanSettings
from views.map.state import Notice, QueryReader

MAX_WEIGHT = 10
MAX_SIZE = 100_000
MAX_PER_DISTRICT = 50
# The assumption inputs' ranges, shared by the URL reader and the widgets.
TEAMS_PER_1000_RANGE = (0.01, 1000.0)
MEMBERS_PER_TEAM_RANGE = (0.1, 1000.0)
COVERAGE_RANGE = (0.0, 100.0)
_CODE = re.compile(r"^\d{5}$")


def _number_text(value: float) -> str:
    return f"{value:.6g}"


def read_plan(params: Mapping[str, str], adoption_ids, commune_codes) -> tuple[PlanSettings, list[Notice]]:
    reader = QueryReader(params)
    default = PlanSettings()
    weights = default.weights
    text = reader.raw("w")
    if text is not None:
        parts = text.split(",")
        if len(parts) == len(CRITERIA) and all(len(p) <= 3 and p.isascii() and p.isdigit() and int(p) <= MAX_WEIGHT
                                              for p in parts):
            weights = Weights(*(int(p) for p in parts))
        else:
            reader.reject("w", text)
    adoption_ids = set(adoption_ids)
    chosen = reader.raw("adopt")
    if chosen is None:
        adoption = tuple(i for i in default.adoption if i in adoption_ids)
    elif chosen == "-":            # written for "no adoption indicator chosen"
        adoption = ()
    else:
        adoption = reader.items("adopt", adoption_ids.__contains__)
    codes = set(commune_codes)
    valid_code = lambda code: bool(_CODE.match(code)) and code in codes
    size_kind = reader.choice("size_kind", SIZE_KINDS, default.constraints.size_kind)
    size = reader.integer("size", 0, MAX_SIZE, default.constraints.size)
    district_min = reader.integer("dmin", 0, MAX_PER_DISTRICT, 0)
    district_max = reader.integer("dmax", 1, MAX_PER_DISTRICT, 0) or None
    include = frozenset(reader.items("inc", valid_code))
    exclude = frozenset(reader.items("exc", valid_code))
    if include & exclude:
        reader.reject("exc", ",".join(sorted(include & exclude)))
        exclude -= include
    assumptions = None
    ratios = [reader.number(name) for name in ("tpk", "mpt", "cov")]
    if any(r is not None for r in ratios):
        ranges = (TEAMS_PER_1000_RANGE, MEMBERS_PER_TEAM_RANGE, COVERAGE_RANGE)
        if all(r is not None and low <= r <= high for r, (low, high) in zip(ratios, ranges)):
            assumptions = Assumptions(ratios[0], ratios[1], ratios[2] / 100)
        else:
            for name in ("tpk", "mpt", "cov"):
                if reader.raw(name) is not None:
                    reader.reject(name, reader.raw(name))
    settings = PlanSettings(
        weights=weights, adoption=adoption, proximity=reader.choice("prox", PROXIMITY_MODES, default.proximity),
        constraints=Constraints(size_kind=size_kind, size=size, district_min=district_min, district_max=district_max,
                                must_include=include, must_exclude=exclude),
        assumptions=assumptions)
    return settings, reader.notices


def write_plan(settings: PlanSettings) -> dict[str, str]:
    default = PlanSettings()
    query: dict[str, str] = {}
    if settings.weights != default.weights:
        query["w"] = ",".join(str(int(v)) for v in settings.weights.as_dict().values())
    if settings.adoption != default.adoption:
        query["adopt"] = ",".join(settings.adoption) or "-"
    if settings.proximity != default.proximity:
        query["prox"] = settings.proximity
    c, d = settings.constraints, default.constraints
    if c.size_kind != d.size_kind:
        query["size_kind"] = c.size_kind
    if c.size != d.size:
        query["size"] = str(c.size)
    if c.district_min:
        query["dmin"] = str(c.district_min)
    if c.district_max is not None:
        query["dmax"] = str(c.district_max)
    if c.must_include:
        query["inc"] = ",".join(sorted(c.must_include))
    if c.must_exclude:
        query["exc"] = ",".join(sorted(c.must_exclude))
    if settings.assumptions is not None:
        a = settings.assumptions
        query.update(tpk=_number_text(a.teams_per_1000_households), mpt=_number_text(a.members_per_team),
                     cov=_number_text(a.coverage_rate * 100))
    return query
