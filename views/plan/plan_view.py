"""What the planner page shows for one planning run, computed without Streamlit: the map layer
in three styles, the legend, the list of the wave, the score table and the explanations."""
from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from geo.maprender import STYLE_NO_DATA, STYLE_NORMAL, LayerData
from geo.web_geometry import PublishedGeometry
from indicators.table import has_team
from l10n import fmt, labels
from l10n.messages import t, tn
from planner.scoring import CRITERIA
from planner.selection import SCALE, Group, NextBest, Plan
from planner.wave import WaveResult
from views.map.mapview import LegendEntry
from views.map.state import read_units

# Blue / dark orange / light grey: told apart with any common colour-vision deficiency, and in greyscale.
PILOT_COLOUR, WAVE_COLOUR, REST_COLOUR = "#1f78b4", "#d95f02", "#e8e8e8"
COLOURS = [PILOT_COLOUR, WAVE_COLOUR, REST_COLOUR]
PILOT, WAVE, REST = 0, 1, 2
# One fixed colour per score criterion wherever a breakdown is drawn, from Okabe and Ito's palette
# (made to be told apart with every common colour-vision deficiency; tests/test_plan_chart.py checks
# by simulation). Its two blues go to the first and last criteria, never side by side in a bar.
CRITERION_COLOURS = {"reach": "#0072B2", "density": "#E69F00", "adoption": "#009E73", "proximity": "#CC79A7",
                     "balance": "#56B4E9"}


def score_text(value: float, lang: str) -> str:
    return fmt.number(value, 3, lang)


def commune_status(table: pd.DataFrame, result: WaveResult) -> pd.Series:
    """Per GSO code: "pilot", "wave", "candidate", "excluded" (must-exclude) or "unknown"."""
    status = pd.Series("unknown", index=table["gso_code"].to_numpy())
    status[has_team(table).to_numpy()] = "pilot"
    frame = result.candidates
    status[frame.index] = "candidate"
    status[frame.index[frame["selected"]]] = "wave"
    excluded = [code for code in result.settings.constraints.must_exclude if code in frame.index]
    status[excluded] = "excluded"
    return status


def scenario_status(table: pd.DataFrame, selected: list[str]) -> pd.Series:
    """The statuses of a saved scenario: its wave over today's pilots; the rest not selected."""
    status = pd.Series("candidate", index=table["gso_code"].to_numpy())
    status[has_team(table).to_numpy()] = "pilot"
    status[[code for code in selected if code in status.index]] = "wave"
    return status


def status_layer(status: pd.Series, geometry: PublishedGeometry, lang: str, illustrative: bool,
                 candidates: pd.DataFrame | None = None, clickable: bool = False) -> LayerData:
    """The map in three styles (pilot, wave, the rest); excluded and unknown communes dashed."""
    styles, values = {}, {}
    for code, kind in status.items():
        colour = {"pilot": PILOT, "wave": WAVE}.get(kind, REST)
        styles[code] = [colour, STYLE_NO_DATA if kind in ("excluded", "unknown") else STYLE_NORMAL]
        text = labels.label(labels.PLAN_STATUS, kind, lang)
        if candidates is not None and code in candidates.index:
            row = candidates.loc[code]
            text += " · " + t("plan.tip.score", lang, score=score_text(row["score"], lang))
            if kind == "wave":
                text += " · " + t("plan.tip.teams", lang, teams=fmt.number(row["teams"], 0, lang))
        values[code] = html.escape(text)
    footer = "<br><i>" + html.escape(t("plan.tip.click", lang)) + "</i>" if clickable else ""
    if illustrative:
        footer += f'<br><span style="color:#b35806">{html.escape(t("illustrative", lang))}</span>'
    return LayerData(communes_url=geometry.communes_url, outlines_url=geometry.outlines_url, colours=COLOURS,
                     styles=styles, values=values, unit="", missing={}, header=html.escape(t("plan.title", lang)),
                     footer=footer, selected=None, marker=None)


def plan_layer(status: pd.Series, result: WaveResult, geometry: PublishedGeometry, lang: str) -> LayerData:
    """The planner's clickable map for ``status`` (``commune_status``), with scores in the tooltips."""
    return status_layer(status, geometry, lang, result.illustrative, candidates=result.candidates, clickable=True)


def status_legend(status: pd.Series, lang: str) -> list[LegendEntry]:
    counts = status.value_counts()
    entries = [LegendEntry(PILOT_COLOUR, t("plan.legend.pilot", lang), int(counts.get("pilot", 0))),
               LegendEntry(WAVE_COLOUR, t("plan.legend.wave", lang), int(counts.get("wave", 0))),
               LegendEntry(REST_COLOUR, t("plan.legend.rest", lang), int(counts.get("candidate", 0)))]
    dashed = int(counts.get("excluded", 0) + counts.get("unknown", 0))
    if dashed:
        entries.append(LegendEntry(REST_COLOUR, t("plan.legend.dashed", lang), dashed, kind="no_data"))
    return entries


