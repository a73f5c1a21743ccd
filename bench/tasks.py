"""The task of the worker scenario (``bench/run.py``): one write per run, one effect per key."""

from __future__ import annotations

from tinhso.jobs.engine import durable_task, effect_once
from tinhso.jobs.models import SandboxMessage


@durable_task(max_attempts=3, backoff_seconds=0)
def bench_effect(*, key: str) -> None:
    SandboxMessage.objects.create(channel="bench-run", to=key, body="run")  # every run
    with effect_once(f"bench:{key}") as first:
        if first:
            SandboxMessage.objects.create(channel="bench", to=key, body="effect")
