"""The compare page's change chart and the planner's score breakdown chart in a real browser, with
every outside request blocked: opened on demand, each is drawn (an SVG or canvas of real size,
named for screen readers by its description), its numbers are in the language's format, and a
hover gives the tooltip in that language.

These tests run their own server. The session's server has only the sample published, so the
compare page there has a single period. This one gets the sample, an official 2023 table (as
tests/test_compare_page.py seeds it) and the sample published again on top. The planner then
plans on the sample, and the compare page offers both periods.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from indicators.catalogue import load_catalogue
from l10n import labels
from l10n.messages import t
from planner.scoring import CRITERIA

from .conftest import APP_DIR, _free_port, _state_env, _warm_up, assert_no_outside_requests, streamlit_server
from .helpers import MAP_PAGE

pytestmark = pytest.mark.e2e

COMPARE_PAGE, PLANNER_PAGE = "/so-sanh", "/ke-hoach"
SEED = "from tests.test_compare_page import seed; seed(two_periods=True)"
# Grouped thousands ("2.000" / "2,000") and a score ("0,791" / "0.791").
GROUPED = {"vi": re.compile(r"^\+?\d{1,3}(\.\d{3})+$"), "en": re.compile(r"^\+?\d{1,3}(,\d{3})+$")}
SCORE = {"vi": re.compile(r"^0,\d{3}$"), "en": re.compile(r"^0\.\d{3}$")}

JS_CHART = """(embed) => {
  const root = embed.querySelector('svg, canvas');
  const box = root ? root.getBoundingClientRect() : {width: 0, height: 0};
  return {tag: root ? root.tagName.toLowerCase() : null, width: box.width, height: box.height,
          label: embed.getAttribute('aria-label'),
          texts: [...embed.querySelectorAll('text')].map(t => t.textContent)};
}"""


@pytest.fixture(scope="module")
def charts_url(browser):
    """A server of this module's own, on a database with two periods and the sample published."""
    state = Path(tempfile.mkdtemp(prefix="e2e-charts-state-"))
    env = _state_env(state)
    try:
        for command in ([sys.executable, "-c", SEED], [sys.executable, "manage.py", "publish", "0", "--user", "e2e"]):
            done = subprocess.run(command, cwd=APP_DIR, env=env | {"PYTHONPATH": str(APP_DIR)}, capture_output=True,
                                  text=True, timeout=300)
            assert done.returncode == 0, done.stderr
        with streamlit_server("app.py", _free_port(), env) as url:
            _warm_up(browser, url, MAP_PAGE)     # Streamlit's first-session "page not found" (see app_url)
            yield url
    finally:
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture
def chart_page(make_context, charts_url, blocked_requests):
    def open_page(path: str, viewport: dict | None = None):
        page = make_context(charts_url, viewport).new_page()
        page.goto(charts_url + path)
        return page
    yield open_page
    assert_no_outside_requests(blocked_requests)


def open_section(page, label: str):
    """Open the section titled ``label`` and return its chart's vega-embed container once drawn."""
    summary = page.get_by_text(label, exact=True)
    expect(summary).to_be_visible(timeout=90_000)
    page.wait_for_timeout(1000)          # the page's first run settles before the click reruns it
    summary.click()
    embed = page.locator(".vega-embed")
    expect(embed).to_have_count(1, timeout=60_000)
    expect(embed.locator("svg, canvas").first).to_be_visible()
    page.wait_for_timeout(500)           # the marks
    embed.scroll_into_view_if_needed()
    return embed


def drawn(embed) -> dict:
    chart = embed.evaluate(JS_CHART)
    assert chart["tag"] and chart["width"] > 200 and chart["height"] > 200, chart
    return chart


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_change_chart_renders_offline_in_the_language(chart_page, lang):
    query = "?ind=vneid_dossiers&a=2022&b=2023" + ("&lang=en" if lang == "en" else "")
    page = chart_page(COMPARE_PAGE + query)
    embed = open_section(page, t("compare.chart.section", lang))
    chart = drawn(embed)
    name = load_catalogue()["vneid_dossiers"].name[lang]
    assert chart["label"].startswith(t("compare.chart.title", lang, indicator=name, a="2022", b="2023"))
    other = "en" if lang == "vi" else "vi"
    assert any(GROUPED[lang].match(text) for text in chart["texts"]), chart["texts"]
    assert not any(GROUPED[other].match(text) for text in chart["texts"]), chart["texts"]
    assert t("compare.map_heading", lang, letter="B", name="2023") in chart["texts"]       # the legend
    embed.locator("g.mark-rule.role-mark line").first.hover(force=True)      # a commune's line (not a grid line)
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(t("compare.col.change", lang))


@pytest.mark.parametrize("lang, viewport", [("vi", None), ("en", {"width": 390, "height": 844})])
def test_the_score_breakdown_renders_offline_in_the_language(chart_page, lang, viewport):
    page = chart_page(PLANNER_PAGE + ("?lang=en" if lang == "en" else ""), viewport)
    embed = open_section(page, t("plan.breakdown.section", lang))
    chart = drawn(embed)
    assert chart["label"].startswith(t("plan.breakdown.title", lang, communes=10))
    criteria = [labels.label(labels.PLAN_CRITERION, name, lang) for name in CRITERIA]
    assert set(criteria) <= set(chart["texts"]), chart["texts"]           # the legend, none cut
    scores = [text for text in chart["texts"] if SCORE[lang].match(text)]
    assert len(scores) == 10, chart["texts"]                              # one per bar, in the language
    if viewport:                                                          # a phone: the chart fits it
        assert chart["width"] <= viewport["width"]
    embed.locator("g.mark-rect.role-mark path").first.hover(force=True)
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(t("plan.breakdown.part", lang))
