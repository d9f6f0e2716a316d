"""The reference loader: real data validates; missing, corrupt and wrong data give clear errors."""
import json
import shutil

import pandas as pd
import pytest
import shapely

from geo.codes import InvalidCodeError, normalise_code_column, normalise_gso_code
from geo.reference import (
    COMMUNES_FILE,
    ENV_VAR,
    POPULATION_FILE,
    UNITS_FILE,
    ReferenceDataError,
    load_reference,
    reference_dir,
)


@pytest.mark.parametrize("raw, expected", [
    ("32005", "32005"), (32005, "32005"), (32005.0, "32005"), (" 32005 ", "32005"), ("32005.0", "32005"),
    (1, "00001"), ("999", "00999"),
])
def test_codes_normalise_to_five_character_strings(raw, expected):
    assert normalise_gso_code(raw) == expected


@pytest.mark.parametrize("raw", [None, True, float("nan"), 3.5, "32 005", "320050", "abc", "", "-1"])
def test_bad_codes_are_refused(raw):
    with pytest.raises(InvalidCodeError):
        normalise_gso_code(raw)


def test_code_column_error_names_the_row():
    with pytest.raises(InvalidCodeError, match="dòng 3"):
        normalise_code_column(pd.Series(["32005", "x"]))


def test_real_reference_data_loads_and_validates(reference):
    communes = reference.communes
    assert len(communes) == 101 and communes["gso_code"].is_unique
    assert set(communes["gso_code"]) == set(reference.units["gso_code"])
    assert all(isinstance(code, str) and len(code) == 5 for code in communes["gso_code"])
    assert communes.crs.to_epsg() == 4326
    assert shapely.is_valid(communes.geometry.values).all()
    assert reference.units["type"].value_counts().to_dict() == {"Xã": 82, "Phường": 10, "Thị trấn": 9}
    assert reference.units["district_code"].nunique() == 9 and len(reference.districts) == 9
    # Names come from the official GSO list, not the 2009 geometry's attributes.
    assert communes.set_index("gso_code").loc["32230", "name"] == "Xã Nguyễn Việt Khái"
    assert reference.population["pop2019_total"].sum() == 1_194_476
    assert reference.population["hh2019_total"].sum() == 305_290


def test_reference_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert reference_dir() == tmp_path
    monkeypatch.delenv(ENV_VAR)
    assert reference_dir().parts[-2:] == ("shared", "reference")


@pytest.fixture
def reference_copy(reference, tmp_path):
    target = tmp_path / "reference"
    shutil.copytree(reference.directory, target)
    return target


def test_missing_directory(tmp_path):
    with pytest.raises(ReferenceDataError) as error:
        load_reference(tmp_path / "nowhere")
    assert error.value.kind == "missing_dir" and error.value.path == tmp_path / "nowhere"


def test_missing_file(reference_copy):
    (reference_copy / POPULATION_FILE).unlink()
    with pytest.raises(ReferenceDataError) as error:
        load_reference(reference_copy)
    assert error.value.kind == "missing_file" and error.value.path.name == POPULATION_FILE


@pytest.mark.parametrize("name, content", [
    (COMMUNES_FILE, b"{not json"),
    (COMMUNES_FILE, b"%PDF-1.7 binary"),
    (UNITS_FILE, b"\xff\xfe\x00garbage\x00"),
])
def test_corrupt_file(reference_copy, name, content):
    (reference_copy / name).write_bytes(content)
    with pytest.raises(ReferenceDataError) as error:
        load_reference(reference_copy)
    assert error.value.kind in {"corrupt_file", "invalid_data"}
    assert error.value.path.name == name


def _edit_geojson(path, edit):
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_duplicate_commune_code_is_rejected(reference_copy):
    def duplicate(data):
        data["features"][1]["properties"]["gso_code"] = data["features"][0]["properties"]["gso_code"]
    _edit_geojson(reference_copy / COMMUNES_FILE, duplicate)
    with pytest.raises(ReferenceDataError, match="mã trùng") as error:
        load_reference(reference_copy)
    assert error.value.kind == "invalid_data"


def test_missing_commune_is_rejected(reference_copy):
    _edit_geojson(reference_copy / COMMUNES_FILE, lambda data: data["features"].pop())
    with pytest.raises(ReferenceDataError, match="100 đơn vị"):
        load_reference(reference_copy)


def test_unknown_code_is_rejected(reference_copy):
    def unknown(data):
        data["features"][0]["properties"]["gso_code"] = "99999"
    _edit_geojson(reference_copy / COMMUNES_FILE, unknown)
    with pytest.raises(ReferenceDataError, match="99999"):
        load_reference(reference_copy)


def test_projected_coordinates_are_rejected(reference_copy):
    def to_metres(data):
        for feature in data["features"]:
            geometry = shapely.geometry.shape(feature["geometry"])
            moved = shapely.affinity.scale(geometry, 1000, 1000, origin=(0, 0))
            feature["geometry"] = shapely.geometry.mapping(moved)
    _edit_geojson(reference_copy / COMMUNES_FILE, to_metres)
    with pytest.raises(ReferenceDataError, match="WGS84"):
        load_reference(reference_copy)


def test_invalid_geometry_is_rejected(reference_copy):
    def bow_tie(data):
        data["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [[
            [105.10, 9.10], [105.11, 9.11], [105.11, 9.10], [105.10, 9.11], [105.10, 9.10]]]}
    _edit_geojson(reference_copy / COMMUNES_FILE, bow_tie)
    with pytest.raises(ReferenceDataError, match="không hợp lệ"):
        load_reference(reference_copy)


def test_missing_column_is_named(reference_copy):
    frame = pd.read_csv(reference_copy / POPULATION_FILE)
    frame.drop(columns=["hh2019_total"]).to_csv(reference_copy / POPULATION_FILE, index=False)
    with pytest.raises(ReferenceDataError, match="hh2019_total"):
        load_reference(reference_copy)
