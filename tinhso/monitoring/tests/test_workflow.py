"""Reporting and approval: allowed and refused moves, permissions, validation, evidence,
revisions, audit, late reports and reminders."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from tinhso.audit.models import AuditEntry
from tinhso.monitoring import selectors
from tinhso.monitoring.models import PlanTask, ReportedValue, Target
from tinhso.monitoring.services import (
    evidence_add,
    target_path_interpolate,
    target_set,
    task_update,
    value_accept,
    value_approve,
    value_correct,
    value_return,
    value_save,
    value_submit,
)
from tinhso.testing import files_on_both

from .conftest import pdf_upload, unit

S = ReportedValue.Status


@pytest.fixture
def users(user_named):
    return {
        n: user_named(n)
        for n in (
            "canbo.dian",
            "lanhdao.dian",
            "canbo.thuanan",
            "lanhdao.thuanan",
            "canbo.stttt",
            "vanphong.cds",
            "congdan",
        )
    }


@pytest.fixture
def dian():
    return unit("724", timezone.localdate())


@pytest.fixture
def hscv(catalogue):
    return catalogue["HSCV_TRUC_TUYEN"]


def draft(users, hscv, dian, period="2025-Q1", num=90, den=100, **kw):
    return value_save(
        actor=users["canbo.dian"],
        indicator=hscv,
        org_unit=dian,
        period=period,
        numerator=num,
        denominator=den,
        evidence=[pdf_upload()],
        **kw,
    )


def test_full_approval_path_with_refused_moves(users, hscv, dian):
    v = draft(users, hscv, dian)
    assert (v.status, v.value, v.subject) == (S.DRAFT, D("90.0000"), dian)
    # refused: approving or accepting a draft
    with pytest.raises(ValidationError, match="duyệt"):
        value_approve(actor=users["lanhdao.dian"], value=v)
    with pytest.raises(ValidationError):
        value_accept(actor=users["vanphong.cds"], value=v)
    v = value_submit(actor=users["canbo.dian"], value=v)
    assert v.status == S.SUBMITTED
    # refused: the officer approves, another unit's head approves, the DX office accepts early
    with pytest.raises(PermissionDenied):
        value_approve(actor=users["canbo.dian"], value=v)
    with pytest.raises(PermissionDenied):
        value_approve(actor=users["lanhdao.thuanan"], value=v)
    with pytest.raises(ValidationError, match="tiếp nhận"):
        value_accept(actor=users["vanphong.cds"], value=v)
    # editing a submitted value is refused
    with pytest.raises(ValidationError, match="không sửa"):
        draft(users, hscv, dian, num=10)
    v = value_approve(actor=users["lanhdao.dian"], value=v)
    assert v.status == S.APPROVED
    with pytest.raises(PermissionDenied):
        value_accept(actor=users["lanhdao.dian"], value=v)
    with pytest.raises(ValidationError, match="lý do"):
        value_return(actor=users["vanphong.cds"], value=v, comment="  ")
    v = value_return(actor=users["vanphong.cds"], value=v, comment="Thiếu minh chứng quý 1.")
    assert (v.status, v.return_comment) == (S.RETURNED, "Thiếu minh chứng quý 1.")
    # the officer fixes it and sends again
    v = draft(users, hscv, dian, num=92)
    assert v.status == S.RETURNED and v.value == D("92.0000")
    v = value_submit(actor=users["canbo.dian"], value=v)
    v = value_approve(actor=users["lanhdao.dian"], value=v)
    v = value_accept(actor=users["vanphong.cds"], value=v)
    assert v.status == S.ACCEPTED and v.accepted_at is not None
    # accepted values are locked
    with pytest.raises(ValidationError, match="khóa"):
        draft(users, hscv, dian, num=50)
    with pytest.raises(ValidationError):
        value_return(actor=users["vanphong.cds"], value=v, comment="muộn")
    assert [t.to_status for t in v.transitions.all()] == [
        S.SUBMITTED,
        S.APPROVED,
        S.RETURNED,
        S.SUBMITTED,
        S.APPROVED,
        S.ACCEPTED,
    ]
    actions = list(
        AuditEntry.objects.filter(object_type="monitoring.reportedvalue", object_id=str(v.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "monitoring.value.create",
        "monitoring.value.submit",
        "monitoring.value.approve",
        "monitoring.value.return",
        "monitoring.value.update",
        "monitoring.value.submit",
        "monitoring.value.approve",
        "monitoring.value.accept",
    ]


def test_head_returns_a_submission(users, hscv, dian):
    v = value_submit(actor=users["canbo.dian"], value=draft(users, hscv, dian))
    with pytest.raises(PermissionDenied):
        value_return(actor=users["vanphong.cds"], value=v, comment="x")  # not yet approved
    v = value_return(actor=users["lanhdao.dian"], value=v, comment="Số liệu chưa khớp.")
    assert v.status == S.RETURNED


def test_correction_opens_a_new_revision_with_history(users, hscv, dian):
    v = draft(users, hscv, dian)
    for step in (value_submit, value_approve, value_accept):
        who = {"value_submit": "canbo.dian", "value_approve": "lanhdao.dian"}.get(
            step.__name__, "vanphong.cds"
        )
        v = step(actor=users[who], value=v)
    with pytest.raises(ValidationError, match="lý do"):
        value_correct(actor=users["canbo.dian"], value=v, reason="")
    r2 = value_correct(actor=users["canbo.dian"], value=v, reason="Sai mẫu số.")
    v.refresh_from_db()
    assert (r2.revision, r2.status, r2.previous_id, r2.is_current) == (2, S.DRAFT, v.pk, True)
    assert v.status == S.ACCEPTED and not v.is_current  # still in force until r2 is accepted
    with pytest.raises(ValidationError, match="bản sửa"):
        value_correct(actor=users["canbo.dian"], value=v, reason="again")
    r2 = draft(users, hscv, dian, num=91, den=100, comment="Sai mẫu số.")
    assert r2.revision == 2
    value_submit(actor=users["canbo.dian"], value=r2)
    value_approve(actor=users["lanhdao.dian"], value=r2)
    value_accept(actor=users["vanphong.cds"], value=r2)
    v.refresh_from_db()
    assert v.status == S.SUPERSEDED
    accepted = ReportedValue.objects.filter(indicator=hscv, org_unit=dian, status=S.ACCEPTED)
    assert list(accepted.values_list("revision", "value")) == [(2, D("91.0000"))]


def test_permissions_to_enter(users, hscv, dian, catalogue):
    with pytest.raises(PermissionDenied):
        value_save(
            actor=users["canbo.thuanan"], indicator=hscv, org_unit=dian, period="2025-Q1", value=1
        )
    with pytest.raises(PermissionDenied):
        value_save(actor=users["congdan"], indicator=hscv, org_unit=dian, period="2025-Q1", value=1)
    with pytest.raises(PermissionDenied):  # the DX office accepts, it does not enter
        value_save(
            actor=users["vanphong.cds"], indicator=hscv, org_unit=dian, period="2025-Q1", value=1
        )
    # a department that is not responsible for a province-wide statistic
    with pytest.raises(ValidationError, match="chịu trách nhiệm"):
        value_save(
            actor=users["canbo.stttt"],
            indicator=catalogue["TTHC_SO_HOA"],
            org_unit=unit("74.STTTT", timezone.localdate()),
            period="2025",
            value=50,
        )
    # a province-wide statistic describes the province
    v = value_save(
        actor=users["canbo.stttt"],
        indicator=catalogue["CKS_CA_NHAN"],
        org_unit=unit("74.STTTT", timezone.localdate()),
        period="2025",
        value=40,
    )
    assert v.subject.code == "74"
    # computed indicators are never entered
    with pytest.raises(ValidationError, match="tự động"):
        value_save(
            actor=users["canbo.dian"],
            indicator=catalogue["HS_TRUC_TUYEN"],
            org_unit=dian,
            period="2025-01",
            value=5,
        )
    assert ReportedValue.objects.filter(org_unit=dian).count() == 0


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"numerator": 120, "denominator": 100}, "numerator"),  # numerator > denominator
        ({"numerator": 5, "denominator": 0}, "denominator"),
        ({"numerator": 5}, "denominator"),
        ({"value": 101}, "value"),  # a percentage above 100
        ({"value": -1}, "value"),
        ({"value": "abc"}, "value"),
        ({}, "value"),
    ],
)
def test_validation_rules(users, hscv, dian, kwargs, field):
    with pytest.raises(ValidationError) as exc:
        value_save(
            actor=users["canbo.dian"], indicator=hscv, org_unit=dian, period="2025-Q1", **kwargs
        )
    assert field in exc.value.message_dict
    assert not ReportedValue.objects.exists()


def test_wrong_period_type_is_refused(users, hscv, dian):
    for period in ("2025", "2025-03", "2025-Q5", "abc"):
        with pytest.raises(ValidationError):
            value_save(
                actor=users["canbo.dian"], indicator=hscv, org_unit=dian, period=period, value=1
            )


def test_a_jump_over_the_threshold_needs_a_comment(users, hscv, dian):
    v = draft(users, hscv, dian, num=90)
    for step, who in (
        (value_submit, "canbo.dian"),
        (value_approve, "lanhdao.dian"),
        (value_accept, "vanphong.cds"),
    ):
        v = step(actor=users[who], value=v)
    # threshold 20 points: 90 → 60 needs a comment, 90 → 75 does not
    with pytest.raises(ValidationError, match="giải trình") as exc:
        draft(users, hscv, dian, period="2025-Q2", num=60)
    assert "comment" in exc.value.message_dict
    v2 = draft(
        users, hscv, dian, period="2025-Q2", num=60, comment="Chuyển hệ thống quản lý văn bản mới."
    )
    assert v2.value == D("60.0000")
    v3 = draft(users, hscv, dian, period="2025-Q2", num=75, comment="")
    assert v3.pk == v2.pk and v3.value == D("75.0000")


def test_evidence_is_checked_by_content_and_size(users, hscv, dian, settings):
    exe = SimpleUploadedFile(
        "bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"
    )
    with pytest.raises(ValidationError, match="PDF"):
        draft_kw = {"numerator": 1, "denominator": 2}
        value_save(
            actor=users["canbo.dian"],
            indicator=hscv,
            org_unit=dian,
            period="2025-Q1",
            evidence=[exe],
            **draft_kw,
        )
    assert not ReportedValue.objects.exists()  # nothing stored
    v = value_save(
        actor=users["canbo.dian"],
        indicator=hscv,
        org_unit=dian,
        period="2025-Q1",
        numerator=1,
        denominator=2,
    )
    with pytest.raises(ValidationError, match="minh chứng"):
        value_submit(actor=users["canbo.dian"], value=v)  # no evidence yet
    settings.TINHSO_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError, match="vượt quá"):
        evidence_add(actor=users["canbo.dian"], value=v, upload=pdf_upload())
    settings.TINHSO_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    with pytest.raises(PermissionDenied):
        evidence_add(actor=users["canbo.thuanan"], value=v, upload=pdf_upload())
    ev = evidence_add(actor=users["canbo.dian"], value=v, upload=pdf_upload("quy1.pdf"))
    assert (ev.content_type, ev.original_name) == ("application/pdf", "quy1.pdf")
    assert value_submit(actor=users["canbo.dian"], value=v).status == S.SUBMITTED
    with pytest.raises(ValidationError):  # no more files once sent
        evidence_add(actor=users["canbo.dian"], value=v, upload=pdf_upload())


@files_on_both
def test_evidence_download_is_permission_checked(client, users, hscv, dian):
    v = draft(users, hscv, dian)
    ev = v.evidence.get()
    url = f"/chuyen-doi-so/minh-chung/{ev.pk}/"
    client.force_login(users["canbo.thuanan"])
    assert client.get(url).status_code == 403
    client.force_login(users["vanphong.cds"])
    resp = client.get(url)
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"%PDF")


def test_late_list_and_reminders(users, hscv, dian, monkeypatch, catalogue):
    v = value_submit(actor=users["canbo.dian"], value=draft(users, hscv, dian, period="2025-Q1"))
    late = selectors.reports_late(on=dt.date(2025, 5, 1), year=2025)
    late_hscv = {e.unit.code for e in late if e.indicator == hscv and e.period.key == "2025-Q1"}
    assert "725" in late_hscv and "724" not in late_hscv  # Dĩ An sent in time
    assert all(e.due < dt.date(2025, 5, 1) for e in late)
    assert v.status == S.SUBMITTED
    # five days before the Q2 deadline (10/07/2025) the units are reminded by email
    monkeypatch.setattr(selectors.common, "today", lambda: dt.date(2025, 7, 5))
    call_command("monitoring_remind", days=7)
    to = {addr for m in mail.outbox for addr in m.to}
    assert {"canbo.dian@example.vn", "lanhdao.dian@example.vn", "canbo.thuanan@example.vn"} <= to
    assert any("Quý 2/2025" in m.body for m in mail.outbox)


def test_targets_path_interpolated_then_adjusted(catalogue, users):
    ind = catalogue["KTS_GRDP"]
    province = unit("74", timezone.localdate())
    path = {
        t.year: (t.value, t.kind) for t in Target.objects.filter(indicator=ind, org_unit=province)
    }
    assert path[2024] == (D("11.3400"), "baseline")
    assert path[2025] == (D("20.0000"), "entered")
    assert path[2027] == (D("24.0000"), "interpolated")  # 20 → 30 over 2025–2030
    assert path[2030] == (D("30.0000"), "entered")
    with pytest.raises(PermissionDenied):
        target_set(actor=users["canbo.dian"], indicator=ind, org_unit=province, year=2027, value=25)
    t = target_set(
        actor=users["vanphong.cds"], indicator=ind, org_unit=province, year=2027, value=25
    )
    assert t.kind == "adjusted"
    target_path_interpolate(actor=users["vanphong.cds"], indicator=ind, org_unit=province)
    path = {t.year: t.value for t in Target.objects.filter(indicator=ind, org_unit=province)}
    assert path[2026] == D("22.5000") and path[2028] == D("26.6700")  # around the adjusted 2027
    with pytest.raises(ValidationError):
        target_set(
            actor=users["vanphong.cds"], indicator=ind, org_unit=province, year=2026, value=130
        )


def test_tasks_overdue_flag_and_update(catalogue, users):
    from tinhso.monitoring.services import task_create

    dian = unit("724", timezone.localdate())
    task = task_create(
        actor=users["vanphong.cds"],
        year=2025,
        title="Số hóa hồ sơ",
        org_unit=dian,
        deadline=dt.date(2025, 3, 31),
        head=users["lanhdao.dian"],
    )
    assert selectors.task_is_overdue(task, on=dt.date(2025, 4, 1))
    assert task in selectors.tasks_overdue_for_head(user=users["lanhdao.dian"])
    assert task not in selectors.tasks_overdue_for_head(user=users["lanhdao.thuanan"])
    with pytest.raises(PermissionDenied):
        task_update(actor=users["canbo.thuanan"], task=task, status="done", progress=100)
    with pytest.raises(PermissionDenied):
        task_create(
            actor=users["canbo.dian"],
            year=2025,
            title="x",
            org_unit=dian,
            deadline=dt.date(2025, 1, 1),
        )
    task = task_update(actor=users["canbo.dian"], task=task, status="done", progress=40)
    assert task.progress == 100 and not selectors.task_is_overdue(task, on=dt.date(2025, 4, 1))
    assert PlanTask.objects.filter(status="done").count() == 1
    assert AuditEntry.objects.filter(action="monitoring.task.update").count() == 1
