"""Embed codes for the public map (the static site, publicsite/): an iframe snippet and a plain
share link. Both give the same page, which fills whatever frame or window it is in."""
from __future__ import annotations

import html
import os
from urllib.parse import urlencode

from views.public.public_state import PublicState, public_query

PUBLIC_URL_ENV = "CAMAU_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8502/"


def public_indicators(catalogue, include_illustrative: bool = False) -> list[str]:
    """The indicators the public view shows: those the catalogue marks public, without the
    illustrative ones unless the setting asks for them."""
    return [i.id for i in catalogue.values() if i.public and (include_illustrative or not i.illustrative)]


def public_base_url() -> str:
    """Where the public server is reached by readers (a setting; the README explains it)."""
    url = os.environ.get(PUBLIC_URL_ENV, "").strip() or DEFAULT_PUBLIC_URL
    return url if url.endswith("/") else url + "/"


def share_link(base_url: str, state: PublicState) -> str:
    return f"{base_url}?{urlencode(public_query(state))}"


def embed_code(base_url: str, state: PublicState, title: str, width: int = 600) -> str:
    """An iframe that a news site can paste as it is. Attribute values are escaped."""
    src = html.escape(share_link(base_url, state), quote=True)
    label = html.escape(title, quote=True)
    return (f'<iframe src="{src}" title="{label}" aria-label="{label}" width="{int(width)}" '
            f'height="{int(state.height)}" style="border:0;max-width:100%" loading="lazy"></iframe>')
