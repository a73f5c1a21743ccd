"""Bad input: each gets a clear message and changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.services.models import Dossier, DossierFile, Status
from tinhso.services.services import (
    ApplicantInfo,
    DossierConflict,
    dossier_draft_create,
    dossier_register_in_person,
    dossier_submit,
)

from .conftest import BIRTH_FORM, EXE, PNG, upload

pytestmark = pytest.mark.django_db


def draft(user, birth, unit, form=None, files=None):
    part = birth.parts.filter(required=True).first()
    return dossier_draft_create(
        user=user,
        procedure=birth,
        org_unit=unit,
        form_data=BIRTH_FORM if form is None else form,
        files={part.pk: [upload()]} if files is None else files,
    )


def test_missing_required_part(birth, ward_dian, user_named):
    with pytest.raises(ValidationError) as exc:
        draft(user_named("congdan"), birth, ward_dian, files={})
    assert any("Thiếu thành phần hồ sơ bắt buộc" in m for m in exc.value.messages)
    assert Dossier.objects.count() == 0


def test_missing_and_bad_form_fields(birth, ward_dian, user_named):
    bad = {**BIRTH_FORM, "ngay_sinh": "31/02/2026", "gioi_tinh": "Khác"}
    del bad["ho_ten_tre"]
    with pytest.raises(ValidationError) as exc:
        draft(user_named("congdan"), birth, ward_dian, form=bad)
    assert {"ho_ten_tre", "ngay_sinh", "gioi_tinh"} <= set(exc.value.message_dict)
    assert Dossier.objects.count() == 0


def test_disguised_file_type_refused(birth, ward_dian, user_named):
    part = birth.parts.filter(required=True).first()
    with pytest.raises(ValidationError) as exc:
        draft(
            user_named("congdan"), birth, ward_dian, files={part.pk: [upload("to-khai.pdf", EXE)]}
        )
    assert any("không đúng định dạng" in m for m in exc.value.messages)
    # a real PNG renamed to .pdf: allowed type, but the name lies about it
    with pytest.raises(ValidationError) as exc:
        draft(user_named("congdan"), birth, ward_dian, files={part.pk: [upload("anh.pdf", PNG)]})
    assert any("không khớp với nội dung" in m for m in exc.value.messages)
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0


def test_oversized_upload_refused(birth, ward_dian, user_named, settings):
    settings.TINHSO_MAX_UPLOAD_BYTES = 100
    part = birth.parts.filter(required=True).first()
    with pytest.raises(ValidationError) as exc:
        draft(
            user_named("congdan"),
            birth,
            ward_dian,
            files={part.pk: [upload("a.pdf", b"%PDF-1.4" + b"0" * 200)]},
        )
    assert any("vượt quá dung lượng" in m for m in exc.value.messages)
    assert Dossier.objects.count() == 0


def test_png_accepted_and_stored_outside_web_root(birth, ward_dian, user_named, settings):
    part = birth.parts.filter(required=True).first()
    d = draft(
        user_named("congdan"),
        birth,
        ward_dian,
        files={part.pk: [upload("anh.png", PNG, "image/png")]},
    )
    f = d.files.get()
    assert f.content_type == "image/png" and f.size == len(PNG) and len(f.sha256) == 64
    assert str(settings.MEDIA_ROOT) in f.file.path
    assert "static" not in f.file.path


def test_agency_must_offer_the_procedure(birth, user_named, demo_orgs):
    from tinhso.orgs.selectors import orgunit_get

    with pytest.raises(ValidationError) as exc:
        draft(user_named("congdan"), birth, orgunit_get(code="74.STTTT"))
    assert "org_unit" in exc.value.message_dict


def test_officials_cannot_submit_online(birth, ward_dian, user_named):
    with pytest.raises(PermissionDenied):
        draft(user_named("canbo.dian"), birth, ward_dian)


def test_double_submit_changes_nothing(birth, ward_dian, user_named):
    user = user_named("congdan")
    d = draft(user, birth, ward_dian)
    first = dossier_submit(user=user, dossier_id=d.pk)
    with pytest.raises(DossierConflict) as exc:
        dossier_submit(user=user, dossier_id=d.pk)
    assert first.number in exc.value.message
    d.refresh_from_db()
    assert d.number == first.number and d.events.count() == 1


def test_another_applicant_cannot_submit_my_draft(birth, ward_dian, user_named):
    d = draft(user_named("congdan"), birth, ward_dian)
    with pytest.raises(PermissionDenied):
        dossier_submit(user=user_named("doanhnghiep"), dossier_id=d.pk)
    d.refresh_from_db()
    assert d.status == Status.DRAFT and d.number is None


def test_numbers_follow_daily_sequence(submit_birth):
    a, b = submit_birth(), submit_birth()
    assert a.number[:-4] == b.number[:-4]
    assert int(b.number[-4:]) == int(a.number[-4:]) + 1
    assert a.number.endswith("-0001")


def test_officer_registers_in_person(birth, ward_dian, user_named):
    from tinhso.services.models import ServiceDailyStat

    d = dossier_register_in_person(
        officer=user_named("canbo.dian"),
        procedure=birth,
        org_unit=ward_dian,
        applicant=ApplicantInfo(name="Trần Văn Tư", id_number="074090001111"),
        form_data=BIRTH_FORM,
        files={},
    )
    assert d.status == Status.RECEIVED and d.channel == 1 and d.due_at
    assert d.registered_by == user_named("canbo.dian")
    stat = ServiceDailyStat.objects.get(org_unit=ward_dian, procedure_code="1.001193")
    assert (stat.received_total, stat.received_in_person, stat.received_online) == (1, 1, 0)


def test_officer_of_other_city_cannot_register_here(birth, ward_dian, user_named):
    with pytest.raises(PermissionDenied):
        dossier_register_in_person(
            officer=user_named("canbo.thuanan"),
            procedure=birth,
            org_unit=ward_dian,
            applicant=ApplicantInfo(name="X"),
            form_data=BIRTH_FORM,
            files={},
        )
    assert Dossier.objects.count() == 0
