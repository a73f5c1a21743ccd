"""The services router, the renderer of its hot public answer, and the API's error for a
refused input."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from ninja import Router
from ninja.renderers import JSONRenderer

from tinhso.apierrors import ApiError

router = Router(tags=["services"])
# The renderer of the root NinjaAPI (tinhso.api keeps ninja's default): the tracking answer
# is rendered with it directly, so this router needs nothing from the API it is mounted on.
_RENDERER = JSONRenderer()


def _errors(exc: ValidationError) -> ApiError:
    details = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return ApiError("invalid", "; ".join(exc.messages), status=422, details=details)
