"""What every Vega-Lite chart of the app shares, without Streamlit: a title wrapped (never cut) on a
phone, a description for screen readers, the language's number and date formats (Vega's
``config.locale`` from ``l10n.fmt.vega_locale``: "210.000" and "26,5" in Vietnamese), and the spec
made once.

Pages draw ``ChartPanel.spec`` with ``st.vega_lite_chart``: ``st.altair_chart`` validates and
converts the Altair chart again on every rerun (~30 ms a chart here). No chart is drawn on the map's
rerun path: the map page draws its charts only while their section is open.
"""
from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass

import altair as alt

from l10n import fmt

TEXT_COLOUR, MUTED_COLOUR = "#262730", "#6b6b6b"     # Streamlit's text colour, and a grey for axes
VALUE_AXIS_WIDTH = 52      # a value axis's width, so that panels one above the other line up
TITLE_WIDTH = 36           # characters per title line on a phone: a title is wrapped there, never cut
TITLE_CHAR_PX = 7.6        # a title character's mean width in pixels (14 px bold)


@dataclass(frozen=True)
class ChartPanel:
    key: str
    chart: alt.TopLevelMixin
    spec: dict              # ``chart.to_dict()``, made once: Altair validates the whole spec each time
    title: str
    description: str        # for screen readers: also the spec's ``description``
    sources: str            # "Nguồn: …" as escaped markdown


def chart_panel(key: str, chart: alt.TopLevelMixin, title: str, description: str, sources: str) -> ChartPanel:
    return ChartPanel(key, chart, chart.to_dict(), title, description, sources)


def _title_text(title: str, lines: list[str]) -> str | alt.ExprRef:
    """The title in one line where it fits, in ``lines`` on a narrow chart (a phone): Vega picks
    by the chart's width when it draws. The texts are JSON string literals in the expression."""
    if len(lines) == 1:
        return title
    fits = round(len(title) * TITLE_CHAR_PX - VALUE_AXIS_WIDTH)
    return alt.ExprRef(f"width < {fits} ? {json.dumps(lines, ensure_ascii=False)} : "
                       f"{json.dumps(title, ensure_ascii=False)}")


def finish_chart(chart: alt.TopLevelMixin, key: str, title: str, description: str, height: int, lang: str,
                 subtitle: str | None = None) -> alt.TopLevelMixin:
    """Title, screen-reader description and the language's number and date formats. ``height`` is
    the whole chart's: Streamlit fits title, axes and plot into it."""
    lines = textwrap.wrap(title, TITLE_WIDTH)
    sublines = textwrap.wrap(subtitle, TITLE_WIDTH + 10) if subtitle else []
    # (Vega-Lite takes no expression for a subtitle: its lines are short enough for a phone.)
    heading = alt.TitleParams(_title_text(title, lines), subtitle=sublines or alt.Undefined, anchor="start",
                              fontSize=14, subtitleFontSize=12, subtitleColor=MUTED_COLOUR,
                              aria=False)      # the description starts with it; Vega would add "Title text"
    height += 17 * (len(lines) - 1) + 15 * max(len(sublines) - 1, 0)    # the plot keeps its height
    return (chart.properties(title=heading, description=description, height=height, name=key)
            .configure(locale=fmt.vega_locale(lang))
            # Vega describes axes and marks to screen readers in English field names: only the
            # marks that carry a figure speak, each with its own words (``aria``).
            .configure_axis(labelColor=MUTED_COLOUR, labelFontSize=11, aria=False)
            .configure_mark(aria=False)
            .configure_title(aria=False)
            .configure_view(stroke=None))
