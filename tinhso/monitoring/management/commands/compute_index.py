"""Compute (or recompute) index results: ``manage.py compute_index QD766-2024 --year 2024``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tinhso.monitoring.models import Methodology
from tinhso.monitoring.services import index_compute


class Command(BaseCommand):
    help = "Tính chỉ số (766, DTI) cho một năm."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("methodology", nargs="?", help="Mã bộ chỉ số; bỏ trống: tất cả.")
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        qs = Methodology.objects.filter(status=Methodology.Status.ACTIVE)
        if options["methodology"]:
            qs = qs.filter(code=options["methodology"])
            if not qs.exists():
                raise CommandError(f"Không có bộ chỉ số đang áp dụng mã {options['methodology']}.")
        for m in qs:
            results = index_compute(actor=None, methodology=m, year=options["year"])
            self.stdout.write(f"{m.code} {options['year']}: {len(results)} đơn vị")
