"""Diacritics-insensitive search text: the same normalisation in Python for the stored
column and for the query, so it works identically on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import unicodedata


def search_normalize(text: str) -> str:
    """ "Đăng ký  KHAI SINH" → "dang ky khai sinh" (no accents, lower case, đ → d)."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", stripped.lower()).strip()


def search_terms(query: str) -> list[str]:
    return [t for t in re.split(r"[^0-9a-z.]+", search_normalize(query)) if t]
