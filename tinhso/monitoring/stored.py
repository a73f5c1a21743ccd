"""Texts the platform writes into the database itself (a scoring criterion's detail, the source
of an interpolated or cascaded target, a criterion's default evidence) are stored in Vietnamese,
the source language, and never translated when stored: the stored text is the same whoever
computed it. Each comes from one of the templates below (marked with ``gettext_noop``), and
``stored_display`` translates it when it is shown, by matching the stored text back to its
template. Any other stored text (a catalogue's own text, what a user typed) is shown as it is.
"""

from __future__ import annotations

import re
from functools import cache

from django.utils.translation import gettext, gettext_noop

# a scoring criterion's detail (ComponentResult.detail)
DETAIL_UNMEASURED = gettext_noop("chưa đo được trên nền tảng")
DETAIL_FEEDBACK = gettext_noop("%(numerator)s/%(denominator)s phản ánh")
DETAIL_NO_FEEDBACK = gettext_noop("không có phản ánh trong kỳ: không áp dụng")
DETAIL_RATIO = "%(numerator)s/%(denominator)s"  # numbers only: nothing to translate
DETAIL_NO_DOSSIERS = gettext_noop("không có hồ sơ")
DETAIL_PROCEDURES = gettext_noop("%(numerator)s/%(denominator)s thủ tục")
DETAIL_NO_PROCEDURES = gettext_noop("chưa có số liệu thủ tục")
DETAIL_PEOPLE = gettext_noop("%(numerator)s/%(denominator)s người")
DETAIL_NO_POPULATION = gettext_noop("chưa có số liệu dân số")
DETAIL_NOT_REPORTED = gettext_noop("chưa báo cáo")
DETAIL_YEAR_SUM = gettext_noop("cộng các kỳ năm %(year)s")
DETAIL_PERIOD = gettext_noop("báo cáo kỳ %(period)s")
DETAIL_UNKNOWN = gettext_noop("không xác định")

# a target's source (Target.source)
SOURCE_INTERPOLATED = gettext_noop("Nội suy giữa %(start)s và %(end)s")
SOURCE_CASCADED = gettext_noop("Giao theo chỉ tiêu của tỉnh — %(source)s")

# a scoring criterion's defaults (Component.evidence, Component.verifier)
EVIDENCE_STATS = gettext_noop("Số liệu dịch vụ công trên nền tảng")
EVIDENCE_REPORT = gettext_noop("Báo cáo của đơn vị kèm minh chứng")
VERIFIER = gettext_noop("Văn phòng chuyển đổi số tỉnh")

TEMPLATES = (
    DETAIL_UNMEASURED,
    DETAIL_FEEDBACK,
    DETAIL_NO_FEEDBACK,
    DETAIL_NO_DOSSIERS,
    DETAIL_PROCEDURES,
    DETAIL_NO_PROCEDURES,
    DETAIL_PEOPLE,
    DETAIL_NO_POPULATION,
    DETAIL_NOT_REPORTED,
    DETAIL_YEAR_SUM,
    DETAIL_PERIOD,
    DETAIL_UNKNOWN,
    SOURCE_INTERPOLATED,
    SOURCE_CASCADED,
    EVIDENCE_STATS,
    EVIDENCE_REPORT,
    VERIFIER,
)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def stored_text(template: str, **params: object) -> str:
    """The text to store: the Vietnamese template, filled in."""
    return template % params if params else template


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for template in TEMPLATES:
        parts = _PLACEHOLDER.split(template)  # literal, name, literal, name, …, literal
        rx = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        out.append((template, re.compile(rx, re.DOTALL)))
    return tuple(out)


def stored_display(text: str) -> str:
    """A stored text in the current language: translated when the platform wrote it from one
    of the templates, as it is otherwise."""
    for template, rx in _patterns():
        m = rx.fullmatch(text)
        if m is not None:
            params = m.groupdict()
            return gettext(template) % params if params else gettext(template)
    return text
