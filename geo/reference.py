"""Load and validate the reference data (units, boundaries, census) from the reference directory.

The files are never copied into the repository: they are read from the directory named by the
environment variable ``CAMAU_REFERENCE_DIR``, or from ``../shared/reference`` beside the checkout.
Every problem raises ``ReferenceDataError`` with a kind, the path concerned and a detail, so that a
page can explain it in plain words instead of showing a traceback.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.codes import InvalidCodeError, normalise_code_column

ENV_VAR = "CAMAU_REFERENCE_DIR"
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"

UNITS_FILE = "camau_units_gso_2023.csv"
COMMUNES_FILE = "camau_communes_2023.geojson"
POPULATION_FILE = "camau_population_by_commune.csv"
DISTRICTS_FILE = "camau_districts_gis_chinhphu.geojson"
PROVINCE_FILE = "camau_province_gis_chinhphu.geojson"
REQUIRED_FILES = (UNITS_FILE, COMMUNES_FILE, POPULATION_FILE, DISTRICTS_FILE, PROVINCE_FILE)

EXPECTED_UNITS = 101
# Cà Mau with its islands (Hòn Khoai, Hòn Chuối) lies well inside this box; anything outside is
# not WGS84 longitude/latitude (e.g. projected metres or swapped axes).
PROVINCE_BOX = (104.3, 8.2, 105.7, 9.8)

UNIT_COLUMNS = ("gso_code", "name", "name_short", "type", "district_code", "district")
POPULATION_COLUMNS = ("gso_code", "pop2019_total", "pop2019_urban", "hh2019_total")


class ReferenceDataError(Exception):
    """The reference data cannot be used. ``kind`` is one of
    ``missing_dir``, ``missing_file``, ``corrupt_file``, ``invalid_data``."""

    def __init__(self, kind: str, path: Path, detail: str = ""):
        super().__init__(f"{kind}: {path}: {detail}")
        self.kind = kind
        self.path = Path(path)
        self.detail = detail


@dataclass(frozen=True)
class ReferenceData:
    directory: Path
    units: pd.DataFrame          # one row per unit, gso_code as 5-char string
    communes: gpd.GeoDataFrame   # 101 polygons, EPSG:4326, gso_code + area_km2_geodesic
    population: pd.DataFrame     # 2019 census per unit
    districts: gpd.GeoDataFrame  # 9 district outlines
    province: gpd.GeoDataFrame   # 1 province outline


def reference_dir() -> Path:
    """The configured reference directory (not checked for existence)."""
    configured = os.environ.get(ENV_VAR, "").strip()
    return Path(configured).expanduser() if configured else DEFAULT_REFERENCE_DIR


def missing_reference_path(directory: Path | None = None) -> Path | None:
    """The reference directory, or the first required file in it, that does not exist; None when
    they all exist. Reads no file, so a page that needs no boundaries can still say what is missing."""
    directory = Path(directory) if directory is not None else reference_dir()
    if not directory.is_dir():
        return directory
    return next((directory / name for name in REQUIRED_FILES if not (directory / name).is_file()), None)


def load_reference(directory: Path | None = None) -> ReferenceData:
    directory = Path(directory) if directory is not None else reference_dir()
    if not directory.is_dir():
        raise ReferenceDataError("missing_dir", directory)
    for name in REQUIRED_FILES:
        if not (directory / name).is_file():
            raise ReferenceDataError("missing_file", directory / name)

    units = read_csv_checked(directory / UNITS_FILE, UNIT_COLUMNS)
    population = read_csv_checked(directory / POPULATION_FILE, POPULATION_COLUMNS)
    communes = read_geojson_checked(directory / COMMUNES_FILE, ("gso_code", "area_km2_geodesic"))
    districts = read_geojson_checked(directory / DISTRICTS_FILE, ("level2_id", "name"))
    province = read_geojson_checked(directory / PROVINCE_FILE, ())

    units["district_code"] = units["district_code"].astype(str)
    districts["level2_id"] = districts["level2_id"].astype(str)
    _validate(directory, units, communes, population)
    # Names, types and districts come from the official GSO list; the geometry file's own
    # attributes (census-2009 names, 7-digit ids) are dropped so there is one source of truth.
    communes = communes[["gso_code", "area_km2_geodesic", "geometry"]].merge(
        units[["gso_code", "name", "type", "district_code", "district"]],
        on="gso_code", how="left", validate="1:1",
    )
    return ReferenceData(directory, units, communes, population, districts, province)


def read_csv_checked(path: Path, required: tuple[str, ...],
                     code_column: str | tuple[str, ...] = "gso_code") -> pd.DataFrame:
    """A reference CSV with its required columns and its code column(s) normalised to 5 digits."""
    columns = (code_column,) if isinstance(code_column, str) else code_column
    try:
        frame = pd.read_csv(path, dtype=dict.fromkeys(columns, object), encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        raise ReferenceDataError("corrupt_file", path, str(exc)) from None
    _require_columns(path, frame.columns, required)
    for column in columns:
        _normalise_codes(path, frame, column)
    return frame


def read_geojson_checked(path: Path, required: tuple[str, ...], box: tuple[float, float, float, float] = PROVINCE_BOX,
                         code_column: str = "gso_code") -> gpd.GeoDataFrame:
    """A reference GeoJSON in WGS84 inside ``box``, every geometry present and valid."""
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise ReferenceDataError("corrupt_file", path, str(exc).splitlines()[0] if str(exc) else
                                 type(exc).__name__) from None
    _require_columns(path, frame.columns, required)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        raise ReferenceDataError("invalid_data", path, f"hệ tọa độ {frame.crs.to_string()} không phải WGS84")
    minx, miny, maxx, maxy = frame.total_bounds
    if not (box[0] <= minx and maxx <= box[2] and box[1] <= miny and maxy <= box[3]):
        raise ReferenceDataError(
            "invalid_data", path,
            f"tọa độ [{minx:.3f}, {miny:.3f}, {maxx:.3f}, {maxy:.3f}] nằm ngoài tỉnh Cà Mau (cần WGS84 kinh độ/vĩ độ)")
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        raise ReferenceDataError("invalid_data", path, "có đối tượng không có hình học")
    invalid = ~shapely.is_valid(frame.geometry.values)
    if invalid.any():
        raise ReferenceDataError("invalid_data", path, f"{int(invalid.sum())} hình học không hợp lệ")
    if code_column in frame.columns:
        _normalise_codes(path, frame, code_column)
    return frame.set_crs(4326, allow_override=True)


def _normalise_codes(path: Path, frame: pd.DataFrame, column: str) -> None:
    try:
        frame[column] = normalise_code_column(frame[column])
    except InvalidCodeError as exc:
        raise ReferenceDataError("invalid_data", path, f"{column}: {exc}" if column != "gso_code" else str(exc)) from None


def _require_columns(path: Path, columns, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise ReferenceDataError("invalid_data", path, "thiếu cột " + ", ".join(missing))


def _validate(directory: Path, units: pd.DataFrame, communes: gpd.GeoDataFrame,
              population: pd.DataFrame) -> None:
    checks = (
        (directory / UNITS_FILE, units["gso_code"]),
        (directory / COMMUNES_FILE, communes["gso_code"]),
        (directory / POPULATION_FILE, population["gso_code"]),
    )
    for path, codes in checks:
        if len(codes) != EXPECTED_UNITS:
            raise ReferenceDataError("invalid_data", path, f"có {len(codes)} đơn vị, cần {EXPECTED_UNITS}")
        duplicates = sorted(codes[codes.duplicated()].unique())
        if duplicates:
            raise ReferenceDataError("invalid_data", path, "mã trùng: " + ", ".join(duplicates))
    known = set(units["gso_code"])
    for path, codes in checks[1:]:
        unknown = sorted(set(codes) - known)
        if unknown:
            raise ReferenceDataError("invalid_data", path,
                                     "mã không có trong danh mục GSO: " + ", ".join(unknown))
