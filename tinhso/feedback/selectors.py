"""Reads of the feedback app (scoped through ``tinhso.accounts.permissions``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.permissions import scope_paths, user_can, visible_q
from tinhso.feedback import permissions as perms
from tinhso.feedback.models import (
    FEEDBACK_COUNTERS,
    OPEN_STATUSES,
    Feedback,
    FeedbackEvent,
    FeedbackFile,
    FeedbackMonthlyStat,
    FeedbackRoute,
    FeedbackStatus,
)
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import orgunit_get, orgunit_list, orgunit_roots
from tinhso.services import deadlines
from tinhso.services.models import Dossier, Procedure, ServiceMonthlyStat
from tinhso.services.selectors import procedure_agency_units

HANDLING_DAYS = 15
_RELATED = ("org_unit", "procedure", "dossier", "about_unit")


def tracking_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode("utf-8")).hexdigest()


def feedback_office() -> OrgUnit:
    """The provincial office receiving feedback: ``settings.TINHSO_FEEDBACK_OFFICE`` (a unit
    code) or else the province itself (where the digital-transformation office sits)."""
    code = getattr(settings, "TINHSO_FEEDBACK_OFFICE", "")
    if code:
        return orgunit_get(code=code)
    root = orgunit_roots().order_by("code").first()
    if root is None:
        raise OrgUnit.DoesNotExist("No province unit to receive feedback.")
    return root


def feedback_due_at(
    *, received_at: dt.datetime, cal: deadlines.WorkCalendar | None = None
) -> dt.datetime:
    """15 working days from receipt, on the platform's working calendar."""
    cal = cal or deadlines.calendar_load()
    start = deadlines.clock_start(received_at, cal)
    return deadlines.add_working_minutes(start, HANDLING_DAYS * deadlines.DAY_MINUTES, cal)


def feedback_route_suggest(*, feedback: Feedback) -> OrgUnit | None:
    """The default route: a configured route for (category, procedure), then for the
    category; else the dossier's unit, the unit the feedback is about, the procedure's
    receiving unit (the first valid one)."""
    routes = FeedbackRoute.objects.filter(category=feedback.category).select_related("org_unit")
    if feedback.procedure_id:
        route = routes.filter(procedure_id=feedback.procedure_id).first()
        if route:
            return route.org_unit
    if feedback.dossier_id:
        return feedback.dossier.org_unit if feedback.dossier else None
    if feedback.about_unit_id:
        return feedback.about_unit
    if feedback.procedure_id and feedback.procedure is not None:
        units = procedure_agency_units(procedure=feedback.procedure)
        if units:
            return units[0]
    route = routes.filter(procedure__isnull=True).first()
    return route.org_unit if route else None


def feedback_visible(*, user: User | None) -> QuerySet[Feedback]:
    """Feedback an official may see: held by a unit in their scope (``feedback.view``)."""
    return Feedback.objects.filter(visible_q(user, perms.VIEW)).select_related(*_RELATED)


def feedback_get_for_user(*, user: User, pk: int) -> Feedback:
    """An official's view of one feedback (raises ``Feedback.DoesNotExist`` outside scope)."""
    return feedback_visible(user=user).get(pk=pk)


def feedback_queue(
    *, user: User, status: str = "open", org_unit_id: int | None = None, q: str = ""
) -> QuerySet[Feedback]:
    qs = feedback_visible(user=user)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in FeedbackStatus.values:
        qs = qs.filter(status=status)
    if org_unit_id:
        qs = qs.filter(org_unit_id=org_unit_id)
    if q.strip():
        qs = qs.filter(Q(number__icontains=q.strip()) | Q(subject__icontains=q.strip()))
    return qs.order_by("due_at", "pk")


def feedback_can(*, user: User | None, action: str, feedback: Feedback) -> bool:
    """May ``user`` take ``action`` (``permissions.VIEW``, ``ROUTE``, ``DRAFT``, ``APPROVE``,
    ``SENDER``) on ``feedback``? Asked of the one permission layer."""
    return user_can(user=user, action=action, obj=feedback)


def feedback_actions(*, user: User, feedback: Feedback) -> list[str]:
    """The steps ``user`` may take now: forward, close, draft, approve, return."""
    out: list[str] = []
    if feedback.status == FeedbackStatus.RECEIVED and feedback_can(
        user=user, action=perms.ROUTE, feedback=feedback
    ):
        out += ["forward", "close"]
    if feedback.status == FeedbackStatus.PROCESSING and feedback_can(
        user=user, action=perms.DRAFT, feedback=feedback
    ):
        out += ["draft"]
    if feedback.status == FeedbackStatus.APPROVAL and feedback_can(
        user=user, action=perms.APPROVE, feedback=feedback
    ):
        out += ["approve", "return"]
    return out


