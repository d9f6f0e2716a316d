"""Presentation mode: deck loading and validation, the deck in a link, URL state, hostile links,
slide -> map state, the figures beside the map, the layer's optional payload fields, and the page
in both languages through AppTest."""
import base64
import html
import json
import re
import zlib
from dataclasses import replace

import pandas as pd
import pytest
import shapely

from geo.maprender import LayerData, group_bounds, group_points
from tests.apptest import fresh_app
from tests.html_tables import tables_in
from ui import map_switch
from views.map.mapview import LegendEntry
from views.map.state import MapState
from views.present.presentation import (
    MAP_HEIGHT,
    MAX_SLIDES,
    PROVINCE,
    Deck,
    DeckError,
    PresentState,
    Slide,
    area_figure,
    clamp_slide,
    current_view,
    decode_deck,
    district_labels,
    edited_slide,
    encode_deck,
    form_values,
    legend_strip_html,
    load_deck,
    map_state,
    read_present_state,
    step,
    write_present_state,
    zoom_of,
    zoom_to,
)

DISTRICTS = ["964", "966", "967", "968", "969", "970", "971", "972", "973"]
CITY = "964"


@pytest.fixture(scope="module")
def deck(catalogue):
    return load_deck(catalogue, DISTRICTS)


def write_deck(tmp_path, data) -> str:
    path = tmp_path / "deck.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- The deck file ----------------------------------------------------------------------------

def test_default_deck_tells_the_pilot_story(deck, catalogue):
    assert 4 <= len(deck) <= 7
    indicators = [slide.indicator for slide in deck.slides]
    assert indicators[0] == "pilot_status"
    assert {"households_guided_share", "vneid_per_1000"} <= set(indicators)
    assert any(slide.zoom == CITY for slide in deck.slides)
    for slide in deck.slides:
        assert slide.title_in("vi") and slide.title_in("en") and slide.title_in("vi") != slide.title_in("en")
    assert "thí điểm" in deck.slides[0].title_in("vi")


@pytest.mark.parametrize("slide, field", [
    ({"indicator": "khong_co"}, "indicator"),
    ({"indicator": "pilot_status", "zoom": "999"}, "zoom"),
    ({"indicator": "pilot_status", "districts": ["964", "964"]}, "districts"),
    ({"indicator": "population_2019", "scheme": "manual"}, "scheme"),
    ({"indicator": "population_2019", "classes": 9}, "classes"),
    ({"indicator": "population_2019", "classes": True}, "classes"),
    ({"indicator": "population_2019", "palette": "Rainbow"}, "palette"),
    ({"indicator": "population_2019", "pilot": "maybe"}, "pilot"),
    ({"indicator": "population_2019", "title": {"fr": "Titre"}}, "title"),
    ({"indicator": "population_2019", "title": {"vi": "x" * 500}}, "title"),
    ({"indicator": "population_2019", "colour": "red"}, "field"),
    ("pilot_status", "slide"),
])
def test_a_bad_slide_in_the_file_is_named(tmp_path, catalogue, slide, field):
    good = {"indicator": "pilot_status"}
    path = write_deck(tmp_path, {"version": 1, "slides": [good, good, slide]})
    with pytest.raises(DeckError) as error:
        load_deck(catalogue, DISTRICTS, path)
    assert error.value.slide == 3 and error.value.field == field
    assert str(error.value).startswith("slide 3: " + field)


@pytest.mark.parametrize("data, field", [
    ({"version": 2, "slides": [{"indicator": "pilot_status"}]}, "version"),
    ({"version": 1, "slides": []}, "slides"),
    ({"version": 1, "slides": [{"indicator": "pilot_status"}] * (MAX_SLIDES + 1)}, "slides"),
    ([1, 2], "version"),
])
def test_a_bad_deck_is_refused(tmp_path, catalogue, data, field):
    with pytest.raises(DeckError) as error:
        load_deck(catalogue, DISTRICTS, write_deck(tmp_path, data))
    assert error.value.field == field and error.value.slide is None


