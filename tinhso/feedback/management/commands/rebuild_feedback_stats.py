"""Recompute FeedbackMonthlyStat from the feedback rows."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tinhso.feedback.services import feedback_stats_rebuild


class Command(BaseCommand):
    help = "Tính lại số liệu thống kê phản ánh, kiến nghị theo đơn vị và tháng."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = feedback_stats_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Đã tính lại {rows} dòng thống kê theo tháng."))
