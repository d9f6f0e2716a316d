"""The two unit sets on the map: their names, and the crosswalk explorer's rows (which old units
a 2025 unit was formed from, which new units an old one went into), with the official clause and
the weight used to share a split unit's values."""
from __future__ import annotations

import pandas as pd

from l10n import fmt
from l10n.messages import N_, t

RELATIONS = {"whole": N_("units.relation.whole"), "part": N_("units.relation.part"),
             "remainder": N_("units.relation.remainder")}


def weight_text(relation: str, weight: float, lang: str) -> str:
    if relation == "whole":
        return t("units.weight.whole", lang)
    return t("units.weight.area", lang, share=fmt.number(weight * 100, 1, lang))


def formed_from_rows(crosswalk: pd.DataFrame, old_units: pd.DataFrame, new_code: str, lang: str) -> pd.DataFrame:
    """The old units and pieces a 2025 unit was formed from (empty for former Bạc Liêu units)."""
    pieces = crosswalk[crosswalk["new_code"] == new_code].merge(
        old_units[["gso_code", "name", "district"]], left_on="old_gso_code", right_on="gso_code", how="left")
    return pd.DataFrame({
        t("units.col.old_unit", lang): pieces["name"],
        t("col.former_district", lang): pieces["district"],
        t("units.col.relation", lang): [t(RELATIONS[r], lang) for r in pieces["relation"]],
        t("units.col.weight", lang): [weight_text(r, w, lang) for r, w in zip(pieces["relation"], pieces["weight"])],
        t("units.col.clause", lang): pieces["sapnhap_item_text"],
    })


def went_into_rows(crosswalk: pd.DataFrame, new_units: pd.DataFrame, old_code: str, lang: str) -> pd.DataFrame:
    """The 2025 unit or units an old unit went into."""
    pieces = crosswalk[crosswalk["old_gso_code"] == old_code].merge(
        new_units[["gso_code", "name"]], left_on="new_code", right_on="gso_code", how="left")
    return pd.DataFrame({
        t("units.col.new_unit", lang): pieces["name"],
        t("units.col.relation", lang): [t(RELATIONS[r], lang) for r in pieces["relation"]],
        t("units.col.weight", lang): [weight_text(r, w, lang) for r, w in zip(pieces["relation"], pieces["weight"])],
        t("units.col.clause", lang): pieces["sapnhap_item_text"],
    })
