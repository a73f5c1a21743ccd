"""Issue 15, items 1-2: the applicant's document store and its reuse, drafts that keep
work, withdrawal with a reason, digitisation at the counter, and the Decision 766
digitisation figures computed from these events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tinhso.services.doctypes import doctype_of
from tinhso.services.drafts import dossier_draft_delete, dossier_draft_save
from tinhso.services.models import (
    Dossier,
    DossierFile,
    ServiceDailyStat,
    Status,
    StoredDocument,
)
from tinhso.services.services import (
    ApplicantInfo,
    dossier_act,
    dossier_approve_sign,
    dossier_register_in_person,
    dossier_result_prepare,
    dossier_submit,
    stats_rebuild,
)
from tinhso.services.store import (
    dossier_digitise,
    reuse_notes,
    store_list,
    store_reuse_check,
)

from .conftest import BIRTH_FORM, PNG, upload

pytestmark = pytest.mark.django_db


def act(user, d, code, **kw):
    return dossier_act(user=user, dossier_id=d.pk, action_code=code, version=d.version, **kw)


def parts(birth):
    by_type = {p.doc_type: p for p in birth.parts.all()}
    return by_type["giay-chung-sinh"], by_type["giay-chung-nhan-ket-hon"]


def counters(**filters):
    rows = ServiceDailyStat.objects.filter(**filters)
    keys = ("received_digitised", "finished_digitised", "parts_received", "parts_reused")
    return {k: sum(getattr(r, k) for r in rows) for k in keys}


@pytest.fixture
def first_birth(birth, ward_dian, user_named):
    """A birth registration with the birth certificate and the parents' marriage
    certificate, sent and received: both attachments enter congdan's store."""
    citizen, officer = user_named("congdan"), user_named("canbo.dian")
    cert, marriage = parts(birth)
    draft, problems = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data=BIRTH_FORM,
        files={cert.pk: [upload()], marriage.pk: [upload("ket-hon.png", PNG, "image/png")]},
        complete=True,
    )
    assert problems == {}
    d = dossier_submit(user=citizen, dossier_id=draft.pk)
    return act(officer, d, "receive")


# --- document types ---------------------------------------------------------------------


def test_document_types_from_catalogue_names():
    assert doctype_of("Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì…") == (
        "giay-chung-sinh"
    )
    assert doctype_of("Bản sao Giấy chứng nhận kết hôn") == "giay-chung-nhan-ket-hon"
    assert doctype_of("Giấy khai sinh") == "giay-khai-sinh"
    assert doctype_of("Bản sao giấy tờ chứng minh quyền sử dụng đất") == (
        "giay-chung-nhan-quyen-su-dung-dat"
    )
    # forms filled in for one dossier are never reusable
    assert doctype_of("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân") == ""
    assert doctype_of("Văn bản ủy quyền (được chứng thực)") == ""


def test_demo_catalogue_is_typed(birth):
    assert birth.result_doc_type == "giay-khai-sinh"
    assert {p.doc_type for p in birth.parts.all()} == {
        "giay-chung-sinh",
        "giay-chung-nhan-ket-hon",
        "",
    }


# --- the store ------------------------------------------------------------------------------


def test_attachments_enter_the_store_when_received(birth, ward_dian, user_named, first_birth):
    citizen = user_named("congdan")
    items = list(store_list(user=citizen))
    assert {i.doc_type for i in items} == {"giay-chung-sinh", "giay-chung-nhan-ket-hon"}
    assert {i.source for i in items} == {StoredDocument.Source.ATTACHMENT}
    assert all(i.dossier_id == first_birth.pk for i in items)
    # the same stored file, not a copy
    names = set(first_birth.files.values_list("file", flat=True))
    assert {i.file.name for i in items} <= names
    # someone else sees nothing of it; an official has no store
    assert not store_list(user=user_named("canbo.dian")).exists()
    # the dossier's parts were counted at receipt
    assert (first_birth.parts_total, first_birth.parts_reused) == (2, 0)