def wave_frame(result: WaveResult) -> pd.DataFrame:
    """The candidates in the wave, highest score first (ties in GSO code order, as the candidates
    come): the rows of the wave list and of the score breakdown chart."""
    return result.candidates[result.candidates["selected"]].sort_values(["score"], ascending=False, kind="stable")


def wave_rows(result: WaveResult, lang: str) -> pd.DataFrame:
    """The selected communes, highest score first, with their estimates."""
    frame = wave_frame(result)
    return pd.DataFrame({
        t("plan.col.rank", lang): range(1, len(frame) + 1),
        t("plan.col.commune", lang): frame["name"].to_numpy(),
        district_header(result, lang): frame["district"].to_numpy(),
        t("plan.col.score", lang): [score_text(v, lang) for v in frame["score"]],
        t("plan.col.teams", lang): [fmt.number(v, 0, lang) for v in frame["teams"]],
    })


def district_header(result: WaveResult, lang: str) -> str:
    """The district column's header: on the 2025 units it holds the former district."""
    return t("plan.col.district", lang) if result.has_districts else t("col.former_district", lang)


def scenario_units(scenario) -> str:
    """The unit set a scenario was planned on (older scenarios have none in their link: 2023)."""
    return read_units(scenario.query)


def score_rows(result: WaveResult, lang: str) -> pd.DataFrame:
    """Every candidate with its score broken down by criterion (each part is weight share × scaled
    criterion, so the parts add up to the score)."""
    frame = result.candidates
    rows = {
        t("plan.col.code", lang): frame.index.to_numpy(),
        t("plan.col.commune", lang): frame["name"].to_numpy(),
        district_header(result, lang): frame["district"].to_numpy(),
        t("plan.col.in_wave", lang): [t("yes", lang) if s else "" for s in frame["selected"]],
        t("plan.col.score", lang): [score_text(v, lang) for v in frame["score"]],
    }
    for name in CRITERIA:
        rows[labels.label(labels.PLAN_CRITERION, name, lang)] = [score_text(v, lang) for v in frame[name]]
    rows[t("plan.col.households", lang)] = [fmt.number(v, 0, lang) for v in frame["households"]]
    rows[t("plan.col.teams", lang)] = [fmt.number(v, 0, lang) for v in frame["teams"]]
    rows[t("plan.col.members", lang)] = [fmt.number(v, 0, lang) for v in frame["members"]]
    rows[t("plan.col.reached", lang)] = [fmt.number(v, 0, lang) for v in frame["reached"]]
    return pd.DataFrame(rows)


def group_text(group: Group, result: WaveResult, names: dict[str, str], districts: dict[str, str], lang: str) -> str:
    constraints = result.settings.constraints
    if group.kind == "size":
        return tn(labels.PLAN_SIZE_LIMIT[constraints.size_kind], constraints.size, lang,
                  size=fmt.number(constraints.size, 0, lang))
    district = districts.get(group.target, group.target)
    if group.kind == "district_min":
        return tn("plan.group.district_min", constraints.district_min, lang, district=district)
    if group.kind == "district_max":
        return tn("plan.group.district_max", constraints.district_max, lang, district=district)
    return labels.label(labels.PLAN_PIN, group.kind, lang, commune=names.get(group.target, group.target))


def setting_notes(result: WaveResult, districts: dict[str, str], lang: str) -> list[str]:
    """Settings that do less than a planner may think: no weight at all, an adoption weight with no
    indicator chosen, a district minimum where a district has no candidate left."""
    settings = result.settings
    notes = []
    if settings.weights.total == 0:
        notes.append(t("plan.note.no_weights", lang))
    elif settings.weights.adoption > 0 and not settings.adoption:
        notes.append(t("plan.note.no_adoption", lang))
    if not result.has_districts and settings.weights.balance > 0:
        notes.append(t("plan.note.no_districts", lang))
    if settings.constraints.district_min > 0:
        without = sorted(set(districts) - set(result.candidates["district_code"]))
        if without:
            notes.append(tn("plan.note.no_candidates_in", settings.constraints.district_min, lang,
                            districts=", ".join(districts[d] for d in without)))
    return notes


def quantities_text(result: WaveResult, after: Iterable[str], lang: str) -> str:
    """What a planner counts, for the plan against another selection: households reached, teams
    and members, each as "now → then (change)"."""
    frame = result.candidates
    before = frame.loc[frame["selected"]]
    changed = frame.loc[list(after)]

    def change(column: str) -> str:
        now, then = int(before[column].sum()), int(changed[column].sum())
        sign = "+" if then > now else "−" if then < now else "±"
        return f"{fmt.number(now, 0, lang)} → {fmt.number(then, 0, lang)} ({sign}{fmt.number(abs(then - now), 0, lang)})"

    return t("plan.explain.quantities", lang, reached=change("reached"), teams=change("teams"),
             members=change("members"))


