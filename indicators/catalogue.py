"""The indicator catalogue (``data/indicators.csv``) and the province report figures."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
CATALOGUE_FILE = DATA_DIR / "indicators.csv"
REPORT_FILE = DATA_DIR / "province_report_2023.csv"
SOURCES_FILE = DATA_DIR / "sources.csv"

_KINDS = {"number", "category"}
_HIGHER = {"higher", "lower", "neutral"}
_SCOPES = {"all", "pilot"}


@dataclass(frozen=True)
class Indicator:
    id: str
    kind: str                  # "number" or "category"
    column: str | None         # raw column in the commune table, for plain indicators
    numerator: str | None      # raw columns for derived ratios: numerator / denominator × scale
    denominator: str | None
    scale: float
    decimals: int
    higher_is_better: str      # "higher", "lower" or "neutral"
    applies_to: str            # "all", or "pilot": only communes with a pilot team have a value
    illustrative: bool
    public: bool
    source_id: str
    as_of: dt.date
    name: dict[str, str]       # language -> text
    unit: dict[str, str]
    description: dict[str, str]
    import_aliases: tuple[str, ...] = ()   # other headers that name it in district report sheets
    upper_bound: str | None = None         # census column an imported value may not exceed (a part of it)
    # On the 2025 units: "" (reported in them, or measured on their polygons), CONVERTED (2022–2024
    # figures converted through the crosswalk) or DENOMINATOR_CONVERTED (a reported numerator over a
    # converted 2019 census denominator). See indicators.conversion.catalogue_2025.
    conversion: str = ""
    # Published from a reporting round that expected it: a unit without a value has not reported.
    # Plain indicators only (a ratio may lack its census denominator, which is no reporting gap).
    round_expected: bool = False


CONVERTED, DENOMINATOR_CONVERTED = "converted", "denominator"


@dataclass(frozen=True)
class Source:
    id: str
    title: dict[str, str]
    date: dt.date
    where: dict[str, str]        # the publisher or place, by its public name, per language


@dataclass(frozen=True)
class ReportFigure:
    id: str
    kind: str                  # "number", "percent", "fraction" or "text"
    value: float | None
    target: float | None
    over: bool                 # the report says "over" (trên) this value
    label: dict[str, str]
    unit: dict[str, str]
    text: dict[str, str]
    as_of: dt.date
    source_id: str
    gso_code: str | None       # the commune a figure is about, when it names one


def _optional(value) -> str | None:
    return None if pd.isna(value) or str(value).strip() == "" else str(value).strip()


def _flag(value, where: str) -> bool:
    text = str(value).strip().lower()
    if text not in {"true", "false"}:
        raise ValueError(f"{where}: cần true/false, gặp {value!r}")
    return text == "true"


def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Indicator]:
    """Indicators in catalogue order. Raises ValueError naming the row and column of a bad cell."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    catalogue: dict[str, Indicator] = {}
    for position, row in enumerate(frame.to_dict("records"), start=2):
        where = f"{path.name} dòng {position}"
        indicator = Indicator(
            id=row["id"], kind=row["kind"], column=_optional(row["column"]),
            numerator=_optional(row["numerator"]), denominator=_optional(row["denominator"]),
            scale=float(row["scale"]), decimals=int(row["decimals"]),
            higher_is_better=row["higher_is_better"], applies_to=row["applies_to"],
            illustrative=_flag(row["illustrative"], f"{where}, cột illustrative"),
            public=_flag(row["public"], f"{where}, cột public"),
            source_id=row["source_id"], as_of=dt.date.fromisoformat(row["as_of"]),
            name={"vi": row["name_vi"], "en": row["name_en"]},
            unit={"vi": row["unit_vi"], "en": row["unit_en"]},
            description={"vi": row["description_vi"], "en": row["description_en"]},
            import_aliases=tuple(a.strip() for a in row.get("import_aliases", "").split("|") if a.strip()),
            upper_bound=_optional(row.get("upper_bound", "")),
        )
        problems = []
        if indicator.kind not in _KINDS:
            problems.append(f"kind {indicator.kind!r}")
        if indicator.higher_is_better not in _HIGHER:
            problems.append(f"higher_is_better {indicator.higher_is_better!r}")
        if indicator.applies_to not in _SCOPES:
            problems.append(f"applies_to {indicator.applies_to!r}")
        if (indicator.column is None) == (indicator.numerator is None):
            problems.append("cần đúng một trong hai: column hoặc numerator/denominator")
        if indicator.numerator is not None and indicator.denominator is None:
            problems.append("numerator không có denominator")
        if indicator.id in catalogue:
            problems.append(f"id trùng {indicator.id!r}")
        if problems:
            raise ValueError(f"{where}: " + "; ".join(problems))
        catalogue[indicator.id] = indicator
    return catalogue


def load_sources(path: Path = SOURCES_FILE) -> dict[str, Source]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {
        row["id"]: Source(row["id"], {"vi": row["title_vi"], "en": row["title_en"]},
                          dt.date.fromisoformat(row["date"]), {"vi": row["where_vi"], "en": row["where_en"]})
        for row in frame.to_dict("records")
    }


def load_report(path: Path = REPORT_FILE) -> list[ReportFigure]:
    """The province figures of the 10/02/2023 report, in display order."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.assign(order=frame["order"].astype(int)).sort_values("order")
    figures = []
    for row in frame.to_dict("records"):
        value, target = _optional(row["value"]), _optional(row["target"])
        figures.append(ReportFigure(
            id=row["id"], kind=row["kind"],
            value=float(value) if value is not None else None,
            target=float(target) if target is not None else None,
            over=row["qualifier"] == "over",
            label={"vi": row["label_vi"], "en": row["label_en"]},
            unit={"vi": row["unit_vi"], "en": row["unit_en"]},
            text={"vi": row["text_vi"], "en": row["text_en"]},
            as_of=dt.date.fromisoformat(row["as_of"]), source_id=row["source_id"],
            gso_code=_optional(row["gso_code"]),
        ))
    return figures


def denominator_indicator(indicator: Indicator, catalogue: dict[str, Indicator]) -> Indicator | None:
    """The catalogue indicator whose raw column is this indicator's denominator, if any."""
    if indicator.denominator is None:
        return None
    return next((other for other in catalogue.values() if other.column == indicator.denominator), None)
