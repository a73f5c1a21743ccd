from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.orgs.services import ImportFormatError, reorganisation_apply


class Command(BaseCommand):
    help = "Áp dụng sắp xếp đơn vị hành chính (tệp ánh xạ cũ → mới, định dạng dvhcvn splits)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.SHARED_DIR / "data/dvhcvn/binh-duong-splits-2025-07-01.json"),
        )
        parser.add_argument("--on", default="2025-07-01", help="ngày hiệu lực (YYYY-MM-DD)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = reorganisation_apply(
                path=Path(opts["path"]), on=dt.date.fromisoformat(opts["on"])
            )
        except (ImportFormatError, ValueError) as exc:
            raise CommandError(f"Không áp dụng: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Đóng {result.closed}, mở {result.opened} đơn vị, {result.links} liên kết kế thừa."
            )
        )
        if result.unmatched:
            self.stdout.write(f"Không tìm thấy đơn vị cũ: {', '.join(result.unmatched)}")
