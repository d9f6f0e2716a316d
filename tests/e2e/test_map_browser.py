"""The map page in a real browser (Debian Chromium): drawing, clicking, indicator change in place,
shareable URLs, pan/zoom without reruns and the warm load time.

Every test runs with all requests outside the app server aborted and recorded (see conftest).
"""
from __future__ import annotations

import re
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from indicators.catalogue import load_catalogue

from .helpers import (
    JS_COUNT_COMMUNES,
    JS_EMPTY_POINT,
    JS_FIRST_SERVER_MESSAGE,
    JS_MAP_VIEW,
    JS_READ_TAGS,
    JS_TAG,
    MAP_IFRAME,
    MAP_PAGE,
    N_COMMUNES,
    BackMsgRecorder,
    commune_point,
    commune_styles,
    expected_fills,
    legend_entries,
    open_selectbox,
    selectbox,
    tip_name,
    wait_map,
    wait_map_still,
    wait_switch_files,
)

pytestmark = pytest.mark.e2e

PHUONG_1 = "32005"                      # Phường 1, Thành phố Cà Mau (the model's star sits on it)
PHUONG_1_TITLE = "Phường 1 (Thành phố Cà Mau)"
CITY = "964"                            # district code of Thành phố Cà Mau
DENSITY = "Mật độ dân số"               # indicator population_density
PANEL_HEADERS = ["Chỉ tiêu", "Giá trị", "Hạng trong tỉnh", "Hạng trong huyện"]
SHARED_QUERY = {"ind": "population_density", "scheme": "fisher_jenks", "k": "4", "d": CITY, "c": PHUONG_1}


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def expect_no_page_not_found(page) -> None:
    # Streamlit #9992: would show on the first session after server start; the fixture warms up.
    expect(page.get_by_text("Page not found")).to_have_count(0)


def expect_panel(page, title: str) -> None:
    """The commune panel: the subheader "<name> (<district>)", the commune chosen in "Chọn xã",
    and the table of every indicator with its province and district ranks."""
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page.get_by_role("combobox", name="Chọn xã", exact=True)).to_have_value(title)
    table = page.locator("table.camau-table").filter(
        has=page.locator('th[scope="col"]', has_text="Hạng trong tỉnh"))
    expect(table).to_have_count(1)
    headers = table.locator('th[scope="col"]')
    assert set(PANEL_HEADERS) <= {h.strip() for h in headers.all_text_contents()}
    # one row per indicator in the catalogue
    expect(table.locator("tbody tr")).to_have_count(len(load_catalogue()))


