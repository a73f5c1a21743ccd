"""Email reminders: reports due within N days that are not sent yet (to the unit's officers
and head) and overdue plan tasks (to the responsible head, or to the heads of the responsible
unit when the task names none). Run it once a day (cron / systemd timer); see
``tinhso/monitoring/README.md``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.mail import send_mail
from django.core.management.base import BaseCommand

from tinhso.accounts.models import Role
from tinhso.monitoring.selectors import (
    reports_due_soon,
    task_list,
    today,
    unit_contacts,
)


class Command(BaseCommand):
    help = "Gửi email nhắc hạn báo cáo chuyển đổi số và nhiệm vụ quá hạn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=7, help="Nhắc trước hạn bao nhiêu ngày.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ in, không gửi.")

    def handle(self, *args: Any, **options: Any) -> None:
        due = reports_due_soon(days=options["days"])
        by_unit: dict[int, list[Any]] = defaultdict(list)
        for e in due:
            by_unit[e.unit.pk].append(e)
        contacts = unit_contacts(unit_ids=by_unit, roles=[Role.OFFICER, Role.HEAD])
        sent = 0
        for unit_id, rows in by_unit.items():
            lines = [
                f"- {e.indicator.name} ({e.indicator.code}), {e.period.label}: hạn {e.due:%d/%m/%Y}"
                for e in rows
            ]
            body = (
                f"Kính gửi {rows[0].unit.agency_name},\n\n"
                "Các báo cáo chuyển đổi số sau sắp đến hạn và chưa được gửi:\n"
                + "\n".join(lines)
                + "\n\nVui lòng nhập số liệu kèm minh chứng trên Tỉnh Số "
                "(mục Chuyển đổi số › Báo cáo).\n"
            )
            to = sorted({u.email for u in contacts.get(unit_id, [])})
            if not to:
                continue
            if options["dry_run"]:
                self.stdout.write(f"[thử] {', '.join(to)}: {len(rows)} báo cáo")
            else:
                send_mail("[Tỉnh Số] Nhắc hạn báo cáo chuyển đổi số", body, None, to)
            sent += 1
        overdue = list(task_list(overdue=True))
        unit_heads = unit_contacts(
            unit_ids={t.org_unit_id for t in overdue if t.head is None}, roles=[Role.HEAD]
        )
        heads: dict[Any, list[Any]] = defaultdict(list)
        for t in overdue:
            for head in [t.head] if t.head else unit_heads.get(t.org_unit_id, []):
                if head.is_active and head.email:
                    heads[head].append(t)
        for head, tasks in heads.items():
            body = (
                f"Kính gửi {head.display_name},\n\nCác nhiệm vụ chuyển đổi số sau đã quá hạn "
                f"(tính đến {today():%d/%m/%Y}):\n"
                + "\n".join(
                    f"- {t.title} — {t.org_unit.agency_name}, hạn {t.deadline:%d/%m/%Y}, "
                    f"tiến độ {t.progress}%"
                    for t in tasks
                )
                + "\n"
            )
            if options["dry_run"]:
                self.stdout.write(f"[thử] {head.email}: {len(tasks)} nhiệm vụ quá hạn")
            else:
                send_mail("[Tỉnh Số] Nhiệm vụ chuyển đổi số quá hạn", body, None, [head.email])
            sent += 1
        self.stdout.write(self.style.SUCCESS(f"Đã gửi {sent} thư nhắc."))