def explanations(result: WaveResult, names: dict[str, str], districts: dict[str, str], lang: str) -> list[str]:
    """Plain sentences: which constraints bind, and why the next-best commune was left out; with
    the households reached, teams and members each alternative would mean."""
    plan: Plan = result.plan
    say = lambda group: group_text(group, result, names, districts, lang)
    lines = []
    binding = {b.group for b in plan.binding}
    for item in plan.binding:
        lines.append(t("plan.explain.binding", lang, constraint=say(item.group),
                       total=score_text(plan.total_score, lang), better=score_text(item.total_without, lang))
                     + " " + quantities_text(result, item.selected_without, lang))
    loose = [g for g in plan.at_limit if g not in binding and g.kind not in ("include", "exclude")]
    if loose:
        lines.append(t("plan.explain.at_limit", lang, constraints="; ".join(say(g) for g in loose)))
    best: NextBest | None = plan.next_best
    if best is not None:
        commune = names.get(best.code, best.code)
        score = score_text(best.score, lang)
        if best.excluded:
            lines.append(t("plan.explain.next_excluded", lang, commune=commune, score=score))
        elif best.total_with is None:
            lines.append(t("plan.explain.next_impossible", lang, commune=commune, score=score,
                           constraints="; ".join(say(g) for g in best.conflicts)))
        elif abs(best.total_with - plan.total_score) < 0.5 / SCALE:
            lines.append(t("plan.explain.next_tied", lang, commune=commune, score=score))
        else:
            dropped = ", ".join(names.get(c, c) for c in best.dropped) or "—"
            text = t("plan.explain.next", lang, commune=commune, score=score, dropped=dropped,
                     total=score_text(plan.total_score, lang), lower=score_text(best.total_with, lang))
            if best.added:
                text += " " + t("plan.explain.next_added", lang, added=", ".join(names.get(c, c) for c in best.added))
            if best.blocking:
                text += " " + t("plan.explain.blocking", lang, constraints="; ".join(say(g) for g in best.blocking))
            swapped = [c for c in plan.selected if c not in best.dropped] + [best.code, *best.added]
            lines.append(text + " " + quantities_text(result, swapped, lang))
    return lines


def conflict_lines(result: WaveResult, names: dict[str, str], districts: dict[str, str], lang: str) -> list[str]:
    return [group_text(group, result, names, districts, lang) for group in result.plan.conflicts]


def scenario_rows(saved: list, version_numbers: dict[int, int], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("plan.scenario.col.id", lang): [s.id for s in saved],
        t("plan.scenario.col.name", lang): [s.name for s in saved],
        t("plan.scenario.col.communes", lang): [len(s.selected) for s in saved],
        t("units.switch", lang): [labels.label(labels.UNIT_SET_SHORT, scenario_units(s), lang) for s in saved],
        t("plan.xlsx.data_version", lang): [version_numbers.get(s.version_id, s.version_id) for s in saved],
        t("plan.scenario.col.by", lang): [s.created_by for s in saved],
        t("plan.scenario.col.at", lang): [fmt.moment(s.created_at) for s in saved],
        t("plan.scenario.col.note", lang): [s.note for s in saved],
    })


COMPARED_TOTALS = ("communes", "teams", "members", "reached")


def compare_rows(first, second, lang: str) -> pd.DataFrame:
    """The saved totals of two scenarios side by side."""
    rows = []
    for key in COMPARED_TOTALS:
        rows.append([labels.label(labels.PLAN_METRIC, key, lang)] + [fmt.number(s.totals.get(key), 0, lang) for s in (first, second)])
    rows.append([t("plan.metric.coverage", lang)] + [fmt.percent(s.totals["coverage_after"] * 100, 1, lang)
                                                    if "coverage_after" in s.totals else "—" for s in (first, second)])
    rows.append([t("plan.metric.with_teams", lang)] + [
        f"{s.totals['communes_with_teams_after']}/{s.totals['communes_total']}"
        if "communes_with_teams_after" in s.totals else "—" for s in (first, second)])
    return pd.DataFrame(rows, columns=["", f"A · {first.name}", f"B · {second.name}"])


def difference_lines(first, second, names: dict[str, str], lang: str) -> list[str]:
    a, b = set(first.selected), set(second.selected)
    listing = lambda codes: ", ".join(sorted(names.get(c, c) for c in codes)) or "—"
    return [t("plan.compare.only", lang, which="A", communes=listing(a - b)),
            t("plan.compare.only", lang, which="B", communes=listing(b - a)),
            tn("plan.compare.both", len(a & b), lang)]
