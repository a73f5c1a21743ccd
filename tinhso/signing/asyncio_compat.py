"""pyHanko's synchronous API wraps ``asyncio.run``, which refuses to run in a thread that
already has an event loop (ASGI, Playwright-driven tests). Run it in a worker thread then."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_sync(fn: Callable[..., T], *args: object, **kwargs: object) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()
