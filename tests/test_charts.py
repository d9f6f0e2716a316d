"""The ranked bars and the per-district counts: order, widths, colours, highlight, escaping."""
import re

import pandas as pd
import pytest

from views.map.charts import category_counts_html, ranked_bars_html

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def rows():
    return pd.DataFrame({"gso_code": ["1", "2", "3"], "name": ["Phường 1", HOSTILE, "Xã A"],
                         "district": ["TP Cà Mau"] * 3, "population_2019": [200.0, 100.0, 50.0],
                         "colour": ["#253494", "#41b6c4", "#ffffcc"],
                         "value_text": ["200 người", "100 người", "50 người"], "selected": [False, True, False]})


def test_bars_keep_order_scale_and_colours(rows, catalogue):
    text = ranked_bars_html(rows, catalogue["population_2019"], "vi")
    assert [float(w) for w in re.findall(r"width:([\d.]+)%", text)] == [100.0, 50.0, 25.0]
    assert text.index("Phường 1") < text.index("Xã A")
    assert re.findall(r"width:[\d.]+%;background:(#[0-9a-f]{6})", text) == ["#253494", "#41b6c4", "#ffffcc"]
    assert text.count('role="listitem"') == 3 and "Dân số 2019 (người)" in text


def test_selected_commune_is_outlined_and_names_are_escaped(rows, catalogue):
    text = ranked_bars_html(rows, catalogue["population_2019"], "vi")
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    selected = text.split('role="listitem"')[2]
    assert "font-weight:700" in selected and "outline:2px solid #000" in selected
    assert text.count("outline:2px") == 1


def test_category_counts_per_district():
    rows = pd.DataFrame({"district": ["A", "A", "A", "B"], "value_text": ["Đã thí điểm", "Đã thí điểm", "Chưa", "Chưa"],
                         "colour": ["#1f78b4", "#1f78b4", "#fdbf6f", "#fdbf6f"]})
    text = category_counts_html(rows, "vi")
    assert text.index(">A<") < text.index(">B<")            # most communes first
    assert "Chưa: 1 · Đã thí điểm: 2" in text and ">Chưa: 1</span>" in text
    assert [float(w) for w in re.findall(r"width:([\d.]+)%", text)] == pytest.approx([33.3, 66.7, 33.3], abs=0.1)
