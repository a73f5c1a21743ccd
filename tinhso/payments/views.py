from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tinhso.http import client_address
from tinhso.payments import conf
from tinhso.payments.models import Payment, SandboxTransaction
from tinhso.payments.receipts import receipt_pdf
from tinhso.payments.sandbox import SandboxError, sandbox_decide, sandbox_open, sandbox_querydr
from tinhso.payments.selectors import (
    payment_can_view,
    payment_events,
    payment_get,
    payment_list_visible,
)
from tinhso.payments.services import (
    payment_check,
    payment_redirect_url,
    vnpay_ipn_process,
    vnpay_return_process,
)


def _client_ip(request: HttpRequest) -> str:
    return client_address(request) or "127.0.0.1"


def _visible_payment(request: HttpRequest, txn_ref: str) -> Payment:
    payment = payment_get(txn_ref=txn_ref)
    if payment is None or not payment_can_view(user=request.user, payment=payment):
        raise Http404
    return payment


# --- gateway endpoints ------------------------------------------------------------------


@never_cache
@require_GET
def vnpay_ipn(request: HttpRequest) -> JsonResponse:
    """GET /payments/vnpay/ipn — server-to-server notification from the gateway. A GET
    carries no session or CSRF concern; the HMAC signature is the authentication."""
    answer = vnpay_ipn_process(params=request.GET.dict(), remote_ip=_client_ip(request))
    return JsonResponse(answer.as_json())


@never_cache
@require_GET
def vnpay_return(request: HttpRequest) -> HttpResponse:
    info = vnpay_return_process(params=request.GET.dict(), remote_ip=_client_ip(request))
    payment = info.payment
    visible = payment is not None and payment_can_view(user=request.user, payment=payment)
    return render(
        request,
        "payments/return.html",
        {"info": info, "payment": payment if visible else None},
        status=200 if info.signature_valid else 400,
    )


# --- payer and official pages -----------------------------------------------------------


@login_required
@require_GET
def payment_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("trang_thai", "")
    qs = payment_list_visible(user=request.user)
    if status in Payment.Status.values:
        qs = qs.filter(status=status)
    return render(
        request,
        "payments/list.html",
        {"payments": qs[:200], "status": status, "statuses": Payment.Status.choices},
    )


@login_required
@require_GET
def payment_detail(request: HttpRequest, txn_ref: str) -> HttpResponse:
    payment = _visible_payment(request, txn_ref)
    is_payer = payment.payer_id == request.user.pk
    return render(
        request,
        "payments/detail.html",
        {
            "payment": payment,
            "is_payer": is_payer,
            "events": payment_events(payment=payment) if not is_payer else None,
            "online": payment.gateway != Payment.Gateway.COUNTER,
        },
    )


@login_required
@never_cache
@require_GET
def payment_status(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """The status block, polled with HTMX while the payment is pending."""
    payment = _visible_payment(request, txn_ref)
    return render(request, "payments/_status.html", {"payment": payment})


@login_required
@require_GET
def payment_start(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """Send the payer to the gateway with a freshly signed URL."""
    payment = _visible_payment(request, txn_ref)
    if payment.payer_id != request.user.pk:
        raise Http404
    try:
        url = payment_redirect_url(
            payment=payment,
            client_ip=_client_ip(request),
            return_url=request.build_absolute_uri(reverse("payments:return")),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(payment.get_absolute_url())
    return redirect(url)


@login_required
@require_POST
def payment_recheck(request: HttpRequest, txn_ref: str) -> HttpResponse:
    """Ask the gateway now (querydr) instead of waiting for reconciliation."""
    payment = _visible_payment(request, txn_ref)
    if payment.status == Payment.Status.PENDING and payment.gateway != Payment.Gateway.COUNTER:
        status, _result = payment_check(payment=payment)
        if status == Payment.Status.PAID:
            messages.success(request, _("Cổng thanh toán xác nhận: đã thanh toán."))
        elif status == Payment.Status.PENDING:
            messages.info(request, _("Cổng thanh toán chưa ghi nhận giao dịch hoàn tất."))
        else:
            messages.warning(request, _("Giao dịch không thành công hoặc đã hết hạn."))
    return redirect(payment.get_absolute_url())


@login_required
@require_GET
def payment_receipt(request: HttpRequest, txn_ref: str) -> HttpResponse:
    payment = _visible_payment(request, txn_ref)
    if payment.status != Payment.Status.PAID:
        raise Http404
    response = HttpResponse(receipt_pdf(payment=payment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{payment.txn_ref}.pdf"'
    return response


# --- sandbox bank -----------------------------------------------------------------------


def _sandbox_guard() -> None:
    if not conf.sandbox_enabled():
        raise Http404


@never_cache
@require_http_methods(["GET", "POST"])
def sandbox_pay(request: HttpRequest) -> HttpResponse:
    """The sandbox bank page: GET with VNPay's signed parameters; POST approve/cancel."""
    _sandbox_guard()
    try:
        if request.method == "POST":
            url = sandbox_decide(
                token=request.POST.get("token", ""),
                approve=request.POST.get("decision") == "approve",
                mode=request.POST.get("mode", SandboxTransaction.Mode.NORMAL),
            )
            return redirect(url)
        txn = sandbox_open(params=request.GET.dict())
    except SandboxError as exc:
        return render(
            request,
            "payments/sandbox_pay.html",
            {"error": exc.message, "error_code": exc.code},
            status=400,
        )
    return render(
        request,
        "payments/sandbox_pay.html",
        {"txn": txn, "amount": txn.amount_vnp // 100, "modes": SandboxTransaction.Mode.choices},
    )


@csrf_exempt  # server-to-server JSON call, authenticated by its HMAC signature
@never_cache
@require_POST
def sandbox_querydr_view(request: HttpRequest) -> JsonResponse:
    _sandbox_guard()
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"vnp_ResponseCode": "03", "vnp_Message": "Invalid JSON"}, status=400)
    if not isinstance(body, dict):
        return JsonResponse({"vnp_ResponseCode": "03", "vnp_Message": "Invalid JSON"}, status=400)
    return JsonResponse(sandbox_querydr(body=body))
