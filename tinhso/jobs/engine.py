"""The one task API of Tỉnh Số, on Django's Tasks API (``django-tasks`` backport, the same
API as Django 6's ``django.tasks``) with the ``django-tasks-db`` queue.

What this module adds on top of the backend, in one place:

- ``durable_task``: ``@task`` plus a retry policy. A failed run goes back in the queue with
  exponential backoff (``base × 2^(n-1)``, capped) until ``max_attempts``; after the last try
  it stays FAILED and appears on the administrators' "failed tasks" page, where it can be
  inspected and put back in the queue.
- ``enqueue``: with the database queue the task row is written in the caller's transaction
  (committed with the change, or not at all); with another backend (the immediate one in
  tests) the task runs after the commit.
- crash recovery: each worker keeps a heartbeat; a task claimed by a worker whose heartbeat
  stopped (``kill -9``, lost machine) goes back in the queue (``orphans_requeue``).
- ``effect_once``: idempotency keys, so that an effect happens once however often a task runs.
- ``periodic_register``: jobs enqueued every N minutes by whichever worker gets the slot
  first (one ``PeriodicRun`` row per slot), the role django-crontask would play.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task as _task
from django_tasks.base import Task, TaskResultStatus
from django_tasks.signals import task_finished

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

MAX_BACKOFF = dt.timedelta(hours=6)


class WorkerLostError(Exception):
    """The worker running the task died (its heartbeat stopped)."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_seconds: float | None = None  # None: settings.TINHSO_TASK_BACKOFF_SECONDS

    def delay(self, attempt: int) -> dt.timedelta:
        base = (
            self.backoff_seconds
            if self.backoff_seconds is not None
            else float(getattr(settings, "TINHSO_TASK_BACKOFF_SECONDS", 30))
        )
        return min(dt.timedelta(seconds=base * 2 ** max(attempt - 1, 0)), MAX_BACKOFF)


DEFAULT_POLICY = RetryPolicy()
_POLICIES: dict[str, RetryPolicy] = {}


def policy_for(task_path: str) -> RetryPolicy:
    return _POLICIES.get(task_path, DEFAULT_POLICY)


def durable_task(
    *,
    max_attempts: int = DEFAULT_POLICY.max_attempts,
    backoff_seconds: float | None = None,
    priority: int = 0,
) -> Callable[[Callable[..., Any]], Task]:
    """``@durable_task(max_attempts=8)`` on a module-level function makes it a task. The
    function must be idempotent: it may run again after a crash or a failure."""

    def wrap(func: Callable[..., Any]) -> Task:
        t: Task = _task(priority=priority)(func)
        _POLICIES[t.module_path] = RetryPolicy(max_attempts, backoff_seconds)
        return t

    return wrap


def _uses_database_queue(t: Task) -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(t.get_backend(), DatabaseBackend)


def enqueue(t: Task, *args: Any, **kwargs: Any) -> None:
    """Queue ``t(*args, **kwargs)``. Arguments must be JSON values (ids, not objects)."""
    if _uses_database_queue(t):
        t.enqueue(*args, **kwargs)  # in the caller's transaction: committed with the change
    else:
        transaction.on_commit(lambda: t.enqueue(*args, **kwargs))


@contextmanager
def effect_once(key: str) -> Iterator[bool]:
    """``with effect_once("mail:42") as first: if first: send()``. The key is recorded in
    the same transaction as the effect's own writes; if the block fails, nothing is
    recorded and the next run tries again."""
    from tinhso.jobs.models import TaskEffect

    with transaction.atomic():
        try:
            with transaction.atomic():
                TaskEffect.objects.create(key=key[:255])
            first = True
        except IntegrityError:
            first = False
        yield first


# -- retries -------------------------------------------------------------------------------


def _on_task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    if task_result.status != TaskResultStatus.FAILED:
        return
    db_result = getattr(task_result, "db_result", None)
    if db_result is None:  # not the database queue (immediate backend): logged only
        log.warning("Task %s failed", task_result.task.module_path)
        return
    retry_schedule(db_result)


