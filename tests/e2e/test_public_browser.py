"""The public, read-only view (public.py, its own server started as scripts/run-public.sh starts
it) in a real browser (Debian Chromium): the embed at its intended size and on a phone, the embed
code of the editors' map page pasted into another site's page, and a hostile commune name.

Every context aborts and records each request to anything but the servers the test names (the
public server, and for the embed test the editors' server and the local "news site"); each test
ends by asserting that none was attempted.
"""
from __future__ import annotations

import csv
import functools
import html
import io
import shutil
import threading
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from geo.reference import REQUIRED_FILES, UNITS_FILE, reference_dir

from .helpers import COMMUNE_PATHS, MAP_IFRAME, MAP_PAGE, N_COMMUNES, commune_point, wait_map

pytestmark = pytest.mark.e2e

PHUONG_1 = "32005"
EMBED_QUERY = f"/?ind=population_density&c={PHUONG_1}&embed=true"
EMBED_SIZE = {"width": 600, "height": 400}         # the embed code's own width and default height
PHONE = {"width": 390, "height": 844}
FIT_TOLERANCE = 40                                 # px of page allowed beyond the viewport
DOWNLOAD = "Tải dữ liệu (CSV)"
BAD_PARAMS_NOTICE = "Tham số liên kết không hợp lệ"
HOSTILE = "<img src=x onerror=alert(1)>"

# How tall the page really is. Streamlit's page does not scroll the document: the document is
# always exactly the viewport and [data-testid="stMain"] is the scroll container, so the
# document's own scrollHeight alone would always "fit". Every candidate is returned.
JS_PAGE_HEIGHT = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  return {document: document.documentElement.scrollHeight, body: document.body.scrollHeight,
          main: main ? main.scrollHeight : 0,
          content: block ? Math.ceil(block.getBoundingClientRect().height) : 0,
          viewport: window.innerHeight};
}"""


# The Leaflet map exists and no zoom or pan animation is running.
JS_MAP_SETTLED = f"""() => {{
  const f = document.querySelector({MAP_IFRAME!r});
  const m = f && f.contentWindow && f.contentWindow.map;
  return !!m && m._loaded && !m._animatingZoom && !(m._panAnim && m._panAnim._inProgress);
}}"""


def page_height(target) -> tuple[int, dict]:
    """(height of the whole page in CSS px, the measurements) for a Page or a Frame."""
    sizes = target.evaluate(JS_PAGE_HEIGHT)
    return max(sizes["document"], sizes["body"], sizes["main"], sizes["content"]), sizes


def open_public(page, url: str) -> None:
    page.goto(url)
    wait_map(page)
    expect(page.frame_locator(MAP_IFRAME).locator(COMMUNE_PATHS)).to_have_count(N_COMMUNES)
    expect(download_button(page)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)


def download_button(page_or_frame):
    return page_or_frame.locator('[data-testid="stDownloadButton"]').get_by_role("button").filter(has_text=DOWNLOAD)


def expect_public_chrome_only(page) -> None:
    """Nothing of Streamlit's own page chrome, no navigation, nothing to upload or sign in with."""
    for testid in ("stToolbar", "stSidebar", "stSidebarNav", "stSidebarNavLink", "stMainMenu"):
        expect(page.locator(f'[data-testid="{testid}"]'), testid).to_be_hidden()
    expect(page.locator("input[type=file]")).to_have_count(0)
    expect(page.locator("input[type=password]")).to_have_count(0)


# --- 1. The embed at 600 x 400 and on a phone ------------------------------------------------

def test_public_embed_at_600x400(make_context, public_url, no_outside_requests):
    page = make_context(public_url, viewport=EMBED_SIZE).new_page()
    open_public(page, public_url + EMBED_QUERY)
    expect_public_chrome_only(page)
    # title, legend and source line around the map
    expect(page.locator('[data-testid="stMarkdown"] strong').first).to_have_text("Mật độ dân số")
    expect(page.locator('[data-testid="stHtml"]').filter(has_text="xã").first).to_be_visible()
    expect(page.locator('[data-testid="stCaptionContainer"]').filter(has_text="Nguồn:")).to_contain_text("/2019")
    # embed=true is Streamlit's own parameter, not one of the view's: no notice about it
    expect(page.get_by_text(BAD_PARAMS_NOTICE)).to_have_count(0)
    # the selected commune is outlined
    expect(page.frame_locator(MAP_IFRAME).locator(f"{COMMUNE_PATHS}[stroke='#000000']")).to_have_count(1)
    height, sizes = page_height(page)
    print(f"\npublic embed 600x400: page height {height} px {sizes}")
    no_outside_requests()


