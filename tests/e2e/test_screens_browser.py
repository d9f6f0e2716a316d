"""Every public page of the editors' app as a reader sees it, in Vietnamese and English: the
landing URL works, and no developer detail (a source file, a server path, Streamlit's own English
words in the Vietnamese interface, a scale in miles) reaches the screen."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from geo.reference import reference_dir

from .helpers import MAP_IFRAME, wait_map

pytestmark = pytest.mark.e2e

# path -> the number of polygons its map draws (None: no map)
PAGES = {"/": None, "/tong-quan": None, "/ban-do": 101, "/ban-do?units=2025&c=32025": 64, "/so-sanh": 101,
         "/trinh-chieu": 101, "/ke-hoach": 101, "/gioi-thieu": None}
DEVELOPER_DETAILS = ["indicators/sample.py", ".py", str(reference_dir()), "/work/", "Traceback"]
STREAMLIT_ENGLISH = ["Choose an option", "Choose options", "Select all", "Drag and drop", "Page not found"]


def visible_text(page) -> str:
    return page.locator("body").inner_text()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("path", list(PAGES))
def test_page_shows_words_not_developer_details(page, app_url, path, lang, no_outside_requests):
    page.goto(f"{app_url}{path}{'&' if '?' in path else '?'}lang={lang}")
    expect(page.locator("[data-testid='stMain']")).to_be_visible()
    if PAGES[path]:
        page.locator(MAP_IFRAME).first.wait_for()
        wait_map(page, timeout=60_000, communes=PAGES[path])
    else:
        expect(page.locator("h1").first).to_be_visible()
    page.wait_for_timeout(500)           # a late "Page not found" dialog would arrive by now
    text = visible_text(page)
    for detail in DEVELOPER_DETAILS:
        assert detail not in text, f"{path} ({lang}) shows {detail!r}"
    if lang == "vi":
        for words in STREAMLIT_ENGLISH:
            assert words not in text, f"{path} shows Streamlit's English {words!r}"
    assert "Page not found" not in text
    if PAGES[path]:
        scale = page.frame_locator(MAP_IFRAME).first.locator(".leaflet-control-scale-line")
        expect(scale).to_have_count(1)
        assert re.search(r"\d+ k?m$", scale.inner_text()), scale.inner_text()


def test_leaders_landing_link_opens_the_overview(page, app_url):
    # Regression: /tong-quan showed an English "Page not found" box on every visit. It now opens the
    # overview (the app's home, "/"), keeping the link's query.
    page.goto(f"{app_url}/tong-quan?lang=en")
    expect(page.get_by_role("heading", name="Cà Mau digital transformation map")).to_be_visible()
    page.wait_for_timeout(1500)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    assert page.url.split("?")[0].rstrip("/") == app_url.rstrip("/") and "lang=en" in page.url


def test_typing_in_a_form_shows_no_streamlit_english(page, app_url):
    page.goto(f"{app_url}/dang-nhap")
    box = page.get_by_label("Tên đăng nhập", exact=True)
    box.fill("bientap")
    box.focus()
    page.wait_for_timeout(500)
    assert "Press Enter" not in visible_text(page)
