from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tinhso.audit.context import request_context
from tinhso.http import client_address


class RequestContextMiddleware:
    """Makes the client address available to audit entries written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Behind a proxy: TRUSTED_PROXY_COUNT (see tinhso.http.client_address).
        with request_context(ip=client_address(request) or None):
            return self.get_response(request)