def test_map_draws_101_communes_offline(page, app_url, no_outside_requests):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(app_url + MAP_PAGE)
    wait_map(page)
    frame = page.frame_locator(MAP_IFRAME)

    expect(frame.locator("path.leaflet-interactive")).to_have_count(N_COMMUNES)
    # one polygon per GSO code, 101 distinct 5-digit codes
    styles = commune_styles(page)
    assert len(styles) == N_COMMUNES and all(re.fullmatch(r"\d{5}", code) for code in styles)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", s["fill"]) for s in styles.values()), styles
    # no base map tiles at all (default CAMAU_BASE_TILES=none)
    expect(frame.locator("img.leaflet-tile")).to_have_count(0)
    assert not [u for u in requested if "tile" in u.lower()]
    expect(page.locator(MAP_IFRAME)).to_have_count(1)
    expect_no_page_not_found(page)

    # Leaflet is the self-hosted copy, served by the app under /app/static
    assets = page.locator(MAP_IFRAME).evaluate("""f => ({
      version: f.contentWindow.L && f.contentWindow.L.version,
      scripts: [...f.contentDocument.querySelectorAll('script[src]')].map(s => s.src),
      css: [...f.contentDocument.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)})""")
    assert assets["version"] == "1.9.3"
    # Leaflet and the layer script come in one file (geo.web_geometry.install_map_script)
    assert [re.sub(r"[0-9a-f]{12}", "HASH", u) for u in assets["scripts"] if "/app/static/" in u] == [
        app_url + "/app/static/js/leaflet-choropleth-HASH.js"]
    assert app_url + "/app/static/leaflet-1.9.3/leaflet.css" in assets["css"]
    assert all(u.startswith(app_url + "/") for u in assets["scripts"] + assets["css"]), assets
    # the geometry is the published static files; the district and province outlines (fetched
    # alongside the communes, drawn when they arrive) lie over the communes and take no clicks
    assert any(re.search(r"/app/static/geo/communes-[0-9a-f]+\.geojson$", u) for u in requested), requested
    assert any(re.search(r"/app/static/geo/outlines-[0-9a-f]+\.geojson$", u) for u in requested), requested
    expect(frame.locator('path[stroke="#262626"]:not(.leaflet-interactive)')).to_have_count(9)   # districts
    expect(frame.locator('path[stroke="#1a1a1a"]:not(.leaflet-interactive)')).to_have_count(1)   # the province
    order = page.locator(MAP_IFRAME).evaluate("""f => [...f.contentDocument.querySelectorAll('path')]
        .map(p => p.classList.contains('leaflet-interactive') ? 'commune' : p.getAttribute('stroke'))""")
    assert order.index("#262626") > max(i for i, kind in enumerate(order) if kind == "commune"), order
    no_outside_requests()


def test_click_commune_shows_panel(page, app_url, no_outside_requests):
    page.goto(app_url + MAP_PAGE)
    wait_map(page)
    expect(page.get_by_role("combobox", name="Chọn xã", exact=True)).to_have_value("")
    assert "c" not in query_of(page.url)

    # 1. the commune drawn largest on screen (a rural commune away from the star marker)
    sizes = page.locator(MAP_IFRAME).evaluate("""f => { const out = [];
      f.contentWindow.map.eachLayer(l => { if (l.feature && l.feature.id && l._path) {
        const r = l._path.getBoundingClientRect(); out.push([l.feature.id, r.width * r.height]); } });
      return out; }""")
    big = max(sizes, key=lambda s: (s[1], s[0]))[0]
    assert big != PHUONG_1
    point = commune_point(page, big)          # hit-tested: the point is inside `big`'s own path
    name, district = tip_name(point["tip"])
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(rf"[?&]c={big}(&|$)"))
    expect_panel(page, f"{name} ({district})")
    # the map outlines the selected commune
    expect(page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive[stroke='#000000']")).to_have_count(1)

    # 2. Phường 1 is ~7x10 px at the start view and the model's star marker covers it: zoom the
    #    map in (client-side only) and click a hit-tested point of its polygon beside the star.
    page.locator(MAP_IFRAME).evaluate("""(f, code) => { const m = f.contentWindow.map; let c;
      m.eachLayer(l => { if (l.feature && l.feature.id === code) c = l.getBounds().getCenter(); });
      m.setView(c, 14, {animate: false}); }""", PHUONG_1)
    point = commune_point(page, PHUONG_1)
    assert tip_name(point["tip"]) == ("Phường 1", "Thành phố Cà Mau")
    token = uuid.uuid4().hex
    page.evaluate(JS_TAG, token)
    zoomed = page.evaluate(JS_MAP_VIEW)
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(rf"[?&]c={PHUONG_1}(&|$)"))
    expect_panel(page, PHUONG_1_TITLE)
    # selecting recolours in place: same iframe and map, the reader's zoom is kept
    assert page.evaluate(JS_READ_TAGS) == {"iframes": 1, "iframe": token, "map": token}
    assert page.evaluate(JS_MAP_VIEW) == zoomed
    styles = commune_styles(page)
    assert styles[PHUONG_1]["stroke"] == "#000000" and styles[big]["stroke"] != "#000000"

    # 3. Cleared, then the same commune clicked again at the same spot: selected again.
    page.get_by_role("button", name="Bỏ chọn").click()
    expect(page).not_to_have_url(re.compile(r"[?&]c="))
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(rf"[?&]c={PHUONG_1}(&|$)"))
    expect_panel(page, PHUONG_1_TITLE)
    no_outside_requests()


