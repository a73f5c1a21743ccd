"""Who may apply (enforced on the web and the API), whole numbers of copies, a fee per copy
charged per copy, and the warning for the same request filed twice in a day (issue 15)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.audit.models import AuditEntry
from tinhso.services.applying import (
    BUSINESS,
    CITIZEN,
    dossier_duplicates_today,
    procedure_applicant_kinds,
)
from tinhso.services.models import Dossier, DossierFile, Procedure
from tinhso.services.services import dossier_act, dossier_create_and_submit, dossier_draft_create

from .conftest import BIRTH_FORM, COPY_FORM, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("Công dân Việt Nam, Người Việt Nam định cư ở nước ngoài", {CITIZEN}),
        ("Tổ chức (không bao gồm doanh nghiệp, HTX), Công dân Việt Nam", {CITIZEN, BUSINESS}),
        ("Doanh nghiệp, Hợp tác xã", {BUSINESS}),
        ("Tổ chức (không bao gồm doanh nghiệp, HTX)", {BUSINESS}),
        ("", {CITIZEN, BUSINESS}),
    ],
)
def test_who_may_apply_is_read_from_the_catalogue(text, kinds):
    assert procedure_applicant_kinds(procedure=Procedure(applicants=text)) == kinds


def _nothing_stored():
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="services.dossier").exists()


def test_a_business_cannot_file_a_citizens_only_procedure(birth, ward_dian, user_named):
    """Birth registration is for citizens: refused to the business (service) and nothing kept."""
    business = user_named("doanhnghiep")
    required = birth.parts.filter(required=True).first()
    for make in (dossier_draft_create, dossier_create_and_submit):
        with pytest.raises(PermissionDenied, match="chỉ dành cho công dân"):
            make(
                user=business,
                procedure=birth,
                org_unit=ward_dian,
                form_data=BIRTH_FORM,
                files={required.pk: [upload()]},
            )
    _nothing_stored()


def test_a_citizen_cannot_file_a_business_only_procedure(birth, ward_dian, user_named):
    birth.applicants = "Doanh nghiệp, Hợp tác xã"
    birth.save(update_fields=["applicants"])
    required = birth.parts.filter(required=True).first()
    with pytest.raises(PermissionDenied, match="chỉ dành cho doanh nghiệp"):
        dossier_draft_create(
            user=user_named("congdan"),
            procedure=birth,
            org_unit=ward_dian,
            form_data=BIRTH_FORM,
            files={required.pk: [upload()]},
        )
    _nothing_stored()


def test_the_web_refuses_the_wrong_applicant_kind(client, birth, ward_dian, user_named):
    client.force_login(user_named("doanhnghiep"))
    page = client.get(f"/dich-vu-cong/thu-tuc/{birth.code}/nop/", follow=True)
    assert "chỉ dành cho công dân" in page.content.decode()
    required = birth.parts.filter(required=True).first()
    r = client.post(
        f"/dich-vu-cong/thu-tuc/{birth.code}/nop/",
        {
            "org_unit": ward_dian.pk,
            **{f"f_{k}": v for k, v in BIRTH_FORM.items()},
            f"part_{required.pk}": upload(),
        },
        follow=True,
    )
    assert "chỉ dành cho công dân" in r.content.decode()
    _nothing_stored()
    # the procedure page says who may apply
    page = client.get(f"/dich-vu-cong/thu-tuc/{birth.code}/")
    assert "Chỉ công dân (cá nhân)" in page.content.decode()


def test_the_api_refuses_the_wrong_applicant_kind(client, birth, ward_dian, user_named):
    client.force_login(user_named("doanhnghiep"))
    required = birth.parts.filter(required=True).first()
    r = client.post(
        "/api/v1/dossiers",
        {
            "procedure_code": birth.code,
            "org_unit_id": ward_dian.pk,
            "form_json": json.dumps(BIRTH_FORM, ensure_ascii=False),
            "part_ids": str(required.pk),
            "files": [upload()],
        },
    )
    assert r.status_code == 403
    assert "chỉ dành cho công dân" in r.json()["message"]
    _nothing_stored()


def test_the_counter_refuses_the_wrong_applicant_kind(client, birth, ward_dian, user_named):
    """An official registering a paper dossier is held to the same rule as online filing:
    birth registration (citizens only) is not taken from a business, nothing is stored."""
    from tinhso.services.services import ApplicantInfo, dossier_register_in_person

    officer = user_named("canbo.dian")

    def register(kind, procedure=birth):
        return dossier_register_in_person(
            officer=officer,
            procedure=procedure,
            org_unit=ward_dian,
            applicant=ApplicantInfo(name="Công ty TNHH Minh An", kind=kind),
            form_data=BIRTH_FORM,
            files={},
        )

    for kind, words in ((BUSINESS, "chỉ dành cho công dân"), ("", "Vui lòng chọn người nộp")):
        with pytest.raises(ValidationError) as err:
            register(kind)
        assert words in err.value.message_dict["applicant_kind"][0]
    _nothing_stored()
    # the web counter form says it at the field, and stores nothing either
    client.force_login(officer)
    url = f"/dich-vu-cong/xu-ly/tiep-nhan/?thu_tuc={birth.code}"
    post = {
        "thu_tuc": birth.code,
        "org_unit": ward_dian.pk,
        "applicant_kind": BUSINESS,
        "applicant_name": "Công ty TNHH Minh An",
        "channel": 1,
        **{f"f_{k}": v for k, v in BIRTH_FORM.items()},
    }
    r = client.post(url, post)
    assert r.status_code == 200
    assert "không tiếp nhận hồ sơ do doanh nghiệp, tổ chức nộp" in r.content.decode()
    _nothing_stored()
    # the reverse: a business-only procedure is not taken from a citizen
    birth.applicants = "Doanh nghiệp, Hợp tác xã"
    birth.save(update_fields=["applicants"])
    with pytest.raises(ValidationError, match="chỉ dành cho doanh nghiệp"):
        register(CITIZEN)
    _nothing_stored()
    # the kinds the procedure admits are taken
    assert register(BUSINESS).number
    birth.applicants = "Công dân Việt Nam"
    birth.save(update_fields=["applicants"])
    r = client.post(url, {**post, "applicant_kind": CITIZEN})
    assert r.status_code == 302 and Dossier.objects.count() == 2


def test_copies_are_whole_numbers(copy_proc, ward_dian, user_named):
    for bad in ("1.5", "0", "abc"):
        with pytest.raises(ValidationError) as err:
            dossier_draft_create(
                user=user_named("congdan"),
                procedure=copy_proc,
                org_unit=ward_dian,
                form_data={**COPY_FORM, "so_ban": bad},
                files={},
            )
        assert "so_ban" in err.value.message_dict
    _nothing_stored()


def test_a_fee_per_copy_is_charged_per_copy(copy_proc, ward_dian, user_named):
    citizen = user_named("congdan")
    d = dossier_create_and_submit(
        user=citizen,
        procedure=copy_proc,
        org_unit=ward_dian,
        form_data={**COPY_FORM, "so_ban": "3"},
        files={},
    )
    d = dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )
    assert d.fee_amount == 3 * 8000
    # a fee per filing is not multiplied
    copy_proc.channels.update(fee_per_copy=False)
    d2 = dossier_create_and_submit(
        user=citizen,
        procedure=copy_proc,
        org_unit=ward_dian,
        form_data={**COPY_FORM, "so_ban": "3"},
        files={},
    )
    d2 = dossier_act(
        user=user_named("canbo.dian"), dossier_id=d2.pk, action_code="receive", version=d2.version
    )
    assert d2.fee_amount == 8000


def test_the_same_request_twice_in_a_day_is_warned_not_refused(
    client, submit_birth, birth, ward_dian, user_named
):
    first = submit_birth()
    citizen = user_named("congdan")
    required = birth.parts.filter(required=True).first()
    again = dossier_draft_create(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data=BIRTH_FORM,
        files={required.pk: [upload()]},
    )
    other_child = dossier_draft_create(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={**BIRTH_FORM, "ho_ten_tre": "Nguyễn Minh An"},
        files={required.pk: [upload()]},
    )
    assert dossier_duplicates_today(dossier=again) == [first]
    assert dossier_duplicates_today(dossier=other_child) == []
    client.force_login(citizen)
    page = client.get(f"/dich-vu-cong/ho-so/{again.pk}/xem-lai/").content.decode()
    assert 'id="duplicate-warning"' in page and first.number in page
    assert (
        'id="duplicate-warning"'
        not in client.get(f"/dich-vu-cong/ho-so/{other_child.pk}/xem-lai/").content.decode()
    )
    # not blocked: it can still be sent
    r = client.post(f"/dich-vu-cong/ho-so/{again.pk}/xem-lai/")
    assert r.status_code == 302
    again.refresh_from_db()
    assert again.number


def _f(name, kind, **extra):
    return {"name": name, "kind": kind, "label": name, "children": [], "choices": [], **extra}


def test_the_subject_of_a_studio_form_is_marked_or_read_from_its_first_section():
    from tinhso.services.studio.spec import subject_names

    birth_like = [
        _f("ho_ten_tre", "text"),
        _f("ngay_sinh", "date"),
        _f("noi_sinh", "text"),
        _f("ngay_dang_ky", "date"),
    ]
    # nothing marked: the first name and the first date (the child's)
    assert subject_names(birth_like) == ["ho_ten_tre", "ngay_sinh"]
    # marked: exactly the marked fields
    marked = [birth_like[0], birth_like[1], {**birth_like[2], "subject": True}]
    assert subject_names(marked) == ["noi_sinh"]
    # ID numbers of the first section win; the applicant's own pre-filled ID is not one,
    # and neither is a field after the first section's end (a second heading)
    form = [
        _f("tt", "heading"),
        _f("cccd_nguoi_nop", "citizen_id", prefill="citizen_id"),
        _f("ho_ten", "text"),
        _f("cccd_nguoi_chet", "citizen_id"),
        _f("tt2", "heading"),
        _f("mst", "tax_code"),
    ]
    assert subject_names(form) == ["cccd_nguoi_chet"]
    assert subject_names([*form[:3], *form[4:]]) == ["ho_ten"]
    # nothing fitting: the first value field
    assert subject_names([_f("tt", "heading"), _f("so_luong", "yesno")]) == ["so_luong"]


def test_a_marked_subject_is_a_studio_setting():
    from tinhso.services.studio.spec import field_errors, field_normalise

    spec = field_normalise(_f("ho_ten", "text", subject=True))
    assert spec["subject"] is True and field_errors(spec) == []
    assert field_normalise(_f("ho_ten", "text"))["subject"] is False
    # a child of a repeating block is not a subject, an upload cannot be one
    assert field_normalise(_f("ho_ten", "text", subject=True), child=True)["subject"] is False
    assert field_errors(field_normalise(_f("giay", "yesno", subject=True)))


def test_the_same_day_check_reads_the_studio_revision_the_dossier_was_filed_under(
    birth, ward_dian, user_named
):
    """Typed fields: the child's name alone is the subject (the form's first field). Under
    the studio revision: name and date of birth (the first section's name and date), then
    whatever the revision marks."""
    from tinhso.services.studio import services as studio

    citizen = user_named("congdan")
    required = birth.parts.filter(required=True)

    def draft(**form):
        return dossier_draft_create(
            user=citizen,
            procedure=birth,
            org_unit=ward_dian,
            form_data={**BIRTH_FORM, **form},
            files={p.pk: [upload()] for p in required},
        )

    typed_first = draft()
    typed_other_day = draft(ngay_sinh="2026-01-06")
    assert typed_first.form_revision_id is None
    assert dossier_duplicates_today(dossier=typed_other_day) == [typed_first]  # name only

    admin = user_named("vanphong.cds")

    def publish(**marks):
        rev = studio.revision_draft_get_or_create(user=admin, procedure=birth)
        for name, value in marks.items():
            studio.revision_field_update(
                user=admin, revision_id=rev.pk, name=name, values={"subject": value}
            )
        for part in required:
            if not any(f.get("part") == part.pk for f in rev.fields):
                spec = studio.revision_field_add(
                    user=admin, revision_id=rev.pk, kind="upload", label=part.name[:60]
                )
                studio.revision_field_update(
                    user=admin, revision_id=rev.pk, name=spec["name"], values={"part": part.pk}
                )
        return studio.revision_publish(user=admin, revision_id=rev.pk)

    studio.result_template_save(
        user=admin, procedure=birth, title="Trích lục khai sinh", body="Số hồ sơ {so_ho_so}."
    )
    v1 = publish()
    a = draft()
    b = draft(ngay_sinh="2026-01-06")  # another child of the same name
    c = draft(gioi_tinh="Nữ", noi_sinh="Nhà")  # the same child, other details
    assert a.form_revision == v1 and b.form_revision == v1
    # the name and the date of birth of b's revision, read in every other dossier's data
    assert dossier_duplicates_today(dossier=b) == [typed_other_day]
    assert dossier_duplicates_today(dossier=c) == [typed_first, a]
    # the next revision marks the place of birth as the subject (and only it)
    v2 = publish(noi_sinh=True)
    d = draft(ho_ten_tre="Trần Văn Bình", ngay_sinh="2025-12-01", noi_sinh="Nhà")
    assert d.form_revision == v2
    assert dossier_duplicates_today(dossier=d) == [c]  # another child, born at the same place
    assert d not in dossier_duplicates_today(dossier=c)  # for c, name and date differ


def _api_submit(client, birth, ward_dian, form, **headers):
    required = birth.parts.filter(required=True).first()
    return client.post(
        "/api/v1/dossiers",
        {
            "procedure_code": birth.code,
            "org_unit_id": ward_dian.pk,
            "form_json": json.dumps(form, ensure_ascii=False),
            "part_ids": str(required.pk),
            "files": [upload()],
        },
        headers=headers,
    )


def test_the_api_warns_of_the_same_request_twice_in_a_day(client, birth, ward_dian, user_named):
    """POST /api/v1/dossiers creates the second dossier (201) and says it repeats today's."""
    client.force_login(user_named("congdan"))
    first = _api_submit(client, birth, ward_dian, BIRTH_FORM)
    assert first.status_code == 201 and first.json()["warnings"] == []
    other = _api_submit(client, birth, ward_dian, {**BIRTH_FORM, "ho_ten_tre": "Nguyễn Minh An"})
    assert other.status_code == 201 and other.json()["warnings"] == []
    again = _api_submit(client, birth, ward_dian, BIRTH_FORM, **{"Idempotency-Key": "k-2"})
    assert again.status_code == 201, again.content
    body = again.json()
    assert body["number"] and body["number"] != first.json()["number"]
    [warning] = body["warnings"]
    assert warning["code"] == "duplicate_same_day"
    assert [d["number"] for d in warning["dossiers"]] == [first.json()["number"]]
    assert first.json()["number"] in warning["message"]
    assert Dossier.objects.filter(number=body["number"]).exists()  # not blocked
    # a retry with the same key answers the same dossier, with the same warning
    retry = _api_submit(client, birth, ward_dian, BIRTH_FORM, **{"Idempotency-Key": "k-2"})
    assert retry.status_code == 200 and retry.json()["id"] == body["id"]
    assert retry.json()["warnings"][0]["code"] == "duplicate_same_day"
    # documented in the schema
    api = client.get("/api/openapi.json").json()
    op = api["paths"]["/api/v1/dossiers"]["post"]
    ref = op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]
    schema = api["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert "warnings" in schema["properties"]
    assert "duplicate_same_day" in schema["properties"]["warnings"]["description"]


def test_the_procedure_page_says_the_fee_is_per_copy(client, copy_proc):
    page = client.get(f"/dich-vu-cong/thu-tuc/{copy_proc.code}/").content.decode()
    assert "8.000 ₫ mỗi bản" in page
    copy_proc.channels.update(fee_per_copy=False)
    page = client.get(f"/dich-vu-cong/thu-tuc/{copy_proc.code}/").content.decode()
    assert "mỗi bản" not in page


def test_the_api_says_who_may_apply_and_lists_the_legal_bases(client, birth, copy_proc):
    birth.legal_basis = "Luật Hộ tịch60/2014/QH13Nghị định 123/2015/NĐ-CP123/2015/NĐ-CP"
    birth.save(update_fields=["legal_basis"])
    body = client.get(f"/api/v1/procedures/{birth.code}").json()
    assert body["applicant_kinds"] == ["citizen"]
    assert [d["code"] for d in body["legal_documents"]] == ["60/2014/QH13", "123/2015/NĐ-CP"]
    assert all(c["time_label"] for c in body["channels"])
    copy = client.get(f"/api/v1/procedures/{copy_proc.code}").json()
    assert all(c["fee_per_copy"] for c in copy["channels"] if c["fee_amount"])
