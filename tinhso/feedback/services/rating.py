"""Satisfaction: the sender rates the answer."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.audit.services import audit_record
from tinhso.feedback import events as ev
from tinhso.feedback.events import event_name
from tinhso.feedback.models import (
    Feedback,
    FeedbackStatus,
    Rating,
)
from tinhso.feedback.services.common import REASON_MAX, _clean_text, _event, _lock, _save
from tinhso.feedback.services.counters import feedback_stats_bump
from tinhso.feedback.services.submit import _check_sender

# ---------------------------------------------------------------------------------------
# Satisfaction
# ---------------------------------------------------------------------------------------


def feedback_rate(
    *,
    feedback_id: int,
    user: User | None,
    code: str = "",
    rating: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Feedback:
    """The sender rates the answer once: satisfied, or not satisfied with a reason."""
    if rating not in Rating.values:
        raise ValidationError({"rating": [_("Mức đánh giá không hợp lệ.")]})
    reason = _clean_text(
        reason,
        field="reason",
        label=_("lý do"),
        limit=REASON_MAX,
        required=rating == Rating.UNSATISFIED,
    )
    with transaction.atomic():
        fb = _lock(feedback_id, None)
        _check_sender(fb, user, code)
        if fb.status != FeedbackStatus.ANSWERED:
            raise ValidationError(_("Chỉ đánh giá được sau khi đã có trả lời."))
        if fb.rated_at:
            raise ValidationError(_("Bạn đã đánh giá trả lời này."))
        now = now or timezone.now()
        fb.rating, fb.rating_reason, fb.rated_at = rating, reason, now
        _save(fb, ["rating", "rating_reason", "rated_at"])
        feedback_stats_bump(org_unit_id=fb.org_unit_id, moment=now, **{rating: 1})
        _event(
            feedback=fb,
            actor=user,
            action="rate",
            action_name=event_name(ev.RATED, rating=Rating(rating).label),
            public=True,
            at=now,
        )
        audit_record(
            actor=user,
            action="feedback.rate",
            obj=fb,
            org_unit=fb.org_unit,
            after={"rating": rating},
        )
    return fb
