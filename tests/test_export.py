"""CSV exports open in Excel with Vietnamese intact and never run a formula."""
import csv
import io

import pandas as pd
import pytest

from reports.tables import csv_bytes, neutralise


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\")", "\tx", "\rx"])
def test_formula_like_text_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Phường 1", "<script>alert(1)</script>", 12, -5, 3.5, None, ""])
def test_other_values_are_unchanged(value):
    assert neutralise(value) == value


def test_csv_has_bom_vietnamese_and_no_live_formula():
    frame = pd.DataFrame({"Xã": ["Phường 1", "=cmd|'/c calc'!A1"], "=Giá trị": [-5, 7]})
    data = csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Xã", "'=Giá trị"]
    assert rows[1] == ["Phường 1", "-5"]          # numbers stay numbers
    assert rows[2][0] == "'=cmd|'/c calc'!A1"
