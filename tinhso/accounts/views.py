from __future__ import annotations

import time
from typing import cast

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidClaimError, JoseError

from tinhso.accounts import oidc
from tinhso.accounts.forms import (
    BusinessRegistrationForm,
    CitizenRegistrationForm,
    LoginForm,
    NotifyPrefsForm,
    PasswordChangeForm,
)
from tinhso.accounts.models import User
from tinhso.accounts.oidc import Identity
from tinhso.accounts.services import (
    IdentityError,
    IdentityLinkRequired,
    applicant_register,
    identity_link,
    identity_login,
    identity_refusal_record,
    user_notify_prefs_set,
    user_password_change,
)
from tinhso.audit.services import audit_record
from tinhso.http import client_address, throttle_hit


def _apply_errors(
    form: CitizenRegistrationForm | BusinessRegistrationForm, exc: ValidationError
) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, kind: str = "citizen") -> HttpResponse:
    form_class = BusinessRegistrationForm if kind == "business" else CitizenRegistrationForm
    form = form_class(request.POST or None)
    if request.method == "POST" and throttle_hit(
        f"register:{client_address(request)}",
        limit=int(getattr(settings, "REGISTER_PER_CLIENT_PER_HOUR", 20)),
        window=3600,
    ):
        # whether an ID number or tax code already has an account must not be tried at speed
        form.add_error(None, _("Bạn đã thử đăng ký quá nhiều lần, vui lòng thử lại sau."))
        return render(request, "accounts/register.html", {"form": form, "kind": kind}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            applicant_register(kind=kind, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            # the same answer whether the account was created or the ID number already had
            # one (its owner is told by e-mail): the form is no oracle of who has an account
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form, "kind": kind})


@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html")


# --- Login through an OpenID Connect provider (VNeID, the province's directory) -------------

LINK_SESSION_KEY = "oidc_link"
LINK_TTL_SECONDS = 600


def _client_ip(request: HttpRequest) -> str:
    return client_address(request)


def _identity_failure(
    request: HttpRequest,
    message: str,
    *,
    provider: str,
    code: str,
    identity: Identity | None = None,
) -> HttpResponse:
    """Refuse: no session, a clear message, an audit entry."""
    request.session.pop(LINK_SESSION_KEY, None)
    identity_refusal_record(identity=identity, provider=provider, code=code, ip=_client_ip(request))
    messages.error(request, message)
    return redirect("accounts:login")


def _token_error_message(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, MismatchingStateError):
        return "state", _(
            "Phiên đăng nhập VNeID không hợp lệ hoặc đã được sử dụng. Vui lòng đăng nhập lại."
        )
    if isinstance(exc, ExpiredTokenError):
        return "expired", _("Mã định danh (ID token) đã hết hạn. Vui lòng đăng nhập lại.")
    if isinstance(exc, ClaimError) and exc.claim == "nonce":
        return "nonce", _(
            "Mã định danh không khớp với yêu cầu đăng nhập này (nonce). Vui lòng đăng nhập lại."
        )
    if isinstance(exc, ClaimError) and exc.claim in ("aud", "azp"):
        return "audience", _("Mã định danh không cấp cho Tỉnh Số (sai đối tượng nhận).")
    if isinstance(exc, ClaimError) and exc.claim == "iss":
        return "issuer", _("Mã định danh không do nhà cung cấp định danh đã cấu hình phát hành.")
    if isinstance(exc, ClaimError):
        return "claims", _("Mã định danh không hợp lệ (%(claim)s).") % {"claim": exc.claim}
    if isinstance(exc, JoseError):
        return "signature", _("Chữ ký của mã định danh không hợp lệ. Vui lòng đăng nhập lại.")
    if isinstance(exc, OAuthError):
        return "provider_error", _("Nhà cung cấp định danh từ chối đăng nhập: %(e)s") % {
            "e": exc.description or exc.error
        }
    return "provider_down", _(
        "Không kết nối được với nhà cung cấp định danh. Bạn vẫn có thể đăng nhập bằng tài "
        "khoản Tỉnh Số."
    )


@require_http_methods(["GET", "POST"])
def oidc_start(request: HttpRequest, provider: str) -> HttpResponse:
    conf = oidc.provider_get(provider)
    if conf is None:
        raise Http404
    client = oidc.client_for(conf)
    nxt = request.GET.get("next") or request.POST.get("next") or ""
    request.session["oidc_next"] = (
        nxt if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) else ""
    )
    redirect_uri = request.build_absolute_uri(reverse("accounts:oidc_callback", args=[provider]))
    extra = {"acr_values": conf.acr_values} if conf.acr_values else {}
    try:
        response: HttpResponse = client.authorize_redirect(request, redirect_uri, **extra)
        return response
    except (requests.RequestException, ValueError, KeyError, RuntimeError):
        return _identity_failure(
            request,
            _(
                "Không kết nối được với nhà cung cấp định danh. Bạn vẫn có thể đăng nhập bằng "
                "tài khoản Tỉnh Số."
            ),
            provider=provider,
            code="provider_down",
        )


