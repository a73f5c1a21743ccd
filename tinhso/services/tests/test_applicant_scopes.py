"""Distinct online applicants per unit subtree and year ("adults using online public
services"): a counter kept in the submission's transaction, equal to the exact distinct count
over the applicant-years, and rebuilt to the same values from the dossiers."""

from collections import defaultdict

import pytest

from tinhso.orgs.selectors import orgunit_children, orgunit_get
from tinhso.services.models import ServiceApplicantScopeYear, ServiceApplicantYear
from tinhso.services.services import stats_rebuild


def _exact() -> dict[tuple[int, int], int]:
    """COUNT(DISTINCT applicant) of every unit's subtree and year, from the rows."""
    seen: dict[tuple[int, int], set[int]] = defaultdict(set)
    for path, year, applicant in ServiceApplicantYear.objects.values_list(
        "org_unit__path", "year", "applicant_id"
    ):
        for scope in (int(p) for p in path.strip("/").split("/") if p):
            seen[(scope, year)].add(applicant)
    return {k: len(v) for k, v in seen.items()}


@pytest.fixture
def birth_for_all(birth):
    """Two kinds of applicant file it: birth registration is for citizens only, so the test
    opens it to businesses too."""
    birth.applicants = "Công dân Việt Nam, Doanh nghiệp"
    birth.save(update_fields=["applicants"])
    return birth


def _counters() -> dict[tuple[int, int], int]:
    return {
        (s, y): n
        for s, y, n in ServiceApplicantScopeYear.objects.values_list(
            "scope_id", "year", "applicants"
        )
        if n
    }


def test_counters_equal_the_distinct_count_and_the_rebuild(birth_for_all, submit_birth, user_named):
    dian_ward = orgunit_get(code="25942")
    dian = dian_ward.parent
    other_dian_ward = orgunit_children(unit=dian).exclude(pk=dian_ward.pk).order_by("code")[0]
    laithieu = orgunit_get(code="25966")
    province = dian.parent
    a, b = user_named("congdan"), user_named("doanhnghiep")
    submit_birth(user=a, unit=dian_ward)
    submit_birth(user=a, unit=dian_ward)  # the same unit again: counted once
    submit_birth(user=a, unit=other_dian_ward)  # same district: once for Dĩ An
    submit_birth(user=a, unit=laithieu)
    submit_birth(user=b, unit=other_dian_ward)
    counters = _counters()
    assert counters == _exact()
    year = ServiceApplicantYear.objects.values_list("year", flat=True).first()
    assert counters[(province.pk, year)] == 2
    assert counters[(dian.pk, year)] == 2
    assert counters[(dian_ward.pk, year)] == 1
    assert counters[(other_dian_ward.pk, year)] == 2
    assert counters[(laithieu.parent.pk, year)] == 1
    # a rebuild from the dossiers gives the same counters
    ServiceApplicantScopeYear.objects.update(applicants=0)
    stats_rebuild()
    assert _counters() == counters


def test_reading_the_share_costs_the_same_with_more_applicants(
    submit_birth, user_named, django_assert_max_num_queries, django_user_model
):
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tinhso.monitoring import rollup
    from tinhso.orgs.models import Population

    ward = orgunit_get(code="25942")
    province = ward.parent.parent
    submit_birth(user=user_named("congdan"), unit=ward)
    year = ServiceApplicantYear.objects.values_list("year", flat=True).get()
    Population.objects.create(org_unit=province, year=year, total=10, adults=8, is_demo=True)
    with CaptureQueriesContext(connection) as ctx:
        share = rollup.adults_online_share(unit=province, year=year)
    assert share.numerator == Decimal(1) and share.denominator == Decimal(8)
    assert not any("DISTINCT" in q["sql"] for q in ctx.captured_queries)
    assert len(ctx.captured_queries) <= 4


@pytest.mark.postgres
def test_the_sql_rebuild_gives_the_same_counters(birth_for_all, submit_birth, user_named):
    from tinhso.services.generator import stats_rebuild_sql

    submit_birth(user=user_named("congdan"), unit=orgunit_get(code="25942"))
    submit_birth(user=user_named("congdan"), unit=orgunit_get(code="25966"))
    submit_birth(user=user_named("doanhnghiep"), unit=orgunit_get(code="25966"))
    counters = _counters()
    assert counters and counters == _exact()
    ServiceApplicantScopeYear.objects.all().delete()
    stats_rebuild_sql()
    assert _counters() == counters
