"""Recompute ServiceDailyStat / ServiceApplicantYear from the dossiers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tinhso.services.services import stats_rebuild


class Command(BaseCommand):
    help = "Tính lại số liệu thống kê dịch vụ công từ hồ sơ."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = stats_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Đã tính lại {rows} dòng thống kê theo ngày."))
