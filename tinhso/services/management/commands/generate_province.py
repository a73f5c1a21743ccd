"""Generate a synthetic province (dossiers, history, aggregates) for load tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.services.generator import GeneratorError, province_generate


class Command(BaseCommand):
    help = (
        "Sinh dữ liệu tỉnh giả lập (hồ sơ, lịch sử xử lý, số liệu tổng hợp) để kiểm thử tải. "
        "Dữ liệu được đánh dấu là dữ liệu minh họa (demo)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, default=100_000, help="số hồ sơ")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=int, default=4, help="số năm (tính đến --end)")
        parser.add_argument(
            "--end", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (mặc định: hôm nay)"
        )
        parser.add_argument("--applicants", type=int, default=None, help="mặc định: hồ sơ / 5")
        parser.add_argument(
            "--procedures", type=int, default=0, help="thêm N thủ tục giả lập (tìm kiếm)"
        )
        parser.add_argument(
            "--no-widen",
            action="store_true",
            help="không mở rộng cơ quan tiếp nhận ra toàn tỉnh",
        )
        parser.add_argument("--replace", action="store_true", help="thay dữ liệu sinh trước đó")
        parser.add_argument("--chunk", type=int, default=20_000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        if o["dossiers"] < 0:
            raise CommandError("Số hồ sơ phải không âm.")
        try:
            report = province_generate(
                dossiers=o["dossiers"],
                seed=o["seed"],
                years=o["years"],
                end=o["end"],
                applicants=o["applicants"],
                procedures=o["procedures"],
                widen=not o["no_widen"],
                replace=o["replace"],
                chunk=o["chunk"],
                stdout=self.stdout,
                progress=not o["no_progress"],
            )
        except GeneratorError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Đã sinh: " + report.summary()))
