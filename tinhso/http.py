"""Request helpers shared by every app: the one place that decides a request's client address.

Behind the reverse proxy that docs/deploy.md prescribes, every request's socket address
(REMOTE_ADDR) is the proxy's. ``TRUSTED_PROXY_COUNT`` (env, default 0) says how many proxies
in front of the application append to ``X-Forwarded-For``; the client is the address the
outermost trusted proxy saw. Entries further left are written by the client and never
trusted. Login lockout (django-axes), throttles, audit entries and payment requests all read
the address here.
"""

from __future__ import annotations

import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _valid(value: str) -> str:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""


def client_address(request: HttpRequest) -> str:
    """The client's IP address ("" if unknown), read through the trusted proxies."""
    remote = _valid(request.META.get("REMOTE_ADDR", "") or "")
    trusted = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if trusted <= 0:
        return remote
    forwarded = [
        part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if len(forwarded) < trusted:
        return remote
    return _valid(forwarded[-trusted]) or remote


def throttle_hit(key: str, *, limit: int, window: int) -> bool:
    """Count one hit on ``key`` in the current fixed window of ``window`` seconds (in the
    cache, shared by all workers with Redis); True when the hits exceed ``limit``. An
    unavailable cache lets the request through (it is logged)."""
    bucket = f"throttle:{key}:{int(time.time()) // window}"
    try:
        if cache.add(bucket, 1, window + 1):
            return limit < 1
        try:
            count = cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.add(bucket, 1, window + 1)
            count = 1
    except Exception:
        logger.warning("throttle cache unavailable", exc_info=True)
        return False
    return count > limit
