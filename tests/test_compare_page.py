"""AppTest of the period comparison page in both languages: the sample alone (one period), and two
published versions of different periods (side by side, change map, URL state, hostile links)."""
import datetime as dt
import json
import re

import pytest
import streamlit as st

from indicators.catalogue import load_catalogue
from indicators.sample import read_sample_csv
from indicators.sample_version import ensure_sample_version
from storage import datasets
from storage.db import make_engine, upgrade
from tests.apptest import fresh_app
from tests.html_tables import tables_in

HOSTILE = "<img src=x onerror=alert(1)>"
MISSING_COMMUNE = "32002"
TEXT = {
    "vi": {"one": "chỉ có một kỳ số liệu", "change": "Thay đổi (B − A)", "mixed": "không phản ánh thay đổi thật",
           "denominator": "Mẫu số: Dân số 2019", "illustrative": "Dữ liệu minh họa", "notice": "Tham số liên kết"},
    "en": {"one": "only one period", "change": "Change (B − A)", "mixed": "is not a real change",
           "denominator": "Denominator: Population 2019", "illustrative": "Illustrative data",
           "notice": "Invalid link parameters"},
}


def seed(two_periods: bool) -> None:
    """A fresh database with the sample as version 0 and, optionally, an official 2023 table:
    one more team in every pilot commune, 30 % more households guided, 20 % more VNeID dossiers
    everywhere except one commune, which the table leaves out."""
    engine = make_engine()
    upgrade(engine)
    sample = read_sample_csv()
    ensure_sample_version(engine, sample, load_catalogue())
    if two_periods:
        pilots = sample[sample["pilot"]]
        figures = [(c, "hamlet_teams", float(n + 1)) for c, n in zip(pilots["gso_code"], pilots["teams"])]
        figures += [(c, "households_guided", float(round(n * 1.3)))
                    for c, n in zip(pilots["gso_code"], pilots["hh_guided"])]
        figures += [(c, "vneid_dossiers", float(round(n * 1.2)))
                    for c, n in zip(sample["gso_code"], sample["vneid_dossiers"])
                    if c != MISSING_COMMUNE]
        with engine.begin() as connection:
            version = datasets.create_version(
                connection, period="2023", as_of=dt.date(2023, 12, 31), source="UBND tỉnh Cà Mau", illustrative=False,
                created_by="editor", file_name="bao_cao_2023.xlsx", file_sha256="b" * 64, sheet="Sheet1",
                rows_read=101, rows_matched=101, rows_rejected=0, note="", figures=figures, report=[])
            datasets.publish(connection, version.id, "editor")
    engine.dispose()


@pytest.fixture
def own_database(monkeypatch, tmp_path):
    """The page reads a database of this test's own: others publish versions in the shared one."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CAMAU_STATE_DIR", str(tmp_path))
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()   # later tests must not get this database's cached engine


def open_compare(lang, **params):
    at = fresh_app()
    at.query_params["lang"] = lang
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, at.exception
    return at


def payloads(at):
    payloads = []
    for component in at.get("component_instance"):
        args = json.loads(component.proto.json_args)
        match = re.search(r"window\.camauChoropleth\(\w+, (\{.*\})\);", args["feature_group"], re.S)
        payloads.append(json.loads(match.group(1).replace("<\\/", "</")))
        assert "https://" not in args["script"] + args["feature_group"]
        assert args["returned_objects"] == []      # panning and zooming do not rerun the page
    return payloads


def language(lang):
    """The URL's lang parameter: left out for Vietnamese, the default."""
    return {} if lang == "vi" else {"lang": lang}


