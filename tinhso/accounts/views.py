from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tinhso.accounts.forms import BusinessRegistrationForm, CitizenRegistrationForm
from tinhso.accounts.services import business_register, citizen_register
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
        data = form.cleaned_data
        try:
            user = business_register(**data) if kind == "business" else citizen_register(**data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Đăng ký tài khoản thành công."))
            return redirect("web:dashboard")
    return render(request, "accounts/register.html", {"form": form, "kind": kind})