def test_nothing_enters_the_store_before_receipt(birth, ward_dian, user_named):
    citizen = user_named("congdan")
    cert, _m = parts(birth)
    draft, _p = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data=BIRTH_FORM,
        files={cert.pk: [upload()]},
    )
    dossier_submit(user=citizen, dossier_id=draft.pk)
    assert not StoredDocument.objects.exists()


def test_signed_result_enters_the_store(pki, birth, ward_dian, user_named, first_birth):
    officer, head = user_named("canbo.dian"), user_named("lanhdao.dian")
    d = act(officer, first_birth, "assign")
    dossier_result_prepare(user=officer, dossier_id=d.pk, generate=True)
    d = act(officer, Dossier.objects.get(pk=d.pk), "forward")
    d = dossier_approve_sign(user=head, dossier_id=d.pk, version=d.version)
    item = StoredDocument.objects.get(source=StoredDocument.Source.RESULT)
    assert item.owner_id == d.applicant_id and item.doc_type == "giay-khai-sinh"
    assert item.sha256 == d.result_ref
    # digitised parts and an electronic result: counted for Decision 766
    assert counters(org_unit=ward_dian)["finished_digitised"] == 1


def test_reuse_a_stored_document_in_a_new_dossier(birth, ward_dian, user_named, first_birth):
    citizen, officer = user_named("congdan"), user_named("canbo.dian")
    cert, marriage = parts(birth)
    item = StoredDocument.objects.get(doc_type="giay-chung-nhan-ket-hon")
    before = counters(org_unit=ward_dian)
    draft, problems = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={**BIRTH_FORM, "ho_ten_tre": "Nguyễn Minh An"},
        files={cert.pk: [upload()]},
        reuse={marriage.pk: item.pk},
        complete=True,
    )
    assert problems == {}
    reused = draft.files.get(part=marriage)
    assert reused.reused_from_id == item.pk and reused.file.name == item.file.name
    d = act(officer, dossier_submit(user=citizen, dossier_id=draft.pk), "receive")
    assert (d.parts_total, d.parts_reused) == (2, 1)
    after = counters(org_unit=ward_dian)
    assert after["parts_received"] - before["parts_received"] == 2
    assert after["parts_reused"] - before["parts_reused"] == 1
    # the official sees where it came from
    note = reuse_notes(files=list(d.files.all()))[reused.pk]
    assert note.number == first_birth.number
    # a reused document is not kept a second time
    assert StoredDocument.objects.filter(doc_type="giay-chung-nhan-ket-hon").count() == 1
    # and the official may still ask for a new one
    d = act(officer, d, "request_supplement", comment="Đề nghị nộp bản mới")
    assert d.status == Status.SUPPLEMENT


def test_reuse_refuses_someone_elses_item(birth, ward_dian, user_named, first_birth):
    _cert, marriage = parts(birth)
    item = StoredDocument.objects.get(doc_type="giay-chung-nhan-ket-hon")
    other = _citizen_two(user_named)
    with pytest.raises(ValidationError) as exc:
        store_reuse_check(user=other, procedure=birth, reuse={marriage.pk: item.pk})
    assert "Không tìm thấy giấy tờ này" in str(exc.value)
    # through the draft: the form's other values are kept, the foreign item is not attached
    draft, problems = dossier_draft_save(
        user=other,
        procedure=birth,
        org_unit=ward_dian,
        form_data=BIRTH_FORM,
        reuse={marriage.pk: item.pk},
    )
    assert f"part_{marriage.pk}" in problems
    assert not draft.files.exists()


def test_reuse_refuses_an_item_of_the_wrong_type(birth, ward_dian, user_named, first_birth):
    citizen = user_named("congdan")
    _cert, marriage = parts(birth)
    wrong = StoredDocument.objects.get(doc_type="giay-chung-sinh")
    with pytest.raises(ValidationError) as exc:
        store_reuse_check(user=citizen, procedure=birth, reuse={marriage.pk: wrong.pk})
    assert "không phải loại" in str(exc.value)
    untyped = birth.parts.get(doc_type="")
    with pytest.raises(ValidationError):
        store_reuse_check(user=citizen, procedure=birth, reuse={untyped.pk: wrong.pk})


