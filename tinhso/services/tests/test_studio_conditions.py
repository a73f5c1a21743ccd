"""Conditional document parts in the studio (issue 16, leftover 2): an upload field shown
only when another field has a value; its part is required only then, and a file sent for
it while hidden is not kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tinhso.services.models import DocumentPart, DossierFile
from tinhso.services.studio import services as studio
from tinhso.services.studio.render import studio_parts_hidden
from tinhso.services.studio.spec import field_normalise
from tinhso.services.tests.conftest import upload
from tinhso.services.tests.test_studio import _build

pytestmark = pytest.mark.django_db


def test_parts_hidden_follow_conditions_and_chains() -> None:
    raw: list[dict[str, Any]] = [
        {"name": "kh", "kind": "yesno", "label": "Đã đăng ký kết hôn"},
        {
            "name": "gcn",
            "kind": "upload",
            "label": "GCN",
            "part": 7,
            "show_if": {"field": "kh", "equals": "yes"},
        },
        {
            "name": "ly_do",
            "kind": "text",
            "label": "Lý do",
            "show_if": {"field": "kh", "equals": "no"},
        },
        {
            "name": "xac_nhan",
            "kind": "upload",
            "label": "Xác nhận",
            "part": 8,
            "show_if": {"field": "ly_do", "equals": ""},
        },
        {"name": "don", "kind": "upload", "label": "Đơn", "part": 9},
    ]
    fields = [field_normalise(f) for f in raw]
    assert studio_parts_hidden(fields=fields, data={"kh": "yes"}) == {8}
    assert studio_parts_hidden(fields=fields, data={"kh": "no", "ly_do": "x"}) == {7}
    # "ly_do" is hidden when "kh" is yes: its stale value does not show "xac_nhan"
    assert studio_parts_hidden(fields=fields, data={"kh": "yes", "ly_do": "x"}) == {8}
    assert studio_parts_hidden(fields=fields, data={}) == {7, 8}


@pytest.fixture
def married(birth, user_named):
    """The birth form with a required marriage certificate shown only when the parents
    registered their marriage."""
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    part = DocumentPart.objects.create(
        procedure=birth, name="Giấy chứng nhận kết hôn của cha mẹ", required=True, order=99
    )
    studio.revision_field_add(
        user=admin, revision_id=draft.pk, kind="yesno", label="Cha mẹ đã đăng ký kết hôn"
    )
    spec = studio.revision_field_add(
        user=admin, revision_id=draft.pk, kind="upload", label="Giấy chứng nhận kết hôn"
    )
    studio.revision_field_update(
        user=admin,
        revision_id=draft.pk,
        name=spec["name"],
        values={
            "part": part.pk,
            "show_if": {"field": "cha_me_da_dang_ky_ket_hon", "equals": "yes"},
        },
    )
    studio.revision_publish(user=admin, revision_id=draft.pk)
    return part


def _files(birth, extra=None):
    files = {p.pk: [upload()] for p in birth.parts.filter(required=True).exclude(order=99)}
    files.update(extra or {})
    return files


def test_hidden_part_not_required_and_its_file_not_kept(birth, user_named, ward_dian, married):
    from tinhso.services.services import dossier_draft_create, dossier_submit

    citizen = user_named("congdan")
    base = {"ho_ten_tre": "Nguyễn An", "co_anh_chi_em": "no"}
    # married: the certificate is required
    with pytest.raises(ValidationError) as exc:
        dossier_draft_create(
            user=citizen,
            procedure=birth,
            org_unit=ward_dian,
            form_data={**base, "cha_me_da_dang_ky_ket_hon": "yes"},
            files=_files(birth),
        )
    assert f"part_{married.pk}" in exc.value.message_dict
    # not married: not required, and a certificate sent anyway is not stored
    d = dossier_draft_create(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={**base, "cha_me_da_dang_ky_ket_hon": "no"},
        files=_files(birth, {married.pk: [upload("gcn-ket-hon.pdf")]}),
    )
    d = dossier_submit(user=citizen, dossier_id=d.pk)
    assert not d.files.filter(part=married).exists()
    assert d.files.filter(kind=DossierFile.Kind.APPLICATION).count() == len(_files(birth))
    # married and given: kept
    d2 = dossier_draft_create(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={**base, "cha_me_da_dang_ky_ket_hon": "yes"},
        files=_files(birth, {married.pk: [upload("gcn-ket-hon.pdf")]}),
    )
    assert d2.files.filter(part=married).count() == 1


def test_draft_drops_the_file_of_a_part_hidden_later(birth, user_named, ward_dian, married):
    from tinhso.audit.models import AuditEntry
    from tinhso.services.drafts import dossier_draft_save, draft_problems
    from tinhso.services.services import dossier_submit

    citizen = user_named("congdan")
    base = {"ho_ten_tre": "Nguyễn An", "co_anh_chi_em": "no"}
    draft, problems = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={**base, "cha_me_da_dang_ky_ket_hon": "yes"},
        files={married.pk: [upload("gcn-ket-hon.pdf")]},
    )
    assert draft.files.filter(part=married).count() == 1
    missing = draft_problems(dossier=draft)
    assert f"part_{married.pk}" not in missing and missing  # the other parts are missing
    # the applicant answers "no": the kept certificate leaves the draft, nothing requires it
    draft, problems = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        draft_id=draft.pk,
        form_data={**base, "cha_me_da_dang_ky_ket_hon": "no"},
        files={**_files(birth), married.pk: [upload("gcn-ket-hon-2.pdf")]},
        complete=True,
    )
    assert problems == {}
    assert not draft.files.filter(part=married).exists()
    dossier_submit(user=citizen, dossier_id=draft.pk)
    assert AuditEntry.objects.filter(action="services.dossier_submit").exists()


def test_submit_drops_a_file_kept_for_a_part_hidden_by_the_final_answers(
    birth, user_named, ward_dian, married
):
    from tinhso.audit.models import AuditEntry
    from tinhso.services.services import dossier_draft_create, dossier_submit

    citizen = user_named("congdan")
    d = dossier_draft_create(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data={
            "ho_ten_tre": "Nguyễn An",
            "co_anh_chi_em": "no",
            "cha_me_da_dang_ky_ket_hon": "yes",
        },
        files=_files(birth, {married.pk: [upload("gcn-ket-hon.pdf")]}),
    )
    d.form_data["cha_me_da_dang_ky_ket_hon"] = "no"
    d.save(update_fields=["form_data"])
    d = dossier_submit(user=citizen, dossier_id=d.pk)
    assert not d.files.filter(part=married).exists()
    entry = AuditEntry.objects.filter(action="services.dossier_submit").latest("pk")
    assert entry.changes["extra"]["dropped_parts"] == [married.pk]


def test_editor_offers_a_condition_for_an_upload(client, birth, user_named, married) -> None:
    admin = user_named("vanphong.cds")
    studio.revision_draft_get_or_create(user=admin, procedure=birth)
    client.force_login(admin)
    page = client.get(f"/dich-vu-cong/studio/{birth.code}/").content.decode()
    assert 'name="giay_chung_nhan_ket_hon-show_if_field"' in page
    preview = client.get(f"/dich-vu-cong/studio/{birth.code}/xem-truoc/").content.decode()
    assert 'data-show-field="f_cha_me_da_dang_ky_ket_hon" data-show-equals="yes"' in preview
