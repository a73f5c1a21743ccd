"""Workflow actions on a dossier (``dossier_act``): the process step, the status, the
deadline and its pauses."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.files import atomic_with_files
from tinhso.services import deadlines
from tinhso.services.applying import fee_for
from tinhso.services.models import (
    PAUSING_STATUSES,
    DocumentPart,
    Dossier,
    DossierFile,
    DossierPause,
    Procedure,
    ProcessAction,
    ProcessStep,
    Status,
)
from tinhso.services.selectors import (
    dossier_visible,
    procedure_channel,
)
from tinhso.services.services.attachments import _check_uploads, _store_files, result_draft_get
from tinhso.services.services.changes import DossierConflict, _event, _lock_dossier, _notify
from tinhso.services.services.stats import _supplement_requests, stats_record
from tinhso.services.store import store_on_receipt
from tinhso.services.studio.library import fee_for_unit
from tinhso.services.workflow import action_allowed
from tinhso.uploads import CheckedUpload

# ---------------------------------------------------------------------------------------
# Workflow actions
# ---------------------------------------------------------------------------------------


def _pauses(dossier: Dossier) -> list[deadlines.Pause]:
    return [(p.started_at, p.ended_at) for p in dossier.pauses.all()]


def _recompute_due(dossier: Dossier, cal: deadlines.WorkCalendar, now: dt.datetime) -> None:
    duration = dossier.duration
    if dossier.received_at is None or duration is None:
        dossier.due_at = None
        return
    dossier.due_at = deadlines.due_at(
        received_at=dossier.received_at,
        duration=duration,
        pauses=_pauses(dossier),
        now=now,
        cal=cal,
    )


def _set_duration(
    dossier: Dossier, duration: deadlines.Duration | None, cal: deadlines.WorkCalendar
) -> None:
    """Fix the legal time at receipt. ``budget_minutes`` is its length in working minutes
    (for a calendar period: from the clock start to the due moment), which the per-step
    shares divide."""
    if duration is None or dossier.received_at is None:
        dossier.duration_value, dossier.duration_unit, dossier.budget_minutes = None, "", None
        return
    dossier.duration_value, dossier.duration_unit = duration.value, duration.unit
    if duration.is_calendar:
        start = deadlines.clock_start(dossier.received_at, cal)
        due = deadlines.due_at(received_at=dossier.received_at, duration=duration, cal=cal)
        dossier.budget_minutes = deadlines.working_minutes_between(start, due, cal)
    else:
        dossier.budget_minutes = duration.working_minutes()


def _enter_step(
    dossier: Dossier, step: ProcessStep, now: dt.datetime, cal: deadlines.WorkCalendar
) -> None:
    dossier.step = step
    dossier.status = step.status
    dossier.step_entered_at = now
    dossier.step_due_at = None


def _step_due(dossier: Dossier, now: dt.datetime, cal: deadlines.WorkCalendar) -> None:
    share = dossier.step.time_share
    if share and dossier.budget_minutes and dossier.paused_since is None:
        dossier.step_due_at = deadlines.add_working_minutes(
            now, dossier.budget_minutes * share // 100, cal
        )


def _apply_effects(
    *,
    dossier: Dossier,
    action: ProcessAction,
    from_status: int,
    now: dt.datetime,
    cal: deadlines.WorkCalendar,
    user: AnyUser | None,
    assignee: Any | None,
) -> None:
    to = action.to_step.status
    if action.code == "assign":
        dossier.assignee = assignee or (user if isinstance(user, User) else None)
    if from_status == Status.NEW and to == Status.RECEIVED:
        dossier.received_at = now
        channel = procedure_channel(procedure=dossier.procedure, channel=dossier.channel)
        _set_duration(dossier, channel.duration if channel else None, cal)
        base = channel.fee_amount if channel and channel.fee_currency == "VND" else None
        # the receiving unit's adjusted fee, if any (procedure studio), per copy when so charged
        base = fee_for_unit(
            procedure_id=dossier.procedure_id, org_unit_id=dossier.org_unit_id, catalogue=base
        )
        fee = fee_for(dossier=dossier, amount=base, per_copy=bool(channel and channel.fee_per_copy))
        dossier.fee_amount = dossier.fee_amount or fee
        _recompute_due(dossier, cal, now)
        store_on_receipt(dossier=dossier, at=now)
        stats_record(dossier=dossier, moment="received_at", at=now)
    if to == Status.NOT_ACCEPTED:
        dossier.refused_at = now
        stats_record(dossier=dossier, moment="refused_at", at=now)
    if to == Status.WITHDRAWN:
        dossier.withdrawn_at = now
        stats_record(dossier=dossier, moment="withdrawn_at", at=now)
    if from_status in PAUSING_STATUSES and to not in PAUSING_STATUSES:
        dossier.pauses.filter(ended_at__isnull=True).update(ended_at=now)
        dossier.paused_since = None
        _recompute_due(dossier, cal, now)
    if to in PAUSING_STATUSES and from_status not in PAUSING_STATUSES:
        DossierPause.objects.create(dossier=dossier, status=to, started_at=now)
        dossier.paused_since = now
    if to == Status.PROCESSED:
        dossier.finished_at = now
        if dossier.due_at is not None:
            dossier.outcome = deadlines.classify(now, dossier.due_at)
            stats_record(
                dossier=dossier,
                moment="finished_at",
                at=now,
                supplements=_supplement_requests(dossier),
            )
    if to == Status.RETURNED:
        dossier.returned_at = now


def dossier_act(
    *,
    user: AnyUser | None,
    dossier_id: int,
    action_code: str,
    version: int,
    comment: str = "",
    files: Mapping[int, Iterable[Any]] | None = None,
    assignee: Any | None = None,
    system: bool = False,
    post_ref: str = "",
) -> Dossier:
    """Take a process action on a dossier. ``version`` is the version the user saw;
    if the dossier changed since, nothing happens and ``DossierConflict`` is raised.

    When the action lands where the procedure's fee timing asks for the fee (receipt, or
    the officer forwarding for approval) and the fee is unpaid, the system's
    ``request_fee`` action follows in the same transaction (status 6, clock paused).
    ``post_ref``: the tracking reference for ``send_post``."""
    comment = (comment or "").strip()
    with atomic_with_files() as stored:
        dossier = _lock_dossier(dossier_id)
        if (
            dossier is None
            or dossier.status == Status.DRAFT
            or (not system and not dossier_visible(user=user, dossier=dossier))
        ):
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        if version != dossier.version:
            raise DossierConflict()
        action = (
            ProcessAction.objects.select_related("to_step")
            .filter(from_step_id=dossier.step_id, code=action_code)
            .first()
        )
        allowed = action is not None and (
            (system and action.role == "system")
            or (not system and action_allowed(user=user, action=action, dossier=dossier))
        )
        if action is None:
            raise ValidationError(
                _("Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái “%s”.")
                % Status(dossier.status).label
            )
        if not allowed:
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
        if (action.comment_required or action.code == "withdraw") and not comment:
            raise ValidationError({"comment": [_("Vui lòng ghi rõ lý do.")]})
        if action.code == "approve" and not dossier.result_ref and result_draft_get(dossier):
            raise ValidationError(
                _(
                    "Hồ sơ có dự thảo kết quả điện tử: vui lòng dùng “Phê duyệt và ký số” để "
                    "ký kết quả trước khi trả."
                )
            )
        if action.code == "send_post":
            post_ref = _post_ref_clean(post_ref)
            dossier.result_post_ref = post_ref
            comment = comment or _("Mã bưu gửi: %s") % post_ref
        checked: list[tuple[DocumentPart, CheckedUpload]] = []
        if action.code == "supplement":
            checked = _check_uploads(
                procedure=dossier.procedure, files=files or {}, require_all=False
            )
            if not checked and not comment:
                raise ValidationError(
                    {"files": [_("Vui lòng đính kèm giấy tờ bổ sung hoặc ghi nội dung bổ sung.")]}
                )
        now = timezone.now()
        cal = deadlines.calendar_load()
        from_status, from_step = dossier.status, dossier.step.name
        before = {"status": from_status, "step": dossier.step.code}
        _enter_step(dossier, action.to_step, now, cal)
        _apply_effects(
            dossier=dossier,
            action=action,
            from_status=from_status,
            now=now,
            cal=cal,
            user=user,
            assignee=assignee,
        )
        _step_due(dossier, now, cal)
        if checked:
            _store_files(
                dossier=dossier,
                checked=checked,
                user=user,
                kind=DossierFile.Kind.SUPPLEMENT,
                stored=stored,
            )
        dossier.version += 1
        dossier.save()
        _event(
            dossier=dossier,
            actor=user,
            action=action.code,
            action_name=action.name,
            from_status=from_status,
            from_step=from_step,
            comment=comment,
            at=now,
        )
        audit_record(
            actor=user,
            action=f"services.dossier_{action.code}",
            obj=dossier,
            org_unit=dossier.org_unit,
            before=before,
            after={"status": dossier.status, "step": dossier.step.code},
            extra={"comment": comment} if comment else None,
        )
        if dossier.status != from_status:
            _notify(dossier, action.name, comment)
        if _fee_request_due(dossier, action.code):
            return dossier_act(
                user=None,
                dossier_id=dossier.pk,
                action_code="request_fee",
                version=dossier.version,
                system=True,
            )
    return dossier


_POST_REF = re.compile(r"^[A-Z0-9][A-Z0-9\-]{5,39}$")


def _fee_request_due(dossier: Dossier, action_code: str) -> bool:
    """Does the procedure's fee timing ask for the (unpaid) fee now?"""
    if not dossier.fee_amount or dossier.fee_paid_at is not None:
        return False
    timing = dossier.procedure.fee_timing
    due = (timing == Procedure.FeeTiming.BEFORE and dossier.status == Status.RECEIVED) or (
        timing == Procedure.FeeTiming.AFTER and action_code == "forward"
    )
    return (
        due
        and ProcessAction.objects.filter(from_step_id=dossier.step_id, code="request_fee").exists()
    )


def _post_ref_clean(post_ref: str) -> str:
    ref = (post_ref or "").strip().upper().replace(" ", "")
    if not _POST_REF.match(ref):
        raise ValidationError(
            {"post_ref": [_("Mã bưu gửi gồm 6–40 chữ cái không dấu, chữ số hoặc dấu gạch.")]}
        )
    return ref
