"""The feedback pages through the test client (the rules are tested in test_feedback)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tinhso.feedback.models import Feedback, FeedbackFile

from .conftest import EXE, upload

pytestmark = pytest.mark.django_db


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_anonymous_submits_sees_code_once_and_tracks(client, fb_demo):
    r = client.get("/phan-anh/gui/")
    assert r.status_code == 200 and "Họ tên" in r.content.decode()
    r = client.post(
        "/phan-anh/gui/",
        {
            "category": "platform",
            "subject": "Trang nộp hồ sơ chậm",
            "text": "Trang tải rất chậm vào buổi sáng.",
            "name": "Lê Văn Tư",
            "email": "tu@example.vn",
            "file1": upload("anh.pdf"),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    fb = Feedback.objects.get()
    page = client.get(r["Location"]).content.decode()
    code = re.search(r'id="feedback-code">([^<]+)<', page).group(1)
    assert client.get(r["Location"]).status_code == 302  # shown once
    page = client.get("/phan-anh/tra-cuu/", {"so": fb.number, "ma": code}).content.decode()
    assert "Trang nộp hồ sơ chậm" in page and "Bổ sung thông tin" in page
    wrong = client.get("/phan-anh/tra-cuu/", {"so": fb.number, "ma": "doan-bua"}).content.decode()
    assert "Trang nộp hồ sơ chậm" not in wrong and "Không tìm thấy" in wrong
    # the attachment: with the code, yes; without, no
    f = FeedbackFile.objects.get()
    assert client.get(f"/phan-anh/tep/{f.pk}/", {"ma": code}).status_code == 200
    assert client.get(f"/phan-anh/tep/{f.pk}/").status_code == 404


def test_bad_attachment_on_the_form_shows_the_error_and_stores_nothing(client, fb_demo):
    r = client.post(
        "/phan-anh/gui/",
        {
            "category": "other",
            "subject": "Góp ý",
            "text": "Nội dung",
            "name": "A B",
            "email": "a@example.vn",
            "file1": upload("x.pdf", EXE, "application/pdf"),
        },
    )
    assert r.status_code == 200 and "không đúng định dạng" in r.content.decode()
    assert not Feedback.objects.exists()


def test_official_pages_are_scoped(client, submit_fb, user_named):
    fb, _code = submit_fb()
    office = _login(Client(), user_named("vanphong.cds"))
    assert fb.number in office.get("/phan-anh/xu-ly/").content.decode()
    dian = _login(Client(), user_named("canbo.dian"))
    assert fb.number not in dian.get("/phan-anh/xu-ly/").content.decode()
    assert dian.get(f"/phan-anh/xu-ly/{fb.pk}/").status_code == 404
    from tinhso.orgs.selectors import orgunit_get

    unit = orgunit_get(code="724")
    r = office.post(
        f"/phan-anh/xu-ly/{fb.pk}/forward/",
        {"version": fb.version, "fw-category": "procedure", "fw-org_unit": unit.pk},
    )
    assert r.status_code == 302
    fb.refresh_from_db()
    assert fb.org_unit == unit
    page = dian.get(f"/phan-anh/xu-ly/{fb.pk}/").content.decode()
    assert "Trình lãnh đạo duyệt" in page
    assert (
        _login(Client(), user_named("canbo.thuanan")).get(f"/phan-anh/xu-ly/{fb.pk}/").status_code
        == 404
    )
    # the role page shows the panel
    assert "Phản ánh, kiến nghị cần xử lý" in dian.get("/trang-cua-toi/").content.decode()


def test_public_page_filters_by_procedure_and_unit(client, submit_fb, user_named):
    from tinhso.feedback.services import feedback_approve, feedback_draft_answer, feedback_forward
    from tinhso.orgs.selectors import orgunit_get
    from tinhso.services.models import Procedure

    proc = Procedure.objects.get(code="1.001193")
    fb, _code = submit_fb(
        publish_consent=True, procedure=proc, text="Tôi là Nguyễn Thị Hoa, điện thoại 0912345678."
    )
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
        answer="Không cần sổ hộ khẩu.",
        publish=True,
    )
    fb = feedback_approve(user=user_named("lanhdao.dian"), feedback_id=fb.pk, version=fb.version)
    page = client.get("/phan-anh/", {"thu_tuc": "1.001193"}).content.decode()
    assert fb.subject in page
    other = orgunit_get(code="725")
    assert fb.subject not in client.get("/phan-anh/", {"don_vi": other.pk}).content.decode()
    detail = client.get(f"/phan-anh/cong-khai/{fb.number}/").content.decode()
    assert "Không cần sổ hộ khẩu." in detail
    assert "0912345678" not in detail and "Nguyễn Thị Hoa" not in detail


def test_queue_shows_the_units_figures(submit_fb, user_named):
    import datetime as dt

    from django.utils import timezone

    from tinhso.feedback.services import feedback_approve, feedback_draft_answer, feedback_forward
    from tinhso.orgs.selectors import orgunit_get

    fb, _code = submit_fb()
    fb = feedback_forward(
        user=user_named("vanphong.cds"),
        feedback_id=fb.pk,
        version=fb.version,
        org_unit=orgunit_get(code="724"),
    )
    fb = feedback_draft_answer(
        user=user_named("canbo.dian"), feedback_id=fb.pk, version=fb.version, answer="Trả lời"
    )
    feedback_approve(
        user=user_named("lanhdao.dian"),
        feedback_id=fb.pk,
        version=fb.version,
        now=timezone.now() + dt.timedelta(minutes=1),
    )
    dian = _login(Client(), user_named("lanhdao.dian"))
    page = dian.get("/phan-anh/xu-ly/").content.decode()
    assert re.search(r'id="feedback-on-time">1 \(100%\)', page)
    other = _login(Client(), user_named("lanhdao.thuanan")).get("/phan-anh/xu-ly/").content.decode()
    assert re.search(r'id="feedback-on-time">0<', other)


def test_english_when_chosen(client, fb_demo):
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get("/phan-anh/gui/").content.decode()
    assert "Send feedback or a petition" in body and "Kind of feedback or petition" in body
