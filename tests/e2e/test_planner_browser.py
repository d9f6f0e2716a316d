"""The rollout planner page (/ke-hoach) in a real browser (Debian Chromium), every request outside
the app server aborted and recorded: a wave of 10 set through the sidebar draws exactly 10
polygons in the proposal style; a click on one of them excludes it (URL, map, tooltip, wave list
and sidebar all follow, the map is restyled in place); the Excel download holds the new 10
communes. A second test records a known bug: the first click on a map that is only partly on
screen is lost.
"""
from __future__ import annotations

import io
import re
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from views.plan.plan_view import PILOT_COLOUR, REST_COLOUR, WAVE_COLOUR

from .helpers import (
    JS_COMMUNE_POINT,
    JS_MAP_SETTLED,
    JS_READ_TAGS,
    JS_STYLES,
    JS_TAG,
    MAP_IFRAME,
    BackMsgRecorder,
    commune_styles,
    png_size,
    tip_name,
    wait_map,
)

pytestmark = pytest.mark.e2e

PLANNER_PAGE = "/ke-hoach"
SCREEN = {"width": 1440, "height": 900}
N_PILOTS = 45                       # the report: 45 of 101 communes have a pilot team
START_SIZE, WAVE_SIZE = 6, 10       # the page opens on a wave of 6; the sidebar then sets 10
DASHED = "3 3"                      # geo/choropleth_layer.js: outline of excluded / unknown communes

# How many polygons are drawn with each fill colour, once the whole map is drawn.
JS_FILL_COUNTS = f"""() => {{
  const styles = Object.values(({JS_STYLES})());
  const out = {{total: styles.length}};
  for (const s of styles) out[s.fill] = (out[s.fill] || 0) + 1;
  return out;
}}"""


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def wait_fill_count(page, colour: str, count: int) -> None:
    """Until exactly ``count`` of the 101 polygons are filled with ``colour``."""
    page.wait_for_function(f"([colour, count]) => {{ const n = ({JS_FILL_COUNTS})();"
                           " return n.total === 101 && (n[colour] || 0) === count; }",
                           arg=[colour, count], polling=50, timeout=30_000)


def codes_filled(page, colour: str) -> set[str]:
    return {code for code, style in commune_styles(page).items() if style["fill"] == colour}


def wave_table(page):
    """The wave list beside the map (the only table with a "TT" rank column; the score table
    stays closed)."""
    return page.locator("table.camau-table").filter(has=page.locator('th[scope="col"]', has_text=re.compile(r"^TT$")))


def wave_list(page) -> list[tuple[str, str]]:
    """(commune, district) of each row of the wave list, in its order."""
    table = wave_table(page)
    expect(table).to_have_count(1)
    headers = [h.strip() for h in table.locator('th[scope="col"]').all_text_contents()]
    commune, district = headers.index("Xã/phường/thị trấn"), headers.index("Huyện")
    rows = table.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.cells, c => c.textContent.trim()))")
    return [(row[commune], row[district]) for row in rows]


def clickable_wave_commune(page, wave: set[str]) -> tuple[str, dict]:
    """The wave commune drawn largest on screen that has a visible point no other polygon, marker
    or control covers, and that point (see JS_COMMUNE_POINT). Does not scroll."""
    sizes = page.locator(MAP_IFRAME).evaluate("""f => { const out = {};
      f.contentWindow.map.eachLayer(l => { if (l.feature && l.feature.id && l._path) {
        const r = l._path.getBoundingClientRect(); out[l.feature.id] = r.width * r.height; } });
      return out; }""")
    for code in sorted(wave, key=lambda c: (-sizes[c], c)):
        point = page.evaluate(JS_COMMUNE_POINT, code)
        if "error" not in point:
            return code, point
    raise AssertionError(f"no wave commune has a clickable point: {sorted(wave)}")


