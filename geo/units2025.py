"""The units of the merged province (from 1 July 2025) and the crosswalk from the 2022–2024 units.

Read from the same reference directory as the 2023 files and validated the same way: 64 units
(39 holding former Cà Mau territory, 25 former Bạc Liêu), their polygons, and the official pairs
"old unit → new unit" with their relation (``whole``, ``part`` or ``remainder``).

A split old unit's values are shared among its pieces by the piece's share of the old polygon's
area, measured by overlaying the 2023 and 2025 polygons in UTM 48N. The 2023 polygons are coarse,
so a small official transfer can measure as (almost) nothing; the weights are stated wherever a
converted value is shown.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.reference import ReferenceData, ReferenceDataError, read_csv_checked, read_geojson_checked, reference_dir

NEW_UNITS_FILE = "camau_new_units_2025.csv"
NEW_COMMUNES_FILE = "camau_new_communes_2025.geojson"
CROSSWALK_FILE = "camau_crosswalk_2023_to_2025.csv"
REQUIRED_FILES_2025 = (NEW_UNITS_FILE, NEW_COMMUNES_FILE, CROSSWALK_FILE)

EXPECTED_NEW_UNITS = 64
# The merged province reaches former Bạc Liêu's coast in the east.
MERGED_PROVINCE_BOX = (104.3, 8.2, 106.0, 9.8)
PROJECTED_CRS = 32648   # UTM zone 48N: metres, so areas are comparable
RELATIONS = ("whole", "part", "remainder")

NEW_UNIT_COLUMNS = ("code", "fullName", "name", "contains_former_camau_territory")
CROSSWALK_COLUMNS = ("old_gso_code", "old_name", "new_code", "new_name", "relation", "sapnhap_item_text")


@dataclass(frozen=True)
class UnitSet:
    """One set of commune-level units, by its id as used in URLs and files: "2023" (101 units in 9
    districts, valid until 30/11/2024) or "2025" (64 units and no districts, from 01/07/2025)."""
    id: str


UNITS_2023 = UnitSet("2023")
UNITS_2025 = UnitSet("2025")
UNIT_SETS = {unit_set.id: unit_set for unit_set in (UNITS_2023, UNITS_2025)}


@dataclass(frozen=True)
class Reference2025:
    units: pd.DataFrame          # 64 rows: gso_code, name (full), name_short, type, former_camau
    communes: gpd.GeoDataFrame   # 64 polygons, EPSG:4326: gso_code, area_km2_geodesic, name, type
    province: gpd.GeoDataFrame   # 1 outline: the union of the 64 polygons
    crosswalk: pd.DataFrame      # 123 pieces: old_gso_code, new_code, relation, clause, weight


def load_reference_2025(old: ReferenceData, directory: Path | None = None) -> Reference2025:
    """Read and check the 2025 units, their polygons and the crosswalk against the 2023 units in
    ``old``; the pieces' weights come from overlaying ``old.communes`` with the new polygons."""
    directory = Path(directory) if directory is not None else reference_dir()
    for name in REQUIRED_FILES_2025:
        if not (directory / name).is_file():
            raise ReferenceDataError("missing_file", directory / name)
    units = read_csv_checked(directory / NEW_UNITS_FILE, NEW_UNIT_COLUMNS, code_column="code")
    communes = read_geojson_checked(directory / NEW_COMMUNES_FILE, ("code", "area_km2_geodesic"),
                                    box=MERGED_PROVINCE_BOX, code_column="code")
    crosswalk = read_csv_checked(directory / CROSSWALK_FILE, CROSSWALK_COLUMNS,
                                 code_column=("old_gso_code", "new_code"))

    units = _unit_rows(directory / NEW_UNITS_FILE, units)
    _check_codes(directory / NEW_COMMUNES_FILE, communes["code"], set(units["gso_code"]))
    _check_crosswalk(directory / CROSSWALK_FILE, crosswalk, set(old.units["gso_code"]), units)

    communes = communes.rename(columns={"code": "gso_code"})[["gso_code", "area_km2_geodesic", "geometry"]].merge(
        units[["gso_code", "name", "type"]], on="gso_code", how="left", validate="1:1")
    province = gpd.GeoDataFrame(geometry=[communes.geometry.union_all()], crs=communes.crs)
    crosswalk = crosswalk.assign(weight=piece_weights(crosswalk, old.communes, communes))
    return Reference2025(units, communes.sort_values("gso_code").reset_index(drop=True), province,
                         crosswalk.sort_values(["old_gso_code", "new_code"]).reset_index(drop=True))


