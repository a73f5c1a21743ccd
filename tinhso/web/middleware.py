from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/docs"):
            # Swagger UI, shipped by django-ninja from its own static files, needs inline code.
            response.setdefault(
                "Content-Security-Policy",
                settings.CONTENT_SECURITY_POLICY.replace(
                    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
                ).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
            )
        else:
            response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the user chose another language (cookie set by /i18n/setlang/).

    On pages the browser's Accept-Language is deliberately ignored: a public service of
    Vietnam speaks Vietnamese first, whatever the device's settings. The JSON API (``/api/``)
    has no language switch, so there a client's ``Accept-Language`` is its choice (after the
    cookie): ``Accept-Language: en`` gets English messages; no header, Vietnamese.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        codes = {code for code, _name in settings.LANGUAGES}
        api = request.path.startswith("/api/")
        if chosen in codes:
            language = chosen
        elif api:
            # cookie (none here), then Accept-Language, then LANGUAGE_CODE
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if api:
            patch_vary_headers(response, ("Accept-Language",))
        return response