def open_planner(page, app_url: str, query: str = "") -> None:
    page.goto(f"{app_url}{PLANNER_PAGE}{query}")
    wait_map(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def screenshot_whole_page(page, path: Path) -> bytes:
    """The whole page at the current width: Streamlit scrolls its main block inside the
    viewport, so ``full_page`` alone would stop at the viewport's height; grow the viewport to the
    content for the shot, then restore it."""
    viewport = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    try:
        return page.screenshot(path=path, full_page=True)
    finally:
        page.set_viewport_size(viewport)


def test_wave_of_ten_click_to_exclude_and_excel(make_context, app_url, no_outside_requests, tmp_path):
    page = make_context(app_url, viewport=SCREEN).new_page()
    reruns = BackMsgRecorder(page)
    open_planner(page, app_url, f"?size={START_SIZE}")
    wait_fill_count(page, WAVE_COLOUR, START_SIZE)
    token = uuid.uuid4().hex
    page.evaluate(JS_TAG, token)

    # 1. A wave of 10, typed into the sidebar's "Số lượng".
    size_box = page.locator('[data-testid="stSidebar"]').get_by_role("spinbutton", name="Số lượng", exact=True)
    expect(size_box).to_have_value(str(START_SIZE))
    size_box.fill(str(WAVE_SIZE))
    size_box.press("Enter")
    wait_fill_count(page, WAVE_COLOUR, WAVE_SIZE)
    assert len(codes_filled(page, PILOT_COLOUR)) == N_PILOTS
    # 10 is the default size, so the URL drops the parameter
    expect(page).not_to_have_url(re.compile(r"[?&]size="))
    expect(page.locator('[data-testid="stMetric"]').filter(has_text="Xã trong đợt")).to_contain_text(str(WAVE_SIZE))
    expect(wave_table(page).locator("tbody tr")).to_have_count(WAVE_SIZE)
    wave_before = codes_filled(page, WAVE_COLOUR)
    list_before = wave_list(page)
    assert len(list_before) == WAVE_SIZE

    # 2. A click on a proposed commune excludes it; the next-best commune takes its place.
    #    (A click on a map partly below the fold: test_first_click_on_partly_visible_map.)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    code, point = clickable_wave_commune(page, wave_before)
    name, district = tip_name(point["tip"])
    assert (name, district) in list_before
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(rf"[?&]exc={code}(&|$)"))
    page.wait_for_function(f"(code) => {{ const s = ({JS_STYLES})()[code];"
                           f" return !!s && s.fill === {REST_COLOUR!r} && s.dashArray === {DASHED!r}; }}",
                           arg=code, polling=50, timeout=30_000)
    wait_fill_count(page, WAVE_COLOUR, WAVE_SIZE)
    reruns.wait_quiet(page)
    # the tooltip still open under the pointer tells the new status, not the old one
    tooltip = page.frame_locator(MAP_IFRAME).locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text(name)
    expect(tooltip).to_contain_text("Đã loại khỏi kế hoạch")
    expect(tooltip).not_to_contain_text("Đề xuất đợt này")
    styles = commune_styles(page)
    assert styles[code]["fill"] == REST_COLOUR and styles[code]["dashArray"] == DASHED, styles[code]
    wave_after = codes_filled(page, WAVE_COLOUR)
    assert len(wave_after) == WAVE_SIZE and code not in wave_after
    assert len(wave_after - wave_before) == 1 and wave_before - wave_after == {code}
    assert all(styles[c]["dashArray"] is None for c in wave_after)
    assert len(codes_filled(page, PILOT_COLOUR)) == N_PILOTS
    list_after = wave_list(page)
    assert len(list_after) == WAVE_SIZE and list_after != list_before
    assert (name, district) not in list_after
    assert query_of(page.url).get("exc") == code
    exclude_box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text="Loại khỏi kế hoạch")
    expect(exclude_box).to_contain_text(f"{name} ({district})")
    # restyled in place: the same iframe element and Leaflet map as before the size change
    assert page.evaluate(JS_READ_TAGS) == {"iframes": 1, "iframe": token, "map": token}

    shot_path = tmp_path / "planner-1440-after-click.png"
    shot = screenshot_whole_page(page, shot_path)
    assert png_size(shot)[0] == SCREEN["width"] and png_size(shot)[1] > SCREEN["height"]
    assert len(shot) > 30_000          # a drawn page, not a blank one
    print(f"\nplanner screenshot: {shot_path}")

    # 3. The Excel file: sheet "Kế hoạch", a title row, the header, the 10 communes now in the wave
    #    and a totals row.
    button = page.locator('[data-testid="stDownloadButton"]').get_by_role("button").filter(has_text="Tải Excel (.xlsx)")
    with page.expect_download(timeout=30_000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    # Playwright stores the download under a name without an extension, which openpyxl refuses
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes())).worksheets[0]
    assert sheet.title == "Kế hoạch"
    title, header, *rows, totals = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert title[0].startswith("Kế hoạch đợt triển khai") and "Phiên bản 0" in title[0]
    assert header[0] == "Mã" and "Dữ liệu" in header
    assert len(rows) == WAVE_SIZE and totals[2] == "Tổng"
    file_codes = {str(row[0]) for row in rows}
    assert file_codes == wave_after and code not in file_codes
    # the plan rests on the sample data: every row says so
    assert {row[header.index("Dữ liệu")] for row in rows} == {"Dữ liệu minh họa"}
    no_outside_requests()


