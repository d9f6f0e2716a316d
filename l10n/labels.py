"""Words for the codes the domain uses (a classification scheme, a pilot status, a match result …),
as tables of message keys. Code looks a label up here instead of building a key from the code, so
that every key stays visible to the extraction (tests/test_l10n.py) and a new code without a label
fails a test instead of showing a key on screen."""
from __future__ import annotations

from l10n.messages import N_, t

CATEGORY = {"pilot": N_("category.pilot"), "not_pilot": N_("category.not_pilot")}
SCHEME = {"quantiles": N_("map.scheme.quantiles"), "fisher_jenks": N_("map.scheme.fisher_jenks"),
          "equal_interval": N_("map.scheme.equal_interval"), "manual": N_("map.scheme.manual")}
PILOT_FILTER = {"all": N_("map.filter.pilot.all"), "pilot": N_("map.filter.pilot.pilot"),
                "not_pilot": N_("map.filter.pilot.not_pilot")}
REFERENCE_ERROR = {"missing_dir": N_("ref.missing_dir"), "missing_file": N_("ref.missing_file"),
                   "corrupt_file": N_("ref.corrupt_file"), "invalid_data": N_("ref.invalid_data")}

MATCH_STATUS = {"exact": N_("status.exact"), "tolerant": N_("status.tolerant"), "ambiguous": N_("status.ambiguous"),
                "unmatched": N_("status.unmatched"), "resolved": N_("status.resolved"),
                "excluded": N_("status.excluded"), "group": N_("status.group"), "total": N_("status.total")}
SEVERITY = {"error": N_("severity.error"), "warning": N_("severity.warning")}
AUDIT_COLUMN = {"at": N_("audit.col.at"), "user": N_("audit.col.user"), "action": N_("audit.col.action"),
                "target": N_("audit.col.target"), "details": N_("audit.col.details")}

COMPARE_MODE = {"side": N_("compare.mode.side"), "change": N_("compare.mode.change")}
CHANGE_KIND = {"count": N_("compare.change_kind.count"), "points": N_("compare.change_kind.points"),
               "rate": N_("compare.change_kind.rate")}
# How an area's figure was aggregated (indicators.table.area_value), in the projector's figure strip
# and in the district brief.
AREA_FIGURE = {"total": N_("present.area.total"), "ratio": N_("present.area.ratio"),
               "median": N_("present.area.median")}
# The map page's district bars: what a bar measures, and how it was added up.
DISTRICT_FIGURE = {"total": N_("chart.district.figure.total"), "ratio": N_("chart.district.figure.ratio"),
                   "pilot": N_("chart.district.figure.pilot")}
DISTRICT_HOW = {"total": N_("chart.district.how.total"), "ratio": N_("chart.district.how.ratio"),
                "pilot": N_("chart.district.how.pilot")}
BRIEF_AGGREGATE = {"total": N_("brief.total"), "ratio": N_("brief.ratio"), "mean": N_("brief.mean"),
                   "total_partial": N_("brief.total_partial"), "ratio_partial": N_("brief.ratio_partial")}

PLAN_CRITERION = {"reach": N_("plan.criterion.reach"), "density": N_("plan.criterion.density"),
                  "adoption": N_("plan.criterion.adoption"), "proximity": N_("plan.criterion.proximity"),
                  "balance": N_("plan.criterion.balance")}
PLAN_PROXIMITY = {"border": N_("plan.proximity.border"), "distance": N_("plan.proximity.distance")}
PLAN_SIZE_KIND = {"communes": N_("plan.size_kind.communes"), "teams": N_("plan.size_kind.teams"),
                  "members": N_("plan.size_kind.members")}
# Plural messages (tn): "a wave of 1 commune" / "a wave of 10 communes".
PLAN_SIZE_LIMIT = {"communes": N_("plan.group.size.communes"), "teams": N_("plan.group.size.teams"),
                   "members": N_("plan.group.size.members")}
PLAN_STATUS = {"pilot": N_("plan.status.pilot"), "wave": N_("plan.status.wave"),
               "candidate": N_("plan.status.candidate"), "excluded": N_("plan.status.excluded"),
               "unknown": N_("plan.status.unknown")}
PLAN_PIN = {"include": N_("plan.group.include"), "exclude": N_("plan.group.exclude")}
PLAN_METRIC = {"communes": N_("plan.metric.communes"), "teams": N_("plan.metric.teams"),
               "members": N_("plan.metric.members"), "reached": N_("plan.metric.reached"),
               "with_teams": N_("plan.metric.with_teams")}
SCENARIO_ERROR = {"name_missing": N_("plan.scenario.error.name_missing"),
                  "name_too_long": N_("plan.scenario.error.name_too_long"),
                  "note_too_long": N_("plan.scenario.error.note_too_long"),
                  "not_found": N_("plan.scenario.error.not_found")}
ABOUT_CAVEAT = {"geometry": N_("about.caveat.geometry"), "census": N_("about.caveat.census"),
                "units": N_("about.caveat.units"), "outlines": N_("about.caveat.outlines")}

UNIT_SET = {"2023": N_("units.set.2023"), "2025": N_("units.set.2025")}
UNIT_SET_SHORT = {"2023": N_("units.short.2023"), "2025": N_("units.short.2025")}

DATASET_ERROR = {"unknown_version": N_("versions.error.unknown_version"),
                 "already_published": N_("versions.error.already_published"),
                 "no_earlier": N_("versions.error.no_earlier")}

ROUND_STATE = {"open": N_("round.state.open"), "closed": N_("round.state.closed")}
ROUND_ERROR = {"unknown_round": N_("round.error.unknown_round"), "closed": N_("round.error.closed"),
               "wrong_units": N_("round.error.wrong_units"), "no_submissions": N_("round.error.no_submissions"),
               "incomplete": N_("round.error.incomplete"), "conflicts": N_("round.error.conflicts"),
               "no_sender": N_("round.error.no_sender"), "no_period": N_("round.error.no_period"),
               "needs_approval": N_("round.error.needs_approval"), "unchanged": N_("round.error.unchanged")}


def label(table: dict[str, str], code: str, lang: str, **values) -> str:
    """The words for ``code`` from one of the tables above."""
    return t(table[code], lang, **values)


def yes_no(value: bool, lang: str) -> str:
    return t("yes", lang) if value else t("no", lang)
