"""Presentation mode in a real browser at 1920×1080 (Debian Chromium): the map fills the width, a
screenshot is taken, "next" and PageDown restyle the same map, a commune click zooms to its
district and "back to the province" returns, the projector theme's contrast, and no request
leaves the app server.
"""
from __future__ import annotations

import re
import struct
import uuid

import pytest
from playwright.sync_api import expect

from .helpers import (
    JS_FIRST_SERVER_MESSAGE,
    JS_READ_TAGS,
    JS_STYLES,
    JS_TAG,
    MAP_IFRAME,
    N_COMMUNES,
    commune_point,
    commune_styles,
    wait_map,
    wait_switch_files,
)

pytestmark = pytest.mark.e2e

PRESENT_PAGE = "/trinh-chieu"
PROJECTOR = {"width": 1920, "height": 1080}
U_MINH = "966"              # Huyện U Minh: 8 communes
KHANH_THUAN = "32048"       # Xã Khánh Thuận, the largest commune, in Huyện U Minh
COUNTER = "div.camau-present-counter"
LABELS = "div.camau-label"

# WCAG contrast ratio of an element's text colour against white (the page's background).
JS_CONTRAST = """(el) => {
  const rgb = getComputedStyle(el).color.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const L = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
  return 1.05 / (L + 0.05);
}"""


def open_presentation(make_context, app_url, query: str = ""):
    page = make_context(app_url, viewport=PROJECTOR).new_page()
    page.goto(app_url + PRESENT_PAGE + query)
    wait_map(page)
    return page


