"""Diacritics-insensitive text: ``fold("Đồng Nai")`` → ``"dong nai"``.

Searching folded text with a plain substring match works the same on SQLite and PostgreSQL
(no ``unaccent`` extension needed) and handles Vietnamese fully, including đ/Đ.
"""

from __future__ import annotations

import re

from tinhso.text import fold

__all__ = ["column_id", "fold", "fold_terms", "search_text"]

_NON_WORD = re.compile(r"[^a-z0-9]+")


def fold_terms(text: str) -> list[str]:
    return [t for t in _NON_WORD.sub(" ", fold(text)).split(" ") if t]


def search_text(text: str) -> str:
    """Folded words padded with spaces: a term matches a word start with ``" " + term``."""
    return f" {' '.join(fold_terms(text))} "


def column_id(label: str) -> str:
    """An ASCII identifier for a column header: "Tên trường" → "ten_truong"."""
    ident = _NON_WORD.sub("_", fold(label)).strip("_")
    if not ident:
        return "cot"
    if ident[0].isdigit():
        ident = f"c_{ident}"
    return ident[:63]
