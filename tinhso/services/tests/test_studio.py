"""The procedure studio (issue 16, part A): form revisions, publish checks, and the
submission path driven by the published revision."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.audit.models import AuditEntry
from tinhso.services.models import Dossier, FormRevision, Process, ProcessStep, ResultTemplate
from tinhso.services.studio import services as studio
from tinhso.services.studio.render import studio_display, studio_validate
from tinhso.services.studio.spec import revision_errors
from tinhso.services.tests.conftest import upload

pytestmark = pytest.mark.django_db


def _build(user, procedure) -> FormRevision:
    """A form with a condition and a repeating block, every required part bound."""
    draft = studio.revision_draft_get_or_create(user=user, procedure=procedure)
    for f in list(draft.fields):
        studio.revision_field_remove(user=user, revision_id=draft.pk, name=f["name"])
    add = studio.revision_field_add
    add(user=user, revision_id=draft.pk, kind="heading", label="Thông tin người con")
    name = add(user=user, revision_id=draft.pk, kind="text", label="Họ tên trẻ")
    assert name["name"] == "ho_ten_tre"
    studio.revision_field_update(
        user=user,
        revision_id=draft.pk,
        name="ho_ten_tre",
        values={"min_length": 3, "pattern": r"^[^0-9]+$", "pattern_message": "Không có chữ số."},
    )
    add(user=user, revision_id=draft.pk, kind="yesno", label="Có anh chị em")
    add(user=user, revision_id=draft.pk, kind="repeat", label="Anh chị em")
    studio.revision_field_update(
        user=user,
        revision_id=draft.pk,
        name="anh_chi_em",
        values={"show_if": {"field": "co_anh_chi_em", "equals": "yes"}, "max_items": 3},
    )
    add(user=user, revision_id=draft.pk, kind="text", label="Họ tên", parent="anh_chi_em")
    add(user=user, revision_id=draft.pk, kind="date", label="Ngày sinh", parent="anh_chi_em")
    studio.revision_field_update(
        user=user, revision_id=draft.pk, name="ngay_sinh", values={"required": False}
    )
    for part in procedure.parts.filter(required=True):
        spec = add(user=user, revision_id=draft.pk, kind="upload", label=part.name[:60])
        studio.revision_field_update(
            user=user, revision_id=draft.pk, name=spec["name"], values={"part": part.pk}
        )
    studio.result_template_save(
        user=user,
        procedure=procedure,
        title="Giấy khai sinh",
        body="Họ tên: {ho_ten_tre}. Số hồ sơ {so_ho_so}.",
    )
    draft.refresh_from_db()
    return draft


def test_revision_checks_conditions_and_names() -> None:
    fields: list[dict[str, Any]] = [
        {
            "name": "a",
            "kind": "text",
            "label": "A",
            "show_if": {"field": "b", "equals": ""},
            "choices": [],
            "children": [],
        },
        {"name": "b", "kind": "text", "label": "B", "children": [], "choices": []},
        {"name": "b", "kind": "text", "label": "B2", "children": [], "choices": []},
        {"name": "c", "kind": "text", "label": "C", "pattern": "[", "children": [], "choices": []},
    ]
    errors = revision_errors(fields)
    assert any("“b” không có ở phía trước" in e for e in errors)
    assert any("bị trùng" in e for e in errors)
    assert any("sai cú pháp" in e for e in errors)
    assert any("thông báo dễ hiểu" in e for e in errors)


def test_publish_then_submission_uses_revision(birth, user_named, ward_dian) -> None:
    from tinhso.services.services import dossier_draft_create, dossier_submit

    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    published = studio.revision_publish(user=admin, revision_id=draft.pk, note="Bản đầu")
    assert published.state == FormRevision.State.PUBLISHED
    assert AuditEntry.objects.filter(action="services.studio_publish").count() == 1
    citizen = user_named("congdan")
    files = {p.pk: [upload()] for p in birth.parts.filter(required=True)}
    # the condition: siblings shown only when "yes"; a used row needs its required child
    with pytest.raises(ValidationError) as exc:
        dossier_draft_create(
            user=citizen,
            procedure=birth,
            org_unit=ward_dian,
            form_data={
                "ho_ten_tre": "Bé 1",
                "co_anh_chi_em": "yes",
                "anh_chi_em__0__ngay_sinh": "2020-01-01",
            },
            files=files,
        )
    assert "Không có chữ số." in exc.value.message_dict["ho_ten_tre"]
    assert "anh_chi_em__0__ho_ten" in exc.value.message_dict
    assert not Dossier.objects.exists()
    d1 = dossier_draft_create(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={
            "ho_ten_tre": "Nguyễn An",
            "co_anh_chi_em": "yes",
            "anh_chi_em": [{"ho_ten": "Nguyễn Bình", "ngay_sinh": "2020-02-03"}],
        },
        files=files,
    )
    d1 = dossier_submit(user=citizen, dossier_id=d1.pk)
    assert d1.form_revision_id == published.pk
    assert d1.form_data["anh_chi_em"] == [{"ho_ten": "Nguyễn Bình", "ngay_sinh": "2020-02-03"}]
    # a second revision renames a label; the first dossier still shows the first one
    draft2 = studio.revision_draft_get_or_create(user=admin, procedure=birth)
    assert draft2.number == 2
    studio.revision_field_update(
        user=admin, revision_id=draft2.pk, name="ho_ten_tre", values={"label": "Tên khai sinh"}
    )
    second = studio.revision_publish(user=admin, revision_id=draft2.pk)
    published.refresh_from_db()
    assert published.state == FormRevision.State.SUPERSEDED
    from tinhso.services.eform import eform_display

    d1.refresh_from_db()
    rows = dict(eform_display(procedure=birth, data=d1.form_data, revision=d1.form_revision))
    assert rows["Họ tên trẻ"] == "Nguyễn An"
    assert rows["Anh chị em (1)"] == "Họ tên: Nguyễn Bình; Ngày sinh: 03/02/2020"
    assert "Tên khai sinh" not in rows
    rows2 = dict(studio_display(fields=second.fields, data=d1.form_data))
    assert "Tên khai sinh" in rows2


def test_hidden_field_not_required_and_dropped() -> None:
    fields = [
        {"name": "co", "kind": "yesno", "label": "Có?", "required": True},
        {
            "name": "ly_do",
            "kind": "text",
            "label": "Lý do",
            "required": True,
            "show_if": {"field": "co", "equals": "yes"},
        },
    ]
    from tinhso.services.studio.spec import field_normalise

    fields = [field_normalise(f) for f in fields]
    assert studio_validate(fields=fields, data={"co": "no", "ly_do": "x"}) == {"co": "no"}
    with pytest.raises(ValidationError) as exc:
        studio_validate(fields=fields, data={"co": "yes"})
    assert "ly_do" in exc.value.message_dict


def _refusal(user, procedure, draft) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        studio.revision_publish(user=user, revision_id=draft.pk)
    draft.refresh_from_db()
    assert draft.state == FormRevision.State.DRAFT
    return exc.value.messages


def test_publish_refuses_missing_required_part(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    upload_field = next(f for f in draft.fields if f["kind"] == "upload")
    studio.revision_field_remove(user=admin, revision_id=draft.pk, name=upload_field["name"])
    messages = _refusal(admin, birth, draft)
    assert any("Thiếu trường tải lên cho thành phần hồ sơ bắt buộc" in m for m in messages)


def test_publish_refuses_condition_on_missing_field(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    studio.revision_field_remove(user=admin, revision_id=draft.pk, name="co_anh_chi_em")
    messages = _refusal(admin, birth, draft)
    assert any("“co_anh_chi_em” không có ở phía trước" in m for m in messages)


def test_publish_refuses_condition_on_later_field(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    studio.revision_field_move(user=admin, revision_id=draft.pk, name="anh_chi_em", offset=-1)
    messages = _refusal(admin, birth, draft)
    assert any("không có ở phía trước" in m for m in messages)


def test_publish_refuses_invalid_process(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    broken = Process.objects.create(code="hong", name="Hỏng", is_active=True)
    ProcessStep.objects.create(process=broken, code="a", name="A", status=1, is_start=True)
    birth.process = broken
    birth.save(update_fields=["process"])
    messages = _refusal(admin, birth, draft)
    assert any(m.startswith("Quy trình xử lý chưa hợp lệ") for m in messages)


def test_publish_refuses_without_result_template(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    ResultTemplate.objects.filter(procedure=birth).delete()
    assert "Thủ tục chưa có mẫu kết quả." in _refusal(admin, birth, draft)


def test_result_template_refuses_unknown_placeholder(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    _build(admin, birth)
    with pytest.raises(ValidationError) as exc:
        studio.result_template_save(
            user=admin, procedure=birth, title="KQ", body="{khong_co} {ho_ten_tre}"
        )
    assert "{khong_co}" in exc.value.message_dict["body"][0]


def test_field_update_refuses_bad_values_and_stores_nothing(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    with pytest.raises(ValidationError):
        studio.revision_field_update(
            user=admin,
            revision_id=draft.pk,
            name="ho_ten_tre",
            values={"min_length": 10, "max_length": 5},
        )
    draft.refresh_from_db()
    spec = next(f for f in draft.fields if f["name"] == "ho_ten_tre")
    assert spec["max_length"] is None


def test_published_revision_not_editable_and_permission(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    studio.revision_publish(user=admin, revision_id=draft.pk)
    with pytest.raises(ValidationError):
        studio.revision_field_remove(user=admin, revision_id=draft.pk, name="ho_ten_tre")
    with pytest.raises(PermissionDenied):
        studio.revision_draft_get_or_create(user=user_named("canbo.dian"), procedure=birth)
    # a receiving unit's head edits the procedures its unit receives
    assert studio.studio_can_edit(user=user_named("lanhdao.dian"), procedure=birth)
    assert not studio.studio_can_edit(user=user_named("congdan"), procedure=birth)


def test_prefill_from_verified_identity_and_address(user_named, ward_dian) -> None:
    from tinhso.services.studio.render import studio_form_class
    from tinhso.services.studio.spec import field_normalise

    fields = [
        field_normalise(
            {"name": "ho_ten", "kind": "text", "label": "Họ tên", "prefill": "full_name"}
        ),
        field_normalise({"name": "dia_chi", "kind": "address", "label": "Nơi ở"}),
        field_normalise(
            {"name": "so_con", "kind": "number", "label": "Số con", "min_value": 0, "max_value": 9}
        ),
    ]
    citizen = user_named("congdan")
    form = studio_form_class(fields=fields)(applicant=citizen)
    assert form.initial["f_ho_ten"] == citizen.full_name
    # the communes are grouped by their province
    choices = form.fields["f_dia_chi"].choices  # type: ignore[attr-defined]
    groups = [label for label, opts in choices if isinstance(opts, list)]
    assert groups and all(isinstance(g, str) for g in groups)
    cleaned = studio_validate(
        fields=fields,
        data={
            "ho_ten": "A",
            "dia_chi": {"commune": ward_dian.code, "detail": "12 Lý Thường Kiệt"},
            "so_con": "2",
        },
    )
    assert cleaned["dia_chi"] == {
        "commune": ward_dian.code,
        "name": ward_dian.name,
        "detail": "12 Lý Thường Kiệt",
    }
    with pytest.raises(ValidationError) as exc:
        studio_validate(
            fields=fields, data={"ho_ten": "A", "dia_chi": {"commune": "x"}, "so_con": "12"}
        )
    assert set(exc.value.message_dict) == {"dia_chi", "so_con"}
    rows = dict(studio_display(fields=fields, data=cleaned))
    assert rows["Nơi ở"] == f"12 Lý Thường Kiệt, {ward_dian.name}"


def test_api_describes_the_published_form(client, birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    studio.revision_publish(user=admin, revision_id=_build(admin, birth).pk)
    form = client.get(f"/api/v1/procedures/{birth.code}").json()["form"]
    kinds = {f["name"]: f["kind"] for f in form}
    assert kinds == {"ho_ten_tre": "text", "co_anh_chi_em": "yesno", "anh_chi_em": "repeat"}
