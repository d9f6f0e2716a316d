"""DOM helpers for the map page, shared by the browser tests and the fixtures.

All JavaScript runs in the top page: the streamlit-folium iframe is same-origin, so its
``contentWindow.map`` (the Leaflet map) and ``contentDocument`` are reachable from there. Reading
through the iframe *element* each time also means a re-created iframe is noticed, not hidden.
"""
from __future__ import annotations

import functools
import re
import struct
import time

from google.protobuf.message import DecodeError
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
COMMUNE_PATHS = "path.leaflet-interactive"
N_COMMUNES = 101
MAP_PAGE = "/ban-do"

JS_COUNT_COMMUNES = f"""() => {{
  const f = document.querySelector({MAP_IFRAME!r});
  const d = f && f.contentDocument;
  return d ? d.querySelectorAll({COMMUNE_PATHS!r}).length : 0;
}}"""

# code -> drawn style of every commune polygon, read from Leaflet's layers (feature.id is the
# 5-digit GSO code) and the SVG attributes Leaflet wrote on their paths (dashArray is null for a
# solid outline).
JS_STYLES = f"""() => {{
  const f = document.querySelector({MAP_IFRAME!r});
  const out = {{}};
  const m = f && f.contentWindow && f.contentWindow.map;
  if (!m) return out;       // no iframe or no map yet (e.g. while the iframe is being re-created)
  m.eachLayer(l => {{
    if (l.feature && l.feature.id && l._path && l._path.matches({COMMUNE_PATHS!r})) {{
      const p = l._path;
      out[l.feature.id] = {{fill: p.getAttribute('fill'), fillOpacity: p.getAttribute('fill-opacity'),
                           stroke: p.getAttribute('stroke'), strokeWidth: p.getAttribute('stroke-width'),
                           dashArray: p.getAttribute('stroke-dasharray')}};
    }}
  }});
  return out;
}}"""

# A point well inside one commune's polygon, in top-page CSS pixels, found by hit-testing: the
# point and its 8 neighbours 3 px away must all be that commune's own <path> (not the model's
# star marker, a tooltip, a control or a neighbour), and the top page must show the iframe there.
JS_COMMUNE_POINT = f"""(code) => {{
  const f = document.querySelector({MAP_IFRAME!r});
  const w = f.contentWindow, d = f.contentDocument;
  let layer = null;
  w.map.eachLayer(l => {{ if (l.feature && l.feature.id === code && l._path) layer = l; }});
  if (!layer) return {{error: 'no layer for ' + code}};
  const r = layer._path.getBoundingClientRect();
  const fr = f.getBoundingClientRect();
  const ox = fr.left + f.clientLeft, oy = fr.top + f.clientTop;
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
  const pts = [];
  const n = 24;
  for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++)
    pts.push([r.left + r.width * i / n, r.top + r.height * j / n]);
  pts.sort((a, b) => Math.hypot(a[0] - cx, a[1] - cy) - Math.hypot(b[0] - cx, b[1] - cy));
  const hits = (x, y) => x > 0 && y > 0 && x < w.innerWidth && y < w.innerHeight &&
                         d.elementFromPoint(x, y) === layer._path;
  for (const [x, y] of pts) {{
    let ok = true;
    for (const dx of [-3, 0, 3]) for (const dy of [-3, 0, 3]) ok = ok && hits(x + dx, y + dy);
    if (!ok) continue;
    if (document.elementFromPoint(ox + x, oy + y) !== f) continue;
    return {{x: ox + x, y: oy + y, tip: layer.feature.properties.tip}};
  }}
  return {{error: 'no clickable point inside ' + code, width: r.width, height: r.height}};
}}"""

# A point of the map's empty background (no commune, no control, no marker) to start a drag.
JS_EMPTY_POINT = f"""() => {{
  const f = document.querySelector({MAP_IFRAME!r});
  const w = f.contentWindow, d = f.contentDocument;
  const box = w.map.getContainer().getBoundingClientRect();
  const fr = f.getBoundingClientRect();
  const ox = fr.left + f.clientLeft, oy = fr.top + f.clientTop;
  for (let x = box.left + 60; x < box.right - 60; x += 10) {{
    for (const y of [box.top + box.height / 2, box.top + box.height / 3, box.top + 2 * box.height / 3]) {{
      const e = d.elementFromPoint(x, y);
      if (e && !e.closest('path, .leaflet-marker-icon, .leaflet-control-container, .leaflet-tooltip') &&
          document.elementFromPoint(ox + x, oy + y) === f)
        return {{x: ox + x, y: oy + y}};
    }}
  }}
  return null;
}}"""

