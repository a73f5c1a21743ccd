"""Helpers for tests: run the database queue in-process until it is empty (the worker's
own loop closes connections, which a test's transaction does not allow)."""

from __future__ import annotations

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def queue_drain(*, max_tasks: int = 1000, worker_id: str = "test-worker") -> int:
    """Run every ready task (including retries whose backoff has passed); returns how many."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    for n in range(max_tasks):
        with transaction.atomic():
            row = DBTaskResult.objects.ready().get_locked()
            if row is None:
                return n
            row.claim(worker_id)
        worker.run_task(row)
    return max_tasks
