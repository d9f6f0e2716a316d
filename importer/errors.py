"""The one error type the importer raises for a file it cannot use."""
from __future__ import annotations


class ImportFileError(Exception):
    """A file, sheet or layout that cannot be imported.

    ``code`` is machine-readable and stable; ``message`` is a complete Vietnamese sentence for the
    data steward (what is wrong, in which file or sheet, what to do); ``detail`` is technical
    context (the library's error, the sheet names, a sample of garbled text) for logs and experts.

    Codes raised by the reader: ``empty``, ``too_large``, ``not_spreadsheet``, ``corrupt``,
    ``encrypted``, ``xls_unsupported``, ``legacy_encoding``, ``unknown_encoding``.
    Codes raised by the layout detection: ``no_sheet``, ``no_table``, ``no_data``, ``bad_override``.
    """

    def __init__(self, code: str, message: str, detail: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail

    def __repr__(self) -> str:
        return f"ImportFileError({self.code!r}, {self.message!r}, {self.detail!r})"
