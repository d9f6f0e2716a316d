"""Text from URLs and from editors never becomes a link, and a hostile deck link gets the usual
notice, in a real browser (Debian Chromium) — issue 11 §4.

Streamlit's markdown (remark-gfm) turns bare URLs, ``www.`` names and e-mail addresses into links
*after* parsing, so backslash escapes do not stop them; only what the browser shows can tell.

The server is this module's own (``app.py`` on a fresh state directory): it publishes a version
whose period and source are URLs and saves two scenarios named with URLs, which the map tests that
share the session's server must not see.
"""
from __future__ import annotations

import base64
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

import tests.corpus as corpus
from geo.reference import load_reference

from .conftest import APP_DIR, _free_port, _state_env, _warm_up, streamlit_server
from .helpers import MAP_PAGE, wait_map

pytestmark = pytest.mark.e2e

EVIL = "evil.example"
PERIOD = "https://evil.example/ky-2024"
SOURCE = "UBND xem www.evil.example, hỏi lienhe@evil.example, <https://evil.example/a>"
SCENARIOS = ("Đợt 2 http://evil.example/dang-nhap", "Đợt 3 www.evil.example")
# The 77-character deck: 50,000 "[" once inflated (json.loads recursed into a RecursionError).
DEEP_DECK = "1" + base64.urlsafe_b64encode(zlib.compress(b"[" * 50_000, 9)).decode().rstrip("=")
LINKS = f'a[href*="{EVIL}"], a[href^="mailto:"]'


@pytest.fixture(scope="module")
def hostile_app(browser, tmp_path_factory):
    """app.py on its own database: sample (version 0) plus version 1 with a URL as its period and
    source, published; two saved scenarios named with URLs."""
    state = Path(tempfile.mkdtemp(prefix="e2e-links-state-"))
    env = _state_env(state)
    try:
        with streamlit_server("app.py", _free_port(), env) as url:
            _warm_up(browser, url, MAP_PAGE)          # creates the database and publishes the sample
            report = tmp_path_factory.mktemp("links") / "bao_cao_tinh.xlsx"
            report.write_bytes(corpus.xlsx_bytes(corpus.province_report_grid(
                corpus.report_figures(load_reference().units))))
            for args in (["import", str(report), "--period", PERIOD, "--as-of", "2024-12-31", "--source", SOURCE],
                         ["publish", "1"]):
                run = subprocess.run([sys.executable, "manage.py", *args], cwd=APP_DIR, env=env,
                                     capture_output=True, text=True, timeout=180)
                assert run.returncode == 0, run.stdout + run.stderr
            save = ("from services.editing import save_scenario; from storage.db import make_engine\n"
                    "import sys\n"
                    "for n, name in enumerate(sys.argv[1:]):\n"
                    "    save_scenario(make_engine(), user='an', name=name, note='', query={}, version_id=2,\n"
                    "                  selected=['32005'] if n else ['32048'], totals={}, illustrative=False)\n")
            run = subprocess.run([sys.executable, "-c", save, *SCENARIOS], cwd=APP_DIR, env=env,
                                 capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, run.stdout + run.stderr
            yield url
    finally:
        shutil.rmtree(state, ignore_errors=True)


# Records every link and every text that ever appears, however briefly: the map page shows its
# notice in the first script run and clears it when the next run (with the rewritten URL) starts.
RECORDER = """
window.__seen = {links: [], texts: []};
new MutationObserver(mutations => {
  for (const m of mutations) for (const node of m.addedNodes) {
    const el = node.nodeType === 1 ? node : node.parentElement;
    if (!el) continue;
    const anchors = el.matches('a') ? [el] : [...el.querySelectorAll('a')];
    for (const a of anchors) window.__seen.links.push(a.outerHTML);
    if (el.textContent) window.__seen.texts.push(el.textContent);
  }
}).observe(document, {childList: true, subtree: true});
"""


def open_page(make_context, url: str, path: str):
    context = make_context(url)
    context.add_init_script(RECORDER)
    page = context.new_page()
    page.goto(url + path)
    return page


def seen_texts(page) -> list[str]:
    return [text.replace("\u2060", "") for text in page.evaluate("() => window.__seen.texts")]


def no_links_to(page) -> None:
    assert page.locator(LINKS).count() == 0, page.locator(LINKS).evaluate_all("a => a.map(x => x.outerHTML)")
    bad = [a for a in page.evaluate("() => window.__seen.links") if EVIL in a or "mailto:" in a]
    assert bad == [], bad


def test_ignored_url_parameter_is_shown_as_text_not_a_link(make_context, hostile_app, no_outside_requests):
    page = open_page(make_context, hostile_app, MAP_PAGE + "?ind=https://evil.example/dang-nhap&c=www.evil.example")
    wait_map(page)
    notices = [text for text in seen_texts(page) if text.startswith("Tham số liên kết không hợp lệ đã được bỏ qua")]
    assert notices, "the notice never appeared"
    assert "ind='https://evil.example/dang-nhap'" in notices[0] and "c='www.evil.example'" in notices[0]
    no_links_to(page)
    no_outside_requests()


def test_the_map_caption_shows_an_editors_source_as_text(make_context, hostile_app, no_outside_requests):
    page = open_page(make_context, hostile_app, MAP_PAGE + "?ind=hamlet_teams")
    wait_map(page)
    caption = page.get_by_text("hỏi lienhe")
    expect(caption).to_be_visible()
    assert SOURCE in caption.inner_text().replace("\u2060", "")
    no_links_to(page)
    no_outside_requests()


def test_comparison_headings_and_captions_show_periods_and_sources_as_text(make_context, hostile_app,
                                                                           no_outside_requests):
    page = open_page(make_context, hostile_app, "/so-sanh?ind=hamlet_teams")
    wait_map(page)
    heading = page.locator("strong", has_text="Kỳ B: https")
    expect(heading).to_be_visible()
    assert PERIOD in heading.inner_text().replace("\u2060", "")
    expect(page.get_by_text("hỏi lienhe").first).to_be_visible()
    no_links_to(page)
    no_outside_requests()


def test_scenario_names_in_the_planners_comparison_are_text(make_context, hostile_app, no_outside_requests):
    page = open_page(make_context, hostile_app, "/ke-hoach")
    wait_map(page)
    page.get_by_text("So sánh hai phương án").click()
    for letter, name in zip("AB", reversed(SCENARIOS)):      # newest first
        heading = page.locator("strong", has_text=f"{letter} · Đợt")
        expect(heading).to_be_visible()
        assert heading.inner_text().replace("\u2060", "") == f"{letter} · {name}"
    no_links_to(page)
    no_outside_requests()


def test_a_deeply_nested_deck_link_falls_back_to_the_default_deck_with_a_notice(make_context, hostile_app,
                                                                               no_outside_requests):
    assert len(DEEP_DECK) <= 100
    page = open_page(make_context, hostile_app, f"/trinh-chieu?deck={DEEP_DECK}&slide=2")
    wait_map(page)
    assert any(text.startswith("Tham số liên kết không hợp lệ đã được bỏ qua: deck='1eN")
               for text in seen_texts(page)), "the notice never appeared"
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator("div.camau-present-counter")).to_contain_text("2")
    no_outside_requests()
