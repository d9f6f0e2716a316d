"""The overview's Altair charts in a real browser, with every outside request blocked: each one is
drawn (a visible SVG named by its description), numbers follow the language's format, and a
point's tooltip gives its date, value and source."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from indicators.timeline import province_timeline
from l10n import fmt
from views.overview.timeline import HOUSEHOLDS_METRIC, overview_timeline, source_text, value_text

pytestmark = pytest.mark.e2e

# Tick labels of a count axis: "200.000" in Vietnamese, "200,000" in English.
GROUPED = {"vi": re.compile(r"^\d{1,3}(\.\d{3})+$"), "en": re.compile(r"^\d{1,3}(,\d{3})+$")}

JS_CHARTS = """(selector) => [...document.querySelectorAll(selector)].map(embed => {
  const root = embed.querySelector('svg, canvas');
  const box = root ? root.getBoundingClientRect() : {width: 0, height: 0};
  return {tag: root ? root.tagName.toLowerCase() : null, width: box.width, height: box.height,
          label: embed.getAttribute('aria-label'),
          marks: [...embed.querySelectorAll('[role=graphics-symbol]')].filter(m => !m.closest('[aria-hidden=true]'))
                 .map(m => m.getAttribute('aria-label')),
          texts: [...embed.querySelectorAll('text')].map(t => t.textContent)};
})"""


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_charts_render_offline_in_the_language(page, app_url, lang, no_outside_requests):
    section = overview_timeline(lang)
    panels = (section.tasks, *section.timeline_charts)
    page.goto(f"{app_url}/?lang={lang}")
    embeds = page.locator(".vega-embed")
    expect(embeds).to_have_count(len(panels), timeout=60_000)
    expect(embeds.last.locator("svg, canvas").first).to_be_visible()
    page.wait_for_timeout(500)                    # the last chart's marks

    charts = page.evaluate(JS_CHARTS, ".vega-embed")
    assert all(chart["tag"] and chart["width"] > 100 and chart["height"] > 50 for chart in charts), charts
    # Named for screen readers by the spec's description, in page order; the marks that speak say
    # their figure in the page's language (no English field names such as "value_text: …").
    assert [chart["label"] for chart in charts] == [panel.description for panel in panels]
    spoken = [mark for chart in charts for mark in chart["marks"]]
    assert spoken and not [mark for mark in spoken if re.search(r"\b[a-z]+_[a-z_]+:|Title text", mark or "")], spoken

    texts = [text for chart in charts for text in chart["texts"]]
    other = "en" if lang == "vi" else "vi"
    assert any(GROUPED[lang].match(text) for text in texts), texts
    assert not any(GROUPED[other].match(text) for text in texts), texts
    guided = [p for p in province_timeline() if p.metric == HOUSEHOLDS_METRIC and p.plot]
    households_texts = charts[panels.index(section.households)]["texts"]
    for point in guided:
        assert any(text.startswith(value_text(point, lang)) for text in households_texts), households_texts
    no_outside_requests()


def test_a_point_s_tooltip_gives_date_value_and_source(page, app_url, no_outside_requests):
    lang = "vi"
    section = overview_timeline(lang)
    panels = (section.tasks, *section.timeline_charts)
    page.goto(f"{app_url}/?lang={lang}")
    expect(page.locator(".vega-embed")).to_have_count(len(panels), timeout=60_000)
    chart = page.locator(".vega-embed").nth(panels.index(section.households))
    chart.scroll_into_view_if_needed()
    points = chart.locator("g.mark-symbol path")
    guided = [p for p in province_timeline() if p.metric == HOUSEHOLDS_METRIC and p.plot]
    expect(points).to_have_count(len(guided))
    points.last.hover(force=True)
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    last = guided[-1]
    for text in (fmt.partial_date(last.date, last.precision), value_text(last, lang),
                 source_text(last, {}, lang)):
        expect(tooltip).to_contain_text(text)
    no_outside_requests()
