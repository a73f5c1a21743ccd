"""Diacritics-insensitive search text: the same normalisation in Python for the stored
column and for the query, so it works identically on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from tinhso.text import fold as search_normalize

__all__ = ["search_normalize", "search_terms"]


def search_terms(query: str) -> list[str]:
    return [t for t in re.split(r"[^0-9a-z.]+", search_normalize(query)) if t]