@pytest.mark.parametrize("start_query, start_label, option, target", [
    pytest.param("", "Thí điểm Tổ công nghệ số cộng đồng · Dữ liệu minh họa", DENSITY, "population_density",
                 id="pilot_status-to-density"),
    pytest.param("?ind=population_density", DENSITY, "Dân số 2019", "population_2019", id="density-to-population"),
])
def test_indicator_change_recolours_in_place(page, app_url, no_outside_requests,
                                             start_query, start_label, option, target):
    page.goto(app_url + MAP_PAGE + start_query)
    wait_map(page)
    indicator_box = selectbox(page, "Chỉ tiêu").get_by_role("combobox")
    expect(indicator_box).to_have_value(start_label)
    before = commune_styles(page)
    assert len(before) == N_COMMUNES
    assert query_of(page.url).get("ind") != target
    expected = expected_fills(target)
    assert set(expected) == set(before)
    assert {c: s["fill"] for c, s in before.items()} != expected
    token = uuid.uuid4().hex
    page.evaluate(JS_TAG, token)

    open_selectbox(page, "Chỉ tiêu")
    choice = page.get_by_role("option", name=option, exact=True)
    choice.wait_for()
    start = page.evaluate("performance.now()")
    choice.click()
    # done when all 101 polygons show the colours the server computes for the new indicator
    done = page.wait_for_function(
        f"""(want) => {{
          const f = document.querySelector({MAP_IFRAME!r});
          const m = f && f.contentWindow && f.contentWindow.map;
          if (!m) return false;
          let n = 0, same = 0;
          m.eachLayer(l => {{ if (l.feature && l.feature.id && l._path && l._path.isConnected) {{
            n++; if ((l._path.getAttribute('fill') || '').toLowerCase() === want[l.feature.id]) same++; }} }});
          return n === {N_COMMUNES} && same === n ? performance.now() : false;
        }}""", arg=expected, polling="raf", timeout=30_000).json_value()
    print(f"\nindicator change {start_label!r} -> {option!r}: option click to all {N_COMMUNES} "
          f"fills changed: {done - start:.0f} ms")

    expect(page).to_have_url(re.compile(rf"[?&]ind={target}(&|$)"))
    expect(indicator_box).to_have_value(option)
    # the new fills are the legend's class colours, and the legend covers all communes
    legend = legend_entries(page)
    assert len([e for e in legend if e["solid"]]) == 5, legend          # default: quantiles, 5 classes
    assert set(expected.values()) <= {e["colour"] for e in legend}
    assert sum(e["count"] for e in legend) == N_COMMUNES
    # in place: the same iframe element and the same Leaflet map object, only the layer changed
    assert page.evaluate(JS_READ_TAGS) == {"iframes": 1, "iframe": token, "map": token}
    no_outside_requests()


def _load_shared_view(page, url: str) -> dict[str, dict]:
    page.goto(url)
    wait_map(page)
    expect_no_page_not_found(page)
    expect(selectbox(page, "Chỉ tiêu").get_by_role("combobox")).to_have_value(DENSITY)
    expect_panel(page, PHUONG_1_TITLE)
    return commune_styles(page)


