"""Catalogue, province report, commune table, filters, ranks, formatting and strings."""
import datetime as dt
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators.catalogue import load_catalogue
from indicators.table import Filters, filter_mask, rank_of
from l10n import fmt
from views.overview.scorecard import score_card

CATALOGUE_FIELDS = ("id", "name", "unit", "description", "higher_is_better", "denominator", "source_id",
                    "as_of", "illustrative")


def test_catalogue_has_every_field_and_real_indicators(catalogue, sources):
    for indicator in catalogue.values():
        for field in CATALOGUE_FIELDS:
            assert hasattr(indicator, field)
        assert indicator.name["vi"] and indicator.name["en"]
        assert indicator.source_id in sources
    real = {i.id for i in catalogue.values() if not i.illustrative}
    assert real == {"population_2019", "households_2019", "urban_share_2019", "area_km2", "population_density"}


def test_bad_catalogue_row_is_reported_with_its_row(tmp_path):
    from indicators.catalogue import CATALOGUE_FILE
    lines = CATALOGUE_FILE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",false,true,", ",maybe,true,", 1)
    bad = tmp_path / "indicators.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ValueError, match="dòng 4"):
        load_catalogue(bad)


def test_report_holds_the_conference_figures(report):
    figures = {figure.id: figure for figure in report}
    assert figures["vneid_dossiers"].value == 233_175
    assert (figures["pilot_communes"].value, figures["pilot_communes"].target) == (45, 101)
    assert (figures["national_tasks"].value, figures["national_tasks"].target) == (21, 24)
    assert (figures["steering_tasks"].value, figures["steering_tasks"].target) == (19, 25)
    assert (figures["online_services_422"].value, figures["online_services_422"].target) == (3, 28)
    assert figures["mobile_money"].over and figures["households_guided_share"].over
    assert all(figure.as_of == dt.date(2023, 2, 10) for figure in report)
    assert figures["egov_app"].text["vi"] == "CaMau-G"


def test_scorecards_are_formatted_the_vietnamese_way(report):
    cards = {figure.id: score_card(figure, "vi") for figure in report}
    assert cards["vneid_dossiers"].value == "233.175"
    assert cards["mobile_money"].value == "trên 21.000"
    assert cards["households_guided_share"].value == "trên 26%"
    assert cards["pilot_communes"].value == "45/101" and cards["pilot_communes"].share == pytest.approx(45 / 101)
    assert cards["national_tasks"].value == "21/24"
    english = {figure.id: score_card(figure, "en") for figure in report}
    assert english["vneid_dossiers"].value == "233,175" and english["mobile_money"].value == "over 21,000"


def test_commune_table_computes_real_indicators(table, reference):
    assert len(table) == 101 and table["gso_code"].is_unique
    row = table.set_index("gso_code").loc["32005"]
    assert row["population_2019"] == 14501
    assert row["population_density"] == pytest.approx(14501 / row["area_km2"])
    assert table["population_2019"].sum() == 1_194_476 and table["households_2019"].sum() == 305_290
    assert table["urban_share_2019"].between(0, 100).all()
    rural = reference.population.loc[reference.population["pop2019_urban"].isna(), "gso_code"]
    assert (table.set_index("gso_code").loc[rural, "urban_share_2019"] == 0).all()


def test_pilot_only_indicators_are_missing_outside_pilots(table):
    for column in ("hamlet_teams", "team_members", "households_guided", "households_guided_share"):
        assert table.loc[table["pilot"], column].notna().all()
        assert table.loc[~table["pilot"], column].isna().all()
    guided = table["households_guided"].sum() / table.loc[table["pilot"], "households_2019"].sum()
    assert 0.26 < guided <= 0.265


def test_filters_combine(table, catalogue):
    indicator = catalogue["population_2019"]
    mask = filter_mask(table, indicator, Filters(districts=("964",), types=("Phường",), pilot="pilot"))
    expected = (table["district_code"] == "964") & (table["type"] == "Phường") & table["pilot"]
    assert mask.tolist() == expected.tolist()
    assert filter_mask(table, indicator, Filters()).all()


