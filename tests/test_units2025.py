"""The 2025 units, the crosswalk and 2023-unit data converted to the 2025 units."""
import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.reference import ReferenceDataError
from geo.units2025 import CROSSWALK_FILE, NEW_COMMUNES_FILE, NEW_UNITS_FILE, load_reference_2025
from indicators.conversion import apportion, commune_table_2025, convert_raw, count_columns, pilot_only_columns
from indicators.sample import read_sample_csv
from indicators.table import raw_commune_frame

AN_XUYEN, TAN_THANH, HOA_THANH = "32002", "32025", "32041"
TAC_VAN = "32029"
SPLIT_OLD_UNITS = ["32017", "32020", "32029", "32035", "32048", "32053", "32056", "32107", "32122", "32124",
                   "32141", "32142", "32143", "32146", "32155", "32191", "32194", "32242", "32245"]


def test_the_real_files_load_and_check(reference_2025):
    units, crosswalk = reference_2025.units, reference_2025.crosswalk
    assert len(units) == 64 and len(reference_2025.communes) == 64
    assert units["former_camau"].sum() == 39
    assert len(crosswalk) == 123
    assert crosswalk["relation"].value_counts().to_dict() == {"whole": 82, "part": 22, "remainder": 19}
    assert sorted(crosswalk.loc[crosswalk["relation"] != "whole", "old_gso_code"].unique()) == SPLIT_OLD_UNITS
    sums = crosswalk.groupby("old_gso_code")["weight"].sum()
    assert len(sums) == 101 and np.allclose(sums, 1.0)
    assert (crosswalk.loc[crosswalk["relation"] == "whole", "weight"] == 1.0).all()
    assert reference_2025.province.geometry.iloc[0].bounds[2] > 105.7   # reaches former Bạc Liêu


def test_weights_follow_the_overlay_of_the_two_polygon_sets(reference_2025):
    crosswalk = reference_2025.crosswalk.set_index(["old_gso_code", "new_code"])
    # Tắc Vân: the QA overlay put 57.6 % in Tân Thành and 40.7 % in Hoà Thành (of all its area);
    # over the listed pieces only, that is 0.586 / 0.414.
    assert crosswalk.loc[(TAC_VAN, TAN_THANH), "weight"] == pytest.approx(0.586, abs=0.002)
    assert crosswalk.loc[(TAC_VAN, HOA_THANH), "weight"] == pytest.approx(0.414, abs=0.002)


@pytest.fixture
def reference_copy(reference, tmp_path):
    target = tmp_path / "reference"
    shutil.copytree(reference.directory, target)
    return target


def test_a_missing_2025_file_is_named(reference, reference_copy):
    (reference_copy / NEW_COMMUNES_FILE).unlink()
    with pytest.raises(ReferenceDataError) as error:
        load_reference_2025(reference, reference_copy)
    assert error.value.kind == "missing_file" and error.value.path.name == NEW_COMMUNES_FILE


@pytest.mark.parametrize("edit, detail", [
    (lambda f: f[f["old_gso_code"] != 32245], "32245"),                       # an old unit left out
    (lambda f: f.assign(relation=f["relation"].replace("remainder", "rest")), "rest"),
    (lambda f: pd.concat([f, f.head(1)]), "lặp"),
    (lambda f: f.assign(new_code=f["new_code"].replace(32248, 39999)), "39999"),
])
def test_a_broken_crosswalk_is_refused_with_what_is_wrong(reference, reference_copy, edit, detail):
    path = reference_copy / CROSSWALK_FILE
    edit(pd.read_csv(path)).to_csv(path, index=False)
    with pytest.raises(ReferenceDataError) as error:
        load_reference_2025(reference, reference_copy)
    assert error.value.kind == "invalid_data" and error.value.path.name == CROSSWALK_FILE
    assert detail in error.value.detail


def test_a_units_file_with_63_units_is_refused(reference, reference_copy):
    path = reference_copy / NEW_UNITS_FILE
    pd.read_csv(path).iloc[1:].to_csv(path, index=False)
    with pytest.raises(ReferenceDataError) as error:
        load_reference_2025(reference, reference_copy)
    assert "63" in error.value.detail


def test_wards_1_2_4_and_9_of_ca_mau_city_went_whole_into_an_xuyen(reference, reference_2025):
    names = reference.units.set_index("gso_code")["name"]
    into = reference_2025.crosswalk[reference_2025.crosswalk["new_code"] == AN_XUYEN]
    wards = into[into["old_gso_code"].map(names).isin(["Phường 1", "Phường 2", "Phường 4", "Phường 9"])]
    assert len(wards) == 4 and (wards["relation"] == "whole").all()
    assert set(into["relation"]) == {"whole"}
    values = pd.Series(1000.0, index=into["old_gso_code"])
    new = apportion(values, reference_2025.crosswalk).groupby("new_code")["share"].sum()
    assert new[AN_XUYEN] == 1000.0 * len(into)


