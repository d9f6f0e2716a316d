"""The gettext catalogues: every key the code names is in both languages with the same
placeholders, nothing else is, plural forms are real, and no key is built at run time."""
import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from l10n.messages import LANGUAGES, catalogue_path, t, tn

REPO = Path(__file__).resolve().parent.parent
KEYWORDS = ["t", "tn", "N_"]
PLACEHOLDER = re.compile(r"\{(\w+)[^{}]*\}")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, list[str]]:
    """Key → where it is used, from ``pybabel extract`` over the app's code."""
    template = tmp_path_factory.mktemp("pot") / "messages.pot"
    command = [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "--no-default-keywords",
               *[f"-k{keyword}" for keyword in KEYWORDS], "-o", str(template), "."]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True, timeout=120,
                   env=os.environ | {"PYTHONPATH": str(REPO)})
    with template.open("rb") as handle:
        catalogue = read_po(handle)
    return {message.id if isinstance(message.id, str) else message.id[0]: [f"{path}:{line}" for path, line in
                                                                            message.locations]
            for message in catalogue if message.id}


@pytest.fixture(scope="module")
def catalogues():
    loaded = {}
    for lang in LANGUAGES:
        with catalogue_path(lang).open("rb") as handle:
            loaded[lang] = read_po(handle, locale=lang)
    return loaded


def forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]


def test_every_extracted_key_is_translated_in_both_languages(extracted, catalogues):
    for lang, catalogue in catalogues.items():
        missing = {key: where for key, where in extracted.items()
                   if catalogue.get(key) is None or not all(forms(catalogue.get(key)))}
        assert not missing, f"{lang}: keys without a translation: {missing}"


def test_catalogues_hold_no_key_the_code_does_not_use(extracted, catalogues):
    for lang, catalogue in catalogues.items():
        unused = sorted(message.id if isinstance(message.id, str) else message.id[0]
                        for message in catalogue if message.id)
        unused = [key for key in unused if key not in extracted]
        assert not unused, f"{lang}: keys no code uses (mark table keys with N_): {unused}"


def test_placeholders_match_across_languages_and_plural_forms(catalogues):
    vi, en = catalogues["vi"], catalogues["en"]
    for message in vi:
        if not message.id:
            continue
        other = en.get(message.id)
        wanted = {frozenset(PLACEHOLDER.findall(text)) for text in forms(message) + forms(other)}
        assert len(wanted) == 1, f"{message.id}: placeholders differ: {forms(message)} / {forms(other)}"


def test_plural_entries_have_the_language_s_number_of_forms(catalogues):
    for lang, catalogue in catalogues.items():
        for message in catalogue:
            if message.pluralizable:
                assert len(forms(message)) == catalogue.num_plurals, (lang, message.id)


def test_no_key_is_built_at_run_time():
    """A key made with an f-string or chosen by a conditional inside t() is invisible to the
    extraction; such code uses a table of N_() keys instead."""
    found = []
    for path in REPO.rglob("*.py"):
        if {".venv", "tests", "benchmarks"} & set(path.relative_to(REPO).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS
                    and node.args and isinstance(node.args[0], (ast.JoinedStr, ast.IfExp, ast.BinOp))):
                found.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not found, found


def test_plural_forms_are_real():
    assert [tn("legend.count", n, "en") for n in (0, 1, 2)] == ["0 communes", "1 commune", "2 communes"]
    assert [tn("legend.count", n, "vi") for n in (1, 2)] == ["1 xã", "2 xã"]


def test_unknown_language_falls_back_to_vietnamese():
    assert t("app.title", "fr") == t("app.title", "vi") == "Bản đồ chuyển đổi số Cà Mau"
    assert t("app.title", "en") == "Cà Mau digital transformation map"
