"""The public static site in Debian's Chromium, served as plain files from loopback (any static
server will do; tests/test_public_site_nginx.py serves it through nginx). Every request to another
origin is aborted and recorded: the site must need none.

What only a browser shows: the map drawn from the files the URL names, the map's share of a
600x400 iframe and of a phone screen, tooltips kept inside the frame, touch, the table, the CSV,
bad links falling back with a notice, and no CSP violation or inline script."""
from __future__ import annotations

import datetime as dt
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from indicators.catalogue import load_catalogue
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from publicsite.build import build_site
from storage import datasets
from storage.db import make_engine, upgrade

from .conftest import _new_context
from .helpers import JS_POINT_INSIDE

HOSTILE_SOURCE = '<img src=x onerror="document.title=\'pwned\'">'
IFRAME = {"width": 600, "height": 400}
PHONE = {"width": 390, "height": 844}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(directory: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built for a published 2023-units table whose source an editor typed with markup,
    served at one loopback origin, and an embedding page at another."""
    base = tmp_path_factory.mktemp("public-site")
    engine = make_engine(f"sqlite:///{base / 'camau.sqlite3'}")
    upgrade(engine)
    ensure_sample_version(engine, read_sample_csv(), load_catalogue())
    from geo.reference import load_reference
    codes = list(load_reference().units["gso_code"])
    figures = [(code, "vneid_dossiers", float(1000 + int(code) % 500)) for code in codes]
    with engine.begin() as connection:
        version = datasets.create_version(
            connection, period="2023", as_of=dt.date(2023, 12, 31), source=HOSTILE_SOURCE, illustrative=False,
            created_by="editor", file_name="bao_cao.xlsx", file_sha256="d" * 64, sheet="Sheet1", rows_read=101,
            rows_matched=101, rows_rejected=0, note="", figures=figures, report=[], units="2023")
        datasets.publish(connection, version.id, "editor")
    build_site(base / "site", database_url=str(engine.url))
    engine.dispose()
    server, url = _serve(base / "site" / "current")
    portal_dir = base / "portal"
    portal_dir.mkdir()
    portal, portal_url = _serve(portal_dir)
    yield {"url": url, "portal_dir": portal_dir, "portal_url": portal_url}
    server.shutdown()
    portal.shutdown()


def open_site(browser, site, query: str = "", viewport=None, **options):
    blocked, errors = [], []
    ctx = _new_context(browser, [site["url"], site["portal_url"]], blocked, viewport=viewport, **options)
    page = ctx.new_page()
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site['url']}/{query}")
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    page.wait_for_function("document.querySelectorAll('#map path.leaflet-interactive').length > 0")
    return ctx, page, blocked, errors


def test_the_map_draws_every_commune_with_title_legend_source_and_no_outside_request(browser, site):
    ctx, page, blocked, errors = open_site(browser, site, "?ind=vneid_dossiers&lang=vi")
    assert page.locator("#map path.leaflet-interactive").count() == 101
    assert page.locator("#title").inner_text().startswith("Hồ sơ")
    assert page.locator("#legend .camau-legend-row").count() >= 5
    caption = page.locator("#caption").inner_text()
    assert "Nguồn" in caption and HOSTILE_SOURCE in caption         # shown as text, not markup
    assert page.title() != "pwned" and page.locator("#page img[src=x]").count() == 0
    assert blocked == [] and errors == []
    ctx.close()


def test_hovering_a_commune_shows_its_value_with_denominator_date_and_source(browser, site):
    ctx, page, _, errors = open_site(browser, site, "?ind=vneid_dossiers&lang=en")
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator(".leaflet-tooltip")
    tip.wait_for()
    text = tip.inner_text()
    assert "Denominator" in text and "As of" in text and "Source" in text
    assert page.evaluate("document.documentElement.lang") == "en" and errors == []
    ctx.close()


@pytest.mark.parametrize("viewport, touch", [(IFRAME, False), (PHONE, True)], ids=["iframe", "phone"])
def test_the_map_takes_most_of_the_frame_and_tooltips_stay_inside(browser, site, viewport, touch):
    ctx, page, _, errors = open_site(browser, site, "?ind=vneid_dossiers&lang=vi", viewport=viewport,
                                     is_mobile=touch, has_touch=touch)
    box = page.locator("#map").bounding_box()
    assert box["height"] >= 0.6 * viewport["height"], box
    for selector in ("#title", "#legend", "#caption", "#actions"):
        part = page.locator(selector).bounding_box()
        assert part["y"] >= 0 and part["y"] + part["height"] <= viewport["height"] + 0.5, selector
    # Near each edge of the map, a tapped or hovered commune's tooltip stays inside the frame.
    for fx, fy in ((0.97, 0.5), (0.03, 0.5), (0.5, 0.04), (0.5, 0.96), (0.9, 0.9)):
        x, y = box["x"] + box["width"] * fx, box["y"] + box["height"] * fy
        target = page.evaluate("([x, y]) => document.elementFromPoint(x, y).tagName", [x, y])
        if target != "path":
            continue          # sea or outside the province here
        if touch:
            page.touchscreen.tap(x, y)
        else:
            page.mouse.move(x, y)
        page.locator(".leaflet-tooltip").wait_for()
        page.wait_for_timeout(100)
        tip = page.locator(".leaflet-tooltip").bounding_box()
        assert tip["x"] >= 0 and tip["y"] >= 0, (fx, fy, tip)
        assert tip["x"] + tip["width"] <= viewport["width"] and tip["y"] + tip["height"] <= viewport["height"], (fx, fy, tip)
    assert errors == []
    ctx.close()


def test_a_tap_on_a_phone_opens_the_communes_tooltip(browser, site):
    ctx, page, _, _ = open_site(browser, site, "?ind=vneid_dossiers", viewport=PHONE, is_mobile=True, has_touch=True)
    point = page.evaluate(JS_POINT_INSIDE, "#map path.leaflet-interactive")
    page.touchscreen.tap(*point)
    page.locator(".leaflet-tooltip").wait_for()
    assert "Hồ sơ" in page.locator(".leaflet-tooltip").inner_text()
    ctx.close()


def test_in_an_iframe_of_another_site_the_page_fills_the_frame(browser, site):
    (site["portal_dir"] / "index.html").write_text(
        f'<!doctype html><meta charset="utf-8"><p>Cổng thông tin</p>'
        f'<iframe src="{site["url"]}/?ind=vneid_dossiers&lang=vi&units=2023" width="600" height="400" '
        f'style="border:0" title="Bản đồ"></iframe>', encoding="utf-8")
    blocked = []
    ctx = _new_context(browser, [site["url"], site["portal_url"]], blocked)
    page = ctx.new_page()
    page.goto(site["portal_url"] + "/index.html")
    frame = page.frame_locator("iframe")
    frame.locator("body[data-ready=true]").wait_for(timeout=20_000)
    height = frame.locator("#map").evaluate("element => element.getBoundingClientRect().height")
    assert height >= 240
    title = frame.locator("#title").evaluate("element => element.getBoundingClientRect().top")
    assert title >= 0
    assert blocked == []
    ctx.close()


@pytest.mark.parametrize("query, named", [
    ("?ind=khong_co&lang=vi", "ind='khong_co'"),
    ("?c=99999&units=2023", "c='99999'"),
    ("?units=1999&lang=xx", "units='1999'"),
    ("?ind=%3Cscript%3Ealert(1)%3C/script%3E", "ind='<script>alert(1)</script>'"),
])
def test_bad_links_fall_back_with_a_notice_naming_the_parameter(browser, site, query, named):
    ctx, page, _, errors = open_site(browser, site, query)
    notice = page.locator("#notice")
    assert notice.is_visible() and named in notice.inner_text()
    assert page.locator("#notice script").count() == 0
    assert page.locator("#map path.leaflet-interactive").count() == 101 and errors == []
    ctx.close()


def test_the_table_opens_over_the_map_and_the_csv_downloads(browser, site):
    ctx, page, _, _ = open_site(browser, site, "?ind=vneid_dossiers&lang=vi", viewport=IFRAME)
    page.locator("#table-button").click()
    rows = page.locator("#table-panel table tbody tr")
    rows.first.wait_for()
    assert rows.count() == 101
    page.keyboard.press("Escape")
    assert page.locator("#table-panel").is_hidden()
    with page.expect_download() as download:
        page.locator("#csv").click()
    assert download.value.suggested_filename == "camau_vneid_dossiers.csv"
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.count("\n") >= 102 and "gso_code" in content.splitlines()[0]
    ctx.close()


def test_a_chosen_commune_is_outlined_and_the_unit_switch_keeps_the_indicator(browser, site):
    ctx, page, _, _ = open_site(browser, site, "?ind=vneid_dossiers&c=32002&lang=vi")
    assert page.locator('#map path[stroke="#000000"]').count() == 1
    switch = page.locator("#units-switch a")
    assert switch.count() == 2 and page.locator("#units-switch a[aria-current]").inner_text() == "Đơn vị 2022–2024"
    switch.nth(1).click()
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("document.querySelectorAll('#map path.leaflet-interactive').length === 64")
    assert "units=2025" in page.url and "ind=vneid_dossiers" in page.url
    ctx.close()
