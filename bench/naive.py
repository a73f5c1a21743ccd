"""Bench-only views (served by bench.urls under bench.settings, at /bench/naive): the
province dashboard's service figures computed the simple way, by aggregating the dossier
table on each request.
It is the yardstick for the "≥ 50× faster than a naive aggregate" target; it is never
linked from the platform."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse, JsonResponse

from tinhso.monitoring import selectors
from tinhso.orgs.selectors import orgunit_roots
from tinhso.services.models import Channel, Dossier


def naive_dashboard(request: HttpRequest) -> JsonResponse:
    """The counters of the province for the dashboard's year and the two-year monthly trend,
    straight from the dossiers (same date columns as the running aggregates)."""
    year = selectors.default_year()
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    province = orgunit_roots(on=end).order_by("code").first()
    qs = Dossier.objects.exclude(status=0)
    if province is not None:
        qs = qs.filter(org_unit__path__startswith=province.path)

    def within(col: str) -> Q:
        return Q(**{f"{col}__date__gte": start, f"{col}__date__lte": end})

    rec = within("received_at")
    fin = within("finished_at") & ~Q(outcome="")
    rated = within("rated_at")
    totals = qs.aggregate(
        received_total=Count("pk", filter=rec),
        received_online=Count("pk", filter=rec & Q(channel=Channel.ONLINE)),
        received_digitised=Count("pk", filter=rec & Q(received_digitised=True)),
        refused=Count("pk", filter=within("refused_at")),
        withdrawn=Count("pk", filter=within("withdrawn_at")),
        finished_total=Count("pk", filter=fin),
        finished_early=Count("pk", filter=fin & Q(outcome="early")),
        finished_on_time=Count("pk", filter=fin & Q(outcome="on_time")),
        finished_late=Count("pk", filter=fin & Q(outcome="late")),
        results_digital=Count("pk", filter=fin & Q(result_digital=True)),
        fees_total=Count("pk", filter=within("fee_paid_at")),
        fees_online=Count("pk", filter=within("fee_paid_at") & Q(fee_paid_online=True)),
        ratings_total=Count("pk", filter=rated & ~Q(rating="")),
        ratings_satisfied=Count("pk", filter=rated & Q(rating="satisfied")),
        applicants=Count(
            "applicant", filter=within("submitted_at") & Q(channel=Channel.ONLINE), distinct=True
        ),
    )
    trend = list(
        qs.filter(received_at__date__gte=dt.date(year - 1, 1, 1), received_at__date__lte=end)
        .annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(
            received=Count("pk"),
            online=Count("pk", filter=Q(channel=Channel.ONLINE)),
            on_time=Count("pk", filter=Q(outcome__in=("early", "on_time"))),
        )
        .order_by("month")
    )
    return JsonResponse(
        {"year": year, "totals": totals, "trend": [{**t, "month": str(t["month"])} for t in trend]}
    )


def dashboard_uncached(request: HttpRequest) -> HttpResponse:
    """The province dashboard (/chuyen-doi-so/) with the worker's cache emptied first: what a
    request costs when the figures are not cached (the first one after they expire, or after
    a monitoring write). Only for a process-local cache (the bench's default)."""
    from django.core.cache import cache

    from tinhso.monitoring.views import overview

    cache.clear()
    return overview(request)
