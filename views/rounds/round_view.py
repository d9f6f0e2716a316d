"""A reporting round as the editors see it: its submissions, its merged table and completeness,
the completeness map and the exported summary. Streamlit-free; the rounds page and
``manage.py round status`` read it."""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from geo.maprender import STYLE_NORMAL, LayerData
from geo.web_geometry import PublishedGeometry
from indicators.catalogue import Indicator
from indicators.rounds import (
    IN,
    LATE,
    MISSING,
    OVERDUE,
    expected_units,
    group_completeness,
    merge,
    unit_completeness,
)
from l10n import fmt
from l10n.fmt import in_vietnam
from l10n.messages import N_, t
from storage import rounds
from views.map.mapview import LegendEntry

STATUS_KEYS = {IN: N_("round.status.in"), LATE: N_("round.status.late"), MISSING: N_("round.status.missing"),
               OVERDUE: N_("round.status.overdue")}
# Completeness on the small map: all in, part in, nothing (ColorBrewer YlGn, 3 classes).
COMPLETENESS_COLOURS = {"all": "#31a354", "part": "#addd8e", "none": "#f7fcb9"}


@dataclass(frozen=True)
class RoundState:
    round: rounds.Round
    submissions: list[rounds.Submission]
    merged: pd.DataFrame          # gso_code, indicator, value, submission_id
    per_unit: pd.DataFrame        # indicators.rounds.unit_completeness

    @property
    def complete(self) -> bool:
        return bool((self.per_unit["received"] == self.per_unit["expected"]).all())


def round_state(connection: sa.Connection, round_id: int, units: pd.DataFrame, today: dt.date) -> RoundState:
    """``units``: the unit set's units (reference.units or the 2025 units)."""
    round_ = rounds.get_round(connection, round_id)
    submissions = rounds.round_submissions(connection, round_id)
    merged = merge(rounds.round_values(connection, round_id))
    days = {s.id: in_vietnam(s.created_at).date() for s in submissions}
    per_unit = unit_completeness(merged, expected_units(units), list(round_.indicators), days, round_.due, today)
    return RoundState(round_, submissions, merged, per_unit)


def unit_rows(state: RoundState, catalogue: dict[str, Indicator], lang: str) -> pd.DataFrame:
    """The exportable per-unit table: unit, district (2022–2024 units), indicators in, missing, status."""
    frame = pd.DataFrame({
        t("col.gso_code", lang): state.per_unit["gso_code"],
        t("col.commune", lang): state.per_unit["name"],
    })
    if state.per_unit["group"].astype(bool).any():
        frame[t("col.district", lang)] = state.per_unit["group"]
    frame[t("round.col.received", lang)] = [f"{r}/{e}" for r, e in zip(state.per_unit["received"],
                                                                         state.per_unit["expected"])]
    frame[t("round.col.missing", lang)] = [", ".join(catalogue[i].name[lang] for i in missing if i in catalogue)
                                           for missing in state.per_unit["missing"]]
    frame[t("round.col.status", lang)] = [t(STATUS_KEYS[s], lang) for s in state.per_unit["status"]]
    frame[t("round.col.last", lang)] = [fmt.date(d) if d else "" for d in state.per_unit["last_received"]]
    return frame


def group_rows(state: RoundState, lang: str) -> pd.DataFrame:
    """Per district (one row for the province on the 2025 units): units complete, partly in, with
    nothing, late."""
    groups = group_completeness(state.per_unit)
    return pd.DataFrame({
        t("col.district", lang): [g or t("round.whole_province", lang) for g in groups["group"]],
        t("round.col.units", lang): groups["units"],
        t("round.col.complete", lang): groups["complete"],
        t("round.col.partial", lang): groups["partial"],
        t("round.col.none", lang): groups["none"],
        t("round.col.late", lang): groups["late"],
    })


def submission_rows(state: RoundState, district_names: dict[str, str], lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("round.col.sender", lang): [s.sender for s in state.submissions],
        t("round.col.area", lang): [district_names.get(s.area, s.area) if s.area else t("round.whole_province", lang)
                                    for s in state.submissions],
        t("round.col.file", lang): [s.file_name for s in state.submissions],
        t("round.col.rows", lang): [s.rows_matched for s in state.submissions],
        t("round.col.outside", lang): [", ".join(s.outside_area) for s in state.submissions],
        t("round.col.by", lang): [s.created_by for s in state.submissions],
        t("round.col.at", lang): [fmt.moment(s.created_at) for s in state.submissions],
    })


def completeness_colours(state: RoundState) -> dict[str, str]:
    """Each unit's colour on the completeness map."""
    colours = {}
    for row in state.per_unit.itertuples(index=False):
        kind = "all" if row.received == row.expected else "part" if row.received else "none"
        colours[row.gso_code] = COMPLETENESS_COLOURS[kind]
    return colours


def gap_text(state: RoundState, catalogue: dict[str, Indicator], lang: str, limit: int = 12) -> str:
    """The gaps named, for the confirmation before an incomplete round is published."""
    missing = sorted(((row.name, row.missing) for row in state.per_unit.itertuples(index=False) if row.missing),
                     key=lambda item: item[0])
    named = [f"{name} ({', '.join(catalogue[i].name[lang] for i in ids if i in catalogue)})"
             for name, ids in missing[:limit]]
    more = len(missing) - limit
    return "; ".join(named) + (t("round.gaps_more", lang, count=more) if more > 0 else "")


def completeness_layer(state: RoundState, geometry: PublishedGeometry, lang: str) -> LayerData:
    """The small completeness map: each unit coloured by how much of the round it has sent, its
    tooltip "3/7 chỉ tiêu · Thiếu: …"."""
    colours = completeness_colours(state)
    palette = list(COMPLETENESS_COLOURS.values())
    styles = {code: (palette.index(colour), STYLE_NORMAL) for code, colour in colours.items()}
    values = {row.gso_code: html.escape(t("round.tooltip", lang, received=row.received, expected=row.expected,
                                          status=t(STATUS_KEYS[row.status], lang)))
              for row in state.per_unit.itertuples(index=False)}
    return LayerData(communes_url=geometry.communes_url, outlines_url=geometry.outlines_url, colours=palette,
                     styles=styles, values=values, unit="", missing={}, header=html.escape(t("round.map", lang)),
                     footer="", selected=None, marker=None)


def completeness_legend(state: RoundState, lang: str) -> list[LegendEntry]:
    counts = pd.Series(completeness_colours(state)).value_counts()
    keys = {"all": N_("round.legend.all"), "part": N_("round.legend.part"), "none": N_("round.legend.none")}
    return [LegendEntry(colour, t(keys[kind], lang), int(counts.get(colour, 0)))
            for kind, colour in COMPLETENESS_COLOURS.items()]
