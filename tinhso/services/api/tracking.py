"""Public tracking of a dossier by its number (and tracking code)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

from tinhso.apierrors import ApiError
from tinhso.http import client_address
from tinhso.services.api.base import _RENDERER, router
from tinhso.services.api.schemas import TrackOut
from tinhso.services.selectors import (
    dossier_track,
    dossier_track_throttled,
    track_answer,
)


@router.get("/dossiers/track/{number}", response=TrackOut, summary="Tra cứu hồ sơ công khai")
def track(request: HttpRequest, number: str, code: str = "") -> Any:
    if dossier_track_throttled(client=client_address(request), number=number, code=code):
        raise ApiError(
            "too_many_requests", gettext("Tra cứu quá nhiều lần, vui lòng thử lại sau."), status=429
        )
    result = dossier_track(number=number, code=code)
    if result is None:
        raise ApiError("dossier_not_found", gettext("Không tìm thấy hồ sơ với số này."), status=404)
    # A hot public endpoint: the answer is rendered here, as ``TrackOut`` would render it
    # (same fields, order and JSON encoder; tests/test_tracking.py compares the two),
    # without validating it again through the schema, which stays the documented one.
    body = track_answer(result)
    return HttpResponse(
        _RENDERER.render(request, body, response_status=200),
        content_type=f"{_RENDERER.media_type}; charset={_RENDERER.charset}",
    )
