from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tinhso.monitoring.reference import (
    INDICATORS_FILE,
    METHODOLOGIES_FILE,
    ReferenceDataError,
    reference_load,
)
from tinhso.monitoring.services import reference_install


class Command(BaseCommand):
    help = (
        "Cài đặt hoặc cập nhật dữ liệu tham chiếu của theo dõi, đánh giá: danh mục chỉ tiêu "
        "(kèm chỉ tiêu nền, mục tiêu theo văn bản) và các bộ phương pháp chấm điểm. Chạy lại "
        "với cùng tệp không thay đổi gì; tệp sai thì không cài gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--indicators",
            type=Path,
            default=INDICATORS_FILE,
            help="Tệp danh mục chỉ tiêu (mặc định: tệp đi kèm phần mềm).",
        )
        parser.add_argument(
            "--methodologies",
            type=Path,
            default=METHODOLOGIES_FILE,
            help="Tệp phương pháp chấm điểm (mặc định: tệp đi kèm phần mềm).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            indicators, methodologies = reference_load(
                indicators=opts["indicators"], methodologies=opts["methodologies"]
            )
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        report = reference_install(indicators=indicators, methodologies=methodologies)
        self.stdout.write(
            f"Dữ liệu tham chiếu: {len(report.created)} dòng tạo mới, "
            f"{len(report.updated)} dòng cập nhật"
            + ("" if report.changed else " (không có thay đổi)")
            + "."
        )
        for label in report.created:
            self.stdout.write(f"  + {label}")
        for label in report.updated:
            self.stdout.write(f"  ~ {label}")
        if report.skipped:
            self.stdout.write(
                "Bỏ qua tiêu chí chấm trên chỉ tiêu chưa cài đặt: " + ", ".join(report.skipped)
            )
