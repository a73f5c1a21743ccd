"""Query counts of the main pages and API lists: bounded, and the same with 10× the data
(no N+1). The data come from the synthetic-province generator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tinhso.services.generator import province_generate
from tinhso.services.models import Dossier

pytestmark = pytest.mark.django_db(transaction=True)

END = dt.date(2026, 6, 30)

# (who, url, budget); {number}, {pk}, {code} are filled from the data
PAGES = [
    (None, "/dich-vu-cong/", 5),
    (None, "/dich-vu-cong/?q=dang+ky", 5),
    (None, "/dich-vu-cong/thu-tuc/{code}/", 7),
    (None, "/dich-vu-cong/tra-cuu/?so={number}", 5),
    ("congdan", "/dich-vu-cong/ho-so-cua-toi/", 7),
    ("canbo.dian", "/dich-vu-cong/xu-ly/", 8),
    ("canbo.dian", "/dich-vu-cong/ho-so/{pk}/", 12),
    (None, "/api/v1/procedures?q=dang+ky", 3),
    (None, "/api/v1/dossiers/track/{number}", 1),  # one statement (test_tracking.py)
    ("congdan", "/api/v1/dossiers/mine", 5),
    ("canbo.dian", "/api/v1/dossiers/queue", 7),
]


def _load(n: int, submit_birth: Any) -> dict[str, Any]:
    province_generate(dossiers=n, seed=5, years=1, end=END, progress=False, replace=True)
    # give the demo citizen part of the online dossiers (their "my dossiers" lists)
    from tinhso.accounts.models import User

    congdan = User.objects.get(username="congdan")
    ids = list(
        Dossier.objects.filter(channel=2).order_by("pk").values_list("pk", flat=True)[: n // 4]
    )
    Dossier.objects.filter(pk__in=ids).update(applicant=congdan)
    # the dossier whose page is counted is the same kind at both sizes (a birth registration
    # just sent to Phường Dĩ An, in its officials' queue): what grows is only the data around
    # it, so a difference in counts is an N+1, never a different page
    d = submit_birth()
    return {"number": d.number, "pk": str(d.pk), "code": "1.001193"}


def _counts(client, user_named, ctx: dict[str, str]) -> dict[str, int]:
    out = {}
    for who, url, _budget in PAGES:
        client.logout()
        if who:
            client.force_login(user_named(who))
        u = url.format(**ctx)
        with CaptureQueriesContext(connection) as q:
            resp = client.get(u)
        assert resp.status_code == 200, (u, resp.status_code)
        out[url] = len(q.captured_queries)
    return out


def test_main_pages_and_api_lists_have_bounded_query_counts(
    client, services_demo, user_named, submit_birth, django_assert_max_num_queries
):
    small = _counts(client, user_named, _load(60, submit_birth))
    ctx = _load(600, submit_birth)
    large = _counts(client, user_named, ctx)
    grown = {u: (small[u], large[u]) for u in small if large[u] > small[u]}
    assert not grown, f"query count grows with the data (N+1): {grown}"
    for who, url, budget in PAGES:
        client.logout()
        if who:
            client.force_login(user_named(who))
        with django_assert_max_num_queries(budget):
            assert client.get(url.format(**ctx)).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db
def test_catalogue_search_has_a_trigram_index():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'services_procedure_search_trgm'"
        )
        row = cur.fetchone()
    assert row is not None and "gin_trgm_ops" in row[0]
