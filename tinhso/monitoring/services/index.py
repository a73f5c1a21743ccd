"""Index computation: a methodology's components and total for every unit of a period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.permissions import user_can
from tinhso.audit.services import audit_record
from tinhso.monitoring.models import (
    Component,
    ComponentResult,
    IndexResult,
    Methodology,
)
from tinhso.monitoring.rollup import NOT_APPLICABLE_WHEN_EMPTY, UNMEASURED
from tinhso.monitoring.scoring import cohort_best, score_component, score_total
from tinhso.monitoring.services.common import figures_changed

# --- index computation ------------------------------------------------------------------------


@transaction.atomic
def index_compute(
    *, actor: Any, methodology: Methodology, year: int, on: dt.date | None = None
) -> list[IndexResult]:
    """Compute and store a methodology's results for every unit it covers in ``year``."""
    figures_changed()
    from tinhso.monitoring.selectors import index_subjects, index_values

    if actor is not None and not user_can(user=actor, action="monitoring.plan_manage"):
        raise PermissionDenied(_("Bạn không có quyền tính chỉ số."))
    on = on or dt.date(year, 12, 31)
    components = list(
        Component.objects.filter(main__methodology=methodology).select_related("main", "indicator")
    )
    subjects = index_subjects(methodology=methodology, year=year, on=on)
    values = index_values(components=components, units=[u for u, _ in subjects], year=year, on=on)
    best = {c.pk: cohort_best(values[(c.pk, u.pk)][0] for u, _ in subjects) for c in components}
    now = timezone.now()
    IndexResult.objects.filter(methodology=methodology, period=str(year)).delete()
    results: list[IndexResult] = []
    # a criterion the platform cannot measure is neither scored nor counted as zero: the
    # result is the points reached over the maximum of the measured criteria
    # (and a criterion that does not apply to a unit, e.g. feedback when it had none, is
    # left out of that unit's maximum)
    unmeasured = {c.pk for c in components if c.metric.startswith(UNMEASURED)}
    for unit, group in subjects:
        comp_rows = []
        skipped = set(unmeasured)
        for c in components:
            raw, detail, evidence = values[(c.pk, unit.pk)]
            if raw is None and c.metric in NOT_APPLICABLE_WHEN_EMPTY:
                skipped.add(c.pk)
            pts = score_component(
                rule=c.rule, value=raw, max_points=c.max_points, params=c.params, best=best[c.pk]
            )
            comp_rows.append((c, raw, pts, detail, evidence))
        measured_max = sum((c.max_points for c in components if c.pk not in skipped), Decimal(0))
        total, scale = score_total(
            (r[2] for r in comp_rows if r[0].pk not in skipped),
            max_points=measured_max if skipped else methodology.max_points,
        )
        res = IndexResult.objects.create(
            methodology=methodology,
            org_unit=unit,
            period=str(year),
            points=total,
            score=scale,
            group=group,
            computed_at=now,
            measured_max=measured_max if skipped else None,
        )
        ComponentResult.objects.bulk_create(
            ComponentResult(
                result=res,
                component=c,
                raw_value=raw,
                points=pts,
                detail=detail[:255],
                evidence_value=evidence,
                measured=c.pk not in skipped,
            )
            for c, raw, pts, detail, evidence in comp_rows
        )
        results.append(res)
    # rank within each group (1 = best); ties share a rank
    by_group: dict[str, list[IndexResult]] = {}
    for r in results:
        by_group.setdefault(r.group, []).append(r)
    for rows in by_group.values():
        rows.sort(key=lambda r: r.points, reverse=True)
        for i, r in enumerate(rows):
            r.rank = rows[i - 1].rank if i and rows[i - 1].points == r.points else i + 1
    IndexResult.objects.bulk_update(results, ["rank"])
    audit_record(
        actor=actor,
        action="monitoring.index.compute",
        obj=methodology,
        extra={"year": year, "units": len(results)},
    )
    return results
