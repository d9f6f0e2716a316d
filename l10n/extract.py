"""A Babel extraction method for this project's message keys (see babel.cfg).

Babel's own Python extractor does not look inside f-strings before Python 3.12, where many
``t("…")`` calls sit; this one walks the syntax tree, so it finds every call of a keyword
function (``t``, ``tn``, ``N_``) whose first argument is a string literal, wherever it is.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator


def extract_keys(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, tuple[str], list[str]]]:
    source = fileobj.read().decode(options.get("encoding", "utf-8"))
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in keywords):
            continue
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            yield node.lineno, node.func.id, (first.value,), []