def fills(page) -> dict[str, str]:
    return {code: style["fill"] for code, style in commune_styles(page).items()}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_presentation_fills_a_projector_and_steps_in_place(make_context, app_url, no_outside_requests, tmp_path):
    page = open_presentation(make_context, app_url)
    expect(page.locator(COUNTER)).to_have_text("Trang 1 / 5")
    expect(page.get_by_role("heading", level=1)).to_contain_text("45/101")

    # The map takes (nearly) the whole width of the main area and of the screen.
    sizes = page.evaluate(f"""() => {{
      const f = document.querySelector({MAP_IFRAME!r}).getBoundingClientRect();
      const main = document.querySelector('[data-testid="stMain"]').getBoundingClientRect();
      return {{map: f.width, height: f.height, main: main.width, viewport: window.innerWidth}};
    }}""")
    print(f"\nmap {sizes['map']:.0f}×{sizes['height']:.0f} px in a main area {sizes['main']:.0f} px wide "
          f"(viewport {sizes['viewport']})")
    assert sizes["map"] >= 0.9 * sizes["main"] and sizes["map"] >= 0.9 * sizes["viewport"]
    assert sizes["height"] >= 640                                   # views/present/presentation.MAP_HEIGHT

    shot = page.screenshot(path=tmp_path / "presentation-1920x1080.png")
    assert png_size(shot) == (1920, 1080) and len(shot) > 30_000      # a drawn page, not a blank one
    assert (tmp_path / "presentation-1920x1080.png").read_bytes() == shot

    # Large, high-contrast text (WCAG AA needs 4.5:1; the theme aims far above it).
    for locator in (page.get_by_role("heading", level=1), page.locator(COUNTER),
                    page.locator('[data-testid="stMetricValue"]').first, page.locator("div.camau-legend-row").first,
                    page.locator('[data-testid="stCaptionContainer"]').first):
        assert locator.evaluate(JS_CONTRAST) >= 7
    assert float(page.get_by_role("heading", level=1).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    # Focus order: previous and next come before the map, the legend after it.
    order = page.evaluate(f"""() => {{
      const next = [...document.querySelectorAll('button')].find(b => b.innerText.includes('Trang sau'));
      const map = document.querySelector({MAP_IFRAME!r});
      const legend = document.querySelector('div.camau-legend-row');
      return [!!(next.compareDocumentPosition(map) & 4), !!(map.compareDocumentPosition(legend) & 4)];
    }}""")
    assert order == [True, True]

    # "Next": the same map (iframe and Leaflet map kept) restyled with the next slide's colours.
    token = uuid.uuid4().hex
    page.evaluate(JS_TAG, token)
    before = fills(page)
    assert len(before) == N_COMMUNES
    page.get_by_role("button", name="Trang sau").click()
    expect(page.locator(COUNTER)).to_have_text("Trang 2 / 5")
    expect(page).to_have_url(re.compile(r"[?&]slide=2(&|$)"))
    page.wait_for_function(f"(before) => {{ const now = ({JS_STYLES})();"
                           " return Object.keys(now).length === 101 &&"
                           " Object.keys(now).some(k => now[k].fill !== before[k]); }",
                           arg=before, polling=50)
    after = fills(page)
    assert len(after) == N_COMMUNES and after != before
    assert page.evaluate(JS_READ_TAGS) == {"iframes": 1, "iframe": token, "map": token}

    # PageDown (what a presentation clicker sends) steps too.
    page.keyboard.press("PageDown")
    expect(page.locator(COUNTER)).to_have_text("Trang 3 / 5")
    assert page.evaluate(JS_READ_TAGS) == {"iframes": 1, "iframe": token, "map": token}
    no_outside_requests()


# From the step (a pointer or key press) on: the time and the fills of the first repaint.
JS_WATCH_STEP = f"""() => {{
  window.__clickAt = null; window.__wsAfterClick = null; window.__changed = null; window.__changedFills = null;
  window.__releasedBy = null;
  const styles = {JS_STYLES};
  const before = styles();
  const mark = () => {{ if (window.__clickAt === null) window.__clickAt = performance.now(); }};
  document.addEventListener('pointerdown', mark, {{capture: true, once: true}});
  document.addEventListener('keydown', mark, {{capture: true, once: true}});
  (function loop() {{
    const now = styles();
    if (window.__clickAt !== null && Object.keys(now).length === {N_COMMUNES}
        && Object.keys(now).some(k => now[k].fill !== before[k].fill)) {{
      window.__changed = performance.now(); window.__changedFills = now; return;
    }}
    requestAnimationFrame(loop);
  }})();
}}"""


def test_a_slide_step_repaints_before_the_server_answers(make_context, app_url, no_outside_requests):
    """"Next" and PageDown repaint from the file of the neighbouring slides the server wrote
    (views/present/slide_map.py) before its first message about the step arrives, with the fills
    the server then sends."""
    context = make_context(app_url, viewport=PROJECTOR)
    context.add_init_script(JS_FIRST_SERVER_MESSAGE)
    page = context.new_page()
    page.goto(app_url + PRESENT_PAGE + "?slide=2")
    wait_map(page)
    steps = ((lambda: page.get_by_role("button", name="Trang sau").click(), "Trang 3 / 5"),
             (lambda: page.keyboard.press("PageDown"), "Trang 4 / 5"))        # slide 4 zooms to a district
    for number, (press, counter) in enumerate(steps, start=1):
        wait_switch_files(page, number)
        page.wait_for_timeout(300)
        page.evaluate(JS_WATCH_STEP)
        press()
        page.wait_for_function("() => window.__changed !== null && window.__wsAfterClick !== null", timeout=30_000)
        expect(page.locator(COUNTER)).to_have_text(counter)
        page.wait_for_timeout(800)                                  # the server's answer has been drawn
        timing = page.evaluate("({click: window.__clickAt, changed: window.__changed, server: window.__wsAfterClick})")
        print(f"\n{counter}: step to new fills {timing['changed'] - timing['click']:.0f} ms, "
              f"to the server's first message {timing['server'] - timing['click']:.0f} ms")
        # the server's answer was withheld until the fills had changed (JS_FIRST_SERVER_MESSAGE)
        assert page.evaluate("window.__releasedBy") == "repaint", timing
        repainted = {code: style["fill"] for code, style in page.evaluate("window.__changedFills").items()}
        assert repainted == fills(page)
    no_outside_requests()


def test_click_zooms_to_the_district_and_back(make_context, app_url, no_outside_requests):
    page = open_presentation(make_context, app_url)
    frame = page.frame_locator(MAP_IFRAME)
    zoom_before = page.evaluate(f"() => document.querySelector({MAP_IFRAME!r}).contentWindow.map.getZoom()")
    expect(frame.locator(LABELS)).to_have_count(9)             # the province: district names
    expect(frame.locator(LABELS).filter(has_text="Huyện U Minh")).to_have_count(1)

    point = commune_point(page, KHANH_THUAN)
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(rf"[?&]zoom={U_MINH}(&|$)"))
    back = page.get_by_role("button", name="Về toàn tỉnh")
    expect(back).to_be_visible()
    expect(frame.locator(LABELS)).to_have_count(8)             # the district's communes, named
    expect(frame.locator(LABELS).filter(has_text="Xã Khánh Thuận")).to_have_count(1)
    page.wait_for_function(f"(z) => document.querySelector({MAP_IFRAME!r}).contentWindow.map.getZoom() > z + 1",
                           arg=zoom_before)
    expect(page.get_by_text("Đang xem: Huyện U Minh")).to_be_visible()

    back.click()
    expect(page).not_to_have_url(re.compile(r"[?&]zoom="))
    expect(frame.locator(LABELS)).to_have_count(9)
    page.wait_for_function(f"(z) => Math.abs(document.querySelector({MAP_IFRAME!r}).contentWindow.map.getZoom() - z)"
                           " < 0.3", arg=zoom_before)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(N_COMMUNES)
    no_outside_requests()
