from django.conf import settings
from django.urls import path

from tinhso.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("trang-cua-toi/", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
]

if settings.BENCH:
    # A constant response: the yardstick that benchmark ratios are measured against.
    urlpatterns.append(path("bench/bare", views.bare, name="bare"))
    # The dashboard's figures by a naive aggregate over the dossier table (bench/naive.py).
    from bench.naive import dashboard_uncached, naive_dashboard

    urlpatterns.append(path("bench/naive", naive_dashboard, name="bench_naive"))
    # The province dashboard with its cached figures dropped first (the uncached cost).
    urlpatterns.append(path("bench/dashboard-uncached", dashboard_uncached))
