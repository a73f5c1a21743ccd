"""The monthly counters, updated in the same transaction as the change, and their rebuild."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tinhso.audit.services import audit_record
from tinhso.feedback.models import (
    FEEDBACK_COUNTERS,
    Feedback,
    FeedbackMonthlyStat,
    Outcome,
)
from tinhso.services import deadlines

# ---------------------------------------------------------------------------------------
# Counters (same transaction as the change)
# ---------------------------------------------------------------------------------------


def _month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, deadlines.TZ).date().replace(day=1)


def feedback_stats_bump(*, org_unit_id: int, moment: dt.datetime, **inc: int) -> None:
    row, _created = FeedbackMonthlyStat.objects.get_or_create(
        org_unit_id=org_unit_id, month=_month_of(moment)
    )
    FeedbackMonthlyStat.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in inc.items()})


def _handled_increments(outcome: str) -> dict[str, int]:
    return {
        "handled": 1,
        "handled_on_time": int(outcome == Outcome.ON_TIME),
        "handled_late": int(outcome == Outcome.LATE),
    }


def _first_complaint(feedback: Feedback) -> bool:
    """The first feedback about its dossier whose dossier was not already rated "not
    satisfied" (those are counted by the dossier ratings): one count per dossier."""
    if feedback.dossier_id is None or feedback.dossier is None:
        return False
    if feedback.dossier.rating == "unsatisfied":
        return False
    return not Feedback.objects.filter(dossier_id=feedback.dossier_id, pk__lt=feedback.pk).exists()


def feedback_stats_rebuild() -> int:
    """Recompute ``FeedbackMonthlyStat`` from the feedback rows (the live counters must
    equal this). Returns the number of rows written."""
    acc: dict[tuple[int, dt.date], dict[str, int]] = {}

    def add(unit_id: int, moment: dt.datetime, inc: dict[str, int]) -> None:
        row = acc.setdefault((unit_id, _month_of(moment)), dict.fromkeys(FEEDBACK_COUNTERS, 0))
        for k, v in inc.items():
            row[k] += v

    seen_dossiers: set[int] = set()
    for fb in Feedback.objects.select_related("dossier").order_by("pk").iterator(chunk_size=2000):
        add(fb.org_unit_id, fb.received_at, {"received": 1})
        done_at = fb.answered_at or fb.closed_at
        if done_at and fb.outcome:
            add(fb.org_unit_id, done_at, _handled_increments(fb.outcome))
        if fb.rated_at and fb.rating:
            add(fb.org_unit_id, fb.rated_at, {fb.rating: 1})
        if fb.dossier_id and fb.dossier_id not in seen_dossiers:
            seen_dossiers.add(fb.dossier_id)
            # what _first_complaint saw at submission cannot be known for old ratings;
            # the rule is applied with the dossier's current rating
            if fb.dossier is not None and fb.dossier.rating != "unsatisfied":
                add(fb.dossier.org_unit_id, fb.received_at, {"dossiers_complained": 1})
    with transaction.atomic():
        FeedbackMonthlyStat.objects.all().delete()
        FeedbackMonthlyStat.objects.bulk_create(
            [FeedbackMonthlyStat(org_unit_id=u, month=m, **v) for (u, m), v in acc.items()],
            batch_size=1000,
        )
        audit_record(actor=None, action="feedback.stats_rebuild", extra={"rows": len(acc)})
    return len(acc)