@pytest.mark.parametrize("lang, download, table", [("vi", DOWNLOAD, "Bảng số liệu"),
                                                    ("en", "Get the data (CSV)", "Data table")])
def test_public_embed_fits_600x400(make_context, public_url, no_outside_requests, lang, download, table):
    page = make_context(public_url, viewport=EMBED_SIZE).new_page()
    page.goto(public_url + EMBED_QUERY + f"&lang={lang}")
    wait_map(page)
    height, sizes = page_height(page)
    print(f"\npublic embed 600x400 ({lang}): page height {height} px {sizes}")
    no_outside_requests()
    assert height <= EMBED_SIZE["height"] + FIT_TOLERANCE, (
        f"the public view at 600 x 400 is {height} px tall (allowed {EMBED_SIZE['height']} + {FIT_TOLERANCE}): {sizes}")
    # Nothing slides under the map (Streamlit's -1rem markdown margin once hid half the title), and
    # the two buttons share one row inside the frame (columns would stack at this width).
    title = page.locator('[data-testid="stMarkdown"] p').first.bounding_box()
    map_box = page.locator(MAP_IFRAME).bounding_box()
    assert title["y"] + title["height"] <= map_box["y"], (title, map_box)
    buttons = [page.get_by_role("button", name=download), page.get_by_role("button", name=table)]
    for button in buttons:
        expect(button).to_be_in_viewport(ratio=1)
    first, second = (button.bounding_box() for button in buttons)
    assert first["y"] == second["y"] and first["x"] + first["width"] < second["x"], (first, second)


