"""Demo logins (only in the demo), all with the password ``tinhso-demo``."""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

from tinhso.accounts.models import Role, User
from tinhso.accounts.services import (
    business_register,
    citizen_register,
    membership_add,
    official_create,
)
from tinhso.orgs.models import OrgUnit

DEMO_PASSWORD = "tinhso-demo"  # noqa: S105 (documented demo password)

# username, full name, unit code, role, title
OFFICIALS = [
    ("canbo.dian", "Nguyễn Văn An", "724", Role.OFFICER, "Công chức Bộ phận một cửa"),
    ("lanhdao.dian", "Trần Thị Bình", "724", Role.HEAD, "Phó Chủ tịch UBND thành phố"),
    ("canbo.thuanan", "Lê Văn Cường", "725", Role.OFFICER, "Công chức Bộ phận một cửa"),
    ("lanhdao.thuanan", "Phạm Thị Dung", "725", Role.HEAD, "Phó Chủ tịch UBND thành phố"),
    ("canbo.stttt", "Võ Minh Em", "74.STTTT", Role.OFFICER, "Chuyên viên"),
    ("lanhdao.stttt", "Đặng Quốc Phong", "74.STTTT", Role.HEAD, "Giám đốc Sở"),
    ("vanphong.cds", "Huỳnh Thu Giang", "74", Role.DX_OFFICE, "Văn phòng Ban chỉ đạo CĐS"),
]

DEMO_LOGINS = [
    ("congdan", "công dân (citizen)"),
    ("doanhnghiep", "doanh nghiệp (business)"),
    ("canbo.dian", "cán bộ UBND TP Dĩ An (officer)"),
    ("lanhdao.dian", "lãnh đạo UBND TP Dĩ An (unit head)"),
    ("canbo.stttt", "cán bộ Sở TT&TT (officer)"),
    ("vanphong.cds", "Văn phòng CĐS tỉnh (DX office)"),
    ("admin", "quản trị nền tảng (administrator)"),
]


def _unit(code: str) -> OrgUnit:
    return OrgUnit.objects.filter(code=code, valid_to__isnull=True).order_by(
        "-valid_from"
    ).first() or OrgUnit.objects.get(code=code)


@transaction.atomic
def demo_load(*, stdout: TextIO | None = None) -> None:
    if User.objects.filter(username="congdan").exists():
        return
    citizen_register(
        username="congdan",
        password=DEMO_PASSWORD,
        full_name="Nguyễn Thị Hoa",
        citizen_id="074190001234",
        email="congdan@example.vn",
        phone="0912345678",
        check_password=False,
    )
    business_register(
        username="doanhnghiep",
        password=DEMO_PASSWORD,
        business_name="Công ty TNHH Minh Phát Bình Dương",
        tax_code="3701234562",
        full_name="Trần Văn Minh",
        email="doanhnghiep@example.vn",
        check_password=False,
    )
    for username, name, code, role, title in OFFICIALS:
        user = official_create(
            actor=None,
            username=username,
            full_name=name,
            password=DEMO_PASSWORD,
            email=f"{username}@example.vn",
            check_password=False,
        )
        membership_add(actor=None, user=user, org_unit=_unit(code), role=role, title=title)
    admin = official_create(
        actor=None,
        username="admin",
        full_name="Quản trị nền tảng",
        password=DEMO_PASSWORD,
        email="admin@example.vn",
        check_password=False,
        is_staff=True,
        is_superuser=True,
    )
    membership_add(actor=None, user=admin, org_unit=_unit("74"), role=Role.ADMIN)
    if stdout:
        stdout.write(f"  tài khoản: {User.objects.count()}\n")