def retry_schedule(db_result: Any) -> bool:
    """Put a failed run back in the queue after its backoff, unless it was the last try."""
    from django_tasks_db.models import DBTaskResult

    policy = policy_for(db_result.task_path)
    attempts = len(db_result.worker_ids)
    if attempts >= policy.max_attempts:
        log.error(
            "Task %s (%s) failed for the last time (%d tries)",
            db_result.task_path,
            db_result.pk,
            attempts,
        )
        return False
    run_after = timezone.now() + policy.delay(attempts)
    DBTaskResult.objects.filter(pk=db_result.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=run_after, finished_at=None
    )
    log.warning(
        "Task %s (%s) failed (try %d of %d); next try at %s",
        db_result.task_path,
        db_result.pk,
        attempts,
        policy.max_attempts,
        run_after.isoformat(),
    )
    return True


def failed_retry(*, result_ids: list[Any], actor: Any) -> int:
    """Administrators: put tasks that failed for good back in the queue, with fresh tries."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    from tinhso.audit.services import audit_record

    with transaction.atomic():
        rows = list(
            DBTaskResult.objects.select_for_update()
            .filter(pk__in=result_ids, status=TaskResultStatus.FAILED)
            .only("pk", "task_path")
        )
        for row in rows:
            audit_record(
                actor=actor,
                action="jobs.task_retry",
                object_type="django_tasks_db.dbtaskresult",
                object_id=str(row.pk),
                after={"task": row.task_path},
            )
        DBTaskResult.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=TaskResultStatus.READY, run_after=get_date_max(), finished_at=None, worker_ids=[]
        )
    return len(rows)


def signals_connect() -> None:
    task_finished.connect(_on_task_finished, dispatch_uid="tinhso.jobs.retry")


# -- crash recovery ------------------------------------------------------------------------


def orphans_requeue(*, stale_after: dt.timedelta, own_worker_id: str = "") -> int:
    """Tasks RUNNING on a worker that no longer beats go back in the queue (or, after the
    last try, to FAILED with ``WorkerLostError``). A worker never requeues its own task
    (its beat may lag while a long task holds the SQLite write lock)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    from tinhso.jobs.models import PeriodicRun, WorkerHeartbeat

    now = timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - stale_after).values_list(
            "worker_id", flat=True
        )
    )
    moved = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only(
        "pk", "task_path", "worker_ids", "started_at"
    )
    for row in running:
        if row.worker_ids and row.worker_ids[-1] in alive | {own_worker_id}:
            continue
        if row.started_at and row.started_at >= now - stale_after:
            continue  # just claimed; its worker's first beat may not be written yet
        same = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) >= policy_for(row.task_path).max_attempts:
            moved += same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{__name__}.WorkerLostError",
                traceback=f"WorkerLostError: worker {row.worker_ids[-1:]} stopped beating",
            )
        else:
            moved += same.update(status=TaskResultStatus.READY, run_after=get_date_max())
    if moved:
        log.warning("Requeued %d task(s) of dead workers", moved)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - 10 * stale_after).delete()
    PeriodicRun.objects.filter(slot__lt=now - dt.timedelta(days=2)).delete()
    return moved


# -- periodic jobs -------------------------------------------------------------------------


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Task
    every: dt.timedelta
    offset: dt.timedelta = dt.timedelta(0)
    kwargs: dict[str, Any] = field(default_factory=dict)

    def slot(self, now: dt.datetime) -> dt.datetime:
        epoch = dt.datetime(2000, 1, 1, tzinfo=dt.UTC) + self.offset
        n = (now - epoch) // self.every
        return epoch + n * self.every


_PERIODIC: dict[str, Periodic] = {}


def periodic_register(
    t: Task,
    *,
    every: dt.timedelta,
    offset: dt.timedelta = dt.timedelta(0),
    name: str | None = None,
    **kwargs: Any,
) -> None:
    """Run ``t(**kwargs)`` every ``every`` (slots counted from 2000-01-01 00:00 UTC plus
    ``offset``; ``every=timedelta(days=1), offset=timedelta(hours=-6)`` is 01:00 in Hà Nội).
    Call it at import time of an app's ``tasks.py``; workers import every ``tasks.py``."""
    key = name or t.module_path
    _PERIODIC[key] = Periodic(key, t, every, offset, kwargs)


def periodic_all() -> list[Periodic]:
    return list(_PERIODIC.values())


def periodic_tick(now: dt.datetime | None = None) -> list[str]:
    """Enqueue each periodic job whose current slot has not been enqueued yet."""
    from tinhso.jobs.models import PeriodicRun

    now = now or timezone.now()
    done = []
    for p in _PERIODIC.values():
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(name=p.name, slot=p.slot(now))
                p.task.enqueue(**p.kwargs)
        except IntegrityError:
            continue
        done.append(p.name)
    return done


def tasks_autodiscover() -> None:
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