@require_GET
def oidc_callback(request: HttpRequest, provider: str) -> HttpResponse:
    conf = oidc.provider_get(provider)
    if conf is None:
        raise Http404
    client = oidc.client_for(conf)
    try:
        metadata = client.load_server_metadata()
        token = client.authorize_access_token(
            request,
            claims_options={
                "iss": {"essential": True, "value": metadata.get("issuer", "")},
                "aud": {"essential": True, "value": conf.client_id},
            },
        )
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise OAuthError(error="no_id_token", description=_("thiếu ID token"))
        if metadata.get("userinfo_endpoint"):
            info = dict(client.userinfo(token=token))
            if str(info.get("sub")) != str(claims.get("sub")):
                raise InvalidClaimError("sub")
            claims = {**info, **claims}
    except (JoseError, OAuthError, requests.RequestException, ValueError, KeyError) as exc:
        code, message = _token_error_message(exc)
        return _identity_failure(request, message, provider=provider, code=code)
    identity = oidc.identity_from_claims(conf, claims)
    try:
        user = identity_login(
            identity=identity,
            min_level=conf.min_level,
            officials=conf.officials,
            ip=_client_ip(request),
        )
    except IdentityError as exc:
        return _identity_failure(
            request, exc.message, provider=provider, code=exc.code, identity=identity
        )
    except IdentityLinkRequired:
        request.session[LINK_SESSION_KEY] = {
            "identity": identity.session_data(),
            "officials": conf.officials,
            "id_token": token.get("id_token", ""),
            "expires": time.time() + LINK_TTL_SECONDS,
        }
        return redirect("accounts:oidc_link")
    return _identity_session(request, user, provider=provider, id_token=token.get("id_token", ""))


def _identity_session(
    request: HttpRequest, user: User, *, provider: str, id_token: str
) -> HttpResponse:
    nxt = request.session.pop("oidc_next", "")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["oidc_provider"] = provider
    request.session["oidc_id_token"] = id_token
    messages.success(
        request, _("Đã đăng nhập bằng định danh điện tử: %(name)s") % {"name": user.display_name}
    )
    return redirect(nxt or "web:dashboard")


@require_http_methods(["GET", "POST"])
def oidc_link(request: HttpRequest) -> HttpResponse:
    """A provider identity whose CCCD/MST already has a local account (or an official's
    first login through the directory): the owner signs in to that account here, in the
    same flow, and only then is it linked. Never linked by the number alone."""
    pending = request.session.get(LINK_SESSION_KEY)
    if not pending or pending.get("expires", 0) < time.time():
        request.session.pop(LINK_SESSION_KEY, None)
        messages.error(request, _("Phiên liên kết tài khoản đã hết hạn. Vui lòng đăng nhập lại."))
        return redirect("accounts:login")
    identity = oidc.Identity.from_session(pending["identity"])
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = identity_link(
                identity=identity,
                user=form.get_user(),
                officials=pending.get("officials", False),
                ip=_client_ip(request),
            )
        except IdentityError as exc:
            request.session.pop(LINK_SESSION_KEY, None)
            messages.error(request, exc.message)
            return redirect("accounts:login")
        request.session.pop(LINK_SESSION_KEY, None)
        return _identity_session(
            request, user, provider=identity.provider, id_token=pending.get("id_token", "")
        )
    return render(
        request,
        "accounts/oidc_link.html",
        {"form": form, "identity": identity, "officials": pending.get("officials", False)},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    """Sign out; after a provider login also at the provider (RP-initiated logout)."""
    provider = request.session.get("oidc_provider", "")
    id_token = request.session.get("oidc_id_token", "")
    if request.user.is_authenticated:
        with transaction.atomic():
            audit_record(actor=request.user, action="accounts.logout", obj=request.user)
    logout(request)
    conf = oidc.provider_get(provider) if provider else None
    if conf is not None:
        client = oidc.client_for(conf)
        try:
            if client.load_server_metadata().get("end_session_endpoint"):
                response: HttpResponse = client.logout_redirect(
                    request,
                    post_logout_redirect_uri=request.build_absolute_uri(reverse("web:home")),
                    id_token_hint=id_token or None,
                    client_id=conf.client_id,
                )
                return response
        except (requests.RequestException, ValueError, RuntimeError):
            messages.warning(
                request,
                _("Đã đăng xuất khỏi Tỉnh Số; chưa đăng xuất được khỏi nhà cung cấp định danh."),
            )
    return redirect("web:home")


# --- The user's own account page: password change, notification preferences ----------------

PASSWORD_CHANGES_PER_HOUR = 10


def _form_apply_errors(form: PasswordChangeForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # @login_required
    action = request.POST.get("action", "") if request.method == "POST" else ""
    password_form = PasswordChangeForm(request.POST if action == "password" else None)
    notify_form = NotifyPrefsForm(
        request.POST if action == "notify" else None,
        initial={
            "notify_email": user.notify_email,
            "notify_sms": user.notify_sms,
            "language": user.preferred_language,
        },
    )
    status = 200
    if action == "password":
        if throttle_hit(f"password-change:{user.pk}", limit=PASSWORD_CHANGES_PER_HOUR, window=3600):
            password_form.add_error(
                None, _("Bạn đã thử đổi mật khẩu quá nhiều lần, vui lòng thử lại sau một giờ.")
            )
            status = 429
        elif password_form.is_valid():
            try:
                user_password_change(
                    user=user,
                    old_password=password_form.cleaned_data["old_password"],
                    new_password=password_form.cleaned_data["new_password1"],
                )
            except ValidationError as exc:
                _form_apply_errors(password_form, exc)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Đã đổi mật khẩu."))
                return redirect("accounts:profile")
        if status == 200:
            status = 400
    elif action == "notify" and notify_form.is_valid():
        user_notify_prefs_set(
            user=user,
            email=notify_form.cleaned_data["notify_email"],
            sms=notify_form.cleaned_data["notify_sms"],
            language=notify_form.cleaned_data["language"],
        )
        messages.success(request, _("Đã lưu cách nhận thông báo."))
        return redirect("accounts:profile")
    elif action:
        status = 400
    return render(
        request,
        "accounts/profile.html",
        {"password_form": password_form, "notify_form": notify_form, "action": action},
        status=status,
    )