def test_value_range_excludes_missing_values(table, catalogue):
    indicator = catalogue["hamlet_teams"]
    mask = filter_mask(table, indicator, Filters(value_min=0))
    assert mask.sum() == 45


def test_ranks_share_ties_and_respect_direction(catalogue):
    frame = pd.DataFrame({"gso_code": ["a", "b", "c", "d"], "x": [5.0, 9.0, 9.0, None]})
    higher = replace(catalogue["hamlet_teams"], id="x")
    assert rank_of(frame, higher, "b").position == 1 and rank_of(frame, higher, "c").position == 1
    assert rank_of(frame, higher, "a").position == 3 and rank_of(frame, higher, "a").out_of == 3
    assert rank_of(frame, higher, "d") is None
    lower = replace(higher, higher_is_better="lower")
    assert rank_of(frame, lower, "a").position == 1
    assert rank_of(frame, higher, "b", ["a", "b"]).out_of == 2


@pytest.mark.parametrize("lang, expected", [("vi", ("233.175", "26,5%", "1.234,6 km²")),
                                            ("en", ("233,175", "26.5%", "1,234.6 km²"))])
def test_number_formats(lang, expected):
    assert (fmt.number(233175, 0, lang), fmt.percent(26.5, 1, lang), fmt.with_unit(1234.56, "km²", 1, lang)) == expected
    assert fmt.number(float("nan")) == "—"
    assert fmt.date(dt.date(2023, 2, 10)) == "10/02/2023"


@pytest.mark.parametrize("text, lang, value", [("1.610", "vi", 1610), ("26,5", "vi", 26.5), ("26,5%", "vi", 26.5),
                                               ("26.5", "vi", 26.5), ("1.610,5", "vi", 1610.5), ("1 610", "vi", 1610),
                                               ("1,610.5", "en", 1610.5), ("26.5", "en", 26.5), ("1,610", "en", 1610),
                                               ("-2", "en", -2)])
def test_parse_number(text, lang, value):
    assert fmt.parse_number(text, lang) == value


@pytest.mark.parametrize("text", ["ba", "", "1e999", "nan"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_parse_number_refuses_non_numbers(text, lang):
    with pytest.raises(ValueError):
        fmt.parse_number(text, lang)


@pytest.mark.parametrize("text", ["26,5", "1,61", "1.2.3", ","])
def test_english_parse_refuses_what_it_would_have_to_guess(text):
    with pytest.raises(ValueError):
        fmt.parse_number(text, "en")


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda v: round(v, 3)),
       st.sampled_from(["vi", "en"]))
def test_a_number_written_the_language_s_way_reads_back(value, lang):
    assert fmt.parse_number(fmt.number(value, 3, lang), lang) == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize("text", ["[x](https://evil.example)", "![](http://evil.example/p.png)", "www.evil.example",
                                  "$x^2$", "<b>x</b>", "`code`", "**bold**", "https://evil.example/dang-nhap",
                                  "WWW.Evil.example", "lienhe@evil.example", "<https://evil.example>",
                                  "ftp://evil.example", "mailto:a@evil.example"])
def test_plain_text_cannot_make_markdown_links_images_or_maths(text):
    import re

    from l10n.text import WORD_JOINER, plain
    escaped = plain(text)
    # Every character that could start a link, image, autolink, tag, code span, emphasis or maths is escaped.
    assert not re.search(r"(?<!\\)[\[\]()!<>`$:*]", escaped), escaped
    # GFM autolink literals are found after escapes are resolved (tests/e2e/test_links_browser.py):
    # what they need side by side is kept apart by an invisible word joiner.
    unescaped = escaped.replace("\\", "")
    assert "://" not in unescaped and "www." not in unescaped.lower() and not re.search(r"[\w.+-]@", unescaped)
    # Markdown shows it as typed: removing the escapes and joiners gives the text back.
    assert unescaped.replace(WORD_JOINER, "") == text
