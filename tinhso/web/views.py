from __future__ import annotations

import importlib
from typing import cast

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_roles, user_units
from tinhso.accounts.usertypes import AnyUser
from tinhso.panels import Panel, panel_register, panels_for


def _load_panels() -> None:  # each app may contribute role-page panels
    for cfg in apps.get_app_configs():
        if cfg.name.startswith("tinhso."):
            try:
                importlib.import_module(f"{cfg.name}.panels")
            except ModuleNotFoundError as exc:
                if exc.name != f"{cfg.name}.panels":
                    raise


_load_panels()


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # @login_required
    return render(
        request,
        "web/dashboard.html",
        {
            "roles": sorted(user_roles(user)),
            "units": user_units(user),
            "memberships": user.memberships.select_related("org_unit").all(),
            "panels": panels_for(user),
        },
    )


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    """Help: how to apply, track, pay and receive; the province's hotline (a setting)."""
    from django.conf import settings

    hotline = getattr(settings, "TINHSO_HOTLINE", "")
    return render(
        request,
        "web/help.html",
        {
            "hotline": hotline,
            "hotline_tel": "".join(c for c in hotline if c.isdigit() or c == "+"),
            "hotline_hours": getattr(settings, "TINHSO_HOTLINE_HOURS", ""),
        },
    )


ROBOTS_DISALLOW = (
    "/admin/",
    "/api/",
    "/tai-khoan/",
    "/trang-cua-toi/",
    "/nhat-ky/",
    "/dich-vu-cong/xu-ly/",
    "/dich-vu-cong/ho-so/",
    "/du-lieu/quan-ly/",
    "/i18n/",
    "/payments/",
    "/sandbox/",
)


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Public pages may be indexed; personal and back-office ones are not worth crawling."""
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in ROBOTS_DISALLOW), ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("web/favicon.svg"), permanent=True)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 403}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"status": 404}, status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "web/error.html", {"status": 500}, status=500)


@panel_register
def _foundation_panels(user: AnyUser) -> list[Panel]:
    from django.utils.translation import gettext as _

    from tinhso.accounts.permissions import scope_paths

    panels: list[Panel] = []
    if getattr(user, "is_official", False) and scope_paths(user, "audit.view") != []:
        panels.append(
            Panel(
                title=_("Nhật ký thay đổi"),
                body=_("Mọi thay đổi trong các đơn vị của bạn, không thể sửa hay xóa."),
                links=[(_("Xem nhật ký"), "/nhat-ky/")],
                order=90,
            )
        )
    if user_roles(user) & {"admin"}:
        panels.append(
            Panel(
                title=_("Quản trị"),
                links=[(_("Trang quản trị"), "/admin/"), (_("Đơn vị"), "/don-vi/")],
                order=95,
            )
        )
    return panels
