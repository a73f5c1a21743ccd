"""Published answers as an open data table (rows only: ``tinhso.web.platform_data``
publishes them through the data app, which must not import feedback). Only what the
public page shows: the texts with personal data removed, no sender."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Max, Min
from django.utils import timezone

from tinhso.feedback.models import Feedback
from tinhso.feedback.selectors import feedback_published
from tinhso.services import deadlines

PUBLISHED_HEADER = [
    "Số phản ánh",
    "Loại",
    "Tiêu đề",
    "Nội dung",
    "Mã thủ tục",
    "Tên thủ tục",
    "Mã đơn vị trả lời",
    "Đơn vị trả lời",
    "Ngày tiếp nhận",
    "Ngày trả lời",
    "Trả lời",
]
PUBLISHED_TYPES = {"so_phan_anh": "text", "ma_thu_tuc": "text", "ma_don_vi_tra_loi": "text"}


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment, deadlines.TZ).date().isoformat() if moment else ""


def published_rows(*, on: dt.date) -> Iterator[list[Any]]:
    """One row per published answer, oldest first (stable between publications)."""
    qs = feedback_published().order_by("published_at", "pk")
    for fb in qs.iterator(chunk_size=1000):
        yield [
            fb.number,
            str(fb.get_category_display()),
            fb.public_subject,
            fb.public_question,
            fb.procedure.code if fb.procedure else "",
            fb.procedure.name if fb.procedure else "",
            fb.org_unit.code,
            fb.org_unit.agency_name,
            _day(fb.received_at),
            _day(fb.answered_at),
            fb.answer,
        ]


def published_period() -> tuple[dt.date | None, dt.date | None]:
    span = Feedback.objects.filter(published_at__isnull=False).aggregate(
        start=Min("received_at"), end=Max("answered_at")
    )
    return (
        timezone.localtime(span["start"], deadlines.TZ).date() if span["start"] else None,
        timezone.localtime(span["end"], deadlines.TZ).date() if span["end"] else None,
    )
