from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tinhso.audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Kiểm tra chuỗi nhật ký (hash chain): phát hiện mục bị sửa, xóa hoặc chèn."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_chain_verify()
        if problems:
            for p in problems:
                self.stderr.write(f"  chuỗi {p.chain}, mục #{p.seq}: {p.reason}")
            raise CommandError(f"Chuỗi nhật ký KHÔNG toàn vẹn: {len(problems)} lỗi.")
        self.stdout.write(self.style.SUCCESS("Chuỗi nhật ký toàn vẹn."))
