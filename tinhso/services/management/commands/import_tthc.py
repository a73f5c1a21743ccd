"""Import the national procedure catalogue: ``manage.py import_tthc [DIR] [--csv FILE]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.services.importer import tthc_import


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục hành chính quốc gia (shared/data/tthc/<bộ>/*.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("root", nargs="?", help="Thư mục dữ liệu (mặc định: shared/data/tthc)")
        parser.add_argument("--ministry", action="append", help="Chỉ nhập bộ này (lặp lại được)")
        parser.add_argument(
            "--csv", default=None, help="Ghi danh sách lỗi phân tích ra tệp CSV này"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["root"] or settings.SHARED_DIR / "data" / "tthc")
        try:
            report = tthc_import(root=root, ministries=options["ministry"], stdout=self.stdout)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Bản ghi: {report.files} · mới {report.created} · cập nhật {report.updated} · "
            f"không đổi {report.unchanged} · lỗi {report.failed} · vấn đề {len(report.problems)}"
        )
        heads = ("đọc được", "thiếu đơn vị", "dính liền", "mâu thuẫn", "không có", "không đọc")
        self.stdout.write(f"{'Trường':<10}" + "".join(f"{h:>14}" for h in heads))
        for name, *counts in report.summary_rows():
            self.stdout.write(f"{name:<10}" + "".join(f"{n:>14}" for n in counts))
        self.stdout.write(
            "(thời hạn, phí: đếm theo cách thức nộp; các trường khác: theo bản ghi. "
            "“đọc được” = giá trị có đơn vị do nguồn ghi rõ.)"
        )
        csv_path = Path(options["csv"] or settings.VAR_DIR / "import_tthc_problems.csv")
        report.write_csv(csv_path)
        self.stdout.write(self.style.SUCCESS(f"Danh sách vấn đề: {csv_path}"))
