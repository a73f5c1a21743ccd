from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tinhso.audit.context import request_context


class RequestContextMiddleware:
    """Makes the client address available to audit entries written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Behind a proxy, the proxy must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips).
        with request_context(ip=request.META.get("REMOTE_ADDR")):
            return self.get_response(request)
