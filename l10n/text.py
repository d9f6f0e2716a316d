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
_WWW = re.compile(r"(?i)\b(www)\.")


def plain(text: object) -> str:
    """``text`` escaped so that markdown shows it as it is."""
    return _WWW.sub(r"\1\\.", _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)))


def notice_params(notices: Iterable) -> str:
    """The URL parameters a page ignored, for its notice: ``size='-1', w='…'`` (values escaped)."""
    return ", ".join(f"{plain(n.param)}={plain(repr(n.value))}" for n in notices)


def css_string(text: str) -> str:
    """``text`` for a CSS string in double quotes (``content: "…"``): quotes, backslashes, line
    breaks and angle brackets escaped, so it can close neither the string nor the style element."""
    return "".join(f"\\{ord(c):x} " if c in '"\\\n\r<>' else c for c in text)
