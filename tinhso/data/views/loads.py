"""The page of a datastore load run by a worker: progress while it runs (HTMX polling), then
the outcome. Only those who may maintain the dataset see it."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tinhso.data.selectors import datastore_load_get
from tinhso.data.views.publishing import _manageable_or_403


@login_required
@require_GET
def load_status(request: HttpRequest, name: str, load_id: UUID) -> HttpResponse:
    dataset = _manageable_or_403(request, name)
    load = datastore_load_get(dataset=dataset, load_uuid=load_id)
    if load is None:
        raise Http404
    template = (
        "data/_load_status.html" if request.headers.get("HX-Request") else "data/load_status.html"
    )
    response = render(request, template, {"dataset": dataset, "load": load})
    response["Cache-Control"] = "private, no-store"
    return response
