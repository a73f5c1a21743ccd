"""The benchmark's URLconf (selected by ``bench.settings``): the platform's URLs plus the
bench-only views, which are never linked from (nor served by) the platform."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from bench.naive import dashboard_uncached, naive_dashboard
from tinhso.urls import handler403, handler404, handler500
from tinhso.urls import urlpatterns as platform_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    """A constant response: the yardstick that benchmark ratios are measured against."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare, name="bench_bare"),
    # The dashboard's figures by a naive aggregate over the dossier table (bench/naive.py).
    path("bench/naive", naive_dashboard, name="bench_naive"),
    # The province dashboard with its cached figures dropped first (the uncached cost).
    path("bench/dashboard-uncached", dashboard_uncached, name="bench_dashboard_uncached"),
    *platform_urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
