"""Query counts of the monitoring pages and API lists: bounded, and the same with 20× the
statistics (the pages read the running aggregates in a fixed number of queries)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tinhso.monitoring.methodologies import DTI922, QD766
from tinhso.monitoring.selectors import indicator_years

from .conftest import unit
from .test_views import _data

pytestmark = pytest.mark.django_db

PAGES = [
    ("/chuyen-doi-so/?nam=2024", 16),
    ("/chuyen-doi-so/minh-bach/", 6),
    ("/chuyen-doi-so/don-vi/{dian}/?nam=2024", 14),
    (f"/chuyen-doi-so/chi-so/{QD766}/", 7),
    (f"/chuyen-doi-so/chi-so/{DTI922}/?nam=2024", 6),
    # the indicator's page: its values over the years (one read per year shown), by unit and
    # against the targets (one query each)
    ("/chuyen-doi-so/chi-tieu/KTS_GRDP/", 7 + len(indicator_years())),
    ("/api/v1/monitoring/indicators", 3),
    ("/api/v1/monitoring/index-results", 3),
]


def _counts(client, dian: int) -> dict[str, int]:
    out = {}
    for url, _budget in PAGES:
        with CaptureQueriesContext(connection) as q:
            resp = client.get(url.format(dian=dian))
        assert resp.status_code == 200, url
        out[url] = len(q.captured_queries)
    return out


def test_monitoring_pages_and_api_lists_have_bounded_query_counts(
    client, catalogue, django_assert_max_num_queries
):
    dian = unit("724", timezone.localdate()).pk
    _data(catalogue, days=3)
    small = _counts(client, dian)
    _data(catalogue, days=60, first_unit=1)
    large = _counts(client, dian)
    grown = {u: (small[u], large[u]) for u in small if large[u] > small[u]}
    assert not grown, f"query count grows with the data (N+1): {grown}"
    for url, budget in PAGES:
        with django_assert_max_num_queries(budget):
            assert client.get(url.format(dian=dian)).status_code == 200
