"""Browsing the audit log, scoped to the units the user may see (served at /nhat-ky/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tinhso.accounts.permissions import scope_paths
from tinhso.audit.selectors import audit_entry_list


@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    paths = scope_paths(request.user, "audit.view")
    if paths == []:
        raise PermissionDenied
    qs = audit_entry_list(
        scope_paths=paths,
        object_type=request.GET.get("type", ""),
        action=request.GET.get("action", ""),
        q=request.GET.get("q", "")[:100],
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page})