@dataclass(frozen=True)
class FeedbackDeadline:
    label: str
    css: str  # "ok" | "soon" | "overdue" | ""


def feedback_deadline(
    *,
    feedback: Feedback,
    now: dt.datetime | None = None,
    cal: deadlines.WorkCalendar | None = None,
) -> FeedbackDeadline:
    if feedback.outcome:
        return FeedbackDeadline(
            str(feedback.get_outcome_display()), "overdue" if feedback.outcome == "late" else "ok"
        )
    if not feedback.is_open:
        return FeedbackDeadline("", "")
    cal = cal or deadlines.calendar_load()
    left = deadlines.remaining(now=now or timezone.now(), due=feedback.due_at, cal=cal)
    if left.overdue:
        return FeedbackDeadline(
            _("Quá hạn %(d)s ngày %(h)s giờ") % {"d": left.days, "h": left.hours}, "overdue"
        )
    label = _("Còn %(d)s ngày %(h)s giờ") % {"d": left.days, "h": left.hours}
    return FeedbackDeadline(label, "soon" if left.minutes < deadlines.DAY_MINUTES else "ok")


def feedback_track(*, number: str, code: str) -> Feedback | None:
    """The sender's view by number and secret tracking code (compared in constant time)."""
    fb = Feedback.objects.filter(number=number.strip().upper()).select_related(*_RELATED).first()
    if fb is None or not code:
        return None
    if not hmac.compare_digest(fb.tracking_hash, tracking_hash(code)):
        return None
    return fb


def feedback_sent_by(*, user: User | None) -> QuerySet[Feedback]:
    """The feedback ``user`` sent while logged in (``feedback.sender``: the owner alone)."""
    return Feedback.objects.filter(visible_q(user, perms.SENDER)).select_related(*_RELATED)


def feedback_for_sender(*, user: User | None, pk: int) -> Feedback | None:
    return feedback_sent_by(user=user).filter(pk=pk).first()


def feedback_list_for_sender(*, user: User | None) -> QuerySet[Feedback]:
    return feedback_sent_by(user=user).order_by("-received_at")


def feedback_for_reader(*, user: User | None, number: str, code: str = "") -> Feedback | None:
    """One feedback by number for whoever may read it: with the tracking code, anyone; else
    its logged-in sender or an official whose scope holds it. None otherwise (the caller
    answers "not found", the same for a wrong number and someone else's feedback)."""
    if code:
        return feedback_track(number=number, code=code)
    fb = Feedback.objects.filter(number=number.strip().upper()).select_related(*_RELATED).first()
    if fb is None:
        return None
    if feedback_can(user=user, action=perms.SENDER, feedback=fb) or feedback_can(
        user=user, action=perms.VIEW, feedback=fb
    ):
        return fb
    return None


def feedback_file_get(*, user: User | None, file_id: int, code: str = "") -> FeedbackFile | None:
    """An attachment for its feedback's sender (logged in, or with the tracking code) or the
    officials whose scope holds the feedback; None for anyone else."""
    row = FeedbackFile.objects.select_related("feedback__org_unit").filter(pk=file_id).first()
    if row is None:
        return None
    fb = row.feedback
    if feedback_can(user=user, action=perms.SENDER, feedback=fb) or feedback_can(
        user=user, action=perms.VIEW, feedback=fb
    ):
        return row
    if code and feedback_track(number=fb.number, code=code) is not None:
        return row
    return None


def feedback_events(*, feedback: Feedback, public_only: bool = True) -> QuerySet[FeedbackEvent]:
    qs = feedback.events.all()
    if public_only:
        qs = qs.filter(public=True)
    return qs.order_by("at", "pk")


def feedback_files(*, feedback: Feedback) -> QuerySet[FeedbackFile]:
    return feedback.files.all().order_by("pk")


def feedback_sender_dossiers(*, user: User | None) -> QuerySet[Dossier]:
    """The sender's own dossiers that a feedback may be about (sent ones, with a number)."""
    return (
        Dossier.objects.filter(visible_q(user, "services.act.applicant"), number__isnull=False)
        .select_related("procedure")
        .order_by("-created_at")
    )


def feedback_units(*, on: dt.date | None = None) -> QuerySet[OrgUnit]:
    """Units that can be chosen as responsible (valid today)."""
    return orgunit_list(on=on).order_by("path")


def feedback_procedures() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_active=True).order_by("name")


