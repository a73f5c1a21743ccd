"""Who may see and act on a feedback: every question goes to ``accounts.permissions``.

Officials see the feedback held by the units of their scope (the subtree of the units of
their memberships valid today); a logged-in sender sees their own; everyone else gets the
same "not found" on the pages, the attachments and the API. Each test would fail if its
check were removed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from tinhso.accounts.models import Membership, Role
from tinhso.accounts.permissions import permission_roles, user_can
from tinhso.feedback import permissions as perms
from tinhso.feedback.models import Feedback, FeedbackFile
from tinhso.feedback.selectors import feedback_visible
from tinhso.feedback.services import feedback_add_info, feedback_forward
from tinhso.orgs.selectors import orgunit_get

from .conftest import PNG, upload

pytestmark = pytest.mark.django_db
API = "/api/v1/feedback"


def _as(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def at_dian(submit_fb: Any, user_named: Any) -> tuple[Feedback, str]:
    """congdan's feedback with an attachment, forwarded by the office to Dĩ An (724)."""
    fb, code = submit_fb(files=[upload("anh.png", PNG, "image/png")])
    fb = feedback_forward(
        user=user_named("vanphong.cds"),
        feedback_id=fb.pk,
        version=fb.version,
        org_unit=orgunit_get(code="724"),
        category="procedure",
    )
    return fb, code


def test_the_action_table_is_the_registered_one():
    assert permission_roles(perms.VIEW) == {Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN}
    assert permission_roles(perms.ROUTE) == {Role.DX_OFFICE, Role.OFFICER, Role.HEAD, Role.ADMIN}
    assert permission_roles(perms.DRAFT) == {Role.OFFICER, Role.HEAD}
    assert permission_roles(perms.APPROVE) == {Role.HEAD}
    assert permission_roles(perms.SENDER) == set()  # the owner alone


def test_officials_see_only_their_units_feedback(at_dian, user_named):
    fb, _code = at_dian
    f = FeedbackFile.objects.get(feedback=fb)
    seen = {
        name: feedback_visible(user=user_named(name)).filter(pk=fb.pk).exists()
        for name in ("canbo.dian", "lanhdao.dian", "vanphong.cds", "canbo.thuanan", "canbo.stttt")
    }
    # Dĩ An's own officials, and the province's office above it (subtree); not the siblings
    assert seen == {
        "canbo.dian": True,
        "lanhdao.dian": True,
        "vanphong.cds": True,
        "canbo.thuanan": False,
        "canbo.stttt": False,
    }
    dian = _as(user_named("canbo.dian"))
    assert dian.get(f"/phan-anh/xu-ly/{fb.pk}/").status_code == 200
    assert dian.get(f"/phan-anh/tep/{f.pk}/").status_code == 200
    assert dian.get(f"{API}/{fb.number}").status_code == 200
    for name in ("canbo.thuanan", "lanhdao.thuanan", "canbo.stttt"):
        other = _as(user_named(name))
        assert other.get(f"/phan-anh/xu-ly/{fb.pk}/").status_code == 404, name
        assert fb.number not in other.get("/phan-anh/xu-ly/").content.decode(), name
        assert other.get(f"/phan-anh/tep/{f.pk}/").status_code == 404, name
        r = other.get(f"{API}/{fb.number}")
        assert r.status_code == 404 and r.json()["code"] == "feedback_not_found", name
        r = other.post(
            f"/phan-anh/xu-ly/{fb.pk}/draft/",
            {"version": fb.version, "dt-answer": "Trả lời thử", "dt-publish": ""},
        )
        assert r.status_code == 404, name
    fb.refresh_from_db()
    assert fb.answer_draft == "" and fb.status == "processing"


def test_another_units_head_cannot_approve_through_the_service(at_dian, user_named):
    fb, _code = at_dian
    assert not user_can(user=user_named("lanhdao.thuanan"), action=perms.APPROVE, obj=fb)
    assert user_can(user=user_named("lanhdao.dian"), action=perms.DRAFT, obj=fb)
    assert not user_can(user=user_named("vanphong.cds"), action=perms.DRAFT, obj=fb)


def test_scope_follows_the_memberships_dates(at_dian, user_named):
    """A membership that has ended, or not yet begun, gives no scope."""
    fb, _code = at_dian
    officer = user_named("canbo.dian")
    today = timezone.localdate()
    m = Membership.objects.get(user=officer, org_unit__code="724")
    client = _as(officer)
    assert client.get(f"/phan-anh/xu-ly/{fb.pk}/").status_code == 200
    for valid_from, valid_to in (
        (today - dt.timedelta(days=60), today),  # ended yesterday (valid_to is exclusive)
        (today + dt.timedelta(days=1), None),  # starts tomorrow
    ):
        Membership.objects.filter(pk=m.pk).update(valid_from=valid_from, valid_to=valid_to)
        officer = user_named("canbo.dian")
        assert not feedback_visible(user=officer).filter(pk=fb.pk).exists()
        assert _as(officer).get(f"/phan-anh/xu-ly/{fb.pk}/").status_code == 404
        assert _as(officer).get(f"{API}/{fb.number}").status_code == 404


def test_scope_follows_the_unit_now_holding_it(submit_fb, user_named):
    """While at the receiving office, Dĩ An does not see it; once forwarded, it does, and
    the office's sibling department never does."""
    fb, _code = submit_fb()
    dian = _as(user_named("canbo.dian"))
    assert dian.get(f"/phan-anh/xu-ly/{fb.pk}/").status_code == 404
    feedback_forward(
        user=user_named("vanphong.cds"),
        feedback_id=fb.pk,
        version=fb.version,
        org_unit=orgunit_get(code="724"),
        category="procedure",
    )
    assert dian.get(f"/phan-anh/xu-ly/{fb.pk}/").status_code == 200