def test_public_view_on_a_phone(make_context, public_url, no_outside_requests):
    page = make_context(public_url, viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    open_public(page, public_url + EMBED_QUERY)
    expect_public_chrome_only(page)
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box["width"] <= PHONE["width"] and box["x"] >= 0, box
    height, sizes = page_height(page)
    print(f"\npublic view 390x844: page height {height} px {sizes}")
    assert height <= PHONE["height"], sizes
    expect(download_button(page)).to_be_in_viewport()
    no_outside_requests()


# --- 2. The embed code, pasted into another site's page --------------------------------------

class _IframeAttributes(HTMLParser):
    """The attributes (entities decoded, as a browser reads them) of every <iframe>."""

    def __init__(self):
        super().__init__()
        self.iframes: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "iframe":
            self.iframes.append(dict(attrs))


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def news_site(tmp_path):
    """``serve(html) -> url``: a page served from a tiny http.server on another loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def serve(markup: str) -> str:
        (tmp_path / "index.html").write_text(markup, encoding="utf-8")
        return f"http://127.0.0.1:{server.server_address[1]}/index.html"
    yield serve
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_embed_code_from_map_page_works_in_another_page(make_context, app_url, public_url, news_site,
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
    assert query == {"ind": "population_2019", "lang": "vi", "h": "400", "units": "2023",
                     "embed": "true"}, attrs
    assert (attrs["width"], attrs["height"]) == ("600", "400"), attrs
    title = attrs["title"]
    assert title and attrs["aria-label"] == title, attrs

    # a news site's page with the code pasted as it is
    site = news_site(f'<!doctype html>\n<html lang="vi"><head><meta charset="utf-8"><title>Tin Cà Mau</title></head>\n'
                     f'<body><h1>Bản đồ</h1>\n{code}\n</body></html>\n')
    site_origin = "{0.scheme}://{0.netloc}".format(urlsplit(site))
    host = make_context([site_origin, public_url]).new_page()
    host.goto(site)
    frame_element = host.locator(f"iframe[title={html.escape(title, quote=True)!r}]")
    expect(frame_element).to_have_count(1)
    embedded = host.frame_locator(f"iframe[title={html.escape(title, quote=True)!r}]")
    expect(embedded.frame_locator(MAP_IFRAME).locator(COMMUNE_PATHS)).to_have_count(N_COMMUNES, timeout=30_000)
    expect(download_button(embedded)).to_have_count(1)
    box = frame_element.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (600, 400), box
    frame = next(f for f in host.frames if f.url.startswith(public_url + "/?"))
    height, sizes = page_height(frame)
    print(f"\nembed code in a page: iframe 600x400, public page inside {height} px {sizes}")
    no_outside_requests()


# --- 3. A hostile commune name ---------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_public_url(public_servers, tmp_path_factory):
    """A public server on a copy of the reference data where Phường 1's name (the units CSV is the
    names' source) is an HTML payload; its own empty state dir (reference indicators only)."""
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
    return public_servers(tmp_path_factory.mktemp("hostile-state"), reference_dir=ref)


def test_hostile_commune_name_is_only_text(make_context, hostile_public_url, no_outside_requests):
    page = make_context(hostile_public_url).new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(f"{d.type}: {d.message}"), d.dismiss()))
    img_requests: list[str] = []      # an <img src=x> that got parsed would fetch ./x
    page.on("request", lambda r: img_requests.append(r.url) if urlsplit(r.url).path.endswith("/x") else None)
    open_public(page, hostile_public_url + f"/?c={PHUONG_1}")

    # zoom the map to Phường 1 (client side) and hover a hit-tested point inside its polygon.
    # The map's own animated fit to the province is still running for ~250 ms after the
    # polygons are drawn, and Leaflet ignores any setView meanwhile: wait for it to end.
    page.wait_for_function(JS_MAP_SETTLED, polling=50)
    zoom = page.locator(MAP_IFRAME).evaluate("""(f, code) => { const m = f.contentWindow.map; let b;
      m.eachLayer(l => { if (l.feature && l.feature.id === code && l._path) b = l.getBounds(); });
      m.fitBounds(b, {animate: false, padding: [20, 20]}); return m.getZoom(); }""", PHUONG_1)
    assert zoom >= 12, zoom
    point = commune_point(page, PHUONG_1)
    # the geometry file carries the name escaped
    assert html.escape(HOSTILE) in point["tip"] and HOSTILE not in point["tip"], point["tip"]
    page.mouse.move(point["x"] - 30, point["y"] - 30)
    page.mouse.move(point["x"], point["y"], steps=4)
    frame = page.frame_locator(MAP_IFRAME)
    tooltip = frame.locator(".leaflet-tooltip")
    expect(tooltip).to_have_count(1)
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(HOSTILE, use_inner_text=True)
    assert HOSTILE in tooltip.inner_text()
    expect(tooltip.locator("img")).to_have_count(0)
    expect(frame.locator('img[src="x"]')).to_have_count(0)
    expect(page.locator('img[src="x"]')).to_have_count(0)

    # the data link: the name is in the CSV as plain text
    with page.expect_download() as info:
        download_button(page).click()
    download = info.value
    assert download.suggested_filename == "camau_population_2019.csv"
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    rows = {r["gso_code"]: r for r in csv.DictReader(io.StringIO(text))}
    assert len(rows) == N_COMMUNES
    assert rows[PHUONG_1]["commune"] == HOSTILE, rows[PHUONG_1]
    assert html.escape(HOSTILE) not in text

    page.wait_for_timeout(300)        # an onerror would have fired by now (the image 404s at once)
    assert dialogs == [], dialogs
    assert img_requests == [], img_requests
    no_outside_requests()


def test_public_embed_on_the_2025_units_and_its_switch(make_context, public_url, no_outside_requests):
    page = make_context(public_url, viewport=EMBED_SIZE).new_page()
    page.goto(public_url + "/?ind=population_density&units=2025&lang=en&embed=true")
    wait_map(page, communes=64)
    height, sizes = page_height(page)
    assert height <= EMBED_SIZE["height"] + FIT_TOLERANCE, sizes
    expect(page.get_by_text("figures converted from the former units", exact=False)).to_be_visible()
    old_units = page.get_by_role("radio", name="2022–2024 units")
    expect(old_units).to_be_in_viewport(ratio=1)
    old_units.click()
    wait_map(page)
    expect(page.get_by_text("figures converted from the former units", exact=False)).to_have_count(0)
    no_outside_requests()


@pytest.mark.parametrize("viewport", [{"width": 1920, "height": 1080}, PHONE])
def test_a_share_link_opened_on_its_own_shows_its_title(make_context, public_url, no_outside_requests, viewport):
    page = make_context(public_url, viewport=viewport).new_page()
    page.goto(public_url + "/?ind=population_density")          # no embed=true: Streamlit's header is there
    wait_map(page)
    title = page.locator('[data-testid="stMarkdown"] p').first
    box = title.bounding_box()
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('[data-testid=\"stMarkdown\"]') !== null",
                           [box["x"] + 10, box["y"] + box["height"] / 2])
    assert on_top, "something covers the title"
    assert box["y"] + box["height"] <= page.locator(MAP_IFRAME).bounding_box()["y"]
    no_outside_requests()
