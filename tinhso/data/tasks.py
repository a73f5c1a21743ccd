"""Datastore loads run by a worker (``tinhso.data.loads``)."""

from __future__ import annotations

from tinhso.jobs.engine import durable_task


@durable_task(max_attempts=3)
def datastore_load_run(load_id: int) -> str:
    """Idempotent: a finished load is left alone; a crashed one builds its version again."""
    from tinhso.data.services import datastore_load_execute

    return datastore_load_execute(load_id=load_id)
