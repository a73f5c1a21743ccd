from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.web.platform_data import platform_publish


class Command(BaseCommand):
    help = (
        "Công bố dữ liệu nền tảng thành dữ liệu mở (danh mục cơ quan đơn vị, danh mục thủ tục, "
        "thống kê hồ sơ theo đơn vị và tháng); chạy lại chỉ nạp phiên bản mới khi số liệu đổi."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--owner", default="", help="Mã đơn vị chủ quản (mặc định: đơn vị cấp tỉnh)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            platform_publish(owner_code=options["owner"], stdout=self.stdout)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