def test_an_unreadable_file_is_a_deck_error(tmp_path, catalogue):
    path = tmp_path / "deck.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DeckError, match="deck.json"):
        load_deck(catalogue, DISTRICTS, path)
    with pytest.raises(DeckError):
        load_deck(catalogue, DISTRICTS, tmp_path / "missing.json")


# --- The deck in a link -----------------------------------------------------------------------

def test_deck_round_trips_through_a_short_link(deck, catalogue):
    edited = deck.insert(1, Slide("vneid_dossiers", title=(("vi", "Hồ sơ <b>VNeID</b> & “ngoặc”"),),
                                  zoom="970", districts=("970", "971"), pilot="pilot", scheme="equal_interval",
                                  classes=4, palette="Greens"))
    text = encode_deck(edited)
    assert re.fullmatch(r"1[A-Za-z0-9_-]+", text) and len(text) < 1500
    assert decode_deck(text, catalogue, DISTRICTS) == edited


@pytest.mark.parametrize("text", [
    "", "1", "2abc", "1!!!!", "1" + "A" * 7000, "<script>alert(1)</script>",
    "1" + base64.urlsafe_b64encode(zlib.compress(b"[1,2,3]")).decode(),
    "1" + base64.urlsafe_b64encode(zlib.compress(b'{"version":1,"slides":[{"indicator":"x"}]}')).decode(),
    "1" + base64.urlsafe_b64encode(zlib.compress(b"\xff\xfe")).decode(),
    "1" + base64.urlsafe_b64encode(b"not zlib at all").decode(),
    # a zip bomb: 10 MB of spaces in a few kB
    "1" + base64.urlsafe_b64encode(zlib.compress(b" " * 10_000_000, 9)).decode().rstrip("="),
])
def test_hostile_deck_links_are_refused(catalogue, text):
    with pytest.raises(DeckError):
        decode_deck(text, catalogue, DISTRICTS)


def test_deck_edits_keep_a_valid_deck(deck):
    extra = Slide("population_2019")
    assert deck.insert(1, extra).slides[1] == extra
    assert deck.insert(99, extra).slides[-1] == extra
    assert deck.remove(0).slides == deck.slides[1:]
    single = Deck((extra,))
    assert single.remove(0) == single
    moved = deck.move(0, 1)
    assert moved.slides[:2] == (deck.slides[1], deck.slides[0])
    assert deck.move(0, -1) == deck and deck.move(len(deck) - 1, 1) == deck
    assert deck.replace_at(2, extra).slides[2] == extra and len(deck.replace_at(2, extra)) == len(deck)
    full = Deck((extra,) * MAX_SLIDES)
    assert full.insert(0, Slide("area_km2")) == full


# --- URL state --------------------------------------------------------------------------------

def test_url_state_round_trip(deck, catalogue):
    custom = deck.remove(0)
    state = PresentState(slide=2, zoom=CITY, deck=custom, lang="en")
    query = write_present_state(state, deck)
    assert query["slide"] == "3" and query["zoom"] == CITY and query["lang"] == "en" and "deck" in query
    assert read_present_state(query, catalogue, DISTRICTS) == (state, [])
    # the default deck and Vietnamese are left out of the link; the slide is always written
    assert write_present_state(PresentState(slide=1, deck=deck), deck) == {"slide": "2"}


@pytest.mark.parametrize("params, bad", [
    ({"slide": "0"}, "slide"), ({"slide": "abc"}, "slide"), ({"slide": "²"}, "slide"),
    ({"slide": "-1"}, "slide"), ({"slide": "99"}, "slide"), ({"zoom": "<img src=x onerror=alert(1)>"}, "zoom"),
    ({"zoom": "999"}, "zoom"), ({"deck": "1%%%"}, "deck"), ({"lang": "fr"}, "lang"),
])
def test_hostile_url_values_fall_back_with_a_notice(catalogue, params, bad):
    state, notices = read_present_state(params, catalogue, DISTRICTS)
    assert [notice.param for notice in notices] == [bad]
    assert state.deck is None and state.zoom is None and state.lang == "vi"
    assert state.slide == 0


