"""Helpers shared by the pages: parsing, the client's address, uploads, messages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from tinhso.http import client_address
from tinhso.services.models import Procedure
from tinhso.services.selectors import (
    dossier_get_for_user,
    procedure_get,
)
from tinhso.services.services import (
    DossierConflict,
)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _procedure_or_404(code: str) -> Procedure:
    try:
        return procedure_get(code=code)
    except Procedure.DoesNotExist as exc:
        raise Http404 from exc


def _part_files(request: HttpRequest, form: forms.Form) -> dict[int, list[Any]]:
    """The uploaded files of the form's document parts (``part_<id>`` fields the form has);
    any other file field is ignored."""
    return {
        int(k.removeprefix("part_")): request.FILES.getlist(k)
        for k in request.FILES
        if k.startswith("part_") and k in form.fields and k.removeprefix("part_").isdigit()
    }


def _client_ip(request: HttpRequest) -> str:
    return client_address(request) or "127.0.0.1"


def _report(request: HttpRequest, pk: int, exc: Exception) -> None:
    """Turn a refused write into a message (404 when the dossier is not visible)."""
    if isinstance(exc, DossierConflict):
        messages.warning(request, exc.message)
    elif isinstance(exc, PermissionDenied):
        if dossier_get_for_user(user=request.user, pk=pk) is None:
            raise Http404 from exc
        messages.error(request, str(exc))
    elif isinstance(exc, ValidationError):
        for m in exc.messages:
            messages.error(request, m)
