"""The published commune dataset and where each indicator's values come from.

Imported tables carry the digital-transformation indicators (teams, members, households guided,
VNeID, ...). The published version supplies every indicator it contains; an indicator it does not
contain keeps the illustrative sample (version 0), still marked as such. Indicators computed from
the reference data (population, area, ...) never come from an import.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
import sqlalchemy as sa

from indicators.catalogue import Indicator, Source
from storage import queries

PILOT_INDICATOR = "pilot_status"
TEAMS_INDICATOR = "hamlet_teams"
SAMPLE_SOURCE_ID = "sample_generator"


@dataclass(frozen=True)
class Provenance:
    version: int
    period: str
    as_of: dt.date
    source: str
    illustrative: bool
    # Published from a reporting round that expected this indicator: a unit without a value did
    # not report ("chưa báo cáo"), which is not the same as "no data".
    round_expected: bool = False

    @property
    def source_id(self) -> str:
        return f"version:{self.version}"


def importable_indicators(catalogue: dict[str, Indicator]) -> list[Indicator]:
    """Numeric indicators stored as imported values (not computed from other columns)."""
    return [i for i in catalogue.values()
            if i.source_id == SAMPLE_SOURCE_ID and i.kind == "number" and i.column is not None]


def _provenance(version: queries.VersionInfo, expected: frozenset[str] = frozenset(), indicator: str = "") -> Provenance:
    return Provenance(version.number, version.period, version.as_of, version.source, version.illustrative,
                      indicator in expected)


def _wide(long: pd.DataFrame, catalogue: dict[str, Indicator]) -> pd.DataFrame:
    wide = long.pivot(index="gso_code", columns="indicator", values="value")
    columns = {i.id: i.column for i in importable_indicators(catalogue)}
    return wide.rename(columns=columns)


def own_pilot_rows(values: pd.DataFrame) -> pd.DataFrame | None:
    """A version's pilot-status rows: stored with the sample (version 0); in an imported version
    they follow the teams (a commune with an imported team count above 0 is a pilot). None when
    the version has neither, and the status must come from elsewhere (the sample)."""
    held = set(values["indicator"])
    if PILOT_INDICATOR in held:
        return values[values["indicator"] == PILOT_INDICATOR]
    if TEAMS_INDICATOR in held:
        teams = values[values["indicator"] == TEAMS_INDICATOR]
        return teams.assign(indicator=PILOT_INDICATOR, value=(teams["value"] > 0).astype(float))
    return None


def dataset_frame(values: pd.DataFrame, pilot: pd.DataFrame, catalogue: dict[str, Indicator]) -> pd.DataFrame:
    """The frame ``indicators.table.commune_table`` expects (gso_code, raw columns, pilot) from
    long rows of importable indicators and the pilot-status rows."""
    frame = _wide(pd.concat([values, pilot], ignore_index=True), catalogue)
    columns = [i.column for i in importable_indicators(catalogue)] + [PILOT_INDICATOR]
    frame = frame.reindex(columns=columns).reset_index()
    # A commune the pilot rows do not cover has an unknown pilot status, not "no team".
    frame["pilot"] = frame.pop(PILOT_INDICATOR).map({1.0: True, 0.0: False}).astype("boolean")
    return frame


@dataclass(frozen=True)
class PublishedDataset:
    """One version's values, ready for ``indicators.conversion.tables_in_units``.

    ``old`` is in the 2023 units: a 2023-units version's values, with the sample (version 0, in
    the 2023 units) supplying every indicator the version lacks; for a 2025-units version the
    sample alone. ``own`` is a 2025-units version's own values in those units (its indicators'
    columns; ``pilot`` from its team counts, else unknown), None for a 2023-units version."""
    units: str
    old: pd.DataFrame
    own: pd.DataFrame | None
    provenance: dict[str, Provenance]


def published_dataset(connection: sa.Connection, catalogue: dict[str, Indicator], version_id: int | None = None
                      ) -> PublishedDataset:
    """The values of version ``version_id`` (by default the one published now) and the provenance
    of every imported indicator. A cache keyed by a version id must pass it: reading "whatever is
    published" after looking up the id would store a later publication under the earlier id."""
    sample_version = queries.version_by_number(connection, 0)
    if version_id is not None:
        current = queries.get_version(connection, version_id)
    else:
        current = queries.published_version(connection) or sample_version
    sample = queries.version_values(connection, sample_version.id)
    chosen = queries.version_values(connection, current.id)
    provided = set(chosen["indicator"])
    own_units = current.units != sample_version.units
    expected = queries.round_indicators(connection, current.round_id) if current.round_id else frozenset()

    parts, own_parts, provenance = [], [], {}
    for indicator in importable_indicators(catalogue):
        mine = indicator.id in provided
        if mine and own_units:
            own_parts.append(chosen[chosen["indicator"] == indicator.id])
        source = chosen if mine and not own_units else sample
        parts.append(source[source["indicator"] == indicator.id])
        provenance[indicator.id] = (_provenance(current, expected, indicator.id) if mine
                                    else _provenance(sample_version))
    pilot = own_pilot_rows(chosen)
    # Pilot status follows the teams: where a round expected teams, a unit without them has not reported.
    provenance[PILOT_INDICATOR] = (_provenance(current, expected, TEAMS_INDICATOR) if pilot is not None
                                   else _provenance(sample_version))
    sample_pilot = sample[sample["indicator"] == PILOT_INDICATOR]
    own = None
    if own_units:
        own = dataset_frame(pd.concat(own_parts or [chosen.iloc[0:0]], ignore_index=True),
                            pilot if pilot is not None else sample_pilot.iloc[0:0], catalogue)
        pilot = None
    old = dataset_frame(pd.concat(parts, ignore_index=True), sample_pilot if pilot is None else pilot, catalogue)
    return PublishedDataset(current.units, old, own, provenance)


def effective_catalogue(catalogue: dict[str, Indicator], sources: dict[str, Source],
                        provenance: dict[str, Provenance]) -> tuple[dict[str, Indicator], dict[str, Source]]:
    """The catalogue with each imported indicator's date, source and illustrative mark taken from
    the version its values come from; ratios follow their numerator."""
    by_column = {catalogue[i].column: p for i, p in provenance.items() if catalogue[i].column}
    sources = dict(sources)
    effective = {}
    for indicator in catalogue.values():
        origin = provenance.get(indicator.id) or by_column.get(indicator.numerator or "")
        if origin is None:
            effective[indicator.id] = indicator
            continue
        # The sample's stored source is a Vietnamese label; its catalogue entry names it in both languages.
        named = (sources[SAMPLE_SOURCE_ID].title if origin.version == 0 and SAMPLE_SOURCE_ID in sources
                 else {"vi": origin.source, "en": origin.source})
        sources[origin.source_id] = Source(
            origin.source_id,
            {"vi": f"{named['vi']} (phiên bản {origin.version}, kỳ {origin.period})",
             "en": f"{named['en']} (version {origin.version}, period {origin.period})"},
            origin.as_of, {"vi": origin.source, "en": origin.source})
        effective[indicator.id] = replace(indicator, illustrative=origin.illustrative, as_of=origin.as_of,
                                          source_id=origin.source_id,
                                          round_expected=origin.round_expected and indicator.column is not None)
    return effective, sources
