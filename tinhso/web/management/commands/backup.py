from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.web.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và tệp đã tải lên vào một thư mục (docs/deploy.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", type=Path, help="thư mục mới hoặc trống")

    def handle(self, *args: Any, target: Path, **options: Any) -> None:
        try:
            manifest = backup_create(target=target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for name, digest in manifest["parts"].items():
            self.stdout.write(f"  {name}  sha256 {digest}")
        self.stdout.write(self.style.SUCCESS(f"Đã sao lưu vào {target}."))
