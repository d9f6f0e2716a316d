"""The URL state of the map: round trips, defaults, and hostile or malformed links."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from views.map.state import (
    VIEW_LATITUDES,
    VIEW_LONGITUDES,
    VIEW_ZOOMS,
    MapState,
    Viewport,
    read_state,
    read_units,
    read_viewport,
    write_state,
)

INDICATORS = ["pilot_status", "population_2019", "population_density"]
DISTRICTS = ["964", "966", "967"]
COMMUNES = ["32005", "31999", "32002"]


def read(params):
    return read_state(params, INDICATORS, DISTRICTS, COMMUNES)


def test_empty_query_gives_defaults():
    state, notices = read({})
    assert state == MapState() and notices == []
    assert write_state(state) == {}


def test_full_state_round_trips():
    state = MapState(indicator="population_density", scheme="fisher_jenks", classes=4, palette="Blues",
                     districts=("964", "966"), types=("xa", "phuong"), pilot="not_pilot",
                     value_min=10.5, value_max=2000, commune="32005", lang="en", units="2025")
    query = write_state(state)
    assert query["d"] == "964,966" and query["min"] == "10.5" and query["max"] == "2000"
    assert query["units"] == "2025" and read_units(query) == "2025"
    assert read(query) == (state, [])


@pytest.mark.parametrize("value", ["2024", "", "2025;drop", "<b>", "x" * 5000])
def test_a_bad_unit_set_falls_back_to_the_published_one_with_a_notice(value):
    state, notices = read({"units": value})
    assert state.units == read_units({"units": value}) == "2023"
    assert [n.param for n in notices] == (["units"] if value else [])


def test_manual_breaks_round_trip():
    state = MapState(indicator="population_2019", scheme="manual", breaks=(1000.0, 5000.5, 20000.0))
    assert write_state(state)["breaks"] == "1000,5000.5,20000"
    assert read(write_state(state))[0] == state


@pytest.mark.parametrize("params, bad", [
    ({"ind": "<script>alert(1)</script>"}, "ind"),
    ({"k": "99"}, "k"), ({"k": "-3"}, "k"), ({"k": "five"}, "k"), ({"k": "²"}, "k"), ({"k": "٣"}, "k"),
    ({"scheme": "magic"}, "scheme"),
    ({"pal": "rainbow"}, "pal"),
    ({"c": "99999"}, "c"), ({"c": "<img src=x onerror=alert(1)>"}, "c"),
    ({"d": "964,xyz"}, "d"),
    ({"t": "xa,city"}, "t"),
    ({"pilot": "maybe"}, "pilot"),
    ({"min": "nan"}, "min"), ({"max": "inf"}, "max"), ({"min": "1e400"}, "min"),
    ({"scheme": "manual", "breaks": "3,2"}, "breaks"),
    ({"scheme": "manual"}, "breaks"),
    ({"lang": "fr"}, "lang"),
])
def test_bad_values_fall_back_to_defaults_with_a_notice(params, bad):
    state, notices = read(params)
    assert bad in [notice.param for notice in notices]
    assert state.indicator in INDICATORS and 3 <= state.classes <= 7
    assert state.commune in (None, *COMMUNES)


def test_valid_items_of_a_partly_bad_list_are_kept():
    state, notices = read({"d": "964,xyz,966"})
    assert state.districts == ("964", "966") and notices[0].param == "d"


def test_inverted_range_is_dropped():
    state, notices = read({"min": "10", "max": "5"})
    assert (state.value_min, state.value_max) == (None, None) and notices


def test_manual_without_valid_breaks_falls_back_to_quantiles():
    state, _ = read({"scheme": "manual", "breaks": "a,b"})
    assert state.scheme == "quantiles" and state.breaks == ()


def test_notice_values_are_truncated():
    _, notices = read({"ind": "x" * 10_000})
    assert len(notices[0].value) <= 80


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["ind", "scheme", "k", "pal", "breaks", "d", "t", "pilot", "min", "max",
                                        "c", "lang", "other"]), st.text(max_size=40)))
def test_any_query_reads_without_error_and_rewrites_stably(params):
    state, _ = read(params)
    assert read(write_state(state)) == (state, [])


@given(lat=st.floats(*VIEW_LATITUDES), lon=st.floats(*VIEW_LONGITUDES), zoom=st.floats(*VIEW_ZOOMS))
def test_a_viewport_round_trips_through_its_url_parameter(lat, lon, zoom):
    viewport, notices = read_viewport({"view": Viewport(lat, lon, zoom).param()})
    assert notices == [] and viewport is not None
    assert abs(viewport.lat - lat) <= 5e-5 and abs(viewport.lon - lon) <= 5e-5 and abs(viewport.zoom - zoom) <= 5e-3


@given(st.text(max_size=60))
def test_any_view_text_is_a_viewport_on_the_province_or_a_notice(text):
    viewport, notices = read_viewport({"view": text})
    if viewport is None:
        assert notices or not text
    else:
        assert VIEW_LATITUDES[0] <= viewport.lat <= VIEW_LATITUDES[1]
        assert VIEW_LONGITUDES[0] <= viewport.lon <= VIEW_LONGITUDES[1]
        assert VIEW_ZOOMS[0] <= viewport.zoom <= VIEW_ZOOMS[1]