def piece_weights(crosswalk: pd.DataFrame, old_communes: gpd.GeoDataFrame,
                  new_communes: gpd.GeoDataFrame) -> pd.Series:
    """Each piece's share of its old unit: 1 for a ``whole`` piece; for a split unit, the area of
    the old polygon inside the piece's new unit over the sum of that over the unit's pieces (only
    the listed pieces count: slivers where the coarse polygons overlap other units are noise)."""
    old_shapes = old_communes.set_index("gso_code").geometry.to_crs(PROJECTED_CRS)
    new_shapes = new_communes.set_index("gso_code").geometry.to_crs(PROJECTED_CRS)
    overlap = gpd.GeoSeries(old_shapes.loc[crosswalk["old_gso_code"]].values, crs=PROJECTED_CRS).intersection(
        gpd.GeoSeries(new_shapes.loc[crosswalk["new_code"]].values, crs=PROJECTED_CRS), align=False).area
    overlap.index = crosswalk.index
    totals = overlap.groupby(crosswalk["old_gso_code"]).transform("sum")
    pieces = crosswalk.groupby("old_gso_code")["new_code"].transform("size")
    # An old polygon that meets none of its new units (never seen on the real files) is split evenly.
    shares = (overlap / totals).where(totals > 0, 1 / pieces)
    return shares.where(crosswalk["relation"] != "whole", 1.0).astype(float)


def _unit_rows(path: Path, units: pd.DataFrame) -> pd.DataFrame:
    _check_codes(path, units["code"], None)
    former = units["contains_former_camau_territory"].astype(str).str.strip().str.lower()
    if not former.isin({"true", "false"}).all():
        raise ReferenceDataError("invalid_data", path, "contains_former_camau_territory cần true/false")
    full = units["fullName"].astype(str).str.strip()
    kind = full.str.extract(r"^(Phường|Xã)\s", expand=False)
    if kind.isna().any():
        raise ReferenceDataError("invalid_data", path,
                                 "tên không bắt đầu bằng Phường/Xã: " + ", ".join(full[kind.isna()].head(3)))
    return pd.DataFrame({"gso_code": units["code"], "name": full, "name_short": units["name"].astype(str).str.strip(),
                         "type": kind, "former_camau": former == "true"}).sort_values("gso_code").reset_index(drop=True)


def _check_codes(path: Path, codes: pd.Series, known: set[str] | None) -> None:
    if len(codes) != EXPECTED_NEW_UNITS:
        raise ReferenceDataError("invalid_data", path, f"có {len(codes)} đơn vị, cần {EXPECTED_NEW_UNITS}")
    duplicates = sorted(codes[codes.duplicated()].unique())
    if duplicates:
        raise ReferenceDataError("invalid_data", path, "mã trùng: " + ", ".join(duplicates))
    unknown = sorted(set(codes) - known) if known is not None else []
    if unknown:
        raise ReferenceDataError("invalid_data", path, "mã không có trong danh mục 2025: " + ", ".join(unknown))


def _check_crosswalk(path: Path, crosswalk: pd.DataFrame, old_codes: set[str], units: pd.DataFrame) -> None:
    def refuse(detail: str) -> None:
        raise ReferenceDataError("invalid_data", path, detail)

    bad_relation = sorted(set(crosswalk["relation"]) - set(RELATIONS))
    if bad_relation:
        refuse("quan hệ không rõ: " + ", ".join(map(str, bad_relation)))
    if crosswalk.duplicated(["old_gso_code", "new_code"]).any():
        refuse("cặp đơn vị cũ → mới bị lặp")
    missing_old = sorted(old_codes - set(crosswalk["old_gso_code"]))
    if missing_old:
        refuse("đơn vị cũ không có trong bảng chuyển đổi: " + ", ".join(missing_old))
    unknown_old = sorted(set(crosswalk["old_gso_code"]) - old_codes)
    if unknown_old:
        refuse("mã cũ không có trong danh mục 2023: " + ", ".join(unknown_old))
    unknown_new = sorted(set(crosswalk["new_code"]) - set(units["gso_code"]))
    if unknown_new:
        refuse("mã mới không có trong danh mục 2025: " + ", ".join(unknown_new))
    pieces = crosswalk.groupby("old_gso_code")["relation"]
    whole_but_split = sorted(code for code, relations in pieces
                             if "whole" in set(relations) and len(relations) > 1)
    if whole_but_split:
        refuse("đơn vị vừa nhập nguyên vẹn vừa bị chia: " + ", ".join(whole_but_split))
    split_without_whole = sorted(code for code, relations in pieces
                                 if len(relations) == 1 and relations.iloc[0] != "whole")
    if split_without_whole:
        refuse("đơn vị bị chia chỉ có một phần: " + ", ".join(split_without_whole))
    fed = set(crosswalk["new_code"])
    former = set(units.loc[units["former_camau"], "gso_code"])
    if fed != former:
        refuse("các đơn vị có phần lãnh thổ Cà Mau cũ không khớp bảng chuyển đổi: "
               + ", ".join(sorted(fed ^ former)))
