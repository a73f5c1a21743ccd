"""Shared by the apps' pages: a service's refusal shown on the form that sent the data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError


def form_errors_apply(
    form: Any, exc: ValidationError, *, aliases: Mapping[str, str] | None = None
) -> None:
    """Put a service's ``ValidationError`` on ``form``: each message on the field it names
    (``aliases`` maps a service's field name to the form's, e.g. ``files`` → ``file1``), on
    the form as a whole when the form has no such field or the error names none. Rules live
    in the services; this only decides where their words are shown."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            name = (aliases or {}).get(field, field)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)
