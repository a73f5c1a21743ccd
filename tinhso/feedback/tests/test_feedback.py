"""Feedback and petitions: submitting, routing, handling, satisfaction, figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.audit.models import AuditEntry
from tinhso.feedback.models import Feedback, FeedbackFile, FeedbackMonthlyStat, FeedbackStatus
from tinhso.feedback.selectors import (
    feedback_due_at,
    feedback_figures,
    feedback_get_for_user,
    feedback_published,
    feedback_queue,
    feedback_track,
)
from tinhso.feedback.services import (
    FeedbackConflict,
    FeedbackThrottled,
    feedback_add_info,
    feedback_approve,
    feedback_close,
    feedback_draft_answer,
    feedback_forward,
    feedback_rate,
    feedback_reminders_send,
    feedback_stats_rebuild,
    redact,
)
from tinhso.orgs.selectors import orgunit_get
from tinhso.services import deadlines

from .conftest import EXE, PNG, upload

pytestmark = pytest.mark.django_db
TZ = deadlines.TZ


def _media_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _walk(fb: Feedback, user_named: Any, *, publish: bool = True) -> Feedback:
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
        answer="Bản sao sổ hộ khẩu không còn là thành phần hồ sơ.",
        publish=publish,
    )
    return feedback_approve(user=user_named("lanhdao.dian"), feedback_id=fb.pk, version=fb.version)


def test_logged_in_submission_gets_number_code_deadline_and_audit(submit_fb, user_named, settings):
    fb, code = submit_fb(files=[upload("anh.png", PNG, "image/png")], publish_consent=True)
    assert fb.number.startswith("PAKN-") and fb.status == FeedbackStatus.RECEIVED
    assert fb.org_unit.code == "74"  # the provincial receiving office holds it first
    assert fb.sender_email == "congdan@example.vn"
    assert len(code) >= 16 and fb.tracking_hash != code  # only the hash is stored
    assert feedback_track(number=fb.number, code=code) == fb
    wrong = code[:-1] + (
        "y" if code[-1] == "x" else "x"
    )  # one character off, never the code itself
    assert feedback_track(number=fb.number, code=wrong) is None
    assert feedback_track(number=fb.number, code="") is None
    assert fb.due_at == feedback_due_at(received_at=fb.received_at)
    assert fb.files.count() == 1 and len(_media_files(settings)) == 1
    assert AuditEntry.objects.filter(action="feedback.submit", object_id=str(fb.pk)).exists()
    assert code in mail.outbox[-1].body and fb.number in mail.outbox[-1].subject


def test_anonymous_needs_a_contact_and_a_name(submit_fb):
    with pytest.raises(ValidationError) as exc:
        submit_fb(user=None)
    assert {"name", "email"} <= set(exc.value.message_dict)
    assert not Feedback.objects.exists()
    fb, _code = submit_fb(user=None, name="Lê Văn Tư", phone="0909 123 456")
    assert fb.sender is None and fb.sender_phone == "0909 123 456"


def test_anonymous_submissions_are_throttled_per_client(submit_fb, settings):
    settings.TINHSO_FEEDBACK_ANON_LIMIT = 2
    for _i in range(2):
        submit_fb(user=None, name="Ẩn danh", email="a@example.vn", ip="10.9.9.9")
    with pytest.raises(FeedbackThrottled):
        submit_fb(user=None, name="Ẩn danh", email="a@example.vn", ip="10.9.9.9")
    assert Feedback.objects.count() == 2
    # another client is not affected
    submit_fb(user=None, name="Người khác", email="b@example.vn", ip="10.9.9.10")
    assert Feedback.objects.count() == 3


@pytest.mark.parametrize(
    "files",
    [
        [upload("don.pdf"), upload("virus.pdf", EXE, "application/pdf")],  # content is not a PDF
        [upload("anh.pdf", PNG, "application/pdf")],  # name does not match the content
        [upload("a.pdf"), upload("b.pdf"), upload("c.pdf"), upload("d.pdf")],  # more than 3
        [upload("rong.pdf", b"", "application/pdf")],
    ],
)
def test_bad_attachments_are_refused_with_nothing_stored(submit_fb, settings, files):
    with pytest.raises(ValidationError) as exc:
        submit_fb(files=files)
    assert "files" in exc.value.message_dict
    assert not Feedback.objects.exists() and not FeedbackFile.objects.exists()
    assert _media_files(settings) == []
    assert not FeedbackMonthlyStat.objects.exists()


def test_a_failure_after_the_files_were_written_removes_them(submit_fb, settings, monkeypatch):
    import tinhso.feedback.services.submit as svc  # where feedback_submit looks audit_record up

    def boom(**kwargs: Any) -> None:
        raise RuntimeError("audit down")

    monkeypatch.setattr(svc, "audit_record", boom)
    with pytest.raises(RuntimeError):
        submit_fb(files=[upload("don.pdf"), upload("anh.png", PNG, "image/png")])
    assert not Feedback.objects.exists() and _media_files(settings) == []


def test_fifteen_working_days_across_tet():
    received = dt.datetime(2026, 2, 10, 9, 0, tzinfo=TZ)  # Tuesday before Tết Bính Ngọ
    due = feedback_due_at(received_at=received)
    # 11, 12, 13/02, then Tết (16–20/02) and the weekends are skipped:
    # 23–27/02 (5), 02–06/03 (5), 09, 10/03 → the 15th working day is 10/03.
    assert due == dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ)


def test_deadline_stored_for_a_submission_received_before_tet(submit_fb):
    fb, _code = submit_fb(now=dt.datetime(2026, 2, 10, 9, 0, tzinfo=TZ))
    assert fb.due_at == dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ)


def test_whole_path_forward_draft_approve_rate_publish(submit_fb, user_named, submit_birth):
    dossier = submit_birth()
    fb, code = submit_fb(
        category="dossier",
        dossier=dossier,
        publish_consent=True,
        text="Hồ sơ của tôi, gọi 0912345678 hoặc congdan@example.vn, chậm.",
    )
    assert fb.procedure == dossier.procedure and fb.about_unit == dossier.org_unit
    office = user_named("vanphong.cds")
    # the default route for a dossier is the dossier's receiving unit
    fb = feedback_forward(user=office, feedback_id=fb.pk, version=fb.version)
    assert fb.org_unit == dossier.org_unit and fb.status == FeedbackStatus.PROCESSING
    with pytest.raises(PermissionDenied):  # the head approves, the officer drafts
        feedback_draft_answer(
            user=user_named("canbo.thuanan"), feedback_id=fb.pk, version=fb.version, answer="x"
        )
    fb = feedback_draft_answer(
        user=user_named("canbo.dian"),
        feedback_id=fb.pk,
        version=fb.version,
        answer="Đã xử lý xong hồ sơ.",
        publish=True,
    )
    assert "0912345678" not in fb.public_question and "congdan@example.vn" not in fb.public_question
    with pytest.raises(PermissionDenied):
        feedback_approve(user=user_named("canbo.dian"), feedback_id=fb.pk, version=fb.version)
    with pytest.raises(FeedbackConflict):
        feedback_approve(user=user_named("lanhdao.dian"), feedback_id=fb.pk, version=fb.version - 1)
    mail.outbox.clear()
    fb = feedback_approve(user=user_named("lanhdao.dian"), feedback_id=fb.pk, version=fb.version)
    assert fb.status == FeedbackStatus.ANSWERED and fb.outcome == "on_time"
    assert fb.published_at is not None and list(feedback_published()) == [fb]
    assert "Đã xử lý xong hồ sơ." in mail.outbox[0].body
    with pytest.raises(ValidationError):
        feedback_rate(feedback_id=fb.pk, user=None, code=code, rating="unsatisfied")  # no reason
    with pytest.raises(PermissionDenied):
        feedback_rate(feedback_id=fb.pk, user=None, code="wrong", rating="satisfied")
    fb = feedback_rate(
        feedback_id=fb.pk, user=None, code=code, rating="unsatisfied", reason="Trả lời chưa rõ"
    )
    with pytest.raises(ValidationError):
        feedback_rate(feedback_id=fb.pk, user=None, code=code, rating="satisfied")
    actions = set(
        AuditEntry.objects.filter(
            object_id=str(fb.pk), object_type="feedback.feedback"
        ).values_list("action", flat=True)
    )
    assert actions == {
        "feedback.submit",
        "feedback.forward",
        "feedback.draft",
        "feedback.answer",
        "feedback.rate",
    }
    month = fb.received_at.astimezone(TZ).date()
    figs = feedback_figures(start=month, end=month, unit=dossier.org_unit)
    assert (figs.received, figs.handled_on_time, figs.unsatisfied, figs.dossiers_complained) == (
        1,
        1,
        1,
        1,
    )
    assert dossier.feedback.get() == fb  # the dossier with a complaint is linked to it


def test_publish_needs_the_senders_consent(submit_fb, user_named):
    fb, _code = submit_fb(publish_consent=False)
    fb = feedback_forward(
        user=user_named("vanphong.cds"),
        feedback_id=fb.pk,
        version=fb.version,
        org_unit=orgunit_get(code="724"),
    )
    with pytest.raises(ValidationError):
        feedback_draft_answer(
            user=user_named("canbo.dian"),
            feedback_id=fb.pk,
            version=fb.version,
            answer="Trả lời",
            publish=True,
        )
    fb = _walk_from_processing(fb, user_named)
    assert fb.published_at is None and not feedback_published().exists()


def _walk_from_processing(fb: Feedback, user_named: Any) -> Feedback:
    fb = feedback_draft_answer(
        user=user_named("canbo.dian"), feedback_id=fb.pk, version=fb.version, answer="Trả lời"
    )
    return feedback_approve(user=user_named("lanhdao.dian"), feedback_id=fb.pk, version=fb.version)


def test_isolation_between_units(submit_fb, user_named):
    fb, _code = submit_fb()
    dian, thuanan = user_named("canbo.dian"), user_named("canbo.thuanan")
    # at the receiving office: no unit sees it, the office does
    assert not feedback_queue(user=dian).exists()
    assert list(feedback_queue(user=user_named("vanphong.cds"))) == [fb]
    with pytest.raises(PermissionDenied):
        feedback_forward(
            user=dian, feedback_id=fb.pk, version=fb.version, org_unit=orgunit_get(code="724")
        )
    fb = feedback_forward(
        user=user_named("vanphong.cds"),
        feedback_id=fb.pk,
        version=fb.version,
        org_unit=orgunit_get(code="724"),
    )
    assert list(feedback_queue(user=dian)) == [fb]
    assert not feedback_queue(user=thuanan).exists()
    with pytest.raises(Feedback.DoesNotExist):
        feedback_get_for_user(user=thuanan, pk=fb.pk)
    with pytest.raises(PermissionDenied):
        feedback_draft_answer(user=thuanan, feedback_id=fb.pk, version=fb.version, answer="x")
    assert not feedback_queue(user=user_named("congdan")).exists()


def test_closed_outside_competence_with_reason(submit_fb, user_named):
    fb, code = submit_fb(category="other")
    with pytest.raises(ValidationError):
        feedback_close(
            user=user_named("vanphong.cds"), feedback_id=fb.pk, version=fb.version, reason=" "
        )
    fb = feedback_close(
        user=user_named("vanphong.cds"),
        feedback_id=fb.pk,
        version=fb.version,
        reason="Thuộc thẩm quyền của Bộ Công an.",
    )
    assert fb.status == FeedbackStatus.CLOSED and fb.outcome == "on_time"
    assert "Bộ Công an" in mail.outbox[-1].body
    with pytest.raises(ValidationError):  # no more information once closed
        feedback_add_info(feedback_id=fb.pk, user=None, code=code, text="Thêm")


def test_add_information_while_open_by_code_or_login(submit_fb, user_named, settings):
    fb, code = submit_fb(user=None, name="Lê Tư", email="tu@example.vn")
    with pytest.raises(PermissionDenied):
        feedback_add_info(feedback_id=fb.pk, user=user_named("congdan"), text="Không phải tôi")
    feedback_add_info(
        feedback_id=fb.pk,
        user=None,
        code=code,
        text="Bổ sung ảnh",
        files=[upload("anh.png", PNG, "image/png")],
    )
    with pytest.raises(ValidationError):
        feedback_add_info(
            feedback_id=fb.pk,
            user=None,
            code=code,
            text="x",
            files=[upload("x.pdf", EXE, "application/pdf")],
        )
    assert fb.files.count() == 1 and len(_media_files(settings)) == 1
    assert fb.events.filter(action="add_info").count() == 1


def test_feedback_only_about_own_dossier(submit_fb, submit_birth, user_named):
    dossier = submit_birth()
    with pytest.raises(ValidationError) as exc:
        submit_fb(user="doanhnghiep", category="dossier", dossier=dossier)
    assert "dossier" in exc.value.message_dict


def test_figures_from_a_hand_made_set(submit_fb, user_named):
    """Four feedback items for Dĩ An, one for Thuận An, handled at chosen moments."""
    office = user_named("vanphong.cds")
    dian, thuanan = orgunit_get(code="724"), orgunit_get(code="725")
    march = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    items = [submit_fb(now=march, subject=f"PA {i}")[0] for i in range(5)]

    def handle(
        fb: Feedback, unit: Any, head: str, officer: str, at: dt.datetime | None, rating: str = ""
    ) -> None:
        fb = feedback_forward(user=office, feedback_id=fb.pk, version=fb.version, org_unit=unit)
        if at is None:
            return
        fb = feedback_draft_answer(
            user=user_named(officer), feedback_id=fb.pk, version=fb.version, answer="Trả lời"
        )
        fb = feedback_approve(user=user_named(head), feedback_id=fb.pk, version=fb.version, now=at)
        if rating:
            feedback_rate(
                feedback_id=fb.pk,
                user=user_named("congdan"),
                rating=rating,
                reason="Chưa thỏa đáng",
                now=at + dt.timedelta(days=1),
            )

    on_time = dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
    late = dt.datetime(2026, 4, 1, 9, 0, tzinfo=TZ)  # due 23/03/2026
    handle(items[0], dian, "lanhdao.dian", "canbo.dian", on_time, "satisfied")
    handle(items[1], dian, "lanhdao.dian", "canbo.dian", late, "unsatisfied")
    handle(items[2], dian, "lanhdao.dian", "canbo.dian", on_time)
    handle(items[3], dian, "lanhdao.dian", "canbo.dian", None)  # still open
    handle(items[4], thuanan, "lanhdao.thuanan", "canbo.thuanan", late, "satisfied")

    d = feedback_figures(org_paths=[dian.path], start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30))
    assert (d.received, d.handled, d.handled_on_time, d.handled_late) == (4, 3, 2, 1)
    assert (d.satisfied, d.unsatisfied) == (1, 1)
    assert d.on_time_rate == pytest.approx(2 / 3) and d.satisfaction_rate == 0.5
    # March only: the late answer (April) is not counted; received stays with March
    m = feedback_figures(unit=dian, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert (m.received, m.handled, m.handled_late) == (4, 2, 0)
    whole = feedback_figures(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    assert (whole.received, whole.handled, whole.handled_late, whole.satisfied) == (5, 4, 2, 2)
    assert set(whole.by_unit) == {dian.pk, thuanan.pk}  # nothing left at the office
    # dossiers rated "not satisfied" come from the services counters of the same units
    from tinhso.services.services import stats_bump

    ward = orgunit_get(code="25942")  # under Dĩ An
    stats_bump(
        org_unit_id=ward.pk,
        procedure_code="1.001193",
        day=dt.date(2026, 3, 5),
        ratings_unsatisfied=2,
    )
    d = feedback_figures(org_paths=[dian.path], start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30))
    assert d.dossiers_rated_unsatisfied == 2 and d.dossiers_complained_or_disliked == 2
    t = feedback_figures(unit=thuanan, start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 30))
    assert t.dossiers_rated_unsatisfied == 0
    # the rebuild gives the same counters as the live updates
    live = {
        (r.org_unit_id, r.month): (
            r.received,
            r.handled,
            r.handled_on_time,
            r.handled_late,
            r.satisfied,
            r.unsatisfied,
        )
        for r in FeedbackMonthlyStat.objects.all()
        if any((r.received, r.handled, r.satisfied, r.unsatisfied))
    }
    feedback_stats_rebuild()
    rebuilt = {
        (r.org_unit_id, r.month): (
            r.received,
            r.handled,
            r.handled_on_time,
            r.handled_late,
            r.satisfied,
            r.unsatisfied,
        )
        for r in FeedbackMonthlyStat.objects.all()
    }
    assert rebuilt == live


def test_reminders_for_due_soon_and_overdue_once_a_day(submit_fb, user_named):
    received = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
    fb, _code = submit_fb(now=received)
    feedback_forward(
        user=user_named("vanphong.cds"),
        feedback_id=fb.pk,
        version=fb.version,
        org_unit=orgunit_get(code="724"),
    )
    fresh, _c = submit_fb(now=dt.datetime(2026, 3, 19, 9, 0, tzinfo=TZ), subject="Mới")
    mail.outbox.clear()
    early = dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ)
    assert feedback_reminders_send(now=early) == 0
    soon = dt.datetime(2026, 3, 20, 10, 0, tzinfo=TZ)  # due 23/03 09:00: within a working day
    assert feedback_reminders_send(now=soon) == 1
    to = sorted(a for m in mail.outbox for a in m.to)
    assert to == ["canbo.dian@example.vn", "lanhdao.dian@example.vn"]
    assert fb.number in mail.outbox[0].body and fresh.number not in mail.outbox[0].body
    assert feedback_reminders_send(now=soon) == 0  # once a day
    assert feedback_reminders_send(now=dt.datetime(2026, 3, 24, 9, 0, tzinfo=TZ)) == 1


def test_redact_removes_contacts_and_name():
    text = "Tôi là Nguyễn Thị Hoa, CCCD 074190001234, gọi 0912 345 678 hoặc hoa@example.vn."
    out = redact(text, names=["Nguyễn Thị Hoa"])
    for secret in ("Nguyễn Thị Hoa", "074190001234", "0912 345 678", "hoa@example.vn"):
        assert secret not in out
    assert out.startswith("Tôi là [")


def test_head_returns_the_draft_and_a_configured_office_receives(submit_fb, user_named, settings):
    from tinhso.feedback.services import feedback_return

    fb, _code = submit_fb()
    fb = feedback_forward(
        user=user_named("vanphong.cds"),
        feedback_id=fb.pk,
        version=fb.version,
        org_unit=orgunit_get(code="724"),
    )
    fb = feedback_draft_answer(
        user=user_named("canbo.dian"), feedback_id=fb.pk, version=fb.version, answer="Chưa đủ"
    )
    with pytest.raises(ValidationError):
        feedback_return(
            user=user_named("lanhdao.dian"), feedback_id=fb.pk, version=fb.version, comment=""
        )
    fb = feedback_return(
        user=user_named("lanhdao.dian"),
        feedback_id=fb.pk,
        version=fb.version,
        comment="Bổ sung căn cứ pháp lý",
    )
    assert fb.status == FeedbackStatus.PROCESSING
    assert not fb.events.get(action="return").public  # internal, not on the tracking page
    settings.TINHSO_FEEDBACK_OFFICE = "724"
    other, _c = submit_fb(subject="Nhận tại Dĩ An")
    assert other.org_unit.code == "724"
    assert list(feedback_queue(user=user_named("canbo.dian"), status="received")) == [other]
