from __future__ import annotations

import io
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        import struct

        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    import struct

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


PNG = _png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def upload(name: str = "giay-chung-sinh.pdf", content: bytes = PDF, ctype: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=ctype)


@pytest.fixture(autouse=True)
def _empty_cache():
    # the public tracking answer is cached per number; the test database is rolled back and
    # numbers repeat from test to test, so every test starts with an empty cache
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def services_demo(demo_users):
    from tinhso.services.demo import demo_load

    demo_load(stdout=io.StringIO())


@pytest.fixture
def birth(services_demo):
    from tinhso.services.models import Procedure

    return Procedure.objects.get(code="1.001193")


@pytest.fixture
def ward_dian(demo_orgs):
    from tinhso.orgs.selectors import orgunit_get

    return orgunit_get(code="25942")  # Phường Dĩ An


@pytest.fixture
def ward_thuanan(demo_orgs):
    from tinhso.orgs.selectors import orgunit_get

    return orgunit_get(code="25966")  # Phường Lái Thiêu


BIRTH_FORM = {
    "ho_ten_tre": "Nguyễn Minh Khang",
    "ngay_sinh": "2026-01-05",
    "gioi_tinh": "Nam",
    "noi_sinh": "Bệnh viện Quân đoàn 4, Dĩ An",
    "ho_ten_me": "Nguyễn Thị Hoa",
    "quan_he": "Mẹ",
}


@pytest.fixture
def submit_birth(birth, user_named):
    """Create and send a birth registration; returns the dossier."""
    from tinhso.services.services import dossier_draft_create, dossier_submit

    def make(user=None, unit=None, form=None):
        from tinhso.orgs.selectors import orgunit_get

        user = user or user_named("congdan")
        unit = unit or orgunit_get(code="25942")
        required = birth.parts.filter(required=True).first()
        draft = dossier_draft_create(
            user=user,
            procedure=birth,
            org_unit=unit,
            form_data=form or BIRTH_FORM,
            files={required.pk: [upload()]},
        )
        return dossier_submit(user=user, dossier_id=draft.pk)

    return make


# --- fees, signed results (issue 4) --------------------------------------------------


@pytest.fixture(scope="session")
def pki_dir(tmp_path_factory):
    # one demo key set for the session (RSA generation is the slow part)
    return tmp_path_factory.mktemp("services-pki") / "pki"


@pytest.fixture
def pki(settings, pki_dir, demo_users):
    from tinhso.signing.pki import pki_demo_ensure

    settings.SIGNING_DIR = pki_dir
    settings.PAYMENTS_SANDBOX_BACKGROUND = False
    pki_demo_ensure()
    return pki_dir


COPY_CODE = "2.000635"  # certified copy of a civil-status extract: 8.000 ₫, paid at receipt
COPY_FORM = {
    "loai_giay": "Giấy khai sinh",
    "so_ban": "1",
    "ho_ten_nguoi_duoc_cap": "Nguyễn Minh Khang",
}


@pytest.fixture
def copy_proc(services_demo):
    from tinhso.services.models import Procedure

    return Procedure.objects.get(code=COPY_CODE)


@pytest.fixture
def submit_copy(copy_proc, user_named):
    """Create and send a fee-paying dossier (congdan at Phường Dĩ An)."""
    from tinhso.orgs.selectors import orgunit_get
    from tinhso.services.services import dossier_draft_create, dossier_submit

    def make(user=None):
        user = user or user_named("congdan")
        draft = dossier_draft_create(
            user=user,
            procedure=copy_proc,
            org_unit=orgunit_get(code="25942"),
            form_data=COPY_FORM,
            files={},
        )
        return dossier_submit(user=user, dossier_id=draft.pk)

    return make