def test_tac_van_is_shared_between_tan_thanh_and_hoa_thanh(reference_2025):
    pieces = apportion(pd.Series({TAC_VAN: 1001.0}), reference_2025.crosswalk)
    shares = pieces[pieces["old_gso_code"] == TAC_VAN].set_index("new_code")["share"]
    assert shares.to_dict() == {TAN_THANH: 586.0, HOA_THANH: 415.0}   # 586.4 + 414.6: the larger remainder


@pytest.mark.parametrize("old_code", SPLIT_OLD_UNITS)
def test_each_split_unit_keeps_its_value_in_whole_numbers(reference_2025, old_code):
    crosswalk = reference_2025.crosswalk
    mine = crosswalk[crosswalk["old_gso_code"] == old_code]
    for value in (0.0, 1.0, 7.0, 12_345.0):
        shares = apportion(pd.Series({old_code: value}), crosswalk)
        shares = shares[shares["old_gso_code"] == old_code]
        assert shares["share"].sum() == value
        assert (shares["share"] == np.round(shares["share"])).all()
        assert (abs(shares["share"] - value * mine["weight"].to_numpy()) < 1).all()


def _dataset(catalogue, values):
    """The sample's dataset with its count columns replaced by ``values`` (column -> 101 numbers)."""
    dataset = read_sample_csv()
    for column, numbers in values.items():
        dataset[column] = numbers
    return dataset


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_conversion_keeps_every_count_total_and_recomputes_ratios(reference, reference_2025, catalogue, data):
    imported = [c for c in count_columns(catalogue) if c in read_sample_csv().columns]
    values = {column: data.draw(st.lists(st.integers(0, 50_000), min_size=101, max_size=101), label=column)
              for column in imported}
    pilot = data.draw(st.lists(st.booleans(), min_size=101, max_size=101), label="pilot")
    dataset = _dataset(catalogue, values).assign(pilot=pilot)
    old = raw_commune_frame(reference, dataset)
    new = convert_raw(old, reference_2025, catalogue)
    has_team = old["pilot"].astype(bool)
    for column in count_columns(catalogue):
        counted = old[column].where(has_team, 0) if column in pilot_only_columns(catalogue) else old[column]
        assert new[column].sum() == counted.sum(), column
    table = commune_table_2025(reference, reference_2025, dataset, catalogue)
    new_has_team = table["pilot"].fillna(False).astype(bool)
    for ratio in (i for i in catalogue.values() if i.numerator):
        expected = new[ratio.numerator] / new[ratio.denominator] * ratio.scale
        if ratio.applies_to == "pilot":
            expected = expected.where(new_has_team)
        pd.testing.assert_series_equal(table[ratio.id], expected, check_names=False)


def test_former_bac_lieu_units_have_no_data_not_zero(reference, reference_2025, catalogue):
    new = commune_table_2025(reference, reference_2025, read_sample_csv(), catalogue)
    bac_lieu = new[~new["gso_code"].isin(reference_2025.crosswalk["new_code"])]
    assert len(bac_lieu) == 25
    assert not bac_lieu["converted"].any() and not bac_lieu["estimated"].any()
    assert bac_lieu["pilot"].isna().all()
    for indicator in catalogue.values():
        if indicator.id != "area_km2":
            assert bac_lieu[indicator.id].isna().all(), indicator.id
    assert bac_lieu["area_km2"].notna().all()     # each unit set's own polygons


def test_marks_and_pilot_status_of_converted_units(reference, reference_2025, catalogue):
    new = commune_table_2025(reference, reference_2025, read_sample_csv(), catalogue).set_index("gso_code")
    assert new.loc[AN_XUYEN, "converted"] and not new.loc[AN_XUYEN, "estimated"]
    assert new.loc[TAN_THANH, "estimated"] and new.loc[HOA_THANH, "estimated"]
    assert new.loc[AN_XUYEN, "former_district"] == "Thành phố Cà Mau"
    assert pd.isna(new.loc["32014", "former_district"])     # Lý Văn Lâm: pieces of two districts


def test_a_team_in_any_piece_makes_a_team_and_the_household_share_says_how_much(reference, reference_2025, catalogue):
    crosswalk = reference_2025.crosswalk
    into = crosswalk[crosswalk["new_code"] == AN_XUYEN]["old_gso_code"].tolist()
    dataset = read_sample_csv().assign(pilot=False)
    dataset.loc[dataset["gso_code"] == into[0], "pilot"] = True
    dataset.loc[dataset["gso_code"] == into[0], "teams"] = 3
    new = commune_table_2025(reference, reference_2025, dataset, catalogue).set_index("gso_code")
    households = reference.population.set_index("gso_code")["hh2019_total"]
    assert new.loc[AN_XUYEN, "pilot"]
    assert new.loc[AN_XUYEN, "hamlet_teams"] == 3            # the others are known to have none
    assert new.loc[AN_XUYEN, "pilot_household_share"] == pytest.approx(
        100 * households[into[0]] / households[into].sum())
    assert not new.loc[TAN_THANH, "pilot"]


