from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, object]:
    return {
        "TINHSO_DEMO": settings.DEMO and not settings.TESTING,
        "PLATFORM_NAME": "Tỉnh Số",
        "HOTLINE": getattr(settings, "TINHSO_HOTLINE", ""),
    }
