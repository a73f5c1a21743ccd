"""DEMO ONLY: a sandbox identity provider standing in for VNeID, like the payment sandbox.

django-oauth-toolkit's OpenID Connect provider (authorization code + PKCE, RS256 ID tokens
signed with a key generated under var/ for the demo, JWKS, UserInfo), with a page where the
visitor picks one of a few demo identities instead of signing in to VNeID. Mounted only when
``settings.DEMO``; production refuses to start with it (settings.py).

Each demo identity is held by an inactive technical account (``sandbox.vneid.<key>``,
unusable password: it can never sign in to Tỉnh Số) because the toolkit's grants belong to
a user; the identity's claims (FACTS.md names) are what the ID token carries.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, re_path
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_protect
from oauth2_provider import views as dot_views
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views.mixins import OAuthLibMixin

from tinhso.accounts.models import User

CLIENT_ID = "tinhso-vneid-sandbox"
USERNAME_PREFIX = "sandbox.vneid."

# key: (label, acr, claims). `congdan` carries the demo citizen's CCCD (linked in the demo
# data), `doanhnghiep` the demo business's MST.
IDENTITIES: dict[str, tuple[Promise, str, dict[str, str]]] = {
    "congdan": (
        gettext_lazy("Nguyễn Thị Hoa — công dân, mức 2"),
        "LoA2",
        {
            "SoDinhDanh": "074190001234",
            "HoVaTen": "Nguyễn Thị Hoa",
            "NgayThangNamSinh": "12/08/1990",
            "LoaiTaiKhoan": "1",
            "ThuDienTu": "congdan@example.vn",
        },
    ),
    "doanhnghiep": (
        gettext_lazy("Trần Văn Minh — đại diện Công ty TNHH Minh Phát Bình Dương, mức 2"),
        "LoA2",
        {
            "SoDinhDanh": "074085001111",
            "HoVaTen": "Trần Văn Minh",
            "LoaiTaiKhoan": "2",
            "MaSoThue": "3701234562",
            "TenDoanhNghiep": "Công ty TNHH Minh Phát Bình Dương",
        },
    ),
    "congdanmoi": (
        gettext_lazy("Lê Thị Mai — công dân chưa có tài khoản, mức 2"),
        "LoA2",
        {
            "SoDinhDanh": "074195004321",
            "HoVaTen": "Lê Thị Mai",
            "NgayThangNamSinh": "03/02/1995",
            "LoaiTaiKhoan": "1",
        },
    ),
    "muc1": (
        gettext_lazy("Phạm Văn Bình — định danh mức 1 (bị từ chối)"),
        "LoA1",
        {"SoDinhDanh": "074192007777", "HoVaTen": "Phạm Văn Bình", "LoaiTaiKhoan": "1"},
    ),
}


def base_url() -> str:
    return os.environ.get("TINHSO_BASE_URL", "http://127.0.0.1:8000").strip().rstrip("/")


def client_settings() -> dict[str, Any]:
    """The relying-party settings of the demo's VNEID provider (the sandbox)."""
    return {
        "discovery_url": f"{base_url()}/sandbox/vneid/.well-known/openid-configuration",
        "client_id": CLIENT_ID,
        "client_secret": settings.OIDC_SANDBOX_SECRET,
        "min_level": 2,  # the label is oidc.LABELS["vneid"], in the visitor's language
    }


def _identity_of(user: Any) -> tuple[str, tuple[Promise, str, dict[str, str]]] | None:
    key = str(getattr(user, "username", "")).removeprefix(USERNAME_PREFIX)
    return (key, IDENTITIES[key]) if key in IDENTITIES else None


class SandboxValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim of the identity, whatever the scope

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        found = _identity_of(request.user)
        if found is None:
            return {}
        key, (_label, acr, claims) = found
        return {"sub": f"sandbox-{key}", "acr": acr, **claims}


