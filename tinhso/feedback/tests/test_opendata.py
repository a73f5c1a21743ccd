"""Published answers as an open dataset in the data portal (through web.platform_data)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tinhso.data.models import DatastoreRow, DatastoreTable
from tinhso.orgs.selectors import orgunit_get

pytestmark = pytest.mark.django_db
NAME = "tra-loi-phan-anh-kien-nghi"


def test_published_answers_are_an_open_dataset_without_personal_data(submit_fb, user_named):
    from tinhso.feedback.services import feedback_approve, feedback_draft_answer, feedback_forward

    def walk(fb, publish):
        fb = feedback_forward(
            user=user_named("vanphong.cds"),
            feedback_id=fb.pk,
            version=fb.version,
            org_unit=orgunit_get(code="724"),
        )
        fb = feedback_draft_answer(
            user=user_named("canbo.dian"),
            feedback_id=fb.pk,
            version=fb.version,
            answer="Trả lời công khai",
            publish=publish,
        )
        return feedback_approve(
            user=user_named("lanhdao.dian"), feedback_id=fb.pk, version=fb.version
        )

    shown = walk(
        submit_fb(
            publish_consent=True, subject="Nguyễn Thị Hoa hỏi về khai sinh", text="Gọi 0912345678"
        )[0],
        True,
    )
    walk(submit_fb(publish_consent=True, subject="Không công khai")[0], False)
    call_command("publish_platform_data", stdout=StringIO())
    table = DatastoreTable.objects.get(resource__dataset__name=NAME, is_current=True)
    rows = [r.data for r in DatastoreRow.objects.filter(table=table)]
    assert [r["so_phan_anh"] for r in rows] == [shown.number]
    text = " ".join(str(v) for v in rows[0].values())
    assert "Trả lời công khai" in text and rows[0]["ma_don_vi_tra_loi"] == "724"
    assert "0912345678" not in text and "Nguyễn Thị Hoa" not in text
