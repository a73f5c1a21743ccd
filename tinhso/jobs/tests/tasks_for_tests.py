"""Tasks used by the engine's tests (importable by a worker subprocess)."""

from __future__ import annotations

import time
from pathlib import Path

from tinhso.jobs.engine import durable_task, effect_once
from tinhso.jobs.models import SandboxMessage


@durable_task(max_attempts=3, backoff_seconds=0)
def slow_effect(*, key: str, log_path: str, sleep_first: float) -> None:
    """Log each start; record the effect once; on the first run only, then sleep (the
    test kills the worker during that sleep, after the effect was committed)."""
    log = Path(log_path)
    with log.open("a") as f:
        f.write("start\n")
    with effect_once(key) as first:
        if first:
            SandboxMessage.objects.create(channel="test", to=key, body="effect")
    if log.read_text().count("start") == 1:
        time.sleep(sleep_first)


@durable_task(max_attempts=1)
def quick_effect(*, key: str) -> None:
    SandboxMessage.objects.create(channel="run", to=key, body="run")
    with effect_once(key) as first:
        if first:
            SandboxMessage.objects.create(channel="test", to=key, body="effect")


@durable_task(max_attempts=3, backoff_seconds=60)
def always_fails(*, key: str) -> None:
    SandboxMessage.objects.create(channel="run", to=key, body="run")
    raise RuntimeError("gateway down")
