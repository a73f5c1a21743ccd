from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tinhso.orgs.models import OrgUnit


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory: Any) -> Path:
    # one key set for the session (RSA generation is the slow part)
    return tmp_path_factory.mktemp("pki") / "pki"


@pytest.fixture
def pki(settings: Any, pki_dir: Path, demo_users: None) -> Path:
    from tinhso.signing.pki import pki_demo_ensure

    settings.SIGNING_DIR = pki_dir
    pki_demo_ensure()
    return pki_dir


@pytest.fixture
def unit(demo_users: None) -> OrgUnit:
    return OrgUnit.objects.get(code="724")


@pytest.fixture
def result_pdf(unit: OrgUnit) -> bytes:
    from tinhso.signing.documents import pdf_certificate_render

    return pdf_certificate_render(
        title="Giấy xác nhận tình trạng hôn nhân",
        fields=[
            ("Họ và tên", "Nguyễn Thị Hoa"),
            ("Ngày sinh", "01/02/1990"),
            ("Nơi cư trú", "Phường Dĩ An, thành phố Dĩ An, tỉnh Bình Dương"),
        ],
        org_unit=unit,
        number="123/GXN-UBND",
    )


@pytest.fixture
def signed(pki: Path, unit: OrgUnit, result_pdf: bytes, user_named: Any) -> Any:
    from tinhso.signing.services import document_sign

    return document_sign(
        pdf_bytes=result_pdf,
        org_unit=unit,
        signer_user=user_named("lanhdao.dian"),
        reason="Phê duyệt kết quả",
        location="Dĩ An, Bình Dương",
        purpose="test_result",
        object_ref="42",
        filename="ket-qua.pdf",
    )
