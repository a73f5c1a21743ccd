"""The one view of the Action API: parameters in, CKAN's envelope out."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from tinhso.data.ckan.base import ACTIONS, WRITE_ACTIONS, CkanError, NotAuthorized
from tinhso.data.ckan.dicts import _abs
from tinhso.dbrouter import reads_from_replica

# --- the view -------------------------------------------------------------------------------


def _envelope(request: HttpRequest, name: str, **body: Any) -> dict[str, Any]:
    help_path = reverse("data:ckan_action", args=["help_show"])
    return {"help": _abs(request, f"{help_path}?{urlencode({'name': name})}"), **body}


def _error(request: HttpRequest, name: str, exc: CkanError) -> JsonResponse:
    error: dict[str, Any] = {"__type": exc.type, "message": f"{exc.type}: {exc.message}"}
    error.update(exc.fields)
    return JsonResponse(
        _envelope(request, name, success=False, error=error),
        status=exc.status,
        json_dumps_params={"ensure_ascii": False},
    )


def _request_data(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        if request.content_type == "application/json" or (
            request.body and request.body.lstrip()[:1] in (b"{", b"[")
        ):
            try:
                payload = json.loads(request.body or b"{}")
            except ValueError as exc:
                raise CkanError(f"Bad request - JSON Error: {exc}") from exc
            if not isinstance(payload, dict):
                raise CkanError(_("Bad request - JSON Error: cần một đối tượng JSON"))
            return payload
        source = request.POST
    else:
        source = request.GET
    return {k: (v[0] if len(v) == 1 else v) for k, v in source.lists()}


@csrf_exempt
@reads_from_replica
def action_view(request: HttpRequest, name: str) -> JsonResponse:
    if request.method not in ("GET", "POST"):
        resp = _error(request, name, CkanError(_("Bad request - chỉ nhận GET hoặc POST")))
        resp.status_code = 405
        resp["Allow"] = "GET, POST"
        return resp
    fn = ACTIONS.get(name)
    try:
        if fn is None:
            if any(marker in name for marker in WRITE_ACTIONS):
                raise NotAuthorized(
                    _("API này chỉ đọc: dữ liệu được cập nhật qua cổng quản trị của cơ quan.")
                )
            raise CkanError(f"Bad request - Action name not known: {name}")
        data = _request_data(request)
        result = fn(request, data)
    except CkanError as exc:
        return _error(request, name, exc)
    return JsonResponse(
        _envelope(request, name, success=True, result=result),
        json_dumps_params={"ensure_ascii": False},
    )
