"""Names of a feedback item's history events. They are stored in Vietnamese, the platform's
source language (the history is the record, whoever acted and in whichever language), and
translated when shown (``event_name_display``)."""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop, override

from tinhso.text import stored_match

RECEIVED = gettext_noop("Tiếp nhận phản ánh, kiến nghị")
SENDER_ADDED = gettext_noop("Người gửi bổ sung thông tin")
FORWARDED = gettext_noop("Chuyển %(unit)s xử lý")
CLOSED_OUT_OF_SCOPE = gettext_noop("Đóng: ngoài thẩm quyền giải quyết")
DRAFTED = gettext_noop("Dự thảo trả lời, trình lãnh đạo duyệt")
DRAFT_RETURNED = gettext_noop("Lãnh đạo trả lại dự thảo")
ANSWERED = gettext_noop("Đã trả lời người gửi")
PUBLISHED = gettext_noop("Công khai câu trả lời")
RATED = gettext_noop("Người gửi đánh giá: %(rating)s")

_WITH_PARAMS = (FORWARDED, RATED)


def event_name(template: str, **params: object) -> str:
    """The name to store: the Vietnamese template, its parameters in Vietnamese too."""
    with override("vi"):
        return template % {k: str(v) for k, v in params.items()} if params else template


def event_name_display(name: str) -> SafeString:
    """A stored event name in the reader's language; a unit's name stays as published (marked
    ``lang="vi"``), a rating's label is translated."""
    found = stored_match(name, _WITH_PARAMS)
    if found is None:
        return format_html("{}", gettext(name) if name else "")
    template, params = found
    if template == RATED:
        return format_html("{}", gettext(template) % {"rating": gettext(params["rating"])})
    return format_html(
        gettext(template).replace("%(unit)s", "{}"),
        format_html('<span lang="vi">{}</span>', params["unit"]),
    )