def _citizen_two(user_named):
    from tinhso.accounts.models import User
    from tinhso.accounts.services import citizen_register

    found = User.objects.filter(username="congdan2").first()
    return found or citizen_register(
        username="congdan2",
        password="x-Very-long-pass-9",
        full_name="Trần Văn Hai",
        citizen_id="074190005678",
        check_password=False,
    )


def test_store_pages_are_the_owners_only(client, birth, ward_dian, user_named, first_birth):
    item = StoredDocument.objects.first()
    client.force_login(user_named("congdan"))
    page = client.get("/dich-vu-cong/kho-du-lieu/").content.decode()
    assert "Giấy chứng nhận kết hôn" in page and first_birth.number in page
    assert client.get(f"/dich-vu-cong/kho-du-lieu/{item.pk}/tep/").status_code == 200
    client.force_login(_citizen_two(user_named))
    assert client.get(f"/dich-vu-cong/kho-du-lieu/{item.pk}/tep/").status_code == 404
    assert (
        "Giấy chứng nhận kết hôn" not in client.get("/dich-vu-cong/kho-du-lieu/").content.decode()
    )
    client.force_login(user_named("canbo.dian"))
    assert client.get("/dich-vu-cong/kho-du-lieu/").status_code == 403


def test_submission_form_offers_the_stored_document(
    client, birth, ward_dian, user_named, first_birth
):
    _cert, marriage = parts(birth)
    client.force_login(user_named("congdan"))
    page = client.get("/dich-vu-cong/thu-tuc/1.001193/nop/").content.decode()
    assert "Dùng giấy tờ đã có" in page and f'name="reuse_{marriage.pk}"' in page


# --- drafts -----------------------------------------------------------------------------------


def test_valid_files_survive_an_error_elsewhere(birth, ward_dian, user_named):
    citizen = user_named("congdan")
    cert, _m = parts(birth)
    draft, problems = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={**BIRTH_FORM, "ngay_sinh": "không phải ngày"},
        files={cert.pk: [upload()]},
        complete=True,
    )
    assert "ngay_sinh" in problems
    assert draft.status == Status.DRAFT and draft.files.filter(part=cert).count() == 1
    # sending it is refused while it is incomplete
    with pytest.raises(ValidationError):
        dossier_submit(user=citizen, dossier_id=draft.pk)
    # the same draft is edited ("Khai lại"), the file is still there
    again, problems = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data=BIRTH_FORM,
        draft_id=draft.pk,
        complete=True,
    )
    assert again.pk == draft.pk and problems == {}
    assert Dossier.objects.count() == 1
    sent = dossier_submit(user=citizen, dossier_id=draft.pk)
    assert sent.status == Status.NEW and sent.form_data["ngay_sinh"] == "2026-01-05"


def test_a_bad_file_is_refused_alone(birth, ward_dian, user_named):
    citizen = user_named("congdan")
    cert, marriage = parts(birth)
    draft, problems = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data=BIRTH_FORM,
        files={
            cert.pk: [upload()],
            marriage.pk: [upload("virus.pdf", b"MZ" + b"\x00" * 100, "application/pdf")],
        },
    )
    assert f"part_{marriage.pk}" in problems
    assert list(draft.files.values_list("part_id", flat=True)) == [cert.pk]


def test_the_same_file_autosaved_twice_is_kept_once(birth, ward_dian, user_named):
    citizen = user_named("congdan")
    cert, _m = parts(birth)
    draft, _p = dossier_draft_save(
        user=citizen, procedure=birth, org_unit=ward_dian, form_data={}, files={cert.pk: [upload()]}
    )
    dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={"ho_ten_tre": "Khang"},
        files={cert.pk: [upload()]},
        draft_id=draft.pk,
    )
    assert draft.files.count() == 1
    draft.refresh_from_db()
    assert draft.form_data == {"ho_ten_tre": "Khang"}


