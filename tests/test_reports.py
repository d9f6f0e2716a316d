"""Every export read back: PNG size and content, PDF pages and text, CSV, XLSX and GeoJSON rows,
in Vietnamese and English, with the illustrative mark exactly where illustrative values are."""
import csv
import datetime as dt
import io
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import shapely
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from geo.web_geometry import PublishedGeometry
from l10n.messages import t, tn
from reports.content import ExportedView, boundaries_2023, data_rows, file_name, notes, title
from reports.data_files import csv_file, geojson_file, spreadsheet_frame, xlsx_file
from reports.district_brief import brief_pdf, commune_rows, district_figures, district_state
from reports.drawing import nice_length
from reports.map_picture import map_pdf, map_png
from views.map.mapview import build_view
from views.map.state import MapState

TODAY = dt.date(2026, 11, 27)
DAM_DOI = "970"   # Huyện Đầm Dơi: 16 communes
CITY = "964"      # Thành phố Cà Mau: 17 communes


@pytest.fixture(scope="module")
def geometry(reference):
    points = reference.communes.geometry.representative_point()
    return PublishedGeometry("/c.geojson", "/o.geojson", 0, 0,
                             {c: (p.y, p.x) for c, p in zip(reference.communes["gso_code"], points)},
                             tuple(reference.communes.total_bounds))


@pytest.fixture(scope="module")
def export(table, catalogue, sources, reference, report, geometry):
    model = next(figure for figure in report if figure.gso_code)

    def make(lang="vi", **state) -> ExportedView:
        view = build_view(table, catalogue, sources, MapState(lang=lang, **state), geometry, model, lang)
        return ExportedView(table, view, catalogue, sources, boundaries_2023(reference), lang)
    return make


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())   # wrapped lines joined back


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


# --- map picture ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["vi", "en"])
def test_png_is_a4_at_300_dpi_and_shows_every_class_colour(export, lang):
    exported = export(lang, indicator="vneid_per_1000")
    image = Image.open(io.BytesIO(map_png(exported, TODAY)))
    assert image.format == "PNG"
    assert image.size == (3507, 2481)                       # A4 landscape, 11.69 × 8.27 in
    assert round(image.info["dpi"][0]) == 300
    assert image.info["Title"].startswith(catalogue_name(exported))
    colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20)}
    assert len(colours) > 20                                # not blank
    class_colours = {hex_rgb(entry.colour) for entry in exported.view.legend if entry.kind == "class"}
    assert len(class_colours) == 5 and class_colours <= colours


def catalogue_name(exported):
    return exported.indicator.name[exported.lang]


def test_png_of_a_filtered_view_still_draws_the_communes_faint(export):
    exported = export(indicator="population_2019", districts=(DAM_DOI,))
    pixels = Image.open(io.BytesIO(map_png(exported, TODAY))).convert("RGB")
    colours = {colour for _, colour in pixels.getcolors(maxcolors=1 << 20)}
    darkest = hex_rgb(exported.view.legend[4].colour)
    assert darkest in colours and len(colours) > 20


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_of_an_illustrative_indicator_says_so(export, sources, lang):
    exported = export(lang, indicator="households_guided_share")
    pages, text = pdf_text(map_pdf(exported, TODAY))
    assert pages == 1
    assert exported.indicator.name[lang] in text
    assert sources["sample_generator"].title[lang] in text
    assert "10/02/2023" in text and "27/11/2026" in text
    assert t("illustrative", lang) in text and t("illustrative.long", lang) in text
    assert t("tooltip.denominator", lang) in text and exported.catalogue["households_2019"].name[lang] in text
    for entry in exported.view.legend:                       # legend labels with their counts
        assert entry.label in text
    assert tn("legend.count", exported.view.legend[0].count, lang) in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_of_census_population_has_no_illustrative_mark(export, sources, lang):
    exported = export(lang, indicator="population_2019")
    pages, text = pdf_text(map_pdf(exported, TODAY))
    assert pages == 1
    assert sources["census_2019"].title[lang] in text and "01/04/2019" in text
    assert t("illustrative", lang) not in text
    assert ("Dân số 2019 (người)" if lang == "vi" else "Population 2019 (people)") in text
    assert "km" in text


def test_pdf_numbers_are_written_the_vietnamese_way(export):
    _, vi = pdf_text(map_pdf(export("vi", indicator="population_2019", scheme="manual", breaks=(10000, 20000)), TODAY))
    _, en = pdf_text(map_pdf(export("en", indicator="population_2019", scheme="manual", breaks=(10000, 20000)), TODAY))
    assert "dưới 10.000" in vi and "under 10,000" in en


def test_pdf_of_a_filtered_view_names_the_filter(export):
    _, text = pdf_text(map_pdf(export("vi", indicator="population_2019", districts=(DAM_DOI,)), TODAY))
    assert "16/101 xã, phường, thị trấn thỏa bộ lọc" in text
    assert t("legend.filtered_out", "vi") in text


