"""Handling: the receiving office forwards or closes; the unit drafts, the head approves."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.audit.services import audit_record
from tinhso.feedback import events as ev
from tinhso.feedback import permissions as perms
from tinhso.feedback.events import event_name
from tinhso.feedback.models import (
    Category,
    Feedback,
    FeedbackStatus,
    Outcome,
)
from tinhso.feedback.selectors import (
    feedback_can,
    feedback_route_suggest,
)
from tinhso.feedback.services.common import (
    REASON_MAX,
    TEXT_MAX,
    _clean_text,
    _event,
    _lock,
    _notify,
    _save,
    redact,
)
from tinhso.feedback.services.counters import _handled_increments, feedback_stats_bump
from tinhso.orgs.models import OrgUnit

# ---------------------------------------------------------------------------------------
# Handling: the receiving office forwards or closes; the unit drafts, the head approves
# ---------------------------------------------------------------------------------------


def _require(user: User, action: str, fb: Feedback, status: str) -> None:
    # permission first: someone outside the scope learns nothing about the state
    if not feedback_can(user=user, action=action, feedback=fb):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    if fb.status != status:
        raise ValidationError(_("Thao tác không phù hợp với trạng thái hiện tại của phản ánh."))


def feedback_forward(
    *,
    user: User,
    feedback_id: int,
    version: int,
    org_unit: OrgUnit | None = None,
    category: str = "",
    comment: str = "",
    now: dt.datetime | None = None,
) -> Feedback:
    """Classify and forward to the responsible unit (default: the suggested route). The
    received counter moves with the feedback to the unit (month of receipt)."""
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.ROUTE, fb, FeedbackStatus.RECEIVED)
        if category:
            if category not in Category.values:
                raise ValidationError({"category": [_("Loại phản ánh không hợp lệ.")]})
            fb.category = category
        target = org_unit or feedback_route_suggest(feedback=fb)
        if target is None:
            raise ValidationError({"org_unit": [_("Vui lòng chọn đơn vị xử lý.")]})
        if not target.is_valid_on(timezone.localdate()):
            raise ValidationError({"org_unit": [_("Đơn vị này không còn hoạt động.")]})
        before = {"org_unit": fb.org_unit_id, "category": fb.category}
        if target.pk != fb.org_unit_id:
            feedback_stats_bump(org_unit_id=fb.org_unit_id, moment=fb.received_at, received=-1)
            feedback_stats_bump(org_unit_id=target.pk, moment=fb.received_at, received=1)
        fb.org_unit, fb.status, fb.forwarded_at = target, FeedbackStatus.PROCESSING, now
        _save(fb, ["org_unit", "status", "forwarded_at", "category"])
        _event(
            feedback=fb,
            actor=user,
            action="forward",
            action_name=event_name(ev.FORWARDED, unit=target.agency_name),
            comment=comment.strip(),
            at=now,
        )
        audit_record(
            actor=user,
            action="feedback.forward",
            obj=fb,
            org_unit=target,
            before=before,
            after={"org_unit": target.pk, "category": fb.category},
        )
    return fb


def _finish(fb: Feedback, now: dt.datetime) -> None:
    fb.outcome = Outcome.LATE if now > fb.due_at else Outcome.ON_TIME
    feedback_stats_bump(org_unit_id=fb.org_unit_id, moment=now, **_handled_increments(fb.outcome))


def feedback_close(
    *, user: User, feedback_id: int, version: int, reason: str, now: dt.datetime | None = None
) -> Feedback:
    """Close a feedback outside the province's competence, with the reason sent to the
    sender (it counts as handled, on time or late)."""
    reason = _clean_text(reason, field="reason", label=_("lý do"), limit=REASON_MAX)
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.ROUTE, fb, FeedbackStatus.RECEIVED)
        fb.status, fb.close_reason, fb.closed_at = FeedbackStatus.CLOSED, reason, now
        _finish(fb, now)
        _save(fb, ["status", "close_reason", "closed_at", "outcome"])
        _event(
            feedback=fb,
            actor=user,
            action="close",
            action_name=ev.CLOSED_OUT_OF_SCOPE,
            comment=reason,
            at=now,
        )
        audit_record(
            actor=user,
            action="feedback.close",
            obj=fb,
            org_unit=fb.org_unit,
            after={"outcome": fb.outcome},
        )
        _notify(
            fb,
            subject=_("[Tỉnh Số] Phản ánh %s đã đóng") % fb.number,
            body=_(
                "Phản ánh %(number)s không thuộc thẩm quyền giải quyết của tỉnh.\nLý do: %(reason)s"
            )
            % {"number": fb.number, "reason": reason},
        )
    return fb


def feedback_draft_answer(
    *,
    user: User,
    feedback_id: int,
    version: int,
    answer: str,
    publish: bool = False,
    public_question: str = "",
) -> Feedback:
    """The unit's officer drafts the answer and proposes publishing it (only possible when
    the sender agreed); it goes to the unit head."""
    answer = _clean_text(answer, field="answer", label=_("nội dung trả lời"), limit=TEXT_MAX)
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.DRAFT, fb, FeedbackStatus.PROCESSING)
        if publish and not fb.publish_consent:
            raise ValidationError(
                {"publish": [_("Người gửi không đồng ý công khai phản ánh này.")]}
            )
        fb.answer_draft, fb.drafted_by, fb.publish_proposed = answer, user, publish
        fb.public_question = (
            (
                _clean_text(
                    public_question,
                    field="public_question",
                    label=_("nội dung công khai"),
                    limit=TEXT_MAX,
                    required=False,
                )
                or redact(f"{fb.text}", names=[fb.sender_name])
            )
            if publish
            else ""
        )
        fb.status = FeedbackStatus.APPROVAL
        _save(fb, ["answer_draft", "drafted_by", "publish_proposed", "public_question", "status"])
        _event(
            feedback=fb,
            actor=user,
            action="draft",
            action_name=ev.DRAFTED,
            public=True,
        )
        audit_record(
            actor=user,
            action="feedback.draft",
            obj=fb,
            org_unit=fb.org_unit,
            after={"publish": publish},
        )
    return fb


def feedback_return(*, user: User, feedback_id: int, version: int, comment: str) -> Feedback:
    """The head sends the draft back to the officer with a comment."""
    comment = _clean_text(comment, field="comment", label=_("ý kiến"), limit=REASON_MAX)
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.APPROVE, fb, FeedbackStatus.APPROVAL)
        fb.status = FeedbackStatus.PROCESSING
        _save(fb, ["status"])
        _event(
            feedback=fb,
            actor=user,
            action="return",
            action_name=ev.DRAFT_RETURNED,
            comment=comment,
            public=False,
        )
        audit_record(actor=user, action="feedback.return", obj=fb, org_unit=fb.org_unit)
    return fb


def feedback_approve(
    *,
    user: User,
    feedback_id: int,
    version: int,
    answer: str = "",
    publish: bool | None = None,
    now: dt.datetime | None = None,
) -> Feedback:
    """The unit head approves (possibly editing) the answer: it is sent to the sender and,
    when the sender agreed and the unit decides (``publish``, default: the officer's
    proposal), published without personal data."""
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.APPROVE, fb, FeedbackStatus.APPROVAL)
        text = _clean_text(
            answer or fb.answer_draft, field="answer", label=_("nội dung trả lời"), limit=TEXT_MAX
        )
        do_publish = fb.publish_proposed if publish is None else publish
        if do_publish and not fb.publish_consent:
            raise ValidationError(
                {"publish": [_("Người gửi không đồng ý công khai phản ánh này.")]}
            )
        fb.answer, fb.answered_by, fb.answered_at = text, user, now
        fb.status = FeedbackStatus.ANSWERED
        if do_publish:
            fb.published_at = now
            fb.public_question = fb.public_question or redact(fb.text, names=[fb.sender_name])
            fb.public_subject = redact(fb.subject, names=[fb.sender_name])
        _finish(fb, now)
        _save(
            fb,
            [
                "answer",
                "answered_by",
                "answered_at",
                "status",
                "published_at",
                "public_subject",
                "public_question",
                "outcome",
            ],
        )
        _event(feedback=fb, actor=user, action="answer", action_name=ev.ANSWERED, at=now)
        if do_publish:
            _event(
                feedback=fb,
                actor=user,
                action="publish",
                action_name=ev.PUBLISHED,
                at=now,
            )
        audit_record(
            actor=user,
            action="feedback.answer",
            obj=fb,
            org_unit=fb.org_unit,
            after={"outcome": fb.outcome, "published": bool(do_publish)},
        )
        _notify(
            fb,
            subject=_("[Tỉnh Số] Trả lời phản ánh %s") % fb.number,
            body=_(
                "%(unit)s trả lời phản ánh %(number)s:\n\n%(answer)s\n\n"
                "Vui lòng đánh giá mức độ hài lòng tại trang tra cứu."
            )
            % {"unit": fb.org_unit.agency_name, "number": fb.number, "answer": text},
        )
    return fb
