"""Vietnamese text folding shared by every app's search.

``fold("Đăng ký  KHAI SINH")`` → ``"dang ky khai sinh"``: accents removed, đ → d, lower case,
white space collapsed. Stored folded columns are searched with plain substring matches, which
behave the same on SQLite and PostgreSQL (no ``unaccent`` extension needed).
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.lower()).strip()