# The Leaflet map exists and no zoom or pan animation is running.
# A point [x, y] of the page where the first element matching the selector (an SVG path) is the
# topmost element, on a 19 x 19 grid over its box; null when none is.
JS_POINT_INSIDE = """(selector) => {
    const path = document.querySelector(selector);
    const r = path.getBoundingClientRect();
    for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
        const x = r.left + r.width * i / 20, y = r.top + r.height * j / 20;
        if (document.elementFromPoint(x, y) === path) return [x, y];
    }
    return null;
}"""

JS_MAP_SETTLED = f"""() => {{
  const f = document.querySelector({MAP_IFRAME!r});
  const m = f && f.contentWindow && f.contentWindow.map;
  return !!m && m._loaded && !m._animatingZoom && !(m._panAnim && m._panAnim._inProgress);
}}"""

JS_MAP_VIEW = f"""() => {{
  const m = document.querySelector({MAP_IFRAME!r}).contentWindow.map;
  const c = m.getCenter();
  return {{lat: c.lat, lng: c.lng, zoom: m.getZoom()}};
}}"""

# Tag the iframe element and the Leaflet map object, to tell later whether either was replaced.
JS_TAG = f"""(tok) => {{
  const f = document.querySelector({MAP_IFRAME!r});
  f.__e2eTok = tok;
  f.contentWindow.map.__tok = tok;
}}"""
JS_READ_TAGS = f"""() => {{
  const all = document.querySelectorAll({MAP_IFRAME!r});
  const f = all[0];
  return {{iframes: all.length, iframe: f ? (f.__e2eTok || null) : null,
          map: f && f.contentWindow && f.contentWindow.map ? (f.contentWindow.map.__tok || null) : null}};
}}"""


@functools.lru_cache(maxsize=1)
def _commune_table():
    from geo.reference import load_reference
    from indicators.catalogue import load_catalogue
    from indicators.sample import read_sample_csv
    from indicators.table import commune_table
    return commune_table(load_reference(), read_sample_csv(), load_catalogue())


def expected_fills(indicator: str, scheme: str = "quantiles", k: int = 5, palette: str = "YlGnBu") -> dict[str, str]:
    """code -> fill colour the server should send for a numeric indicator, computed with the app's
    own data and classifier (classes over the whole province, whatever the filters)."""
    from geo.classify import classify
    table = _commune_table()
    colours = classify(table[indicator], scheme, k, palette).colour_of()
    return {str(code): str(colour).lower() for code, colour in zip(table["gso_code"], colours)}


def wait_map(page, timeout: float = 30_000, communes: int = N_COMMUNES) -> None:
    """Until exactly ``communes`` polygons (101; 64 for the 2025 units) are drawn in the map iframe."""
    page.wait_for_function(f"() => ({JS_COUNT_COMMUNES})() === {communes}", timeout=timeout, polling=50)


def commune_styles(page) -> dict[str, dict]:
    return page.evaluate(JS_STYLES)


def commune_point(page, code: str) -> dict:
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    point = page.evaluate(JS_COMMUNE_POINT, code)
    assert "error" not in point, point
    return point


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) of a PNG image, from its IHDR chunk."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def tip_name(tip_html: str) -> tuple[str, str]:
    """(name, district) from a commune's tooltip header ``<b>Name</b><br>District · Type``."""
    match = re.match(r"<b>(.*?)</b><br>(.*?) · ", tip_html)
    assert match, tip_html
    return match.group(1), match.group(2)


def selectbox(page, label: str):
    """The Streamlit selectbox whose label is exactly ``label`` (the panel's table also has a
    "Chỉ tiêu" column, so match the widget's own combobox)."""
    box = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.get_by_role("combobox", name=label, exact=True))
    expect(box, f"one selectbox labelled {label!r}").to_have_count(1)
    return box


def open_selectbox(page, label: str):
    selectbox(page, label).locator('button[aria-label="Open"]').click()


def legend_entries(page) -> list[dict]:
    """Legend rows (``div.camau-legend-row`` in the legend's st.html block, ending in "· N xã"):
    text, count, swatch colour and whether the swatch is solid (a value class) or dashed (no data
    / outside the filters)."""
    rows = page.locator('[data-testid="stHtml"] div.camau-legend-row').evaluate_all("""els => els.map(e => {
      const swatch = e.querySelector('span[style*="background"]');
      return {text: e.innerText.trim(), style: swatch ? swatch.getAttribute('style') : ''};
    })""")
    out = []
    for row in rows:
        match = re.search(r"· (\d+) xã$", row["text"])
        if not match:
            continue
        colour = re.search(r"background:\s*(#[0-9a-fA-F]{3,8})", row["style"])
        out.append({"text": row["text"], "count": int(match.group(1)),
                    "colour": colour.group(1).lower() if colour else None,
                    "solid": "solid" in row["style"]})
    return out


