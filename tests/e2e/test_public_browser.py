"""The public static site as the editors' app publishes it, in a real browser (Debian Chromium):
the site the editors' server built when it started, the embed code of the editors' map page pasted
into another site's page, a share link opened on its own, and a hostile commune name.

Every context aborts and records each request to anything but the origins the test names; each
test ends by asserting that none was attempted. (tests/e2e/test_public_site_browser.py covers the
page itself: sizes, tooltips, touch, the table, bad links.)
"""
from __future__ import annotations

import csv
import html
import io
import json
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from geo.reference import REQUIRED_FILES, UNITS_FILE, reference_dir

from .conftest import file_server
from .helpers import JS_POINT_INSIDE, MAP_PAGE, N_COMMUNES, wait_map

pytestmark = pytest.mark.e2e

PHUONG_1 = "32005"
PHONE = {"width": 390, "height": 844}
HOSTILE = "<img src=x onerror=alert(1)>"
SITE_PATHS = "#map path.leaflet-interactive"


def wait_site(target, communes: int = N_COMMUNES) -> None:
    """The static page has drawn its map (``target``: a Page or a FrameLocator)."""
    expect(target.locator("body[data-ready=true]")).to_have_count(1, timeout=30_000)
    expect(target.locator(SITE_PATHS)).to_have_count(communes)


def test_the_editors_server_built_the_site_for_the_published_version(public_url, public_site_dir, manage):
    site = json.loads((public_site_dir / "current" / "site.json").read_text(encoding="utf-8"))
    published = next(line for line in manage("versions").stdout.splitlines() if line.startswith("*"))
    assert site["version_number"] == int(published.split()[1]), (site, published)


class _IframeAttributes(HTMLParser):
    """The attributes (entities decoded, as a browser reads them) of every <iframe>."""

    def __init__(self):
        super().__init__()
        self.iframes: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.iframes.append(dict(attrs))


def test_embed_code_from_map_page_works_in_another_page(make_context, app_url, public_url, tmp_path,
                                                        no_outside_requests):
    # the editors' map page: expand "Nhúng bản đồ vào trang khác" and read the first code block
    page = make_context([app_url, public_url]).new_page()
    page.goto(app_url + MAP_PAGE + "?ind=population_2019")
    wait_map(page)
    expander = page.locator('[data-testid="stExpander"]').filter(
        has=page.locator("summary", has_text="Nhúng bản đồ vào trang khác"))
    expect(expander).to_have_count(1)
    expander.locator("summary").click()
    block = expander.locator('[data-testid="stCode"]').first
    expect(block).to_be_visible()
    code = block.locator("code").inner_text().strip()
    # st.code shows the markup itself, ready to copy (only the attribute values are escaped)
    assert code.startswith("<iframe ") and code.endswith("</iframe>"), code
    parser = _IframeAttributes()
    parser.feed(code)
    assert len(parser.iframes) == 1, code
    attrs = parser.iframes[0]
    src = urlsplit(attrs["src"])
    assert f"{src.scheme}://{src.netloc}" == public_url and src.path == "/", attrs
    query = {k: v[-1] for k, v in parse_qs(src.query).items()}
    assert query == {"ind": "population_2019", "lang": "vi", "units": "2023"}, attrs
    assert (attrs["width"], attrs["height"]) == ("600", "400"), attrs
    title = attrs["title"]
    assert title and attrs["aria-label"] == title, attrs

    # a news site's page with the code pasted as it is
    (tmp_path / "index.html").write_text(
        f'<!doctype html>\n<html lang="vi"><head><meta charset="utf-8"><title>Tin Cà Mau</title></head>\n'
        f'<body><h1>Bản đồ</h1>\n{code}\n</body></html>\n', encoding="utf-8")
    with file_server(tmp_path) as site_origin:
        host = make_context([site_origin, public_url]).new_page()
        host.goto(site_origin + "/index.html")
        frame_element = host.locator(f"iframe[title={html.escape(title, quote=True)!r}]")
        expect(frame_element).to_have_count(1)
        embedded = host.frame_locator(f"iframe[title={html.escape(title, quote=True)!r}]")
        wait_site(embedded)
        expect(embedded.locator("#title")).to_have_text("Dân số 2019")
        expect(embedded.locator("#csv")).to_be_visible()
        box = frame_element.bounding_box()
        assert (round(box["width"]), round(box["height"])) == (600, 400), box
        map_height = embedded.locator("#map").bounding_box()["height"]
        assert map_height >= 0.6 * 400, map_height
    no_outside_requests()


@pytest.mark.parametrize("viewport", [{"width": 1920, "height": 1080}, PHONE])
def test_a_share_link_opened_on_its_own_shows_its_title_above_the_map(make_context, public_url, no_outside_requests,
                                                                      viewport):
    page = make_context(public_url, viewport=viewport).new_page()
    page.goto(public_url + "/?ind=population_density")
    wait_site(page)
    title = page.locator("#title").bounding_box()
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).id === 'title'",
                           [title["x"] + 10, title["y"] + title["height"] / 2])
    assert on_top, "something covers the title"
    assert title["y"] >= 0 and title["y"] + title["height"] <= page.locator("#map").bounding_box()["y"]
    no_outside_requests()


@pytest.fixture(scope="module")
def hostile_public_url(build_public_site, tmp_path_factory):
    """The site built from a copy of the reference data where Phường 1's name (the units CSV is the
    names' source) is an HTML payload, with no database (reference indicators only)."""
    ref = tmp_path_factory.mktemp("hostile-reference")
    for name in REQUIRED_FILES:
        shutil.copyfile(reference_dir() / name, ref / name)
    with open(ref / UNITS_FILE, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    target = [r for r in rows if r["gso_code"] == PHUONG_1]
    assert len(target) == 1
    target[0]["name"] = HOSTILE
    with open(ref / UNITS_FILE, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return build_public_site(tmp_path_factory.mktemp("hostile-state"), reference_dir=ref)


def test_hostile_commune_name_is_only_text(make_context, hostile_public_url, no_outside_requests):
    page = make_context(hostile_public_url).new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    img_requests: list[str] = []      # an <img src=x> that got parsed would fetch ./x
    page.on("request", lambda r: img_requests.append(r.url) if urlsplit(r.url).path.endswith("/x") else None)
    page.goto(hostile_public_url + f"/?c={PHUONG_1}&ind=population_2019")
    wait_site(page)
    # Hover a point inside Phường 1 (the chosen commune is drawn in black).
    point = page.evaluate(JS_POINT_INSIDE, '#map path.leaflet-interactive[stroke="#000000"]')
    assert point, "Phường 1 has no point of its own at this zoom"
    page.mouse.move(point[0] - 30, point[1] - 30)
    page.mouse.move(*point, steps=4)
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_be_visible()
    assert HOSTILE in tooltip.inner_text()
    expect(tooltip.locator("img")).to_have_count(0)
    expect(page.locator('img[src="x"]')).to_have_count(0)
    # the table and the CSV carry the name as plain text
    page.locator("#table-button").click()
    expect(page.locator("#table-panel td", has_text=HOSTILE)).to_have_count(1)
    expect(page.locator("#table-panel img")).to_have_count(0)
    page.locator("#table-close").click()
    with page.expect_download() as info:
        page.locator("#csv").click()
    text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    rows = {r["gso_code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert len(rows) == N_COMMUNES and rows[PHUONG_1]["commune"] == HOSTILE
    page.wait_for_timeout(300)        # an onerror would have fired by now (the image 404s at once)
    assert dialogs == [] and img_requests == []
    no_outside_requests()
