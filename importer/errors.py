"""What the importer says: a code and its parameters, never a sentence.

The importer knows no language. Every refusal (``ImportFileError``), every problem in a table
(``importer.validate.Problem``) and every match reason (``importer.matcher.Match.reason``) carries a
stable ``code`` and ``params`` (numbers as numbers, names and cell texts as the file has them).
The language layer (``l10n.importing``) turns them into sentences in the reader's language.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


def _frozen(params: Mapping | None) -> Mapping:
    return MappingProxyType(dict(params or {}))


@dataclass(frozen=True)
class Message:
    """One translatable statement: ``code`` names it, ``params`` fill it in. A parameter may
    itself be a ``Message`` or a tuple of them (a reason inside a problem)."""

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "params", _frozen(self.params))

    def __reduce__(self):  # a mappingproxy cannot be pickled; the child process sends messages back
        return (Message, (self.code, dict(self.params)))

    def __hash__(self):
        return hash((self.code, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))


class ImportFileError(Exception):
    """A file, sheet or layout that cannot be imported.

    ``code`` is machine-readable and stable; ``params`` say what was found and which limit applies
    (the file name is ``params["file"]`` when the file is concerned); ``detail`` is technical
    context in no particular language (the library's error, a sample of garbled text) for logs.

    Codes raised by the reader: ``empty``, ``too_large``, ``not_spreadsheet``, ``corrupt``,
    ``encrypted``, ``xls_unsupported``, ``legacy_encoding``, ``unknown_encoding``, and the bounds of
    ``importer.limits``: ``too_many_rows``, ``too_many_columns``, ``too_many_cells``,
    ``text_too_long``, ``too_many_merged``, ``too_many_sheets``, ``too_many_parts``,
    ``unpacked_too_large``. Codes raised by the layout detection: ``no_sheet``, ``no_table``,
    ``no_table_in_sheet``, ``no_data``, ``bad_header_rows``, ``bad_data_rows``;
    by the pipeline ``bad_mapping``; by the isolated parse ``parse_timeout``, ``parse_memory``,
    ``parse_failed``; by the editing service ``invalid``.
    """

    def __init__(self, code: str, params: Mapping | None = None, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.params = _frozen(params)
        self.detail = detail

    @property
    def message(self) -> Message:
        return Message(self.code, self.params)

    def __reduce__(self):
        return (ImportFileError, (self.code, dict(self.params), self.detail))

    def __str__(self) -> str:
        return f"{self.code} {dict(self.params)}" + (f" ({self.detail})" if self.detail else "")

    def __repr__(self) -> str:
        return f"ImportFileError({self.code!r}, {dict(self.params)!r}, {self.detail!r})"