def test_slide_number_is_checked_against_the_custom_deck(deck, catalogue):
    custom = Deck(deck.slides[:2])
    state, notices = read_present_state({"deck": encode_deck(custom), "slide": "3"}, catalogue, DISTRICTS)
    assert state.slide == 0 and [n.param for n in notices] == ["slide"]
    # a link written for a longer deck, opened with the default deck: the last slide
    assert clamp_slide(PresentState(slide=20), deck).slide == len(deck) - 1


def test_stepping_and_zooming(deck):
    state = PresentState()
    assert step(state, deck, -1).slide == 0
    forward = step(replace_zoom(state, CITY), deck, 1)
    assert forward.slide == 1 and forward.zoom is None       # a new slide shows its own zoom
    last = PresentState(slide=len(deck) - 1)
    assert step(last, deck, 1).slide == len(deck) - 1

    province_slide, city_slide = Slide("pilot_status"), Slide("pilot_status", zoom=CITY)
    assert zoom_of(province_slide, state) is None and zoom_of(city_slide, state) == CITY
    zoomed = zoom_to(state, province_slide, "970")
    assert zoomed.zoom == "970" and zoom_of(province_slide, zoomed) == "970"
    back = zoom_to(zoomed, province_slide, None)
    assert back.zoom is None and zoom_of(province_slide, back) is None
    # "back to the province" from a slide that is itself zoomed overrides the slide
    out = zoom_to(state, city_slide, None)
    assert out.zoom == PROVINCE and zoom_of(city_slide, out) is None
    assert current_view(city_slide, out).zoom is None and current_view(province_slide, zoomed).zoom == "970"


def replace_zoom(state, zoom):
    return PresentState(slide=state.slide, zoom=zoom, deck=state.deck, lang=state.lang)


def test_slide_to_map_state():
    slide = Slide("households_guided_share", scheme="fisher_jenks", classes=4, palette="Blues",
                  districts=("970",), pilot="pilot", zoom="970")
    assert map_state(slide, "en") == MapState(indicator="households_guided_share", scheme="fisher_jenks", classes=4,
                                              palette="Blues", districts=("970",), pilot="pilot", lang="en")


def test_form_values_and_edited_slide(deck):
    slide = deck.slides[1]
    values = form_values(slide, "en")
    assert values["title"] == slide.title_in("en")
    # unchanged title: both languages kept
    assert edited_slide(slide, "en", **values).title == slide.title
    retitled = edited_slide(slide, "en", **(values | {"title": "  My view  ", "zoom": CITY, "classes": 4.0}))
    assert retitled.title == (("en", "My view"),) and retitled.title_in("vi") == "My view"
    assert retitled.zoom == CITY and retitled.classes == 4
    assert edited_slide(slide, "en", **(values | {"title": ""})).title == ()
    assert values["zoom"] == PROVINCE and edited_slide(slide, "en", **values).zoom is None


# --- What the slide shows besides the map -----------------------------------------------------