def texts(elements):
    return " ".join(e.value for e in elements)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_sample_alone_shows_its_one_period_and_how_a_second_arrives(own_database, lang):
    seed(two_periods=False)
    at = open_compare(lang)
    words = TEXT[lang]
    assert words["one"] in at.info[0].value and "2022" in at.info[0].value
    assert words["illustrative"] in at.warning[0].value
    [payload] = payloads(at)
    assert len(payload["styles"]) == 101 and "2022" in payload["header"]
    assert all(box.disabled for box in at.selectbox[1:]) and at.radio(key="w_cmp_mode").disabled
    assert dict(at.query_params) == {"ind": "hamlet_teams", "a": "2022", "b": "2022"} | language(lang)
    [table] = tables_in(at)
    assert len(table) == 101 and table.columns[-1].endswith("2022")
    assert words["illustrative"] in table.columns[-1]
    assert words["illustrative"] in " ".join(e.proto.body for e in at.get("html"))   # the table's caption


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_two_periods_side_by_side_with_the_same_classes(own_database, lang):
    seed(two_periods=True)
    at = open_compare(lang, ind="vneid_per_1000")
    words = TEXT[lang]
    first, second = payloads(at)                   # two maps, distinct keys (else Streamlit raises)
    assert "2022" in first["header"] and "2023" in second["header"]
    assert words["illustrative"] in first["footer"] and words["illustrative"] not in second["footer"]
    assert set(second["colours"]) - set(first["colours"]) <= {"#bdbdbd"}   # one set of classes
    assert second["values"][MISSING_COMMUNE] == 0                        # "no data"
    statements = texts(at.caption)
    assert "2022" in statements and "10/02/2023" in statements and "31/12/2023" in statements
    assert statements.count(words["denominator"]) == 2                  # both periods state it
    assert words["mixed"] in texts(at.warning)
    legend = " ".join(e.proto.body for e in at.get("html") if "camau-legend-row" in e.proto.body)
    assert "2022: " in legend and "2023: " in legend
    [table] = tables_in(at)
    assert len(table) == 101 and len(table.columns) == 6 and words["change"] in table.columns
    assert dict(at.query_params) == {"ind": "vneid_per_1000", "a": "2022", "b": "2023"} | language(lang)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_change_map_from_the_link(own_database, lang):
    seed(two_periods=True)
    at = open_compare(lang, ind="hamlet_teams", a="2022", b="2023", mode="change")
    [payload] = payloads(at)
    assert len(payload["styles"]) == 101 and "2022" in payload["header"] and "2023" in payload["header"]
    # Every pilot gained one team (the first increase class); the others have no team in either period.
    assert set(payload["colours"]) == {"#d1e5f0", "#bdbdbd"}
    [table] = tables_in(at)
    rows = table.set_index(table.columns[0])
    assert rows.loc["32005", TEXT[lang]["change"]].startswith("+1 ")          # Phường 1, a pilot commune
    assert at.radio(key="w_cmp_mode").value == "change"


def test_widgets_write_the_state_to_the_url(own_database):
    seed(two_periods=True)
    at = open_compare("vi")
    assert dict(at.query_params)["ind"] == "hamlet_teams" and len(payloads(at)) == 2
    at.radio(key="w_cmp_mode").set_value("change").run()
    assert not at.exception and dict(at.query_params)["mode"] == "change" and len(payloads(at)) == 1
    at.selectbox[1].set_value("2023").run()             # A = B: one map and a notice
    assert not at.exception and "cùng một kỳ" in texts(at.warning) and len(payloads(at)) == 1
    at.selectbox[0].set_value("team_members").run()     # one period only: its periods replace the old ones
    assert not at.exception
    assert dict(at.query_params) == {"ind": "team_members", "a": "2022", "b": "2022", "mode": "change"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_hostile_link_gives_a_notice_not_an_exception(own_database, lang):
    seed(two_periods=True)
    at = open_compare(lang, ind=HOSTILE, a="1999", b=HOSTILE, mode="3d")
    notice = texts(at.caption)
    assert TEXT[lang]["notice"] in notice and "ind=" in notice and "mode=" in notice
    assert len(payloads(at)) == 2
    assert dict(at.query_params)["ind"] == "hamlet_teams"
    assert HOSTILE not in " ".join(e.proto.body for e in at.get("html"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_two_periods_compared_on_the_2025_units(own_database, lang):
    seed(two_periods=True)
    at = open_compare(lang, ind="vneid_dossiers", a="2022", b="2023", mode="change", units="2025")
    [payload] = payloads(at)
    assert len(payload["styles"]) == 64 and "communes-2025-" in payload["communes_url"]
    missing = payload["missing"]
    assert "2022" in missing["1"] or "2023" in missing["1"]
    assert payload["values"]["31825"] == 2                      # former Bạc Liêu: no data in either period
    # An Xuyên took in Phường 4 (32002), which the 2023 table left out: no change can be said.
    assert payload["values"]["32002"] == 1
    assert isinstance(payload["values"]["32025"], str)          # Tân Thành: a (converted) change
    assert payload["notes"]["32025"] == ("Quy đổi từ đơn vị cũ; ước tính: có xã cũ bị chia, phần của nó tính theo "
                                         "tỷ lệ diện tích" if lang == "vi" else
                                         "Converted from the former units; estimate: a former commune was split and "
                                         "its part taken by share of area")
    [table] = tables_in(at)
    assert len(table) == 64
    assert dict(at.query_params) == {"ind": "vneid_dossiers", "a": "2022", "b": "2023", "mode": "change",
                                     "units": "2025"} | language(lang)
    at.radio(key="w_cmp_units").set_value("2023").run()
    assert not at.exception and len(payloads(at)[0]["styles"]) == 101 and "units" not in at.query_params
