from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from tinhso.orgs.services import ImportFormatError, dvhcvn_count, dvhcvn_import


class Command(BaseCommand):
    help = "Nhập danh mục đơn vị hành chính (định dạng dvhcvn JSON), idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.SHARED_DIR / "data/dvhcvn/dvhcvn-2025-03-01.json"),
        )
        parser.add_argument("--province", help="chỉ nhập một tỉnh (mã cấp 1, ví dụ 74)")
        parser.add_argument(
            "--valid-from",
            default="2020-01-01",
            help="ngày bắt đầu hiệu lực của các đơn vị nhập (YYYY-MM-DD)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["path"])
        try:
            valid_from = dt.date.fromisoformat(opts["valid_from"])
            total = dvhcvn_count(path=path, province=opts["province"])
        except (ValueError, OSError) as exc:  # ImportFormatError is a ValueError
            raise CommandError(f"Không nhập gì: {exc}") from exc
        bar = tqdm(total=total, unit=" đơn vị", disable=opts["no_progress"] or None)
        try:
            result = dvhcvn_import(
                path=path,
                valid_from=valid_from,
                province=opts["province"],
                progress=bar.update,
            )
        except ImportFormatError as exc:
            raise CommandError(f"Không nhập gì: {exc}") from exc
        finally:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã xử lý {result.total} đơn vị ({len(result.provinces)} tỉnh): "
                f"{result.created} mới, {result.updated} cập nhật, {result.unchanged} không đổi."
            )
        )
