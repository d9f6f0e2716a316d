"""Text that comes from data or from people, shown through Streamlit's markdown elements
(st.caption, st.markdown, st.info, st.success, st.toast …).

Markdown would turn ``[x](https://…)`` into a link, ``![](https://…)`` into an outside image,
bare URLs into links and ``$…$`` into maths. Escaping the characters that start those constructs
keeps such text exactly as typed. (HTML goes through ``html.escape`` instead.)
"""
from __future__ import annotations

import re
from collections.abc import Iterable

_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]()<>!#|~$:{}])")
# GFM "autolink literals" are found in the text *after* markdown is parsed (Streamlit's markdown
# uses remark-gfm, whose mdast-util-gfm-autolink-literal rewrites text nodes), so a backslash
# escape does not stop them: "https\://x", "www\.x" and "a@x.vn" were still links in a browser
# (tests/e2e/test_links_browser.py). An invisible WORD JOINER (U+2060) between the parts that the
# patterns need side by side does: after the ":" of "://", after "www" before ".", before "@".
WORD_JOINER = "\u2060"
_SCHEME_SLASHES = re.compile(r":(?=//)")
_WWW = re.compile(r"(?i)(www)(?=\.)")


def plain(text: object) -> str:
    """``text`` for a markdown element (st.caption, st.info …): shown as it is, never as a link,
    an image, maths or formatting. Looks the same; a copy holds invisible word joiners."""
    text = str(text)
    text = _SCHEME_SLASHES.sub(":" + WORD_JOINER, text)
    text = _WWW.sub(r"\1" + WORD_JOINER, text)
    text = text.replace("@", WORD_JOINER + "@")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def notice_params(notices: Iterable) -> str:
    """The URL parameters a page ignored, for its notice: ``size='-1', w='…'`` (values escaped)."""
    return ", ".join(f"{plain(n.param)}={plain(repr(n.value))}" for n in notices)


def css_string(text: str) -> str:
    """``text`` for a CSS string in double quotes (``content: "…"``): quotes, backslashes, line
    breaks and angle brackets escaped, so it can close neither the string nor the style element."""
    return "".join(f"\\{ord(c):x} " if c in '"\\\n\r<>' else c for c in text)
