"""The bench-only views are served by the benchmark's URLconf (``bench.settings``), never by
the platform's."""

from __future__ import annotations

import importlib

import pytest

pytestmark = pytest.mark.django_db


def test_platform_does_not_serve_the_bench_views(client):
    assert client.get("/bench/bare").status_code == 404
    assert client.get("/bench/naive").status_code == 404


def test_bench_settings_select_the_bench_urlconf():
    bench_settings = importlib.import_module("bench.settings")
    assert bench_settings.ROOT_URLCONF == "bench.urls"
    platform_settings = importlib.import_module("tinhso.settings")
    assert bench_settings.INSTALLED_APPS == platform_settings.INSTALLED_APPS


def test_bench_urlconf_adds_the_bench_views_to_the_platform(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    bare = client.get("/bench/bare")
    assert bare.status_code == 200
    assert bare.content == b"ok"
    naive = client.get("/bench/naive")
    assert naive.status_code == 200
    assert set(naive.json()) == {"year", "totals", "trend"}
    # the platform's own pages are still there, with its error handlers
    assert client.get("/healthz").status_code == 200
    assert client.get("/khong-co-trang-nay/").status_code == 404
