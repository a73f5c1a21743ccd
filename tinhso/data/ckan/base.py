"""CKAN's errors, the action registry and the parsing of action parameters."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

CKAN_VERSION = "2.10.4"


ROWS_MAX = 1000


DATASTORE_ROWS_MAX = 32000


WRITE_ACTIONS = (
    "_create",
    "_update",
    "_patch",
    "_delete",
    "_purge",
    "datastore_upsert",
    "member_",
)


class CkanError(Exception):
    status = 400
    type = "Bad Request"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(CkanError):
    status = 404
    type = "Not Found Error"


class NotAuthorized(CkanError):
    status = 403
    type = "Authorization Error"


class Invalid(CkanError):
    status = 409
    type = "Validation Error"


class SearchError(CkanError):
    status = 409
    type = "Search Query Error"


Action = Callable[[HttpRequest, dict[str, Any]], Any]


ACTIONS: dict[str, Action] = {}


def action(fn: Action) -> Action:
    ACTIONS[fn.__name__] = fn
    return fn


# --- parameters -----------------------------------------------------------------------------


INT_MAX = 1_000_000  # every integer parameter is bounded: beyond it is a validation error


def _int(
    data: dict[str, Any], key: str, default: int, *, minimum: int = 0, maximum: int = INT_MAX
) -> int:
    value = data.get(key, default)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(
            _("%(key)s: phải là số nguyên") % {"key": key}, {key: ["Invalid integer"]}
        ) from None
    if number < minimum:
        raise Invalid(
            _("%(key)s: phải ≥ %(min)s") % {"key": key, "min": minimum},
            {key: [f"Must be at least {minimum}"]},
        )
    if number > maximum:
        raise Invalid(
            _("%(key)s: phải ≤ %(max)s") % {"key": key, "max": maximum},
            {key: [f"Must be at most {maximum}"]},
        )
    return number


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                raise Invalid(
                    _("%(key)s: JSON không hợp lệ") % {"key": key}, {key: ["Invalid JSON list"]}
                ) from None
        else:
            value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(
            _("%(key)s: phải là danh sách chuỗi") % {"key": key},
            {key: ["Must be a list of strings"]},
        )
    return value


def _json_dict(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise Invalid(
                _("%(key)s: JSON không hợp lệ") % {"key": key}, {key: ["Invalid JSON object"]}
            ) from None
    if not isinstance(value, dict):
        raise Invalid(
            _("%(key)s: phải là đối tượng JSON") % {"key": key}, {key: ["Must be a JSON object"]}
        )
    return value


def _required(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value in (None, ""):
        raise Invalid(_("Thiếu tham số %(key)s") % {"key": key}, {key: ["Missing value"]})
    return str(value)
