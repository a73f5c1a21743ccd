"""Sending a draft checks it against the form it was filled in under (issue 16,
leftover 5): when the procedure's form was published anew meanwhile, the applicant is
told in Vietnamese to review the draft under the new form, nothing is sent and the
values are kept; saving the draft moves it to the new form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tinhso.services.models import Dossier, Status
from tinhso.services.studio import services as studio
from tinhso.services.tests.conftest import upload
from tinhso.services.tests.test_studio import _build

pytestmark = pytest.mark.django_db

FORM = {"ho_ten_tre": "Nguyễn An", "co_anh_chi_em": "no"}


@pytest.fixture
def draft_v1(birth, user_named, ward_dian) -> Dossier:
    from tinhso.services.services import dossier_draft_create

    admin = user_named("vanphong.cds")
    studio.revision_publish(user=admin, revision_id=_build(admin, birth).pk)
    return dossier_draft_create(
        user=user_named("congdan"),
        procedure=birth,
        org_unit=ward_dian,
        form_data=FORM,
        files={p.pk: [upload()] for p in birth.parts.filter(required=True)},
    )


def _number(dossier: Dossier) -> int | None:
    return dossier.form_revision.number if dossier.form_revision else None


def _publish_v2(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = studio.revision_draft_get_or_create(user=admin, procedure=birth)
    studio.revision_field_add(user=admin, revision_id=draft.pk, kind="text", label="Quê quán")
    studio.revision_publish(user=admin, revision_id=draft.pk)


def test_draft_under_the_current_form_is_sent(birth, user_named, draft_v1) -> None:
    from tinhso.services.services import dossier_submit

    sent = dossier_submit(user=user_named("congdan"), dossier_id=draft_v1.pk)
    assert sent.status == Status.NEW and _number(sent) == 1


def test_form_published_anew_the_draft_is_kept_and_the_applicant_told(
    birth, user_named, ward_dian, draft_v1
) -> None:
    from tinhso.services.drafts import dossier_draft_save
    from tinhso.services.services import dossier_submit

    citizen = user_named("congdan")
    _publish_v2(birth, user_named)
    with pytest.raises(ValidationError) as exc:
        dossier_submit(user=citizen, dossier_id=draft_v1.pk)
    assert exc.value.messages == [
        "Biểu mẫu của thủ tục đã được cập nhật (phiên bản 2) sau khi bạn bắt đầu khai hồ sơ "
        "này. Vui lòng xem lại tờ khai theo mẫu mới rồi nộp; các thông tin bạn đã khai vẫn "
        "được giữ lại."
    ]
    draft = Dossier.objects.get(pk=draft_v1.pk)
    assert draft.status == Status.DRAFT and not draft.number
    assert draft.form_data == FORM and _number(draft) == 1
    # the new form requires "Quê quán": reviewed under it, the draft is sent
    draft, problems = dossier_draft_save(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        draft_id=draft.pk,
        form_data={**FORM, "que_quan": "Bình Dương"},
        complete=True,
    )
    assert problems == {} and _number(draft) == 2
    sent = dossier_submit(user=citizen, dossier_id=draft.pk)
    assert sent.status == Status.NEW and sent.form_data["que_quan"] == "Bình Dương"


def test_draft_under_typed_rows_then_a_studio_form(birth, user_named, ward_dian) -> None:
    from tinhso.services.services import dossier_draft_create, dossier_submit
    from tinhso.services.tests.conftest import BIRTH_FORM

    citizen = user_named("congdan")
    draft = dossier_draft_create(
        user=citizen,
        procedure=birth,
        org_unit=ward_dian,
        form_data=BIRTH_FORM,
        files={p.pk: [upload()] for p in birth.parts.filter(required=True)},
    )
    assert draft.form_revision is None
    admin = user_named("vanphong.cds")
    studio.revision_publish(user=admin, revision_id=_build(admin, birth).pk)
    with pytest.raises(ValidationError) as exc:
        dossier_submit(user=citizen, dossier_id=draft.pk)
    assert "phiên bản 1" in exc.value.messages[0]
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT


def test_review_page_sends_the_applicant_back_to_the_form(
    client, birth, user_named, draft_v1
) -> None:
    client.force_login(user_named("congdan"))
    review = f"/dich-vu-cong/ho-so/{draft_v1.pk}/xem-lai/"
    assert client.get(review).status_code == 200
    _publish_v2(birth, user_named)
    r = client.get(review)
    assert r.status_code == 302 and r["Location"].endswith(f"/ho-so/{draft_v1.pk}/khai-lai/")
    r = client.post(review, follow=True)
    page = r.content.decode()
    assert "đã được cập nhật (phiên bản 2)" in page and "vẫn được giữ lại" in page
    assert 'value="Nguyễn An"' in page  # the values kept, shown in the new form
    assert Dossier.objects.get(pk=draft_v1.pk).status == Status.DRAFT
