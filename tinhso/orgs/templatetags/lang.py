"""Data in its own language: ``{{ unit.agency_name|vi }}`` renders
``<span lang="vi">UBND phường Dĩ An</span>``.

Names of units and people, catalogue texts, dataset titles and what people typed stay in
Vietnamese on an English page; marking them lets a screen reader say them in Vietnamese (WCAG
3.1.2, Language of Parts) and lets the English-pages walk tell them from the platform's own
words (``tinhso/web/tests/test_english_pages.py``). For text content only (not attributes,
``<title>`` or ``<option>``).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def vi(value: Any) -> SafeString | str:
    if value is None or value == "":
        return "" if value is None else value
    return format_html('<span lang="vi">{}</span>', value)