def feedback_published(
    *, procedure_code: str = "", org_unit_id: int | None = None, q: str = ""
) -> QuerySet[Feedback]:
    """Published answers (personal data removed) for the public page and open data."""
    qs = Feedback.objects.filter(published_at__isnull=False).select_related(*_RELATED)
    if procedure_code:
        qs = qs.filter(procedure__code=procedure_code)
    if org_unit_id:
        qs = qs.filter(org_unit_id=org_unit_id)
    if q.strip():
        qs = qs.filter(
            Q(public_subject__icontains=q.strip()) | Q(public_question__icontains=q.strip())
        )
    return qs.order_by("-published_at", "-pk")


def feedback_published_get(*, number: str) -> Feedback | None:
    return feedback_published().filter(number=number).first()


def feedback_due_for_reminder(*, now: dt.datetime) -> list[Feedback]:
    """Open feedback due within one working day or overdue, not reminded today."""
    cal = deadlines.calendar_load()
    day = timezone.localtime(now, deadlines.TZ).date()
    horizon = deadlines.add_working_minutes(now, deadlines.DAY_MINUTES, cal)
    qs = (
        Feedback.objects.filter(status__in=OPEN_STATUSES, due_at__lte=horizon)
        .exclude(reminded_on=day)
        .select_related("org_unit")
        .order_by("due_at", "pk")
    )
    return list(qs)


# ---------------------------------------------------------------------------------------
# Figures (Decision 766, satisfaction group)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackFigures:
    received: int = 0
    handled: int = 0
    handled_on_time: int = 0
    handled_late: int = 0
    satisfied: int = 0
    unsatisfied: int = 0
    dossiers_complained: int = 0
    dossiers_rated_unsatisfied: int = 0  # from the dossier ratings (services' counters)
    by_unit: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def dossiers_complained_or_disliked(self) -> int:
        """Dossiers with a complaint or a "not satisfied" rating (766: satisfaction with
        procedures); a complaint about a dossier already rated so is not counted twice."""
        return self.dossiers_complained + self.dossiers_rated_unsatisfied

    @property
    def on_time_rate(self) -> float | None:
        """Share of handled feedback handled on time (None when nothing was handled)."""
        return self.handled_on_time / self.handled if self.handled else None

    @property
    def satisfaction_rate(self) -> float | None:
        """Share of ratings that are "satisfied" (None without ratings)."""
        rated = self.satisfied + self.unsatisfied
        return self.satisfied / rated if rated else None


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def feedback_figures(
    *,
    start: dt.date,
    end: dt.date,
    org_paths: list[str] | None = None,
    unit: OrgUnit | None = None,
) -> FeedbackFigures:
    """The counters summed over the months from ``start``'s month to ``end``'s month
    (inclusive), for the units whose path starts with one of ``org_paths`` (or ``unit``'s
    subtree; neither: the whole province). Reads ``FeedbackMonthlyStat`` only."""
    qs = FeedbackMonthlyStat.objects.filter(month__gte=_month(start), month__lte=_month(end))
    ratings = ServiceMonthlyStat.objects.filter(month__gte=_month(start), month__lte=_month(end))
    paths = list(org_paths or [])
    if unit is not None:
        paths.append(unit.path)
    if paths:
        cond = Q(pk__in=[])
        for p in paths:
            cond |= Q(org_unit__path__startswith=p)
        qs = qs.filter(cond)
        ratings = ratings.filter(cond)
    disliked = ratings.aggregate(n=Sum("ratings_unsatisfied"))["n"] or 0
    totals = qs.aggregate(**{k: Sum(k) for k in FEEDBACK_COUNTERS})
    by_unit: dict[int, dict[str, int]] = {}
    for row in (
        qs.values("org_unit_id")
        .annotate(**{f"s_{k}": Sum(k) for k in FEEDBACK_COUNTERS})
        .order_by()
    ):
        counts = {k: row[f"s_{k}"] or 0 for k in FEEDBACK_COUNTERS}
        if any(counts.values()):  # the office's row is back to zero once all is forwarded
            by_unit[row["org_unit_id"]] = counts
    return FeedbackFigures(
        **{k: totals[k] or 0 for k in FEEDBACK_COUNTERS},
        dossiers_rated_unsatisfied=disliked,
        by_unit=by_unit,
    )


def feedback_scope_figures(*, user: User, start: dt.date, end: dt.date) -> FeedbackFigures:
    """The figures of the units an official may see."""
    paths = scope_paths(user, perms.VIEW)
    if paths == []:
        return FeedbackFigures()
    return feedback_figures(start=start, end=end, org_paths=paths)