def test_copied_url_reproduces_view(context, app_url, no_outside_requests):
    url = (f"{app_url}{MAP_PAGE}?ind=population_density&scheme=fisher_jenks&k=4&d={CITY}&c={PHUONG_1}")
    first = context.new_page()
    styles = _load_shared_view(first, url)
    expect(selectbox(first, "Phân lớp").get_by_role("combobox")).to_have_value(re.compile("Jenks"))
    expect(first.get_by_role("spinbutton", name="Số lớp")).to_have_value("4")

    legend = legend_entries(first)
    classes = [e for e in legend if e["solid"]]
    others = [e for e in legend if not e["solid"]]
    assert len(classes) == 4, legend
    faded = [e for e in others if e["text"].startswith("Ngoài bộ lọc (gạch chéo)")]
    assert len(faded) == 1, legend
    assert sum(e["count"] for e in legend) == N_COMMUNES
    # the map agrees with the legend: communes outside Thành phố Cà Mau are hatched (a pattern, not
    # a colour: nothing a class could be taken for), the others are filled with the legend's class
    # colours, and Phường 1 is outlined as selected
    faded_codes = {c for c, s in styles.items() if s["fill"] == "url(#camau-filtered-hatch)"}
    assert len(faded_codes) == faded[0]["count"] > 0
    assert first.frame_locator(MAP_IFRAME).locator("pattern#camau-filtered-hatch").count() == 1
    shown = {c: s for c, s in styles.items() if c not in faded_codes}
    assert len(shown) == sum(e["count"] for e in classes)
    assert {s["fill"] for s in shown.values()} <= {e["colour"] for e in classes}
    # every shown polygon has the colour of its Fisher-Jenks class over the province
    expected = expected_fills("population_density", "fisher_jenks", 4)
    assert {c: s["fill"] for c, s in shown.items()} == {c: expected[c] for c in shown}
    assert styles[PHUONG_1]["stroke"] == "#000000"
    assert PHUONG_1 in shown
    # the URL still carries the whole view
    assert query_of(first.url) == SHARED_QUERY
    first.close()

    # the same link opened again draws exactly the same thing
    second = context.new_page()
    again = _load_shared_view(second, url)
    assert again == styles
    assert legend_entries(second) == legend
    assert query_of(second.url) == SHARED_QUERY
    second.close()
    no_outside_requests()


def test_pan_and_zoom_do_not_rerun(page, app_url, no_outside_requests):
    # How a rerun is detected: every outgoing websocket frame is decoded as Streamlit's BackMsg
    # protobuf; each script run the browser asks for (widget change, component value such as a
    # map click or map move) is one `rerun_script` message, heartbeats are `app_heartbeat`.
    # So "no rerun" is exactly "zero rerun_script sent" — plus the URL and the tagged map object
    # unchanged. A positive control at the end (a click) proves the recorder sees reruns.
    sent = BackMsgRecorder(page)
    page.goto(app_url + MAP_PAGE)
    wait_map(page)
    sent.wait_quiet(page)
    assert sent.reruns() >= 1                  # the page's own first run was seen
    reruns, url, kinds_before = sent.reruns(), page.url, len(sent.kinds)
    token = uuid.uuid4().hex
    page.evaluate(JS_TAG, token)
    view0 = page.evaluate(JS_MAP_VIEW)

    # drag from empty background (so the press cannot be a commune click)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    start = page.evaluate(JS_EMPTY_POINT)
    assert start, "no empty map background to start a drag from"
    page.mouse.move(start["x"], start["y"])
    page.mouse.down()
    page.mouse.move(start["x"] + 120, start["y"] + 60, steps=12)
    page.mouse.up()
    page.wait_for_function(f"""(v) => {{ const c = ({JS_MAP_VIEW})();
                                        return c.lat !== v.lat || c.lng !== v.lng; }}""", arg=view0)
    view1 = page.evaluate(JS_MAP_VIEW)
    # wheel-zoom in over the map
    box = page.locator(MAP_IFRAME).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -360)
    page.wait_for_function(f"(z) => ({JS_MAP_VIEW})().zoom > z", arg=view1["zoom"])
    # streamlit-folium debounces its value by 250 ms: give a would-be rerun ample time to show
    page.wait_for_timeout(2000)

    assert sent.reruns() == reruns, [k for _, k in sent.kinds]
    print(f"\npan + wheel zoom: 0 reruns; messages sent meanwhile: "
          f"{[k for _, k in sent.kinds[kinds_before:]] or 'none'}")
    # The view the user moved to is in the URL (written by the map, without a rerun), nothing else changed.
    moved = page.evaluate(JS_MAP_VIEW)
    assert query_of(page.url) == {**query_of(url), "view": view_text(moved)}
    assert page.evaluate(JS_READ_TAGS) == {"iframes": 1, "iframe": token, "map": token}
    expect(page.locator('[data-testid="stStatusWidget"]').filter(has_text="Running")).to_have_count(0)
    assert page.evaluate(JS_MAP_VIEW)["zoom"] > view0["zoom"]

    # positive control: a commune click is a rerun, and the recorder sees it
    sizes = page.locator(MAP_IFRAME).evaluate("""f => { const out = []; const b = f.contentWindow.map.getBounds();
      f.contentWindow.map.eachLayer(l => { if (l.feature && l.feature.id && l._path && b.contains(l.getBounds().getCenter())) {
        const r = l._path.getBoundingClientRect(); out.push([l.feature.id, r.width * r.height]); } });
      return out; }""")
    code = max(sizes, key=lambda s: (s[1], s[0]))[0]
    point = commune_point(page, code)
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(rf"[?&]c={code}(&|$)"))
    assert sent.reruns() > reruns
    # the server's rewrite of the URL (the selected commune) keeps the user's view
    expect(page).to_have_url(re.compile(r"[?&]view="))
    assert query_of(page.url)["view"] == view_text(page.evaluate(JS_MAP_VIEW))
    no_outside_requests()


