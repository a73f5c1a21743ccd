"""Two app server processes on different ports against one PostgreSQL: submissions spread
over both, every acknowledged one stored with its files and history, none half-stored.

In the test paths: it runs in the PostgreSQL pass of ``make test`` (two gunicorn servers on
ports BENCH_PORT+11 and +12); ``make bench`` runs the same check at scale (``two_servers`` in
bench/run.py)."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from django.db import connection

from bench import run as bench

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_servers_share_the_load_without_lost_writes(settings):
    from tinhso.accounts.demo import demo_load as accounts_demo
    from tinhso.orgs.demo import demo_load as orgs_demo
    from tinhso.services.demo import demo_load as services_demo

    orgs_demo()
    accounts_demo()
    services_demo(stdout=io.StringIO())
    # the servers run with the production password hashers (the tests' fast hasher is not
    # among them)
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from tinhso.accounts.models import User

    User.objects.filter(username="congdan").update(
        password=Argon2PasswordHasher().encode(bench.DEMO_PASSWORD, Argon2PasswordHasher().salt())
    )
    s = connection.settings_dict
    db = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "TINHSO_DEMO": "1",
        "CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    # the test process allows Django's ORM inside Playwright's event loop; a production
    # server refuses to start with that (``serve`` runs the deployment checks)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ports = (bench.PORT + 11, bench.PORT + 12)
    servers = [bench.start_server(env, p, 1) for p in ports]
    try:
        since = dt.datetime.now(dt.UTC)
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        r = bench.submission_load(bases, db, connections=4, duration=4)
    finally:
        for srv in servers:
            bench.stop_server(srv)
    assert "skipped" not in r, r
    per_server = {b: sum(1 for _n, base in r["acked"] if base == b) for b in bases}
    assert all(n > 0 for n in per_server.values()), per_server
    check = bench.submission_check(db, r["acked"], since)
    assert check["acknowledged"] == check["distinct"] == check["stored_ok"] > 0, check
    assert check["half_stored_drafts"] == 0