def test_someone_elses_draft_cannot_be_edited_or_deleted(birth, ward_dian, user_named):
    citizen = user_named("congdan")
    draft, _p = dossier_draft_save(
        user=citizen, procedure=birth, org_unit=ward_dian, form_data=BIRTH_FORM
    )
    other = _citizen_two(user_named)
    with pytest.raises(PermissionDenied):
        dossier_draft_save(
            user=other, procedure=birth, org_unit=ward_dian, form_data={}, draft_id=draft.pk
        )
    with pytest.raises(PermissionDenied):
        dossier_draft_delete(user=other, dossier_id=draft.pk)
    dossier_draft_delete(user=citizen, dossier_id=draft.pk)
    assert not Dossier.objects.filter(pk=draft.pk).exists()


def test_a_submitted_dossier_cannot_be_deleted(submit_birth, user_named, client):
    d = submit_birth()
    with pytest.raises(ValidationError):
        dossier_draft_delete(user=user_named("congdan"), dossier_id=d.pk)
    client.force_login(user_named("congdan"))
    client.post(f"/dich-vu-cong/ho-so/{d.pk}/xoa-nhap/")
    assert Dossier.objects.filter(pk=d.pk).exists()


def test_drafts_listed_with_edit_and_delete(client, birth, ward_dian, user_named):
    citizen = user_named("congdan")
    draft, _p = dossier_draft_save(
        user=citizen, procedure=birth, org_unit=ward_dian, form_data={"ho_ten_tre": "Khang"}
    )
    client.force_login(citizen)
    page = client.get("/dich-vu-cong/ho-so-cua-toi/").content.decode()
    assert f"/dich-vu-cong/ho-so/{draft.pk}/khai-lai/" in page
    assert f"/dich-vu-cong/ho-so/{draft.pk}/xoa-nhap/" in page
    edit = client.get(f"/dich-vu-cong/ho-so/{draft.pk}/khai-lai/").content.decode()
    assert 'value="Khang"' in edit
    r = client.post(f"/dich-vu-cong/ho-so/{draft.pk}/xoa-nhap/")
    assert r.status_code == 302 and not Dossier.objects.filter(pk=draft.pk).exists()


def test_autosave_creates_then_updates_one_draft(client, birth, ward_dian, user_named):
    client.force_login(user_named("congdan"))
    url = "/dich-vu-cong/thu-tuc/1.001193/luu-nhap/"
    r = client.post(url, {"f_ho_ten_tre": "Khang"})
    assert "Chọn cơ quan tiếp nhận" in r.content.decode() and not Dossier.objects.exists()
    r = client.post(url, {"org_unit": ward_dian.pk, "f_ho_ten_tre": "Khang"})
    d = Dossier.objects.get()
    assert f'value="{d.pk}"' in r.content.decode()
    client.post(url, {"org_unit": ward_dian.pk, "draft": d.pk, "f_ho_ten_tre": "Minh Khang"})
    d.refresh_from_db()
    assert Dossier.objects.count() == 1 and d.form_data["ho_ten_tre"] == "Minh Khang"


# --- withdrawal ----------------------------------------------------------------------------


def test_withdrawal_needs_a_reason_and_a_confirmation_page(submit_birth, user_named, client):
    citizen = user_named("congdan")
    d = submit_birth()
    with pytest.raises(ValidationError):
        act(citizen, d, "withdraw")
    client.force_login(citizen)
    page = client.get(f"/dich-vu-cong/ho-so/{d.pk}/").content.decode()
    assert 'data-action="withdraw"' not in page  # no big button on the dossier page
    assert f"/dich-vu-cong/ho-so/{d.pk}/rut/" in page
    r = client.post(f"/dich-vu-cong/ho-so/{d.pk}/rut/", {"version": d.version, "comment": ""})
    assert r.status_code == 200 and "Vui lòng ghi rõ lý do" in r.content.decode()
    client.post(f"/dich-vu-cong/ho-so/{d.pk}/rut/", {"version": d.version, "comment": "Nộp nhầm"})
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN
    assert d.events.get(action="withdraw").comment == "Nộp nhầm"


