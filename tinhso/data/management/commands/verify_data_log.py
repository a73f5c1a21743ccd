from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tinhso.data.selectors import accesslog_verify


class Command(BaseCommand):
    help = (
        "Kiểm tra nhật ký truy cập dữ liệu (LGSP): thứ tự, chuỗi băm và chữ ký HMAC của từng mục."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = accesslog_verify()
        if problems:
            for p in problems:
                self.stderr.write(f"  chuỗi {p.chain}, mục #{p.seq}: {p.reason}")
            raise CommandError(f"Nhật ký truy cập dữ liệu KHÔNG toàn vẹn: {len(problems)} lỗi.")
        self.stdout.write(self.style.SUCCESS("Nhật ký truy cập dữ liệu toàn vẹn, chữ ký hợp lệ."))