class BackMsgRecorder:
    """Every message the browser sends to Streamlit over its websocket, decoded as ``BackMsg``.

    A rerun of the app, whatever triggers it (a widget, a component value such as a map click,
    ``st.rerun`` from the browser), is a ``rerun_script`` BackMsg; ``app_heartbeat`` and the
    other kinds are not reruns. Decoding the protobuf tells them apart exactly, where counting
    raw frames or watching the status widget would not.
    """

    def __init__(self, page):
        self.kinds: list[tuple[float, str]] = []
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, ws) -> None:
        ws.on("framesent", self._on_frame)

    def _on_frame(self, payload) -> None:
        if isinstance(payload, str):
            kind = "text"
        else:
            try:
                kind = BackMsg.FromString(bytes(payload)).WhichOneof("type") or "empty"
            except DecodeError:
                kind = "undecodable"
        self.kinds.append((time.monotonic(), kind))

    def reruns(self) -> int:
        return sum(1 for _, kind in self.kinds if kind == "rerun_script")

    def wait_quiet(self, page, quiet_ms: int = 1200, timeout_ms: int = 20_000) -> None:
        """Until no rerun was requested for ``quiet_ms`` and no script run is shown as running
        (heartbeats and other non-rerun messages do not count)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while time.monotonic() < deadline:
            last = max((at for at, kind in self.kinds if kind == "rerun_script"), default=0.0)
            running = page.locator('[data-testid="stStatusWidget"]').filter(has_text="Running").count()
            if not running and time.monotonic() - last >= quiet_ms / 1000:
                return
            page.wait_for_timeout(100)
        raise AssertionError(f"the app did not settle in {timeout_ms} ms: {self.kinds[-10:]}")


# Sets window.__wsAfterClick to the time of the first websocket message (the server's) after
# window.__clickAt is set; an init script of the top page.
# The server's answer to a click is withheld until the page has repainted on its own (the test's
# loop sets window.__filled or window.__changed) or 5 s have passed, so "the repaint did not wait
# for the server" is a fact the test reads, not a race between two timings on a fast machine.
# window.__wsAfterClick: when the first message after the click arrived;
# window.__releasedBy: 'repaint' or 'timeout'.
JS_FIRST_SERVER_MESSAGE = """
(() => {
  if (window.top !== window) return;
  const Native = window.WebSocket;
  window.__wsAfterClick = null;
  window.__releasedBy = null;
  const HOLD_MS = 5000;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      const held = [];
      let timer = null;
      const repainted = () => (window.__filled ?? null) !== null || (window.__changed ?? null) !== null;
      const release = () => {
        clearInterval(timer); timer = null;
        for (const data of held.splice(0)) {
          const again = new MessageEvent('message', {data});
          again.__released = true;
          this.dispatchEvent(again);
        }
      };
      this.addEventListener('message', (event) => {
        if (event.__released || !window.__clickAt || window.__releasedBy !== null) return;
        if (window.__wsAfterClick === null) {
          window.__wsAfterClick = performance.now();
          const start = window.__wsAfterClick;
          timer = setInterval(() => {
            if (repainted()) { window.__releasedBy = 'repaint'; release(); }
            else if (performance.now() - start > HOLD_MS) { window.__releasedBy = 'timeout'; release(); }
          }, 5);
        }
        held.push(event.data);
        event.stopImmediatePropagation();
      });
    }
  };
})();
"""


def wait_map_still(page, polls: int = 4) -> None:
    """Until the map's centre and zoom have not changed for ``polls`` checks 200 ms apart (a fly or
    an animated zoom has ended)."""
    page.evaluate("() => { window.__lastView = null; window.__still = 0; }")
    page.wait_for_function(f"""(polls) => {{
      const m = document.querySelector({MAP_IFRAME!r}).contentWindow.map; const c = m.getCenter();
      const now = [c.lat, c.lng, m.getZoom()].join();
      window.__still = window.__lastView === now ? window.__still + 1 : 0;
      window.__lastView = now;
      return window.__still >= polls;
    }}""", arg=polls, polling=200)


def wait_switch_files(page, count: int, timeout: float = 30_000) -> None:
    """Until the map's script has fetched ``count`` switch files (views/map/switch.py) in all."""
    page.wait_for_function(f"""(count) => {{
        const f = document.querySelector({MAP_IFRAME!r});
        return f && f.contentWindow.performance.getEntriesByType('resource')
          .filter(e => e.name.includes('/switch/') && e.responseStatus === 200).length >= count;
      }}""", arg=count, timeout=timeout)
