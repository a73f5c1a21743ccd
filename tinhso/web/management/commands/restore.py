from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.web.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = (
        "Khôi phục bản sao lưu (cơ sở dữ liệu và tệp) rồi kiểm tra chuỗi nhật ký. "
        "Dừng trang web và các worker trước khi chạy."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="thư mục do lệnh backup tạo")
        parser.add_argument("--yes", action="store_true", help="đồng ý thay thế dữ liệu hiện có")

    def handle(self, *args: Any, source: Path, yes: bool, **options: Any) -> None:
        if not yes:
            raise CommandError("Khôi phục sẽ thay thế toàn bộ dữ liệu: chạy lại với --yes.")
        try:
            backup_restore(source=source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        problems = backup_verify()
        if problems:
            for p in problems:
                self.stderr.write(f"  {p}")
            raise CommandError(f"Đã khôi phục nhưng nhật ký KHÔNG toàn vẹn: {len(problems)} lỗi.")
        self.stdout.write(self.style.SUCCESS("Đã khôi phục; chuỗi nhật ký toàn vẹn."))