def test_an_old_unit_with_no_data_leaves_its_new_units_unknown(reference, reference_2025, catalogue):
    dataset = read_sample_csv().astype({"vneid_dossiers": float, "pilot": "boolean"})
    dataset.loc[dataset["gso_code"] == TAC_VAN, "vneid_dossiers"] = np.nan
    dataset.loc[dataset["gso_code"] == TAC_VAN, "pilot"] = pd.NA
    new = commune_table_2025(reference, reference_2025, dataset, catalogue).set_index("gso_code")
    assert pd.isna(new.loc[TAN_THANH, "vneid_dossiers"]) and pd.isna(new.loc[HOA_THANH, "vneid_dossiers"])
    assert new.loc[AN_XUYEN, "vneid_dossiers"] > 0


def test_export_table_writes_the_published_table_in_either_unit_set(tmp_path, catalogue, capsys, monkeypatch):
    import manage

    # A database of its own, where the sample is what is published (other tests publish partial tables).
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CAMAU_STATE_DIR", str(tmp_path))

    tables = {}
    for units in ("2023", "2025"):
        out = tmp_path / f"table-{units}.csv"
        assert manage.main(["export-table", "--units", units, "--out", str(out)]) == 0
        assert not out.read_bytes().startswith(b"\xef\xbb\xbf")
        tables[units] = pd.read_csv(out, dtype={"gso_code": str}, encoding="utf-8")
    assert "dữ liệu minh họa" in capsys.readouterr().err      # the sample is published: said so
    old, new = tables["2023"], tables["2025"]
    assert list(new.columns) == ["gso_code", "name", *catalogue, "estimated"] == list(old.columns)
    assert len(old) == 101 and len(new) == 64 and not old["estimated"].any()
    for indicator in ("population_2019", "households_2019", "vneid_dossiers", "hamlet_teams"):
        assert new[indicator].sum() == old[indicator].sum()
    an_xuyen = new.set_index("gso_code").loc[AN_XUYEN]
    assert an_xuyen["name"] == "Phường An Xuyên" and not an_xuyen["estimated"]
    assert an_xuyen["vneid_per_1000"] == pytest.approx(an_xuyen["vneid_dossiers"] / an_xuyen["population_2019"] * 1000)
    assert new.set_index("gso_code").loc["31825", ["population_2019", "vneid_dossiers"]].isna().all()


def test_export_table_refuses_an_unknown_unit_set(tmp_path):
    import manage

    with pytest.raises(SystemExit) as exit_code:
        manage.main(["export-table", "--units", "2024", "--out", str(tmp_path / "x.csv")])
    assert exit_code.value.code == 2 and not (tmp_path / "x.csv").exists()


def test_pilot_only_counts_of_a_commune_with_unknown_status_stay_unknown(reference, reference_2025, catalogue):
    thoi_binh_old, thoi_binh_new = "32077", "32065"
    dataset = read_sample_csv().astype({"pilot": "boolean"})
    dataset.loc[dataset["gso_code"] == thoi_binh_old, "pilot"] = pd.NA
    new = commune_table_2025(reference, reference_2025, dataset, catalogue).set_index("gso_code")
    # Its status unknown, the commune's teams are not counted into the new unit: the new unit's
    # team count is unknown too (unless the commune went elsewhere entirely).
    pieces = reference_2025.crosswalk[reference_2025.crosswalk["old_gso_code"] == thoi_binh_old]
    assert set(pieces["new_code"]) == {thoi_binh_new}
    assert pd.isna(new.loc[thoi_binh_new, "hamlet_teams"]) and pd.isna(new.loc[thoi_binh_new, "team_members"])


def test_the_2025_catalogue_names_the_2025_polygons_for_the_area(catalogue, sources):
    from indicators.conversion import catalogue_2025

    converted = catalogue_2025(catalogue, sources)
    assert converted["area_km2"].source_id == "boundaries_2025"
    assert converted["area_km2"].as_of == sources["boundaries_2025"].date
    assert converted["area_km2"].conversion == ""                         # measured on the 2025 polygons
    assert converted["population_2019"] == replace(catalogue["population_2019"], conversion="converted")
    assert converted["vneid_per_1000"].conversion == "converted"
    # A 2025-units version's own dossiers over the converted census: only the denominator is converted.
    reported = catalogue_2025(catalogue, sources, frozenset({"vneid_dossiers"}))
    assert reported["vneid_dossiers"].conversion == ""
    assert reported["vneid_per_1000"].conversion == "denominator"
