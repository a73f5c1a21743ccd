from __future__ import annotations

import datetime as dt
import io

import pytest

from tinhso.feedback.models import Feedback, FeedbackStatus
from tinhso.feedback.selectors import feedback_figures, feedback_published

pytestmark = pytest.mark.django_db


def test_demo_feedback_at_different_states(fb_demo, settings):
    from tinhso.feedback.demo import demo_load

    demo_load(stdout=io.StringIO())
    demo_load(stdout=io.StringIO())  # idempotent
    states = sorted(Feedback.objects.filter(is_demo=True).values_list("status", flat=True))
    assert states == sorted(
        [
            FeedbackStatus.ANSWERED,
            FeedbackStatus.PROCESSING,
            FeedbackStatus.APPROVAL,
            FeedbackStatus.RECEIVED,
            FeedbackStatus.CLOSED,
        ]
    )
    answered = Feedback.objects.get(status=FeedbackStatus.ANSWERED)
    assert answered.sender.username == "congdan" and answered.dossier.applicant == answered.sender
    assert answered.rating == "satisfied" and list(feedback_published()) == [answered]
    processing = Feedback.objects.get(status=FeedbackStatus.PROCESSING)
    assert processing.due_at < dt.datetime.now(dt.UTC)  # overdue in Dĩ An's queue
    figs = feedback_figures(
        unit=answered.org_unit, start=dt.date(2000, 1, 1), end=dt.date(2100, 1, 1)
    )
    assert figs.handled_on_time == 1 and figs.satisfied == 1


def test_commands_remind_and_rebuild(fb_demo, settings):
    from django.core import mail
    from django.core.management import call_command

    from tinhso.feedback.demo import demo_load
    from tinhso.feedback.models import FeedbackMonthlyStat

    demo_load(stdout=io.StringIO())
    before = sorted(
        FeedbackMonthlyStat.objects.exclude(
            received=0, handled=0, satisfied=0, unsatisfied=0, dossiers_complained=0
        ).values_list("org_unit_id", "month", "received", "handled", "satisfied")
    )
    out = io.StringIO()
    call_command("rebuild_feedback_stats", stdout=out)
    after = sorted(
        FeedbackMonthlyStat.objects.values_list(
            "org_unit_id", "month", "received", "handled", "satisfied"
        )
    )
    assert after == before
    mail.outbox.clear()
    call_command("feedback_remind", stdout=out)
    assert "Đã nhắc" in out.getvalue()
    assert any("canbo.dian@example.vn" in m.to for m in mail.outbox)  # the overdue petition