def test_first_click_on_partly_visible_map(make_context, app_url, blocked_requests):
    """At 1440x900 the planner's map starts ~480 px down and its lower ~200 px are below the
    fold. A planner clicks a proposed commune in the visible part: it is excluded. (Regression:
    Leaflet's focus on mouse-down scrolled the page under the pointer and lost the click; the
    layer script now focuses the map with preventScroll.)"""
    page = make_context(app_url, viewport=SCREEN).new_page()
    open_planner(page, app_url)
    wait_fill_count(page, WAVE_COLOUR, WAVE_SIZE)
    page.wait_for_function(JS_MAP_SETTLED, polling=50)
    frame_box = page.locator(MAP_IFRAME).bounding_box()
    if frame_box["y"] + frame_box["height"] <= SCREEN["height"]:
        pytest.fail("the map is fully visible at 1440x900: this test no longer covers a partly visible map")
    code, point = clickable_wave_commune(page, codes_filled(page, WAVE_COLOUR))
    page.mouse.click(point["x"], point["y"])
    if blocked_requests:
        pytest.fail(f"the page tried to reach outside the app server: {blocked_requests}")
    expect(page).to_have_url(re.compile(rf"[?&]exc={code}(&|$)"), timeout=10_000)


def test_second_click_on_the_same_commune_undoes_the_first(make_context, app_url, no_outside_requests):
    """Click a proposed commune: excluded; click it again at the same spot: back in the wave.
    (streamlit-folium sends a value only when it differs from the last one, so the page also
    asks for the click count.)"""
    page = make_context(app_url, viewport=SCREEN).new_page()
    open_planner(page, app_url)
    wait_fill_count(page, WAVE_COLOUR, WAVE_SIZE)
    page.wait_for_function(JS_MAP_SETTLED, polling=50)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    wave_before = codes_filled(page, WAVE_COLOUR)
    code, point = clickable_wave_commune(page, wave_before)
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(rf"[?&]exc={code}(&|$)"))
    page.wait_for_function(f"(code) => ({JS_STYLES})()[code].fill === {REST_COLOUR!r}", arg=code, polling=50)
    page.wait_for_function(JS_MAP_SETTLED, polling=50)

    page.mouse.click(point["x"], point["y"])
    expect(page).not_to_have_url(re.compile(r"[?&]exc="))
    page.wait_for_function(f"(code) => ({JS_STYLES})()[code].fill === {WAVE_COLOUR!r}", arg=code, polling=50)
    wait_fill_count(page, WAVE_COLOUR, WAVE_SIZE)
    assert codes_filled(page, WAVE_COLOUR) == wave_before
    no_outside_requests()


@pytest.mark.parametrize("width, lang", [(1280, "vi"), (1280, "en"), (390, "vi")])
def test_key_figure_labels_wrap_instead_of_being_cut(make_context, app_url, no_outside_requests, width, lang):
    page = make_context(app_url, viewport={"width": width, "height": 900}).new_page()
    open_planner(page, app_url, "" if lang == "vi" else "?lang=en")
    labels = page.locator('[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"]')
    expect(labels).to_have_count(6)
    cut = labels.evaluate_all("""els => els.filter(e => e.scrollWidth > e.clientWidth + 1)
                                          .map(e => e.innerText)""")
    assert cut == [], cut
    expect(page.get_by_text("Hộ dự kiến được hướng dẫn" if lang == "vi" else "Households expected to be guided",
                            exact=True)).to_be_visible()
    no_outside_requests()
