import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tinhso.services.models import (
    STAT_COUNTERS,
    ServiceApplicantYear,
    ServiceDailyStat,
    ServiceMonthlyStat,
)
from tinhso.services.selectors import procedure_counts_by_agency
from tinhso.services.services import dossier_act, dossier_rate, stats_record_fee_paid

pytestmark = pytest.mark.django_db

COUNTERS = [f.name for f in ServiceDailyStat._meta.fields if f.name not in ("id",)]


def snapshot():
    return (
        sorted(
            tuple(getattr(r, c) if c != "org_unit" else r.org_unit_id for c in COUNTERS)
            for r in ServiceDailyStat.objects.all()
        ),
        sorted(ServiceApplicantYear.objects.values_list("org_unit_id", "year", "applicant_id")),
        sorted(ServiceMonthlyStat.objects.values_list("org_unit_id", "month", *STAT_COUNTERS)),
    )


def go(user, d, *codes, **kw):
    for code in codes:
        d.refresh_from_db()
        d = dossier_act(user=user, dossier_id=d.pk, action_code=code, version=d.version, **kw)
    return d


def test_rebuild_equals_incremental(submit_birth, ward_thuanan, user_named):
    officer, head = user_named("canbo.dian"), user_named("lanhdao.dian")
    a = go(officer, submit_birth(), "receive", "assign", "forward")
    a = go(head, a, "approve")
    a = go(officer, a, "return_result")
    dossier_rate(user=user_named("congdan"), dossier_id=a.pk, rating="satisfied")
    go(officer, submit_birth(), "refuse", comment="Sai cơ quan")
    go(user_named("congdan"), submit_birth(), "withdraw", comment="Nộp nhầm")
    c = go(officer, submit_birth(), "receive", "assign", "request_payment")
    from tinhso.services.services import dossier_payment_confirmed

    dossier_payment_confirmed(dossier_id=c.pk, online=False, paid_at=timezone.now())
    go(user_named("canbo.thuanan"), submit_birth(unit=ward_thuanan), "receive")
    incremental = snapshot()
    row = ServiceDailyStat.objects.get(org_unit=a.org_unit)
    assert row.received_total == 2 and row.received_online == 2
    assert row.refused == 1 and row.withdrawn == 1 and row.finished_total == 1
    assert row.finished_early + row.finished_on_time + row.finished_late == 1
    assert row.fees_total == 1 and row.fees_online == 0
    assert row.ratings_total == 1 and row.ratings_satisfied == 1
    assert ServiceApplicantYear.objects.count() == 2  # one applicant, two units
    # the monthly row of the unit carries the same counters (one day, one procedure here)
    month = ServiceMonthlyStat.objects.get(org_unit=a.org_unit)
    assert month.month == row.day.replace(day=1)
    assert [getattr(month, k) for k in STAT_COUNTERS] == [getattr(row, k) for k in STAT_COUNTERS]
    assert ServiceMonthlyStat.objects.count() == 2
    ServiceDailyStat.objects.update(received_total=99)  # damage, then repair
    ServiceMonthlyStat.objects.update(finished_total=77)
    ServiceMonthlyStat.objects.create(org_unit=a.org_unit, month=dt.date(2020, 1, 1), refused=5)
    call_command("rebuild_service_stats", stdout=__import__("io").StringIO())
    assert snapshot() == incremental


def test_monthly_sums_days_of_the_month(ward_dian):
    from tinhso.services.services import stats_bump

    with transaction.atomic():
        stats_bump(org_unit_id=ward_dian.pk, procedure_code="a", day=dt.date(2026, 3, 2), refused=1)
        stats_bump(
            org_unit_id=ward_dian.pk, procedure_code="b", day=dt.date(2026, 3, 31), refused=2
        )
        stats_bump(org_unit_id=ward_dian.pk, procedure_code="a", day=dt.date(2026, 4, 1), refused=4)
    assert ServiceDailyStat.objects.count() == 3
    assert dict(ServiceMonthlyStat.objects.values_list("month", "refused")) == {
        dt.date(2026, 3, 1): 3,
        dt.date(2026, 4, 1): 4,
    }


def test_monthly_fields_are_the_counters():
    names = [f.name for f in ServiceMonthlyStat._meta.fields]
    assert sorted(names) == sorted(["id", "org_unit", "month", *STAT_COUNTERS])
    daily = [f.name for f in ServiceDailyStat._meta.fields]
    assert sorted(daily) == sorted(["id", "org_unit", "procedure_code", "day", *STAT_COUNTERS])


def test_fee_hook_counts(submit_birth, user_named):
    d = submit_birth()
    stats_record_fee_paid(dossier=d, online=True)
    row = ServiceDailyStat.objects.get()
    assert (row.fees_total, row.fees_online) == (1, 1)


def test_procedure_counts_by_agency(services_demo, ward_dian):
    from tinhso.services.models import Procedure

    counts = procedure_counts_by_agency(on=dt.date(2026, 3, 1))
    total = Procedure.objects.filter(agencies__org_unit=ward_dian).count()
    full = Procedure.objects.filter(agencies__org_unit=ward_dian, service_class="full").count()
    assert counts[ward_dian.pk] == {"total": total, "full_process": full}
    assert 0 < full < total
    assert procedure_counts_by_agency(on=dt.date(2019, 1, 1)) == {}


def test_repeated_supplement_requests_are_counted_for_decision_766(submit_birth, user_named):
    """A dossier finished in time after more than one supplement request is counted in
    ``finished_resupplied`` (Decision 766 treats it as late); one request is not. The live
    counter and the rebuild agree."""
    from tinhso.services.tests.conftest import upload

    officer, head, citizen = (
        user_named("canbo.dian"),
        user_named("lanhdao.dian"),
        user_named("congdan"),
    )

    def supplement_round(d):
        d = go(officer, d, "request_supplement", comment="Bổ sung giấy chứng sinh rõ nét")
        part = d.procedure.parts.filter(required=True).first()
        return go(citizen, d, "supplement", files={part.pk: [upload("bo-sung.pdf")]})

    twice = go(officer, submit_birth(), "receive", "assign")
    twice = supplement_round(supplement_round(twice))
    twice = go(head, go(officer, twice, "forward"), "approve")
    once = supplement_round(go(officer, submit_birth(), "receive", "assign"))
    once = go(head, go(officer, once, "forward"), "approve")
    assert twice.outcome in ("early", "on_time") and once.outcome in ("early", "on_time")
    row = ServiceDailyStat.objects.get(org_unit=twice.org_unit)
    assert row.finished_total == 2 and row.finished_resupplied == 1
    incremental = snapshot()
    call_command("rebuild_service_stats", stdout=__import__("io").StringIO())
    assert snapshot() == incremental