def test_area_figures(table, catalogue):
    everywhere = pd.Series(True, index=table.index)
    city = table["district_code"] == CITY
    pilot = area_figure(table, catalogue, catalogue["pilot_status"], everywhere, "toàn tỉnh", "vi")
    assert pilot.value == "45/101" and "toàn tỉnh" in pilot.label
    assert area_figure(table, catalogue, catalogue["vneid_dossiers"], everywhere, "province", "en").value \
        == "233,175 dossiers"
    # "toàn tỉnh" means the whole province: the households guided over all its households (communes
    # without a team guided nobody). The report's "over 26%" is over the pilot communes only.
    share = area_figure(table, catalogue, catalogue["households_guided_share"], everywhere, "toàn tỉnh", "vi")
    whole = table["households_guided"].sum() / table["households_2019"].sum() * 100
    assert share.value == f"{whole:.1f}%".replace(".", ",") and 10 < whole < 26
    # a ratio of totals, not a mean of the communes' ratios
    rows = table[city]
    expected = rows["vneid_dossiers"].sum() / rows["population_2019"].sum() * 1000
    city_rate = area_figure(table, catalogue, catalogue["vneid_per_1000"], city, "Thành phố Cà Mau", "en")
    assert city_rate.value.startswith(f"{expected:,.1f}")
    median = area_figure(table, catalogue, catalogue["urban_share_2019"], city, "x", "vi")
    assert "trung vị" in median.label


def test_district_labels_and_bounds_escape_and_fit(table, reference):
    centroids = {code: (9.1, 105.1) for code in table["gso_code"]}
    hostile = table.assign(name=table["name"].where(table["gso_code"] != "32005", "<img src=x onerror=alert(1)>"))
    labels = district_labels(hostile, centroids, CITY)
    assert len(labels) == int((table["district_code"] == CITY).sum())
    assert "&lt;img src=x onerror=alert(1)&gt;" in [label[2] for label in labels]
    assert district_labels(table, centroids, None) is None
    # The largest commune first (where labels collide, the map keeps the earlier ones), at 18 px or more.
    areas = table.set_index("name")["area_km2"]
    ordered = [areas[html.unescape(label[2])] for label in district_labels(table, centroids, CITY)]
    assert ordered == sorted(ordered, reverse=True)
    assert all(label[3] >= 18 for label in labels)
    # At province level: the nine district names, each at a point inside its district.
    points = group_points(reference.communes, "district_code")
    province = district_labels(table, centroids, None, points)
    assert len(province) == 9 and "Thành phố Cà Mau" in [label[2] for label in province]
    assert all(label[3] >= 18 for label in province)
    city = reference.communes[reference.communes["district_code"] == CITY].geometry.union_all()
    assert city.contains(shapely.Point(points[CITY][1], points[CITY][0]))
    bounds = group_bounds(reference.communes, "district_code")
    assert set(bounds) == set(DISTRICTS)
    (south, west), (north, east) = bounds[CITY]
    minx, miny, maxx, maxy = reference.communes.total_bounds
    assert miny <= south < north <= maxy and minx <= west < east <= maxx


def test_legend_strip_is_large_and_escaped():
    entries = [LegendEntry("#123456", "<b>x</b>", 3), LegendEntry("#bdbdbd", "Không có dữ liệu", 1, "no_data")]
    strip = legend_strip_html(entries, "vi")
    assert "&lt;b&gt;x&lt;/b&gt;" in strip and "<b>x</b>" not in strip
    assert strip.count('class="camau-legend-row"') == 2 and "· 3 xã" in strip
    assert "font-size:clamp(1.05rem,2.3vh,1.25rem)" in strip and "dashed" in strip


def test_layer_payload_optional_fields_default_to_nothing():
    base = dict(communes_url="/c", outlines_url="/o", colours=["#fff"], styles={}, values={}, unit="", missing={},
                header="h", footer="f", selected=None, marker=None)
    plain = json.loads(LayerData(**base).to_json())
    assert not {"fit", "labels", "line_scale", "projector"} & set(plain)
    extra = json.loads(LayerData(**base, fit=[[8.5, 104.7], [9.6, 105.5]], labels=[[9.0, 105.0, "A"]],
                                 line_scale=1.6).to_json())
    assert extra["fit"] == [[8.5, 104.7], [9.6, 105.5]] and extra["labels"] == [[9.0, 105.0, "A"]]
    assert extra["line_scale"] == 1.6


