"""Spot Vietnamese text typed in the pre-Unicode TCVN3 (ABC) or VNI fonts.

Such text is stored as Latin-1 characters that only look Vietnamese in the old .VnTime / VNI-Times
fonts, so the file reads without error but every name is garbled and nothing would match:

- TCVN3 replaces each Vietnamese letter by one Latin-1 symbol: "Cà Mau" is "Cµ Mau", "Thôn" is
  "Th«n", "đ" is "®". Its commonest letters (à á ả ã ạ ă â ê ô ơ ư đ …) all land in the symbol
  block U+00A1–U+00BF, and they sit inside words, right after a consonant, where genuine text
  never has a symbol.
- VNI writes a base letter followed by a "mark key": "Cà Mau" is "Caø Mau", "Việt" is "Vieät",
  "xã" is "xaõ", "đ" is "ñ". A vowel followed by ø û ï ä å ë ü ö õ never occurs in genuine text.

Genuine Unicode Vietnamese is full of precomposed letters U+1EA0–U+1EF9 (ạ ả ấ ầ … ỹ), which the
legacy encodings never produce; a file is called legacy only when the legacy signs outnumber those
letters, so a stray "©" or "·" in a genuine table does not trip the check.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

TCVN3 = "TCVN3 (ABC)"
VNI = "VNI"

MIN_SIGNS = 3
# Enough text to judge any real table while keeping the scan cheap on big sheets.
MAX_SCANNED_CHARS = 200_000

# TCVN3's letters in the symbol block, counted only right after a Latin letter ("Th«n", "Cµ"):
# the symbols themselves ("© 2023", "30°C", "« »") stand apart from words.
_TCVN3_SIGN = re.compile("(?<=[A-Za-z])[¡¢£¤¥¦§¨©ª«¬\u00ad®µ¶·¸¹»¼½¾]")
_VNI_SIGN = re.compile("[aeiouyAEIOUYâêôöÂÊÔÖ][øûïäåëüöõØÛÏÄÅËÜÖÕ]|(?<![^\\W\\d_])[ñÑ]")
_UNICODE_VIETNAMESE = re.compile("[\u1ea0-\u1ef9]")


@dataclass(frozen=True)
class LegacyText:
    encoding: str  # TCVN3 or VNI
    sample: str    # the first text in which the signs were seen, to show the user


def detect_legacy_encoding(texts: Iterable[str]) -> LegacyText | None:
    """Return which legacy encoding the texts are typed in, or None for genuine Unicode."""
    scanned: list[str] = []
    size = 0
    for text in texts:
        scanned.append(unicodedata.normalize("NFC", text))
        size += len(text)
        if size > MAX_SCANNED_CHARS:
            break
    joined = "\n".join(scanned)
    genuine = len(_UNICODE_VIETNAMESE.findall(joined))
    for encoding, sign in ((TCVN3, _TCVN3_SIGN), (VNI, _VNI_SIGN)):
        count = len(sign.findall(joined))
        if count >= MIN_SIGNS and count > genuine:
            sample = next(text for text in scanned if sign.search(text))
            return LegacyText(encoding, sample.strip()[:60])
    return None
