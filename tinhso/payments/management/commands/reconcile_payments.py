from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from tinhso.payments.receipts import format_vnd
from tinhso.payments.services import payments_reconcile


class Command(BaseCommand):
    help = (
        "Đối soát: liệt kê các khoản thanh toán trực tuyến còn 'chờ' quá thời hạn, hỏi cổng "
        "thanh toán (querydr) và cập nhật (đã thanh toán / không thành công / hết hạn)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Số phút kể từ khi tạo (mặc định PAYMENTS_RECONCILE_AFTER_MINUTES).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Chỉ liệt kê, không hỏi cổng thanh toán."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        older = options["older_than"]
        lines = payments_reconcile(
            older_than=dt.timedelta(minutes=older) if older is not None else None,
            dry_run=options["dry_run"],
        )
        if not lines:
            self.stdout.write("Không có khoản thanh toán nào cần đối soát.")
            return
        for line in lines:
            self.stdout.write(
                f"{line.txn_ref:<18} {format_vnd(line.amount):>16} "
                f"{line.created_at:%d/%m/%Y %H:%M}  {line.before} → {line.after}"
                + (f"  [{line.outcome}] {line.message}" if line.outcome else "")
            )
        settled = sum(1 for line in lines if line.after != line.before)
        self.stdout.write(
            self.style.SUCCESS(f"Đã đối soát {len(lines)} khoản, {settled} thay đổi.")
        )