# --- The page (AppTest) -----------------------------------------------------------------------

def open_present(at, **params):
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page("pages/present.py").run()
    assert not at.exception, at.exception
    return at


def layer_payload(at):
    components = at.get("component_instance")
    assert len(components) == 1
    args = json.loads(components[0].proto.json_args)
    match = re.search(r"window\.camauChoropleth\(\w+, (\{.*\})\);", args["feature_group"], re.S)
    return components[0].proto.id, json.loads(match.group(1).replace("<\\/", "</"))


def heading(at) -> str:
    return next(h.proto.body for h in at.get("html") if "<h1>" in h.proto.body)


def counter(at) -> str:
    return re.search(r'camau-present-counter[^>]*>([^<]*)<', " ".join(h.proto.body for h in at.get("html"))).group(1)


@pytest.mark.parametrize("lang, next_label, counter_text", [("vi", "Trang sau", "Trang 2 / 5"),
                                                            ("en", "Next slide", "Slide 2 / 5")])
def test_page_steps_through_the_slides_in_both_languages(app, deck, lang, next_label, counter_text):
    at = open_present(app, lang=lang)
    assert dict(at.query_params) == ({"slide": "1"} if lang == "vi" else {"slide": "1", "lang": "en"})
    assert html.unescape(deck.slides[0].title_in(lang)) in html.unescape(heading(at))
    assert len(at.metric) == 4
    values = [metric.value for metric in at.metric]
    assert values[0] == "45/101" and values[1] == "45/101"       # the slide's figure, then the report's
    element, first = layer_payload(at)
    assert len(first["styles"]) == 101 and first["line_scale"] == 1.6 and len(first["labels"]) == 9   # district names
    assert first["projector"] is True
    assert at.button(key="present_prev").disabled

    at.button(key="present_next").click().run()
    assert not at.exception and at.query_params["slide"] == "2"
    assert counter(at) == counter_text and at.button(key="present_next").label == next_label
    same_element, second = layer_payload(at)
    assert same_element == element                     # the map is restyled, not re-created
    assert second["styles"] != first["styles"] and second["fit"] == first["fit"]
    mark = "Dữ liệu minh họa" if lang == "vi" else "Illustrative data"
    assert any(mark in h.proto.body for h in at.get("html"))      # the legend's title
    assert mark in at.metric[0].label                                # the figure for the area

    at.button(key="present_prev").click().run()
    assert at.query_params["slide"] == "1" and not at.exception


def switch_file(payload) -> dict:
    map_switch.wait_for_switch_files()
    return json.loads((map_switch.SWITCH_DIR / payload["switch"].rsplit("/", 1)[1]).read_text(encoding="utf-8"))


def without_switch(payload) -> dict:
    return {name: value for name, value in payload.items() if name != "switch"}


# From slide 3 the next slide zooms to a district (its own fit and commune labels).
@pytest.mark.parametrize("lang, units, start", [("vi", "2023", 2), ("en", "2023", 3), ("vi", "2025", 3)])
def test_a_slide_step_repaints_with_what_the_server_then_sends(app, lang, units, start):
    at = open_present(app, lang=lang, units=units, slide=str(start))
    assert json.loads(at.get("component_instance")[0].proto.json_args)["height"] == MAP_HEIGHT    # projector size
    _, second = layer_payload(at)
    ahead = switch_file(second)
    assert ahead["keys"] == {"PageDown": "present_next", "PageUp": "present_prev"}
    at.button(key="present_next").click().run()
    _, third = layer_payload(at)
    assert without_switch(ahead["buttons"]["present_next"]) == without_switch(third)
    if start == 3 and units == "2023":
        assert third["fit"] != second["fit"] and len(third["labels"]) > len(second["labels"])
    at.button(key="present_prev").click().run()
    at.button(key="present_prev").click().run()
    _, first = layer_payload(at)
    assert without_switch(ahead["buttons"]["present_prev"]) == without_switch(first)
    assert third["switch"] != second["switch"] != first["switch"]     # each slide names its own neighbours


