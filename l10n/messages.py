"""Every interface string, from the gettext catalogues ``l10n/locales/{vi,en}/LC_MESSAGES/messages.po``.

Message ids are stable keys ("map.title"), so a wording can change in either language without
touching the code. Vietnamese is the default and the fallback. The catalogues are compiled with
Babel when first used (no compiled files to keep in step). Counts use real plural forms
(``tn``): English has two, Vietnamese one.

Code names every key it uses literally, in ``t("…")``, ``tn("…", n)`` or, for keys picked at run
time from a table, ``N_("…")``: tests/test_l10n.py runs ``pybabel extract`` and checks that both
catalogues have every extracted key with the same placeholders, and nothing else.
"""
from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LOCALE_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _translations(lang: str) -> gettext.GNUTranslations:
    with catalogue_path(lang).open("rb") as po:
        catalogue = read_po(po, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    translations = gettext.GNUTranslations(compiled)
    if lang != DEFAULT_LANGUAGE:
        translations.add_fallback(_translations(DEFAULT_LANGUAGE))
    return translations


def _language(lang: str) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def N_(key: str) -> str:
    """Mark a key that code picks from a table at run time, so that extraction finds it."""
    return key


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The message ``key`` in ``lang`` (Vietnamese when the language is unknown), with ``values``
    filled into its ``{placeholders}``."""
    text = _translations(_language(lang)).gettext(key)
    return text.format(**values) if values else text


def tn(key: str, count: int, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The plural message ``key`` in the form ``lang`` uses for ``count``; ``{count}`` and
    ``values`` are filled in."""
    text = _translations(_language(lang)).ngettext(key, key, int(count))
    return text.format(count=count, **values)