def view_text(view: dict) -> str:
    """The ``view`` URL parameter the map writes for a centre and zoom (geo/choropleth_layer.js)."""
    return f"{view['lat']:.4f},{view['lng']:.4f},{round(view['zoom'], 2):g}"


def test_chosen_districts_zoom_and_a_moved_view_is_shared(context, app_url, no_outside_requests):
    """A default view keeps a short link; a view the user moved to goes into the URL and a copied
    link opens there; choosing a district flies to it and drops the view from the link."""
    page = context.new_page()
    page.goto(app_url + MAP_PAGE)
    wait_map(page)
    province = page.evaluate(JS_MAP_VIEW)
    assert "view" not in query_of(page.url)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    page.wait_for_timeout(500)                      # the page's first runs have settled
    for _ in range(3):                              # a wheel turned while the page still laid out is lost
        box = page.locator(MAP_IFRAME).bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.4, box["y"] + box["height"] * 0.6)
        page.mouse.wheel(0, -240)
        try:
            page.wait_for_function(f"(z) => ({JS_MAP_VIEW})().zoom > z", arg=province["zoom"], timeout=5_000)
            break
        except PlaywrightTimeoutError:
            continue
    assert page.evaluate(JS_MAP_VIEW)["zoom"] > province["zoom"]
    expect(page).to_have_url(re.compile(r"[?&]view="))
    page.wait_for_timeout(600)                      # the zoom animation has ended and written its view
    moved = page.evaluate(JS_MAP_VIEW)
    shared = page.url
    assert query_of(shared) == {"view": view_text(moved)}
    page.close()

    opened = context.new_page()
    opened.goto(shared)
    wait_map(opened)
    expect_no_page_not_found(opened)
    opened.wait_for_timeout(800)
    there = opened.evaluate(JS_MAP_VIEW)
    assert abs(there["lat"] - moved["lat"]) < 1e-3 and abs(there["lng"] - moved["lng"]) < 1e-3
    assert there["zoom"] == pytest.approx(moved["zoom"], abs=0.01)
    assert query_of(opened.url) == {"view": view_text(moved)}

    # Choosing a district: the map flies to the district and the link loses the view.
    opened.locator(".st-key-w_districts input").click()
    opened.get_by_role("option", name="Huyện U Minh", exact=True).click()
    opened.keyboard.press("Escape")
    expect(opened).to_have_url(re.compile(r"[?&]d=966(&|$)"))
    wait_map_still(opened)
    assert "view" not in query_of(opened.url)
    fit = opened.locator(MAP_IFRAME).evaluate("""f => {
      const w = f.contentWindow, b = w.map.getBounds(); let inside = 0, all = 0, district = null;
      w.map.eachLayer(l => { if (l.feature && l.feature.id && l._path && l.feature.properties) {
        const c = l.getBounds().getCenter(); all++; if (b.contains(c)) inside++; } });
      return {zoom: w.map.getZoom(), inside, all};
    }""")
    print(f"\nchosen district: zoom {fit['zoom']} (province {province['zoom']}), "
          f"{fit['inside']} of {fit['all']} communes' centres on screen")
    assert fit["zoom"] >= province["zoom"] + 1
    assert fit["inside"] < fit["all"]
    # every commune of the district is on screen
    codes = [code for code, style in commune_styles(opened).items() if style["fill"] != "url(#camau-filtered-hatch)"]
    assert len(codes) == 8
    on_screen = opened.locator(MAP_IFRAME).evaluate("""(f, codes) => {
      const w = f.contentWindow, b = w.map.getBounds(); const out = [];
      w.map.eachLayer(l => { if (l.feature && codes.includes(l.feature.id) && b.contains(l.getBounds())) out.push(l.feature.id); });
      return out; }""", codes)
    assert sorted(on_screen) == sorted(codes)
    opened.close()
    no_outside_requests()