def test_page_district_zoom_by_click_and_back(app):
    at = open_present(app)
    _, province = layer_payload(at)
    # a click on Phường 1 (Thành phố Cà Mau), as streamlit-folium reports it
    at.session_state["present_map"] = {"last_active_drawing": {"properties": {"gso_code": "32005"}},
                                       "last_object_clicked": {"lat": 9.18, "lng": 105.15}}
    at.run()
    assert not at.exception and at.query_params["zoom"] == CITY
    _, zoomed = layer_payload(at)
    assert zoomed["fit"] != province["fit"] and len(zoomed["labels"]) == 17
    # Every figure and the legend's counts are now the district's (from the illustrative values).
    assert all("Thành phố Cà Mau" in metric.label for metric in at.metric)
    assert all("Dữ liệu minh họa" in metric.label for metric in at.metric[1:])
    assert at.metric[1].value == "12/17"
    legend = next(h.proto.body for h in at.get("html") if "camau-present-legend" in h.proto.body)
    assert sum(int(n) for n in re.findall(r"· (\d+) xã", legend)) == 17
    at.button(key="present_back").click().run()
    assert "zoom" not in at.query_params and not at.exception
    _, back = layer_payload(at)
    assert back["fit"] == province["fit"] and len(back["labels"]) == 9


def test_page_slide_with_its_own_zoom_and_bad_values(app, deck):
    city_slide = next(i for i, s in enumerate(deck.slides) if s.zoom == CITY) + 1
    at = open_present(app, slide=str(city_slide))
    _, payload = layer_payload(at)
    assert len(payload["labels"]) == 17
    at.button(key="present_back").click().run()
    assert at.query_params["zoom"] == PROVINCE and len(layer_payload(at)[1]["labels"]) == 9


@pytest.mark.parametrize("params", [
    {"slide": "99"}, {"slide": "<script>alert(1)</script>"}, {"slide": "²"},
    {"zoom": "<img src=x onerror=alert(1)>", "deck": "1AAAA"},
])
def test_page_bad_links_get_a_notice(app, params):
    at = open_present(app, **params)
    assert at.query_params["slide"] == "1" and "deck" not in at.query_params and "zoom" not in at.query_params
    assert any("bỏ qua" in caption.value for caption in at.caption)
    assert len(layer_payload(at)[1]["styles"]) == 101


def test_page_prepares_a_custom_deck_in_the_link(app, deck, catalogue):
    at = open_present(app, slide="2")
    assert not at.get("text_input")      # the preparation section is drawn only while open
    at.session_state["x_present_edit"] = True
    at.run()
    assert at.text_input(key="present_form_title").value == deck.slides[1].title_in("vi")
    at.text_input(key="present_form_title").set_value("<b>Mật độ</b> dân số")
    at.selectbox(key="present_form_indicator").set_value("population_density")
    at.selectbox(key="present_form_zoom").set_value("970")
    at.button(key="present_edit_add").click().run()
    assert not at.exception
    assert at.query_params["slide"] == "3"
    custom = decode_deck(at.query_params["deck"], catalogue, DISTRICTS)
    assert len(custom) == len(deck) + 1
    added = custom.slides[2]
    assert added.indicator == "population_density" and added.zoom == "970"
    assert added.title_in("vi") == "<b>Mật độ</b> dân số"
    assert "&lt;b&gt;Mật độ&lt;/b&gt;" in heading(at)
    link = next(code.value for code in at.code)
    assert "deck=" + at.query_params["deck"] in link

    # removing it again gives back the default deck: the link no longer carries one
    at.button(key="present_edit_remove").click().run()
    assert not at.exception and "deck" not in at.query_params and at.query_params["slide"] == "3"


