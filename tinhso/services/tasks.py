"""Background tasks. ``settings.TINHSO_TASKS``: "inline" runs the task in-process after the
transaction commits (demo, tests); "sync" runs it at once (scripts). A worker-backed mode
can be added here without touching callers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)


def _run(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    try:
        func(*args, **kwargs)
    except Exception:  # a failed notification must never break the user's action
        log.exception("Background task %s failed", getattr(func, "__name__", func))


def task_enqueue(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    mode = getattr(settings, "TINHSO_TASKS", "inline")
    if mode == "sync":
        _run(func, args, kwargs)
        return
    if mode != "inline":
        log.warning("TINHSO_TASKS=%s is not supported; running inline after commit", mode)
    transaction.on_commit(lambda: _run(func, args, kwargs))
