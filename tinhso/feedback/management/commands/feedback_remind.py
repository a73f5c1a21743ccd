"""E-mail the units about feedback due within one working day or overdue (once a day per
feedback). The background worker schedules ``feedback_reminders_send``; this command runs
the same function by hand or from cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from tinhso.feedback.services import feedback_reminders_send


class Command(BaseCommand):
    help = "Nhắc các đơn vị về phản ánh, kiến nghị sắp đến hạn hoặc quá hạn."

    def handle(self, *args: Any, **options: Any) -> None:
        count = feedback_reminders_send(now=timezone.now())
        self.stdout.write(self.style.SUCCESS(f"Đã nhắc {count} phản ánh, kiến nghị."))