@transaction.atomic
def sandbox_setup(*, redirect_bases: list[str] | None = None) -> None:
    """Create (idempotently) the sandbox's client and its identities' technical accounts."""
    bases = redirect_bases or sorted({base_url(), base_url().replace("127.0.0.1", "localhost")})
    app_model = get_application_model()
    app = app_model.objects.filter(client_id=CLIENT_ID).first() or app_model(client_id=CLIENT_ID)
    app.name = "Tỉnh Số (sandbox VNeID)"
    app.client_type = app_model.CLIENT_CONFIDENTIAL
    app.authorization_grant_type = app_model.GRANT_AUTHORIZATION_CODE
    app.client_secret = settings.OIDC_SANDBOX_SECRET
    app.redirect_uris = " ".join(f"{b}/tai-khoan/dinh-danh/vneid/callback/" for b in bases)
    app.algorithm = app_model.RS256_ALGORITHM
    app.skip_authorization = True
    app.save()
    for key, (label, _acr, _claims) in IDENTITIES.items():
        with translation.override(settings.LANGUAGE_CODE):
            full_name = str(label)
        user, created = User.objects.get_or_create(
            username=USERNAME_PREFIX + key,
            defaults={"kind": User.Kind.OFFICIAL, "full_name": full_name, "is_active": False},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])


@method_decorator(csrf_protect, name="dispatch")
class SandboxAuthorizeView(OAuthLibMixin, View):
    """The sandbox's authorization endpoint: pick a demo identity (no password)."""

    validator_class = SandboxValidator

    def _validated(self, request: HttpRequest) -> tuple[Any, Any] | HttpResponse:
        try:
            return self.validate_authorization_request(request)
        except OAuthToolkitError as exc:
            return render(
                request,
                "accounts/sandbox_authorize.html",
                {"error": exc.oauthlib_error.description or str(exc)},
                status=400,
            )

    def get(self, request: HttpRequest) -> HttpResponse:
        result = self._validated(request)
        if isinstance(result, HttpResponse):
            return result
        return render(
            request,
            "accounts/sandbox_authorize.html",
            {"identities": [(k, v[0]) for k, v in IDENTITIES.items()]},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        result = self._validated(request)
        if isinstance(result, HttpResponse):
            return result
        scopes, credentials = result
        user = User.objects.filter(
            username=USERNAME_PREFIX + request.POST.get("identity", "")
        ).first()
        if user is None or request.POST.get("identity") not in IDENTITIES:
            return self.get(request)
        request.user = user  # the identity authorising, not a Tỉnh Số session
        uri, _headers, _body, _status = self.create_authorization_response(
            request=request, scopes=" ".join(scopes), credentials=credentials, allow=True
        )
        response = HttpResponse(status=302)
        response["Location"] = uri
        return response


class SandboxTokenView(dot_views.TokenView):
    validator_class = SandboxValidator


class SandboxUserInfoView(dot_views.UserInfoView):
    validator_class = SandboxValidator


app_name = "oauth2_provider"
urlpatterns = [
    path("authorize/", SandboxAuthorizeView.as_view(), name="authorize"),
    path("token/", SandboxTokenView.as_view(), name="token"),
    path("userinfo/", SandboxUserInfoView.as_view(), name="user-info"),
    path(".well-known/jwks.json", dot_views.JwksInfoView.as_view(), name="jwks-info"),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        dot_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
]


def sandbox_demo_load(*, stdout: Any = None, redirect_bases: list[str] | None = None) -> None:
    """`make demo`: the sandbox's client and identities; the demo's `congdan` and
    `doanhnghiep` accounts come already linked to their sandbox identities (as if each had
    linked once), so "Đăng nhập bằng VNeID" signs them straight in."""
    from tinhso.accounts.models import ExternalIdentity
    from tinhso.audit.services import audit_record

    sandbox_setup(redirect_bases=redirect_bases)
    with transaction.atomic():
        for username in ("congdan", "doanhnghiep"):
            user = User.objects.filter(username=username).first()
            if user is None or ExternalIdentity.objects.filter(user=user).exists():
                continue
            ExternalIdentity.objects.create(
                user=user, provider="vneid", subject=f"sandbox-{username}", level=2
            )
            audit_record(
                actor=None,
                action="accounts.identity_link",
                obj=user,
                extra={"provider": "vneid", "demo": True},
            )
    if stdout:
        stdout.write("  VNeID (sandbox): /sandbox/vneid/ — congdan, doanhnghiep đã liên kết\n")