@pytest.mark.parametrize("lang, words", [("vi", ["presentation_deck_bad.json", "trang 2", "indicator"]),
                                         ("en", ["presentation_deck_bad.json", "slide 2", "indicator"])])
def test_page_names_the_bad_slide_of_a_broken_deck_file(app, monkeypatch, tmp_path, lang, words):
    path = tmp_path / "presentation_deck_bad.json"
    path.write_text(json.dumps({"version": 1, "slides": [{"indicator": "pilot_status"}, {"indicator": "khong_co"}]}),
                    encoding="utf-8")
    monkeypatch.setattr("views.present.presentation.DECK_FILE", path)
    at = open_present(app, lang=lang)
    assert all(word in at.error[0].value for word in words)
    assert not at.get("component_instance")


def test_presentation_has_a_table_alternative_drawn_only_while_open():
    at = fresh_app()
    at.run()
    at.switch_page("pages/present.py").run()
    assert not at.exception and not tables_in(at)
    at.session_state["x_present_table"] = True
    at.run()
    assert not at.exception
    assert len(tables_in(at)[0]) == 101      # the first slide shows the whole province


# --- The 2025 units -----------------------------------------------------------------------------

@pytest.mark.parametrize("lang, province", [("vi", "toàn tỉnh"), ("en", "province")])
def test_page_on_the_2025_units_zooms_to_a_unit_and_back(app, lang, province):
    at = open_present(app, units="2025", slide="3", lang=lang)   # a slide of the default deck
    _, whole = layer_payload(at)
    assert len(whole["styles"]) == 64 and "communes-2025-" in whole["communes_url"]
    assert whole.get("labels") is None and whole.get("marker") is None
    assert at.radio(key="present_units").value == "2025"
    at.session_state["present_map"] = {"last_active_drawing": {"properties": {"gso_code": "32025"}},
                                       "last_object_clicked": {"lat": 9.17, "lng": 105.2}}
    at.run()
    assert not at.exception and at.query_params["zoom"] == "32025" and at.query_params["units"] == "2025"
    _, zoomed = layer_payload(at)
    names = [label[2] for label in zoomed["labels"]]
    assert "Phường Tân Thành" in names and "Phường An Xuyên" in names and len(names) < 20
    assert any("Phường Tân Thành" in metric.label for metric in at.metric)
    at.button(key="present_back").click().run()
    assert "zoom" not in at.query_params and not at.exception


def test_page_switches_unit_set_keeping_the_slide_and_dropping_the_zoom(app):
    at = open_present(app, slide="2", zoom=CITY)
    at.radio(key="present_units").set_value("2025").run()
    assert not at.exception
    assert at.query_params["slide"] == "2" and at.query_params["units"] == "2025" and "zoom" not in at.query_params
    assert len(layer_payload(at)[1]["styles"]) == 64


def test_a_slide_with_a_district_zoom_says_it_does_not_apply_to_2025(app, deck, catalogue):
    district_slide = next(number for number, slide in enumerate(deck.slides) if slide.zoom or slide.districts)
    at = open_present(app, units="2025", slide=str(district_slide + 1))
    assert any("không có huyện" in caption.value for caption in at.caption)
    _, payload = layer_payload(at)
    assert all(style[1] != 2 for style in payload["styles"].values())        # no district filter fades any unit


def test_present_state_reads_unit_codes_for_the_zoom_on_2025(catalogue):
    state, notices = read_present_state({"units": "2025", "zoom": "32025"}, list(catalogue), ["964"], ["32025"])
    assert state.units == "2025" and state.zoom == "32025" and not notices
    state, notices = read_present_state({"units": "2025", "zoom": "964"}, list(catalogue), ["964"], ["32025"])
    assert state.zoom is None and [n.param for n in notices] == ["zoom"]
    assert write_present_state(replace(state, zoom="32025"), Deck(()))["units"] == "2025"
