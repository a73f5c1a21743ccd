"""The task engine: retries with backoff, the failed-tasks page, crash recovery with a real
worker process killed by SIGKILL, periodic slots, two workers on one queue."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tinhso.jobs import engine
from tinhso.jobs.models import FailedTask, PeriodicRun, SandboxMessage
from tinhso.jobs.testing import queue_drain
from tinhso.jobs.tests.tasks_for_tests import always_fails, quick_effect, slow_effect

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ROOT = Path(django_settings.BASE_DIR)


@pytest.fixture
def db_queue(settings):
    settings.TASKS = DB_QUEUE


def test_failure_retries_with_backoff_then_lands_on_failed_page(db, db_queue, admin_client):
    always_fails.enqueue(key="k1")
    queue_drain()
    row = DBTaskResult.objects.get()
    # first failure: back in the queue, 60 s later (policy of the task)
    assert row.status == "READY" and len(row.worker_ids) == 1
    assert 55 <= (row.run_after - timezone.now()).total_seconds() <= 61
    assert not FailedTask.objects.exists()
    for attempt in (2, 3):
        DBTaskResult.objects.update(run_after=timezone.now())  # the backoff has passed
        queue_drain()
        row.refresh_from_db()
        assert len(row.worker_ids) == attempt
    assert row.status == "FAILED" and "gateway down" in row.traceback
    assert SandboxMessage.objects.filter(channel="run").count() == 3
    page = admin_client.get("/admin/jobs/failedtask/").content.decode()
    assert "always_fails" in page
    # retry from the admin: back in the queue with fresh tries, audited
    r = admin_client.post(
        "/admin/jobs/failedtask/",
        {"action": "retry", "_selected_action": [str(row.pk)]},
        follow=True,
    )
    assert r.status_code == 200
    assert "Đã xếp lại 1 tác vụ vào hàng đợi." in r.content.decode()
    row.refresh_from_db()
    assert row.status == "READY" and row.worker_ids == []
    from tinhso.audit.models import AuditEntry

    assert AuditEntry.objects.filter(action="jobs.task_retry", object_id=str(row.pk)).exists()


def test_backoff_doubles_and_is_capped():
    p = engine.RetryPolicy(max_attempts=9, backoff_seconds=30)
    assert [p.delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert p.delay(30) == engine.MAX_BACKOFF


def test_enqueue_is_part_of_the_callers_transaction(db, db_queue):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        engine.enqueue(quick_effect, key="rolled-back")
        raise RuntimeError
    assert not DBTaskResult.objects.exists()
    engine.enqueue(quick_effect, key="kept")
    assert DBTaskResult.objects.count() == 1


def test_periodic_slot_is_enqueued_once(db, db_queue):
    at = dt.datetime(2026, 5, 4, 3, 7, tzinfo=dt.UTC)
    engine.periodic_register(quick_effect, every=dt.timedelta(minutes=15), name="t", key="p")
    try:
        assert "t" in engine.periodic_tick(at)
        assert "t" not in engine.periodic_tick(at + dt.timedelta(minutes=5))  # same slot
        assert "t" in engine.periodic_tick(at + dt.timedelta(minutes=10))  # 03:15 slot
    finally:
        engine._PERIODIC.pop("t")
    assert PeriodicRun.objects.filter(name="t").count() == 2
    assert DBTaskResult.objects.filter(task_path__endswith="quick_effect").count() == 2


def test_the_three_periodic_jobs_are_registered():
    engine.tasks_autodiscover()
    names = {p.name: p.every for p in engine.periodic_all()}
    assert names["tinhso.payments.tasks.payments_reconcile_task"] == dt.timedelta(minutes=15)
    assert "tinhso.monitoring.tasks.monitoring_remind_task" in names
    assert "tinhso.services.tasks.service_stats_rebuild" in names
    assert "tinhso.portal.tasks.portal_push" in names


# -- real worker processes ---------------------------------------------------------------


def _db_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(tmp_path: Path, *extra: str, periodic: bool = False) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _db_url(),
        "TINHSO_DEMO": "1",
        "TINHSO_VAR_DIR": str(tmp_path / "var"),
        "TINHSO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "TINHSO_WORKER_HEARTBEAT_SECONDS": "0.5",
        "DEBUG": "0",
        "TINHSO_PORTAL_PUSH_SECONDS": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--interval",
            "0.1",
            *([] if periodic else ["--no-periodic"]),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(cond, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_task_reruns_it_and_the_effect_happens_once(tmp_path, db_queue):
    log = tmp_path / "runs.log"
    slow_effect.enqueue(key="once-1", log_path=str(log), sleep_first=60)
    first = _worker(tmp_path)
    try:
        _wait(lambda: log.exists() and "start" in log.read_text())
        _wait(lambda: SandboxMessage.objects.filter(to="once-1").exists())
        assert DBTaskResult.objects.get().status == "RUNNING"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert DBTaskResult.objects.get().status == "RUNNING"  # claimed by a dead worker
    second = _worker(tmp_path)
    try:
        _wait(lambda: DBTaskResult.objects.get().status == "SUCCESSFUL")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(20)
    row = DBTaskResult.objects.get()
    assert len(row.worker_ids) == 2 and row.worker_ids[0] != row.worker_ids[1]
    assert log.read_text().count("start") == 2  # re-run after the crash
    assert SandboxMessage.objects.filter(to="once-1", channel="test").count() == 1  # once


@pytest.mark.django_db(transaction=True)
def test_two_workers_drain_one_queue_without_running_a_task_twice(tmp_path, db_queue):
    keys = [f"k{i}" for i in range(40)]
    for k in keys:
        quick_effect.enqueue(key=k)
    workers = [_worker(tmp_path), _worker(tmp_path)]
    try:
        _wait(lambda: DBTaskResult.objects.filter(status="SUCCESSFUL").count() == len(keys), 120)
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(20)
    runs = list(SandboxMessage.objects.filter(channel="run").values_list("to", flat=True))
    assert sorted(runs) == sorted(keys)  # every task ran exactly once
    used = {r.worker_ids[0] for r in DBTaskResult.objects.all()}
    assert all(len(r.worker_ids) == 1 for r in DBTaskResult.objects.all())
    assert len(used) >= 1


def test_orphans_of_dead_workers_are_requeued_or_failed_after_the_last_try(db, db_queue):
    from tinhso.jobs.models import WorkerHeartbeat

    now = timezone.now()
    long_ago = now - dt.timedelta(minutes=5)
    WorkerHeartbeat.objects.create(
        worker_id="alive", host="h", pid=1, started_at=long_ago, seen_at=now
    )
    WorkerHeartbeat.objects.create(
        worker_id="dead", host="h", pid=2, started_at=long_ago, seen_at=long_ago
    )

    def running(key, workers, task=slow_effect):
        r = (
            task.enqueue(key=key, log_path="/dev/null", sleep_first=0)
            if task is slow_effect
            else task.enqueue(key=key)
        )
        DBTaskResult.objects.filter(pk=r.id).update(
            status="RUNNING", started_at=long_ago, worker_ids=workers
        )
        return r.id

    on_dead = running("a", ["dead"])
    on_alive = running("b", ["alive"])
    mine = running("c", ["me"])
    out_of_tries = running("d", ["dead"], task=quick_effect)  # 1 try allowed
    always_fails_row = always_fails.enqueue(key="e")  # max_attempts 3
    DBTaskResult.objects.filter(pk=always_fails_row.id).update(
        status="RUNNING", started_at=long_ago, worker_ids=["x", "y", "dead"]
    )
    engine.orphans_requeue(stale_after=dt.timedelta(seconds=30), own_worker_id="me")
    assert DBTaskResult.objects.get(pk=on_dead).status == "READY"
    assert DBTaskResult.objects.get(pk=on_alive).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=mine).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=out_of_tries).status == "FAILED"
    lost = DBTaskResult.objects.get(pk=always_fails_row.id)
    assert lost.status == "FAILED" and lost.exception_class_path.endswith("WorkerLostError")


def test_periodic_jobs_run_in_a_worker(db, db_queue, demo_users):
    engine.tasks_autodiscover()
    names = engine.periodic_tick()
    assert len(names) >= 5
    queue_drain()
    rows = DBTaskResult.objects.all()
    assert {r.task_name for r in rows} >= {
        "payments_reconcile_task",
        "monitoring_remind_task",
        "service_stats_rebuild",
        "publish_platform_data_task",
        "portal_push",
    }
    assert all(r.status == "SUCCESSFUL" for r in rows), [
        (r.task_name, r.traceback[-300:]) for r in rows if r.status != "SUCCESSFUL"
    ]