def test_warm_load_time(page, app_url, no_outside_requests):
    wall = time.perf_counter()
    page.goto(app_url + MAP_PAGE, wait_until="commit")
    # performance.now() counts from this document's navigation start
    at = page.wait_for_function(f"() => ({JS_COUNT_COMMUNES})() === {N_COMMUNES} ? performance.now() : false",
                                polling="raf", timeout=30_000).json_value()
    wall = (time.perf_counter() - wall) * 1000
    print(f"\nwarm load to {N_COMMUNES} polygons: {at:.0f} ms (navigation start; {wall:.0f} ms wall from goto)")
    # Generous (the benchmark holds the real target, 2.5 s): a bound that only a regression breaks.
    assert at < 10_000, f"warm load took {at:.0f} ms"
    expect(page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive")).to_have_count(N_COMMUNES)
    no_outside_requests()


def test_keyboard_passes_the_map_as_one_stop(page, app_url, no_outside_requests):
    """Tab order: the indicator picker, the map (one stop; arrows pan, +/- zoom, then its zoom
    buttons), then the commune picker — not 101 polygon stops before the rest of the page."""
    page.goto(app_url + MAP_PAGE)
    wait_map(page)
    page.get_by_label("Chỉ tiêu", exact=True).focus()
    focused = []
    for _ in range(8):
        page.keyboard.press("Tab")
        focused.append(page.evaluate("""() => {
          const e = document.activeElement;
          if (e.tagName !== 'IFRAME') return e.getAttribute('aria-label') || e.tagName;
          const inner = e.contentDocument.activeElement;
          return 'map:' + (inner.tagName === 'path' ? 'polygon' : inner.className || inner.tagName);
        }"""))
        if focused[-1] == "Chọn xã":
            break
    assert focused[-1] == "Chọn xã", focused
    assert not [f for f in focused if f == "map:polygon"], focused
    assert focused[0].startswith("map:") and "leaflet-container" in focused[0], focused
    no_outside_requests()


# The first server message after a click, seen from the page (the websocket wrapped before load).
def test_indicator_switch_repaints_before_the_server_answers(page, app_url, no_outside_requests):
    """The page's picker changes the map at once, from the file of payloads the server wrote
    (views/map/switch.py): the fills are the server's for the new indicator before its first
    message about the change arrives, and the server's answer leaves them as they are."""
    page.add_init_script(JS_FIRST_SERVER_MESSAGE)
    page.goto(app_url + MAP_PAGE + "?ind=population_2019")
    wait_map(page)
    # the switch file has been fetched by the map's script
    wait_switch_files(page, 1)
    page.wait_for_timeout(500)
    expected = expected_fills("population_density")
    open_selectbox(page, "Chỉ tiêu")
    choice = page.get_by_role("option", name=DENSITY, exact=True)
    choice.wait_for()
    page.evaluate(f"""(want) => {{
        window.__clickAt = null; window.__wsAfterClick = null; window.__filled = null; window.__releasedBy = null;
        document.addEventListener('pointerdown', () => {{ window.__clickAt = performance.now(); }},
                                  {{capture: true, once: true}});
        (function loop() {{
          const m = document.querySelector({MAP_IFRAME!r}).contentWindow.map;
          let n = 0, same = 0;
          m.eachLayer(l => {{ if (l.feature && l.feature.id && l._path) {{
            n++; if ((l._path.getAttribute('fill') || '').toLowerCase() === want[l.feature.id]) same++; }} }});
          if (window.__clickAt && n === {N_COMMUNES} && same === n) {{ window.__filled = performance.now(); return; }}
          requestAnimationFrame(loop);
        }})();
      }}""", expected)
    choice.click()
    page.wait_for_function("() => window.__filled !== null && window.__wsAfterClick !== null", timeout=30_000)
    timing = page.evaluate("({click: window.__clickAt, filled: window.__filled, server: window.__wsAfterClick})")
    print(f"\nclick to new fills {timing['filled'] - timing['click']:.0f} ms, "
          f"to the server's first message {timing['server'] - timing['click']:.0f} ms")
    # the server's answer was withheld until the fills had changed (JS_FIRST_SERVER_MESSAGE)
    assert page.evaluate("window.__releasedBy") == "repaint", timing
    expect(page).to_have_url(re.compile(r"[?&]ind=population_density(&|$)"))
    page.wait_for_timeout(500)
    assert {c: s["fill"] for c, s in commune_styles(page).items()} == expected
    no_outside_requests()


@pytest.mark.parametrize("lang, section, thousands", [("vi", "Phân bố và theo huyện", "54.178"),
                                                      ("en", "Distribution and districts", "54,178")])
def test_distribution_and_district_charts_render_offline(page, app_url, no_outside_requests, lang, section,
                                                          thousands):
    """The map page's on-demand charts: nothing drawn until the section opens; then the dots of
    every commune and the nine district bars, named for screen readers, numbers in the language's
    format, with every outside request blocked."""
    page.goto(f"{app_url}{MAP_PAGE}?ind=vneid_dossiers&lang={lang}")
    wait_map(page)
    assert page.locator(".vega-embed").count() == 0
    page.get_by_text(section).first.click()
    embeds = page.locator(".st-key-x_figures .vega-embed")
    expect(embeds).to_have_count(2)
    expect(embeds.last.locator("svg, canvas").first).to_be_visible()
    page.wait_for_timeout(500)
    charts = page.evaluate("""() => [...document.querySelectorAll('.st-key-x_figures .vega-embed')].map(embed => {
      const root = embed.querySelector('svg, canvas'); const box = root.getBoundingClientRect();
      return {width: box.width, height: box.height, label: embed.getAttribute('aria-label'),
              dots: embed.querySelectorAll('path[role=graphics-symbol], .mark-symbol path').length,
              texts: [...embed.querySelectorAll('text')].map(t => t.textContent)}; })""")
    assert all(chart["width"] > 300 and chart["height"] > 120 and chart["label"] for chart in charts), charts
    distribution, districts = charts
    assert distribution["dots"] >= N_COMMUNES
    assert thousands in districts["texts"]                  # Thành phố Cà Mau's total, in the language's format
    assert len([text for text in districts["texts"] if text.startswith(("Huyện", "Thành phố"))]) == 9
    no_outside_requests()
