"""Per-request context (client address, request id) for audit entries.

The middleware sets it; service functions read it, so they need not take a request.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("tinhso_ip", default=None)


def current_ip() -> str | None:
    return _ip.get()


@contextmanager
def request_context(*, ip: str | None) -> Iterator[None]:
    token = _ip.set(ip)
    try:
        yield
    finally:
        _ip.reset(token)
