"""Shared by the data app's pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def _apply_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
