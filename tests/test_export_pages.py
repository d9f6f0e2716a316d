"""The map page's export section: drawn only while open, a button per file in both languages,
files made only on click, and the glue that makes them (each button its own file)."""
import csv
import io
import json

import pytest
from PIL import Image
from pypdf import PdfReader

from l10n.messages import t, tn
from ui.export_support import brief_download, view_downloads
from ui.streamlit_support import published_table, published_version
from views.map.state import MapState

VIEW_LABELS = ("export.png", "export.pdf", "export.csv", "export.xlsx", "export.geojson")


def open_map(at, **params):
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page("pages/map.py").run()
    assert not at.exception, at.exception
    return at


def download_buttons(at):
    return {button.proto.label: button.proto for button in at.get("download_button")}


def test_export_section_is_drawn_only_while_open(app):
    at = open_map(app, ind="population_2019")
    assert not at.get("download_button")
    at.session_state["x_export"] = True
    at.run()
    assert not at.exception and len(at.get("download_button")) == 5   # no district chosen yet: no brief


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_download_button_per_format_and_the_filtered_district_brief(app, lang):
    at = open_map(app, lang=lang, ind="vneid_dossiers", d="970")
    at.session_state["x_export"] = True
    at.run()
    assert not at.exception
    buttons = download_buttons(at)
    assert set(buttons) == {t(key, lang) for key in VIEW_LABELS} | {t("export.brief.download", lang)}
    # made on click (deferred), not on every rerun
    assert all(button.deferred_file_id and not button.url for button in buttons.values())
    assert all(button.ignore_rerun for button in buttons.values())
    brief_district = at.selectbox(key="w_brief_district_970")
    assert brief_district.value == "970" and brief_district.label == t("map.filter.district", lang)
    texts = " ".join(markdown.value for markdown in at.markdown)
    assert tn("export.data", 16, lang) in texts


def test_brief_district_can_be_chosen_when_no_single_district_is_filtered(app):
    at = open_map(app, ind="population_2019")
    at.session_state["x_export"] = True
    at.run()
    chooser = at.selectbox(key="w_brief_district_None")
    assert chooser.value is None and len(chooser.options) == 9
    chooser.set_value("964").run()
    assert not at.exception
    assert t("export.brief.download", "vi") in download_buttons(at)


def test_each_download_makes_its_own_file():
    version_id, table, catalogue, sources = published_table("en", published_version())
    state = MapState(indicator="population_2019", districts=("970",), lang="en")
    downloads = view_downloads(version_id, state, "en", table, catalogue, sources)
    assert {d.file_name.rsplit(".", 1)[1] for d in downloads.values()} == {"png", "pdf", "csv", "xlsx", "geojson"}
    assert all(d.file_name.startswith("camau_population_2019_") for d in downloads.values())

    png = Image.open(io.BytesIO(downloads["png"].data()))
    assert png.format == "PNG" and png.size == (3507, 2481)
    text = PdfReader(io.BytesIO(downloads["pdf"].data())).pages[0].extract_text()
    assert "Population 2019" in text and "16/101" in text
    rows = list(csv.DictReader(io.StringIO(downloads["csv"].data().decode("utf-8-sig"))))
    assert len(rows) == 16
    assert downloads["xlsx"].data()[:2] == b"PK"                    # a zip container
    assert len(json.loads(downloads["geojson"].data())["features"]) == 16

    brief = brief_download(version_id, state, "en", "964", table, catalogue, sources)
    assert brief.file_name.startswith("camau_population_2019_964_") and brief.file_name.endswith(".pdf")
    reader = PdfReader(io.BytesIO(brief.data()))
    assert len(reader.pages) == 1 and "District brief: Thành phố Cà Mau" in reader.pages[0].extract_text()
