import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.services.models import DossierEvent, Process, Status
from tinhso.services.services import DossierConflict, dossier_act
from tinhso.services.workflow import (
    ActionSpec,
    StepSpec,
    actions_available,
    process_ensure_default,
    process_graph_errors,
    process_validate,
)

from .conftest import upload

pytestmark = pytest.mark.django_db


def act(user, dossier, code, **kw):
    dossier.refresh_from_db()
    return dossier_act(
        user=user, dossier_id=dossier.pk, action_code=code, version=dossier.version, **kw
    )


def test_default_process_is_valid_and_idempotent(db):
    p = process_ensure_default()
    assert process_validate(process=p) == []
    assert process_ensure_default().pk == p.pk
    assert Process.objects.count() == 1


def S(key, start=False, end=False):
    return StepSpec(key, key, start, end)


def test_graph_unreachable_step():
    errors = process_graph_errors(
        [S("a", start=True), S("b", end=True), S("c", end=True)], [ActionSpec("x", "a", "b")]
    )
    assert any("“c” không thể đến được" in e for e in errors)


def test_graph_path_that_never_ends():
    # b ↔ c loop with no way out to an end step
    errors = process_graph_errors(
        [S("a", start=True), S("b"), S("c"), S("z", end=True)],
        [
            ActionSpec("1", "a", "b"),
            ActionSpec("2", "b", "c"),
            ActionSpec("3", "c", "b"),
            ActionSpec("4", "a", "z"),
        ],
    )
    assert any("“b”" in e and "kết thúc" in e for e in errors)
    assert any("“c”" in e for e in errors)


def test_graph_needs_one_start_and_an_end():
    errors = process_graph_errors([S("a", start=True), S("b", start=True)], [])
    assert any("đúng một bước bắt đầu" in e for e in errors)
    assert any("ít nhất một bước kết thúc" in e for e in errors)


def test_graph_end_step_has_no_outgoing_action():
    errors = process_graph_errors(
        [S("a", start=True), S("z", end=True)],
        [ActionSpec("1", "a", "z"), ActionSpec("2", "z", "a")],
    )
    assert any("không được có thao tác đi tiếp" in e for e in errors)


def test_full_journey_with_supplement_pause(submit_birth, user_named):
    citizen, officer, head = (
        user_named("congdan"),
        user_named("canbo.dian"),
        user_named("lanhdao.dian"),
    )
    d = submit_birth()
    assert d.status == Status.NEW and d.number.startswith("25942-")
    d = act(officer, d, "receive")
    assert d.status == Status.RECEIVED and d.received_at and d.due_at
    assert d.budget_minutes == 480  # birth registration: 1 (working) day
    due_before = d.due_at
    d = act(officer, d, "assign")
    assert d.status == Status.PROCESSING and d.assignee == officer
    d = act(officer, d, "request_supplement", comment="Bổ sung bản chụp rõ nét Giấy chứng sinh")
    assert d.status == Status.SUPPLEMENT and d.paused_since is not None
    assert d.pauses.filter(ended_at__isnull=True).count() == 1
    part = d.procedure.parts.filter(required=True).first()
    d = act(citizen, d, "supplement", files={part.pk: [upload("bo-sung.pdf")]})
    assert d.status == Status.PROCESSING and d.paused_since is None
    assert d.due_at >= due_before  # the clock stopped while waiting
    assert d.files.filter(kind="supplement").count() == 1
    d = act(officer, d, "forward")
    assert d.status == Status.PROCESSING and d.step.code == "approval"
    d = act(head, d, "approve")
    assert d.status == Status.PROCESSED and d.outcome in ("early", "on_time", "late")
    d = act(officer, d, "return_result")
    assert d.status == Status.RETURNED and d.returned_at
    codes = list(DossierEvent.objects.filter(dossier=d).values_list("action", flat=True))
    assert codes == [
        "submit",
        "receive",
        "assign",
        "request_supplement",
        "supplement",
        "forward",
        "approve",
        "return_result",
    ]
    last = DossierEvent.objects.filter(dossier=d).last()
    assert (last.from_status, last.to_status, last.actor) == (
        Status.PROCESSED,
        Status.RETURNED,
        officer,
    )


def test_refused_transitions(submit_birth, user_named):
    citizen, officer, head = (
        user_named("congdan"),
        user_named("canbo.dian"),
        user_named("lanhdao.dian"),
    )
    d = submit_birth()
    with pytest.raises(ValidationError):
        act(officer, d, "approve")  # not from "waiting for receipt"
    with pytest.raises(PermissionDenied):
        act(citizen, d, "receive")  # applicants do not receive
    with pytest.raises(ValidationError):
        act(officer, d, "refuse")  # a reason is required
    d = act(officer, d, "receive")
    d = act(officer, d, "assign")
    d = act(officer, d, "forward")
    with pytest.raises(PermissionDenied):
        act(officer, d, "approve")  # only the head approves
    with pytest.raises(ValidationError):
        act(head, d, "reject")  # reason required
    d = act(head, d, "reject", comment="Không đủ điều kiện")
    assert d.status == Status.STOPPED
    assert actions_available(user=head, dossier=d) == []
    assert d.events.count() == 5


def test_withdraw_by_applicant_only(submit_birth, user_named):
    d = submit_birth()
    with pytest.raises(PermissionDenied):
        act(user_named("doanhnghiep"), d, "withdraw")
    with pytest.raises(PermissionDenied):
        act(user_named("canbo.dian"), d, "withdraw")
    with pytest.raises(ValidationError):  # a reason is required (issue 15)
        act(user_named("congdan"), d, "withdraw")
    d = act(user_named("congdan"), d, "withdraw", comment="Nộp nhầm thủ tục")
    assert d.status == Status.WITHDRAWN and d.withdrawn_at


def test_stale_version_changes_nothing(submit_birth, user_named):
    d = submit_birth()
    officer = user_named("canbo.dian")
    stale = d.version
    dossier_act(user=officer, dossier_id=d.pk, action_code="receive", version=stale)
    with pytest.raises(DossierConflict):
        dossier_act(user=officer, dossier_id=d.pk, action_code="refuse", version=stale, comment="x")
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and d.events.count() == 2


def test_payment_hook_pauses_and_resumes(submit_birth, user_named):
    from django.utils import timezone

    from tinhso.services.models import ServiceDailyStat
    from tinhso.services.services import dossier_payment_confirmed

    officer = user_named("canbo.dian")
    d = submit_birth()
    for code in ("receive", "assign", "request_payment"):
        d = act(officer, d, code)
    assert d.status == Status.FINANCIAL and d.paused_since
    d = dossier_payment_confirmed(dossier_id=d.pk, online=True, paid_at=timezone.now())
    assert d.status == Status.PROCESSING and d.paused_since is None
    again = dossier_payment_confirmed(dossier_id=d.pk, online=True, paid_at=timezone.now())
    assert again.status == Status.PROCESSING
    stat = ServiceDailyStat.objects.get(org_unit=d.org_unit, procedure_code=d.procedure.code)
    assert (stat.fees_total, stat.fees_online) == (1, 1)


def test_step_time_share(submit_birth, user_named):
    d = act(user_named("canbo.dian"), submit_birth(), "receive")
    # "received" step has 10% of a 480-minute budget: 48 working minutes
    assert d.step_due_at is not None
    from tinhso.services.deadlines import working_minutes_between

    assert working_minutes_between(d.step_entered_at, d.step_due_at) in (47, 48)
    assert d.step_due_at - d.step_entered_at >= dt.timedelta(minutes=47)
