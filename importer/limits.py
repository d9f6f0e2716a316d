"""The bounds of one import, checked before anything is parsed.

A commune table has at most a few hundred rows (101 communes, their district rows, a letterhead
and a signature block) and a few dozen columns. The limits below leave ten times that room or
more, and they bound the work and the memory of any file, however it was made: a 5 KB xlsx that
declares a cell at XFD1048576, a CSV of 200,000 empty lines, 20 million empty ``<c/>`` cells, a
300 MB shared string. A file over a limit is refused with the limit in the message.
"""
from __future__ import annotations

# The upload itself (the page and manage.py pass the configured limit, CAMAU_MAX_UPLOAD_MB).
MAX_FILE_BYTES = 10 * 1024 * 1024

# One sheet: its last used row and column (a commune table: ~150 rows, ~20 columns).
MAX_ROWS = 5_000
MAX_COLUMNS = 200            # column GR
# Every stored cell of the workbook together, empty formatted cells included (an xlsx's <c>
# elements, a CSV's fields). A full 101-row report with notes has about 3,000.
MAX_CELLS = 250_000
# One cell's text: Excel's own limit.
MAX_CELL_CHARS = 32_767
# xlsx parts: what openpyxl would have to read, measured while unpacking (the sizes a zip
# declares can lie). A full report's largest part is about 100 KB.
MAX_PART_BYTES = 32 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_ZIP_MEMBERS = 1_000
MAX_SHEETS = 100
MAX_MERGED_RANGES = 5_000

# The fuzzy name step (about 1–2 ms a row) runs only on rows that look like a unit's name, and on
# at most this many rows of one table; later rows are left unmatched with the reason.
MAX_FUZZY_ROWS = 400

# The isolated parse (importer.isolation): the child's memory on top of what it holds when it
# starts, and its wall-clock time.
PARSE_MEMORY_BYTES = 256 * 1024 * 1024
PARSE_TIMEOUT_SECONDS = 20.0
# Other XML parts openpyxl reads whole (styles, theme, workbook, relationships): a real one has
# a few kilobytes to a few hundred.
MAX_XML_PART_BYTES = 4 * 1024 * 1024
