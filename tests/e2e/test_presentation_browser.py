"""Presentation mode in a real browser (Debian Chromium): the projector layout (the map as tall as
the screen beside a column of title, controls, figures and legend; the province at least 75% of a
1920×1080 screen's height; nothing overlapping at 1280×720), labels that never overlap, a screenshot,
"next" and PageDown restyling the same map, a commune click zooming to its district without leaving
a tooltip or a focus box, "back to the province", the theme's contrast, and no request leaving the
app server.
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
    wait_map_still,
    wait_switch_files,
)

pytestmark = pytest.mark.e2e

PRESENT_PAGE = "/trinh-chieu"
PROJECTOR = {"width": 1920, "height": 1080}
U_MINH = "966"              # Huyện U Minh: 8 communes
KHANH_THUAN = "32048"       # Xã Khánh Thuận, the largest commune, in Huyện U Minh
COUNTER = "div.camau-present-counter"
LABELS = "div.camau-label"
SMALL_PROJECTOR = {"width": 1280, "height": 720}
CITY_SLIDE = "?slide=4"     # zooms to Thành phố Cà Mau: 17 wards and communes, small ones in the centre

# WCAG contrast ratio of an element's text against white (the page's background), with the colour's
# alpha and every ancestor's opacity blended in (Streamlit's captions were drawn at opacity 0.6).
JS_CONTRAST = """(el) => {
  const parts = getComputedStyle(el).color.match(/[\\d.]+/g).map(Number);
  let alpha = parts.length > 3 ? parts[3] : 1;
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    alpha *= parseFloat(getComputedStyle(node).opacity);
  }
  const rgb = parts.slice(0, 3).map(c => c * alpha + 255 * (1 - alpha));
  const lin = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const L = 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
  return 1.05 / (L + 0.05);
}"""

# Where things are on the screen: the map's frame, the communes drawn in it (page coordinates),
# and every element of the column beside the map.
JS_LAYOUT = f"""() => {{
  const frame = document.querySelector({MAP_IFRAME!r});
  const f = frame.getBoundingClientRect();
  let top = Infinity, bottom = -Infinity;
  frame.contentDocument.querySelectorAll('path.leaflet-interactive').forEach(p => {{
    const r = p.getBoundingClientRect(); top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom);
  }});
  const row = document.querySelector('.st-key-present_map_box').closest('[data-testid="stHorizontalBlock"]');
  const side = row.querySelector(':scope > [data-testid="stColumn"]');
  const boxes = [...side.querySelectorAll('[data-testid="stElementContainer"]')]
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0)
    .map(r => ({{left: r.left, right: r.right, top: r.top, bottom: r.bottom}}));
  return {{frame: {{left: f.left, right: f.right, top: f.top, bottom: f.bottom}},
           province: {{top: Math.max(f.top, f.top + top), bottom: Math.min(f.bottom, f.top + bottom)}}, side: boxes,
           width: innerWidth, height: innerHeight, scrollWidth: document.documentElement.scrollWidth}};
}}"""

# The labels' boxes as drawn (visible ones), with their font size and the map's box.
JS_LABEL_BOXES = f"""() => {{
  const doc = document.querySelector({MAP_IFRAME!r}).contentDocument;
  const map = doc.querySelector('.leaflet-container').getBoundingClientRect();
  const shown = [...doc.querySelectorAll('div.camau-label > span')].filter(s => getComputedStyle(s).visibility !== 'hidden');
  return {{map: {{left: map.left, right: map.right, top: map.top, bottom: map.bottom}},
           labels: shown.map(s => {{ const r = s.getBoundingClientRect(); const st = getComputedStyle(s);
             return {{text: s.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                      size: parseFloat(st.fontSize), halo: st.textShadow}}; }})}};
}}"""


def overlap(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def assert_projector_layout(layout: dict) -> None:
    """The map reaches the screen's bottom, the province spans at least 75% of the screen's height,
    and every element of the side column is on the screen, beside the map, not under it."""
    frame, province = layout["frame"], layout["province"]
    share = (province["bottom"] - province["top"]) / layout["height"]
    print(f"\n{layout['width']}×{layout['height']}: map {frame['right'] - frame['left']:.0f}×"
          f"{frame['bottom'] - frame['top']:.0f} px, the province spans {share:.0%} of the screen's height")
    assert share >= 0.75
    assert frame["bottom"] <= layout["height"] + 1 and frame["right"] <= layout["width"]
    assert layout["scrollWidth"] <= layout["width"]
    assert layout["side"], "the side column is empty"
    for box in layout["side"]:
        assert box["bottom"] <= layout["height"] and box["right"] <= layout["width"], box
        assert not overlap(box, frame), box


def open_presentation(make_context, app_url, query: str = "", viewport: dict = PROJECTOR):
    page = make_context(app_url, viewport=viewport).new_page()
    page.goto(app_url + PRESENT_PAGE + query)
    wait_map(page, communes=64 if "units=2025" in query else N_COMMUNES)
    return page


def fills(page) -> dict[str, str]:
    return {code: style["fill"] for code, style in commune_styles(page).items()}


def wait_labels_placed(page) -> None:
    """Until the map has stopped moving (the fit flies for 0.7 s) and placed its labels, if the
    slide has any (the 64 units of 2025 are not named at province level)."""
    wait_map_still(page)
    page.wait_for_timeout(500)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_presentation_fills_a_projector_and_steps_in_place(make_context, app_url, no_outside_requests, tmp_path):
    page = open_presentation(make_context, app_url)
    expect(page.locator(COUNTER)).to_have_text("Trang 1 / 5")
    expect(page.get_by_role("heading", level=1)).to_contain_text("45/101")

    # The map as tall as the screen beside the column of figures; the province uses its height.
    wait_labels_placed(page)
    assert_projector_layout(page.evaluate(JS_LAYOUT))

    shot = page.screenshot(path=tmp_path / "presentation-1920x1080.png")
    assert png_size(shot) == (1920, 1080) and len(shot) > 30_000      # a drawn page, not a blank one
    assert (tmp_path / "presentation-1920x1080.png").read_bytes() == shot

    # Large, high-contrast text (WCAG AA needs 4.5:1; the theme aims far above it).
    for locator in (page.get_by_role("heading", level=1), page.locator(COUNTER),
                    page.locator('[data-testid="stMetricValue"]').first, page.locator("div.camau-legend-row").first,
                    page.locator('[data-testid="stCaptionContainer"]').first):
        assert locator.evaluate(JS_CONTRAST) >= 7
    assert float(page.get_by_role("heading", level=1).evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 32
    # Captions (sources, hints) are 20 px or larger.
    captions = page.locator('[data-testid="stCaptionContainer"]:visible')
    assert captions.count() >= 2
    for index in range(captions.count()):
        caption = captions.nth(index)
        assert caption.evaluate(JS_CONTRAST) >= 7
        assert caption.evaluate("e => parseFloat(getComputedStyle(e.querySelector('p') || e).fontSize)") >= 20
    # Focus order: previous and next come before the map.
    order = page.evaluate(f"""() => {{
      const buttons = [...document.querySelectorAll('button')];
      const previous = buttons.find(b => b.innerText.includes('Trang trước'));
      const next = buttons.find(b => b.innerText.includes('Trang sau'));
      const map = document.querySelector({MAP_IFRAME!r});
      return [!!(previous.compareDocumentPosition(next) & 4), !!(next.compareDocumentPosition(map) & 4)];
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
    page.mouse.move(point["x"], point["y"])
    expect(frame.locator(".leaflet-tooltip")).to_be_visible()          # hovering shows the commune
    page.mouse.click(point["x"], point["y"])
    expect(page).to_have_url(re.compile(rf"[?&]zoom={U_MINH}(&|$)"))
    # Zoomed in under a still pointer: no tooltip over the labels, no box around the clicked commune.
    wait_labels_placed(page)
    assert frame.locator(".leaflet-tooltip:visible").count() == 0
    focused = frame.locator(":focus")
    if focused.count():
        assert focused.evaluate("e => getComputedStyle(e).outlineStyle") == "none"
    # The pointer moving again brings the tooltips back.
    page.mouse.move(point["x"] + 40, point["y"] + 40)
    page.mouse.move(point["x"] + 45, point["y"] + 42)
    expect(frame.locator(".leaflet-tooltip").first).to_be_visible()
    back = page.get_by_role("button", name="Về toàn tỉnh")
    expect(back).to_be_visible()
    expect(frame.locator(LABELS)).to_have_count(8)             # the district's communes, named
    expect(frame.locator(LABELS).filter(has_text="Xã Khánh Thuận")).to_have_count(1)
    page.wait_for_function(f"(z) => document.querySelector({MAP_IFRAME!r}).contentWindow.map.getZoom() > z + 1",
                           arg=zoom_before)
    expect(page.get_by_text("Đang xem: Huyện U Minh")).to_be_visible()

    # Keyboard focus stays visible (:focus-visible): a thick ring on the focused button.
    back.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert back.evaluate("e => e.matches(':focus-visible') && getComputedStyle(e).outlineWidth") == "4px"

    back.click()
    expect(page).not_to_have_url(re.compile(r"[?&]zoom="))
    expect(frame.locator(LABELS)).to_have_count(9)
    page.wait_for_function(f"(z) => Math.abs(document.querySelector({MAP_IFRAME!r}).contentWindow.map.getZoom() - z)"
                           " < 0.3", arg=zoom_before)
    expect(frame.locator("path.leaflet-interactive")).to_have_count(N_COMMUNES)
    no_outside_requests()


@pytest.mark.parametrize("lang, units, viewport", [("vi", "2023", SMALL_PROJECTOR), ("en", "2023", SMALL_PROJECTOR),
                                                   ("vi", "2025", SMALL_PROJECTOR), ("en", "2025", PROJECTOR)])
def test_a_small_projector_shows_everything_side_by_side(make_context, app_url, no_outside_requests, lang, units,
                                                         viewport):
    """At 1280×720 (and 1920×1080) the title, the slide controls, the figures, the legend and the
    sources fit in the column beside the map, on both unit sets; nothing overlaps the map, nothing
    leaves the screen, and the province (the merged one of 2025 too) spans 75% of its height."""
    for slide in ("1", "2", "3", "4", "5"):
        page = open_presentation(make_context, app_url, f"?lang={lang}&units={units}&slide={slide}", viewport=viewport)
        wait_labels_placed(page)
        expect(page.locator(COUNTER)).to_contain_text(f"{slide} / 5")
        assert_projector_layout(page.evaluate(JS_LAYOUT))
        page.close()
    no_outside_requests()


def test_labels_never_overlap(make_context, app_url, no_outside_requests, tmp_path):
    """The city slide (17 wards and communes, the wards small and close together) and the province
    (nine district names): the labels shown are 18 px or larger with a white halo, inside the map,
    and no two overlap; those that do not fit are hidden, not stacked."""
    for query, least in ((CITY_SLIDE, 10), ("?slide=1", 9)):
        page = open_presentation(make_context, app_url, query)
        wait_labels_placed(page)
        boxes = page.evaluate(JS_LABEL_BOXES)
        labels = boxes["labels"]
        print(f"\n{query}: {len(labels)} labels shown: {', '.join(label['text'] for label in labels)}")
        assert len(labels) >= least
        for index, label in enumerate(labels):
            assert label["size"] >= 18 and "rgb(255, 255, 255)" in label["halo"], label
            assert boxes["map"]["left"] <= label["left"] and label["right"] <= boxes["map"]["right"], label
            assert boxes["map"]["top"] <= label["top"] and label["bottom"] <= boxes["map"]["bottom"], label
            for other in labels[index + 1:]:
                assert not overlap(label, other), (label, other)
        if query == CITY_SLIDE:
            page.screenshot(path=tmp_path / "presentation-city.png")
        page.close()
    no_outside_requests()
