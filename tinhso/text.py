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


# ---------------------------------------------------------------------------------------
# Texts the platform stores in its own (Vietnamese) words and shows in the reader's language
# ---------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(template)  # literal, name, literal, name, …, literal
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)),
        re.DOTALL,
    )


def stored_match(text: str, templates: tuple[str, ...]) -> tuple[str, dict[str, str]] | None:
    """The template (marked with ``gettext_noop`` where it is written) that a stored text was
    filled in from, with its parameters; ``None`` for any other text (what a user typed)."""
    for template in templates:
        m = _template_pattern(template).fullmatch(text or "")
        if m is not None:
            return template, m.groupdict()
    return None
