from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tinhso.orgs.models import OrgUnit
from tinhso.signing import conf
from tinhso.signing.pki import pki_demo_ensure


class Command(BaseCommand):
    help = (
        "Tạo PKI trình diễn: CA gốc của tỉnh, dịch vụ cấp dấu thời gian cục bộ và chứng thư "
        "số cho các đơn vị (khóa lưu trong SIGNING_DIR, không bao giờ đưa vào kho mã)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("codes", nargs="*", help="Mã đơn vị (mặc định: các đơn vị demo).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not conf.demo_pki_enabled():
            raise CommandError("PKI trình diễn chỉ dùng khi TINHSO_DEMO=1 (hoặc SIGNING_DEMO_PKI).")
        units = None
        if options["codes"]:
            units = []
            for code in options["codes"]:
                unit = OrgUnit.objects.filter(code=code, valid_to__isnull=True).first()
                if unit is None:
                    raise CommandError(f"Không có đơn vị mã {code}.")
                units.append(unit)
        certificates = pki_demo_ensure(units=units)
        for cert in certificates:
            # public information only; never key material
            self.stdout.write(f"  {cert.org_unit.code:<10} {cert.subject}  (sê-ri {cert.serial})")
        self.stdout.write(f"  PKI: {conf.signing_dir()}")
