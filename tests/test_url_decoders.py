"""Every URL decoder in views/ with hostile values for every parameter it reads: each one falls back
to its default with a notice and never raises (issue 11 §4). Pages show these notices; an
exception would be a red error box instead."""
import base64
import datetime as dt
import zlib
from dataclasses import replace

import pytest

from indicators.periods import Period
from views.compare.compare_view import read_compare_state
from views.map.state import QueryReader, read_state
from views.plan.plan_state import read_plan
from views.present.presentation import DeckError, decode_deck, read_present_state

INDICATORS = ["pilot_status", "population_2019", "vneid_dossiers"]
DISTRICTS = ["964", "966", "967"]
COMMUNES = ["32005", "31999", "32002"]
PERIODS = {"vneid_dossiers": [Period("2023", 11, 1, dt.date(2023, 12, 31), "UBND", False),
                              Period("2024", 12, 2, dt.date(2024, 12, 31), "UBND", False)]}


def _deck(document: bytes) -> str:
    return "1" + base64.urlsafe_b64encode(zlib.compress(document, 9)).decode().rstrip("=")


# The 77-character deck of the table: 50,000 "[" once inflated.
DEEP_DECK = _deck(b"[" * 50_000)
DEEP_OBJECT_DECK = _deck(b'{"a":' * 12_000)
HOSTILE = [
    "1" * 5000,                          # int() refuses more than 4300 digits (ValueError)
    "9" * 400, "1e999", "-1e999", "nan", "inf", "0x10", "١٢", "²", " 3 ", "3\x00",
    "https://evil.example/dang-nhap", "<img src=x onerror=alert(1)>", "[x](https://evil.example)",
    ",,,", "," * 5000, "a" * 100_000, "\ud800", DEEP_DECK, DEEP_OBJECT_DECK,
]

READERS = {
    "map": (lambda q: read_state(q, INDICATORS, DISTRICTS, COMMUNES),
            ["ind", "scheme", "k", "pal", "breaks", "d", "t", "pilot", "min", "max", "c", "lang"]),
    "plan": (lambda q: read_plan(q, ["vneid_per_1000"], COMMUNES),
             ["w", "adopt", "prox", "size_kind", "size", "dmin", "dmax", "inc", "exc", "tpk", "mpt", "cov"]),
    "compare": (lambda q: read_compare_state(q, PERIODS), ["ind", "a", "b", "mode", "lang"]),
    "present": (lambda q: read_present_state(q, INDICATORS, DISTRICTS), ["deck", "slide", "zoom", "lang"]),
}
CASES = [(reader, name, value) for reader, (_, names) in READERS.items() for name in names for value in HOSTILE]


# Values that no parameter accepts: each must come back as a notice. (Others, such as " 3 " or
# "1e999", are valid for some parameters or ignored as empty lists; they must only not raise.)
NEVER_VALID = {"1" * 5000, "https://evil.example/dang-nhap", "<img src=x onerror=alert(1)>",
               "[x](https://evil.example)", "a" * 100_000, DEEP_DECK, DEEP_OBJECT_DECK}


@pytest.mark.parametrize("reader, name, value", CASES,
                         ids=[f"{r}-{n}-{HOSTILE.index(v)}" for r, n, v in CASES])
def test_a_hostile_value_falls_back_with_a_notice(reader, name, value):
    read, _ = READERS[reader]
    query = {name: value} | ({"scheme": "manual"} if name == "breaks" else {})
    state, notices = read(query)
    assert {n.param for n in notices} <= {name}, notices
    assert all(len(n.value) <= 80 for n in notices)
    if value in NEVER_VALID:
        assert [n.param for n in notices] == [name]
        default, _ = read({"scheme": "manual"} if name == "breaks" else {})
        if (reader, name) == ("plan", "adopt"):      # a list keeps its valid items: here none
            state = replace(state, adoption=default.adoption)
        assert state == default


def test_integer_parameters_refuse_very_long_digit_strings_without_an_exception():
    reader = QueryReader({"k": "1" * 5000})
    assert reader.integer("k", 3, 7, 5) == 5
    assert [n.param for n in reader.notices] == ["k"]


@pytest.mark.parametrize("text", [DEEP_DECK, DEEP_OBJECT_DECK, _deck(b'["\\"[[[[[[[[[[[[[[[[["]')])
def test_a_deeply_nested_deck_is_refused_as_a_deck_error(text):
    """Issue 11: a 77-character deeply nested deck raised an uncaught RecursionError."""
    if text == DEEP_DECK:
        assert len(text) <= 100
    with pytest.raises(DeckError):
        decode_deck(text, INDICATORS, DISTRICTS)