def test_senders_see_only_their_own(at_dian, user_named):
    fb, code = at_dian
    f = FeedbackFile.objects.get(feedback=fb)
    sender = _as(user_named("congdan"))
    assert sender.get(f"/phan-anh/cua-toi/{fb.pk}/").status_code == 200
    assert fb.number in sender.get("/phan-anh/cua-toi/").content.decode()
    assert sender.get(f"/phan-anh/tep/{f.pk}/").status_code == 200
    assert sender.get(f"{API}/{fb.number}").status_code == 200
    assert [x["number"] for x in sender.get(f"{API}/mine").json()] == [fb.number]
    # the sender is no official: the handling page stays closed
    assert sender.get(f"/phan-anh/xu-ly/{fb.pk}/").status_code == 404

    other = _as(user_named("doanhnghiep"))
    assert other.get(f"/phan-anh/cua-toi/{fb.pk}/").status_code == 404
    assert fb.number not in other.get("/phan-anh/cua-toi/").content.decode()
    assert other.get(f"/phan-anh/tep/{f.pk}/").status_code == 404
    r = other.get(f"{API}/{fb.number}")
    assert r.status_code == 404 and r.json()["code"] == "feedback_not_found"
    assert other.get(f"{API}/mine").json() == []
    r = other.post(f"{API}/{fb.number}/info", {"code": "", "text": "Chen ngang"})
    assert r.status_code in (403, 404, 422)
    with pytest.raises(PermissionDenied):
        feedback_add_info(feedback_id=fb.pk, user=user_named("doanhnghiep"), text="Chen ngang")
    # posting "add information" on someone else's page changes nothing
    assert (
        other.post(
            f"/phan-anh/cua-toi/{fb.pk}/", {"action": "add_info", "bs-text": "Chen ngang"}
        ).status_code
        == 404
    )
    assert not fb.events.filter(comment="Chen ngang").exists()

    anonymous = Client()
    assert anonymous.get(f"{API}/{fb.number}").status_code == 404
    assert anonymous.get(f"/phan-anh/tep/{f.pk}/").status_code == 404
    assert anonymous.get(f"{API}/mine").status_code == 401
    # the tracking code stands in for the login
    assert anonymous.get(f"{API}/{fb.number}", {"code": code}).status_code == 200
    assert anonymous.get(f"/phan-anh/tep/{f.pk}/", {"ma": code}).status_code == 200
    assert anonymous.get(f"{API}/{fb.number}", {"code": code + "x"}).status_code == 404


def test_the_sender_adds_information_by_login(at_dian, user_named):
    fb, _code = at_dian
    feedback_add_info(feedback_id=fb.pk, user=user_named("congdan"), text="Thêm chi tiết")
    assert fb.events.filter(comment="Thêm chi tiết").exists()


def test_the_platform_administrator_is_no_sender(at_dian, user_named):
    """The administrator reaches every unit's feedback, not the sender's own steps."""
    fb, _code = at_dian
    admin = user_named("admin")
    assert feedback_visible(user=admin).filter(pk=fb.pk).exists()
    assert not user_can(user=admin, action=perms.SENDER, obj=fb)
    with pytest.raises(PermissionDenied):
        feedback_add_info(feedback_id=fb.pk, user=admin, text="Thay người gửi")


def test_reminders_go_to_the_units_officials_of_that_day(submit_fb, user_named):
    """The reminder (feedback numbers and subjects) reaches the holding unit's officials whose
    membership is valid on the day, never a former one."""
    from django.core import mail

    from tinhso.feedback.services import feedback_reminders_send
    from tinhso.services.deadlines import TZ

    fb, _code = submit_fb(now=dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    feedback_forward(
        user=user_named("vanphong.cds"),
        feedback_id=fb.pk,
        version=fb.version,
        org_unit=orgunit_get(code="724"),
    )
    # the officer left Dĩ An on 15/03; the head's membership begins only in April
    Membership.objects.filter(user__username="canbo.dian", org_unit__code="724").update(
        valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2026, 3, 15)
    )
    Membership.objects.filter(user__username="lanhdao.dian", org_unit__code="724").update(
        valid_from=dt.date(2026, 4, 1)
    )
    mail.outbox.clear()
    assert feedback_reminders_send(now=dt.datetime(2026, 3, 20, 10, 0, tzinfo=TZ)) == 1
    assert not any(fb.number in m.body for m in mail.outbox)
    mail.outbox.clear()
    Membership.objects.filter(user__username="lanhdao.dian", org_unit__code="724").update(
        valid_from=dt.date(2026, 3, 1)
    )
    assert feedback_reminders_send(now=dt.datetime(2026, 3, 24, 10, 0, tzinfo=TZ)) == 1
    assert sorted(a for m in mail.outbox for a in m.to) == ["lanhdao.dian@example.vn"]


def test_feedback_about_a_dossier_only_by_its_applicant(fb_demo, submit_birth, user_named):
    from django.core.exceptions import ValidationError

    from tinhso.feedback.services import FeedbackInput, feedback_submit

    dossier = submit_birth()  # congdan's
    data = FeedbackInput(category="dossier", subject="Hồ sơ chậm", text="Chậm.", dossier=dossier)
    with pytest.raises(ValidationError) as exc:
        feedback_submit(user=user_named("doanhnghiep"), data=data, files=(), client_key="x")
    assert "dossier" in exc.value.message_dict
    fb, _code = feedback_submit(user=user_named("congdan"), data=data, files=(), client_key="y")
    assert fb.dossier_id == dossier.pk