def test_pictures_made_at_once_in_threads_keep_their_own_text_and_no_figure_stays_open(export):
    # Streamlit makes download files in worker threads; pyplot's figure registry is not used.
    views = [export("vi", indicator="households_guided_share"), export("en", indicator="population_2019")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        texts = [pdf_text(data)[1] for data in pool.map(lambda v: map_pdf(v, TODAY), views)]
    assert "Dữ liệu minh họa" in texts[0] and "Illustrative data" not in texts[1]
    assert "Population 2019 (people)" in texts[1]
    assert plt.get_fignums() == []


@pytest.mark.parametrize("span, length", [(100_000, 20_000), (30_000, 5_000), (9_000, 1_000), (260, 50)])
def test_scale_bar_takes_a_round_length(span, length):
    assert nice_length(span) == length


# --- data files ----------------------------------------------------------------------------

def test_data_rows_are_the_filtered_communes_with_class_labels(export):
    rows = data_rows(export("vi", indicator="population_2019", districts=(DAM_DOI, CITY)))
    assert len(rows) == 33 and set(rows["district"]) == {"Huyện Đầm Dơi", "Thành phố Cà Mau"}
    assert rows["gso_code"].is_monotonic_increasing
    assert rows["value_text"].str.endswith(" người").all()
    assert rows["class_label"].str.contains("–").all()


def test_csv_has_a_bom_headers_and_the_illustrative_mark_on_every_row(export):
    data = csv_file(export("vi", indicator="vneid_dossiers"))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 101
    assert list(rows[0])[:4] == ["Mã GSO", "Xã, phường, thị trấn", "Huyện / thành phố", "Loại"]
    assert {row["Ghi chú"] for row in rows} == {"Dữ liệu minh họa"}
    assert {row["Số liệu ngày"] for row in rows} == {"10/02/2023"}
    assert sum(int(row["Giá trị"]) for row in rows) == 233_175      # the report's total, as whole numbers


def test_csv_of_census_data_in_english_has_no_mark(export):
    rows = list(csv.DictReader(io.StringIO(csv_file(export("en", indicator="population_2019")).decode("utf-8-sig"))))
    assert {row["Note"] for row in rows} == {""}
    assert sum(int(row["Value"]) for row in rows) == 1_194_476
    assert rows[0]["Value as shown"].endswith(" people")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_xlsx_has_a_header_row_typed_values_and_notes(export, lang):
    exported = export(lang, indicator="households_guided_share", districts=(DAM_DOI,))
    book = load_workbook(io.BytesIO(xlsx_file(exported, TODAY)))
    data = book[t("export.sheet.data", lang)]
    rows = list(data.iter_rows(values_only=True))
    assert list(rows[0]) == list(spreadsheet_frame(exported).columns)
    assert len(rows) == 1 + 16
    value = rows[0].index(t("export.col.value", lang))
    assert sum(isinstance(row[value], (int, float)) for row in rows[1:]) == 7   # Đầm Dơi's 7 illustrative pilots
    assert sum(row[value] is None for row in rows[1:]) == 9                # not deployed: empty, not 0
    as_of = rows[0].index(t("tooltip.as_of", lang))
    assert rows[1][as_of].date() == dt.date(2023, 2, 10)
    notes_sheet = dict(book[t("export.sheet.notes", lang)].iter_rows(values_only=True))
    assert notes_sheet[t("illustrative", lang)] == t("illustrative.long", lang)
    assert notes_sheet[t("tooltip.source", lang)] == exported.source_title
    assert notes_sheet[t("map.filters", lang)].startswith("16/101")


def test_xlsx_never_stores_a_formula(export, table, catalogue, sources, reference, geometry):
    hostile = table.copy()
    hostile.loc[0, "name"] = "=HYPERLINK(\"http://x\",\"y\")"
    exported = export("vi", indicator="population_2019")
    exported = ExportedView(hostile, exported.view, catalogue, sources, boundaries_2023(reference), "vi")
    sheet = load_workbook(io.BytesIO(xlsx_file(exported, TODAY))).active
    names = [cell.value for cell in sheet["B"]]
    assert names[1] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_notes_of_census_data_have_no_illustrative_line(export):
    labels = [label for label, _ in notes(export("en", indicator="population_2019"), TODAY)]
    assert "Illustrative data" not in labels and "Source" in labels and "Classes" in labels


def test_geojson_has_101_valid_wgs84_features(export):
    collection = json.loads(geojson_file(export("vi", indicator="population_density")))
    features = collection["features"]
    assert collection["type"] == "FeatureCollection" and len(features) == 101
    shapes = [shapely.geometry.shape(feature["geometry"]) for feature in features]
    assert all(shape.is_valid and not shape.is_empty for shape in shapes)
    minx, miny, maxx, maxy = shapely.unary_union(shapes).bounds
    assert 104.3 < minx < maxx < 105.7 and 8.2 < miny < maxy < 9.8    # longitude, latitude
    properties = features[0]["properties"]
    assert set(properties) >= {"gso_code", "name", "district", "type", "value", "value_text", "class_label"}
    assert isinstance(properties["value"], (int, float)) and properties["illustrative"] is False
    assert collection["metadata"]["as_of"] == "2019-04-01" and collection["metadata"]["illustrative"] is False


def test_geojson_of_a_filtered_view_keeps_only_its_communes(export):
    collection = json.loads(geojson_file(export("en", indicator="hamlet_teams", districts=(DAM_DOI,))))
    features = collection["features"]
    assert len(features) == 16 and {f["properties"]["district"] for f in features} == {"Huyện Đầm Dơi"}
    missing = [f["properties"] for f in features if f["properties"]["value"] is None]
    assert len(missing) == 9 and {p["value_text"] for p in missing} == {"Not deployed"}
    assert all(f["properties"]["illustrative"] for f in features)
    assert collection["metadata"]["note"] == t("illustrative.long", "en")


def test_geojson_of_a_category_keeps_the_category_key_and_its_label(export):
    features = json.loads(geojson_file(export("vi", indicator="pilot_status")))["features"]
    values = {(f["properties"]["value"], f["properties"]["value_text"]) for f in features}
    assert values == {("pilot", "Đã thí điểm"), ("not_pilot", "Chưa thí điểm")}
    assert sum(f["properties"]["value"] == "pilot" for f in features) == 45


def test_title_gives_the_unit_unless_the_name_says_it(catalogue):
    assert title(catalogue["population_2019"], "vi") == "Dân số 2019 (người)"
    assert title(catalogue["households_guided_share"], "en").endswith("(%)")
    assert title(catalogue["vneid_per_1000"], "en") == catalogue["vneid_per_1000"].name["en"]
    assert title(catalogue["pilot_status"], "vi") == catalogue["pilot_status"].name["vi"]


def test_file_names_carry_indicator_district_and_day():
    assert file_name("vneid_per_1000", "png", TODAY) == "camau_vneid_per_1000_20261127.png"
    assert file_name("population_2019", "pdf", TODAY, "970") == "camau_population_2019_970_20261127.pdf"
    assert file_name("../x y", "csv", TODAY) == "camau____x_y_20261127.csv"


# --- district brief ------------------------------------------------------------------------

def district_export(export, lang, indicator, district=DAM_DOI, **state):
    whole = district_state(MapState(indicator=indicator, lang=lang, **state), district)
    return export(lang, **{k: v for k, v in whole.__dict__.items() if k != "lang"})


def test_district_state_keeps_the_classes_and_drops_other_filters():
    state = MapState(indicator="population_2019", scheme="fisher_jenks", classes=4, districts=("964", "970"),
                     types=("xa",), pilot="pilot", value_min=1.0, commune="32005")
    whole = district_state(state, "970")
    assert (whole.scheme, whole.classes, whole.districts) == ("fisher_jenks", 4, ("970",))
    assert whole.types == () and whole.pilot == "all" and whole.value_min is None and whole.commune is None


def test_district_figures_sum_counts_and_recompute_ratios(export, table):
    exported = district_export(export, "vi", "households_guided_share")
    figures = {label: (text, marked) for label, text, marked in district_figures(exported, DAM_DOI)}
    district = table[table["district_code"] == DAM_DOI]
    assert figures["Số xã, phường, thị trấn"] == ("16", False)
    assert figures["Xã thí điểm Tổ công nghệ số cộng đồng"] == (f"{int(district['pilot'].sum())}/16", True)
    population = district["population_2019"].sum()
    assert figures["Dân số 2019 (tổng của huyện)"] == (f"{population:,.0f}".replace(",", ".") + " người", False)
    # Regression: "cả huyện" (whole district) was computed over the pilot communes' households only
    # (24,0% instead of about 11%). Communes without a team guided nobody: they count with zero.
    share = district["households_guided"].sum() / district["households_2019"].sum() * 100
    pilots_only = district.loc[district["pilot"] == True, "households_guided"].sum() / (  # noqa: E712
        district.loc[district["pilot"] == True, "households_2019"].sum()) * 100           # noqa: E712
    text, marked = figures["Tỷ lệ hộ được hướng dẫn (cả huyện)"]
    assert text == f"{share:.1f}%".replace(".", ",") and marked and share < pilots_only / 1.5


def test_a_district_figure_that_misses_communes_says_so(export, table):
    exported = district_export(export, "en", "households_guided_share")
    exported = replace(exported, table=exported.table.copy())      # the fixture's table is shared
    unknown = exported.table.index[exported.table["district_code"] == DAM_DOI][-1]
    exported.table.loc[unknown, ["pilot", "households_guided", "households_guided_share"]] = [pd.NA, None, None]
    figures = {label: text for label, text, _ in district_figures(exported, DAM_DOI)}
    assert "Share of households guided (overall ratio, 15/16 communes with data)" in figures
    assert not any("whole district" in label for label in figures if label.startswith("Share of households"))


def test_commune_rows_rank_best_first_and_put_missing_values_last(export):
    rows = commune_rows(district_export(export, "en", "households_guided_share"), DAM_DOI)
    assert len(rows) == 16
    assert list(rows["Rank in district"][:7]) == [f"{i}/7" for i in range(1, 8)]
    assert set(rows["Rank in district"][7:]) == {"—"} and set(rows["Value (%)"][7:]) == {"Not deployed"}
    assert rows["Value (%)"][0] == "37.5"                    # the unit is in the header, not in every cell


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_district_brief_is_one_page_with_map_figures_and_table(export, sources, lang):
    exported = district_export(export, lang, "population_2019", district=CITY)
    pages, text = pdf_text(brief_pdf(exported, CITY, TODAY))
    assert pages == 1
    assert t("brief.title", lang, district="Thành phố Cà Mau") in text
    assert t("brief.figures", lang) in text and t("panel.rank_province", lang) in text
    for name in exported.table.loc[exported.table["district_code"] == CITY, "name"]:
        assert name in text                                  # every commune in the table
    assert sources["census_2019"].title[lang] in text and "01/04/2019" in text
    # the pilot count comes from the illustrative sample, so the mark is on the page even for census data
    assert t("illustrative", lang) in text


def test_district_brief_of_an_illustrative_indicator_marks_its_figure(export):
    exported = district_export(export, "vi", "vneid_dossiers")
    _, text = pdf_text(brief_pdf(exported, DAM_DOI, TODAY))
    assert "Hồ sơ định danh điện tử" in text and "(tổng của huyện)" in text
    assert t("illustrative.long", "vi") in text and "Huyện Đầm Dơi" in text


# --- The 2025 units -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def export_2025(reference, reference_2025, catalogue, sources):
    from geo.web_geometry import PublishedGeometry as Geometry
    from indicators.conversion import catalogue_2025, commune_table_2025
    from indicators.sample import read_sample_csv
    from reports.content import boundaries_2025

    converted = catalogue_2025(catalogue, sources)
    table = commune_table_2025(reference, reference_2025, read_sample_csv(), converted)
    points = reference_2025.communes.geometry.representative_point()
    geometry = Geometry("/c.geojson", "/o.geojson", 0, 0,
                        {c: (p.y, p.x) for c, p in zip(reference_2025.communes["gso_code"], points)},
                        tuple(reference_2025.communes.total_bounds))

    def make(indicator="vneid_per_1000", lang="vi") -> ExportedView:
        view = build_view(table, converted, sources, MapState(indicator=indicator, lang=lang, units="2025"),
                          geometry, None, lang)
        return ExportedView(table, view, converted, sources, boundaries_2025(reference_2025), lang)
    return make


def test_2025_exports_carry_the_unit_set_and_the_conversion_mark(export_2025):
    exported = export_2025()
    frame = spreadsheet_frame(exported)
    assert len(frame) == 64 and "Huyện cũ" in frame.columns and "Quy đổi" in frame.columns
    rows = frame.set_index("Mã GSO")
    assert rows.loc["32025", "Quy đổi"].startswith("Quy đổi từ đơn vị cũ; ước tính")
    assert "Bạc Liêu cũ" in rows.loc["31825", "Quy đổi"]
    labels_ = dict(notes(exported, TODAY))
    assert labels_["Đơn vị hành chính"].startswith("Từ 01/07/2025")
    assert "quy đổi từ 101 đơn vị cũ" in labels_["Quy đổi"]
    collection = json.loads(geojson_file(exported))
    assert len(collection["features"]) == 64 and collection["metadata"]["units"] == "2025"
    assert collection["metadata"]["conversion"] and "conversion" in collection["features"][0]["properties"]
    pages, text = pdf_text(map_pdf(exported, TODAY))
    assert pages == 1 and "64 xã, phường" in text and "quy đổi từ đơn vị cũ, một phần ước tính" in text
    assert "sapnhap.bando.com.vn" in text and "101 xã" not in text
    assert Image.open(io.BytesIO(map_png(exported, TODAY))).size[0] > 2000


def test_2025_area_export_names_the_2025_polygons_and_no_conversion(export_2025):
    exported = export_2025("area_km2", "en")
    assert not exported.converted
    frame = spreadsheet_frame(exported)
    assert "Conversion" not in frame.columns and frame["Source"].iloc[0].startswith("Boundaries of the 64 communes")