# --- digitisation at the counter -------------------------------------------------------------


def _paper(birth, ward_dian, user_named):
    return dossier_register_in_person(
        officer=user_named("canbo.dian"),
        procedure=birth,
        org_unit=ward_dian,
        applicant=ApplicantInfo(name="Lê Thị Mai"),
        form_data=BIRTH_FORM,
        files={},
    )


def test_paper_dossier_digitised_by_the_receiving_official(birth, ward_dian, user_named):
    officer = user_named("canbo.dian")
    cert, _m = parts(birth)
    d = _paper(birth, ward_dian, user_named)
    assert not d.received_digitised
    assert counters(org_unit=ward_dian)["received_digitised"] == 0
    # a required part without its scan: refused, nothing stored
    with pytest.raises(ValidationError):
        dossier_digitise(user=officer, dossier_id=d.pk, version=d.version, files={})
    # an official of another unit may not
    with pytest.raises(PermissionDenied):
        dossier_digitise(
            user=user_named("canbo.thuanan"),
            dossier_id=d.pk,
            version=d.version,
            files={cert.pk: [upload()]},
        )
    d = dossier_digitise(
        user=officer, dossier_id=d.pk, version=d.version, files={cert.pk: [upload()]}
    )
    assert d.received_digitised and d.digitised_by == officer
    assert d.files.get(part=cert).is_scan
    assert counters(org_unit=ward_dian)["received_digitised"] == 1
    with pytest.raises(ValidationError):  # once
        dossier_digitise(
            user=officer, dossier_id=d.pk, version=d.version, files={cert.pk: [upload()]}
        )


def test_rebuilt_counters_equal_the_running_ones(pki, birth, ward_dian, user_named, first_birth):
    officer = user_named("canbo.dian")
    cert, _m = parts(birth)
    paper = _paper(birth, ward_dian, user_named)
    # scanned "tomorrow": counted on the day it was digitised, also after a rebuild
    later = timezone.now() + dt.timedelta(days=1)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        dossier_digitise(
            user=officer, dossier_id=paper.pk, version=paper.version, files={cert.pk: [upload()]}
        )
    running = {
        (r.day, k): getattr(r, k)
        for r in ServiceDailyStat.objects.all()
        for k in ("received_digitised", "parts_received", "parts_reused", "finished_digitised")
    }
    stats_rebuild()
    rebuilt = {
        (r.day, k): getattr(r, k)
        for r in ServiceDailyStat.objects.all()
        for k in ("received_digitised", "parts_received", "parts_reused", "finished_digitised")
    }
    assert {k: v for k, v in running.items() if v} == {k: v for k, v in rebuilt.items() if v}
    assert sum(v for (day, k), v in rebuilt.items() if k == "received_digitised") == 2


def test_the_766_digitisation_criteria_read_the_counters(birth, ward_dian, user_named, first_birth):
    from tinhso.monitoring.rollup import metric_value

    today = timezone.localdate()
    reuse = metric_value(key="reuse_766", unit=ward_dian, start=today, end=today)
    assert (reuse.numerator, reuse.denominator) == (0, 2)
    citizen, officer = user_named("congdan"), user_named("canbo.dian")
    cert, marriage = parts(birth)
    item = StoredDocument.objects.get(doc_type="giay-chung-nhan-ket-hon")
    draft, _p = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data=BIRTH_FORM,
        files={cert.pk: [upload()]},
        reuse={marriage.pk: item.pk},
    )
    act(officer, dossier_submit(user=citizen, dossier_id=draft.pk), "receive")
    reuse = metric_value(key="reuse_766", unit=ward_dian, start=today, end=today)
    assert (reuse.numerator, reuse.denominator) == (1, 4) and reuse.value == 25
    assert DossierFile.objects.filter(reused_from=item).count() == 1
