from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from tinhso.data.models import Resource
from tinhso.data.services import DatastoreLoadError, datastore_load


class Command(BaseCommand):
    help = (
        "Nạp một tài nguyên dạng bảng (CSV, XLSX, JSON) vào kho dữ liệu, có thanh tiến độ. "
        "Lỗi thì không nạp gì và giữ nguyên phiên bản trước."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("resource", help="Mã (UUID) của tài nguyên.")
        parser.add_argument("--file", help="Tệp mới (mặc định: tệp hiện có của tài nguyên).")
        parser.add_argument("--encoding", help="Bảng mã (mặc định: tự nhận diện).")
        parser.add_argument(
            "--type",
            action="append",
            default=[],
            metavar="COT=KIEU",
            help="Ghi đè kiểu cột: int, numeric, date, bool, text (lặp lại được).",
        )
        parser.add_argument(
            "--max-bad-rows",
            type=int,
            default=0,
            help="Số dòng lỗi tối đa được bỏ qua (mặc định 0: có dòng lỗi là không nạp).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            resource = Resource.objects.select_related("dataset__org_unit").get(
                uuid=opts["resource"]
            )
        except (Resource.DoesNotExist, ValueError, Exception) as exc:
            raise CommandError(f"Không tìm thấy tài nguyên {opts['resource']}.") from exc
        types: dict[str, str] = {}
        for item in opts["type"]:
            column, sep, kind = item.partition("=")
            if not sep:
                raise CommandError(f"--type phải có dạng COT=KIEU: {item}")
            types[column.strip()] = kind.strip()
        bar = tqdm(total=0, unit=" dòng", file=self.stderr, disable=opts.get("verbosity", 1) == 0)

        def on_total(total: int) -> None:
            bar.reset(total=total)

        try:
            report = datastore_load(
                actor=None,
                resource=resource,
                path=Path(opts["file"]) if opts.get("file") else None,
                encoding=opts.get("encoding"),
                types=types,
                max_bad_rows=opts["max_bad_rows"],
                progress=bar.update,
                on_total=on_total,
            )
        except DatastoreLoadError as exc:
            bar.close()
            if exc.report:
                for bad in exc.report.bad_rows[:50]:
                    self.stderr.write(f"  dòng {bad.line}: {bad.reason}")
            raise CommandError(" ".join(exc.messages)) from exc
        bar.close()
        for bad in report.bad_rows[:50]:
            self.stderr.write(f"  bỏ qua dòng {bad.line}: {bad.reason}")
        cols = ", ".join(f"{c['id']}:{c['type']}" for c in report.columns)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp {report.rows_loaded} dòng (phiên bản {report.version}, bảng mã "
                f"{report.encoding}, {report.bad_count} dòng lỗi bị bỏ qua). Cột: {cols}"
            )
        )
