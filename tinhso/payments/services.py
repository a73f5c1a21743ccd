"""Writes of the payments app. See the package docstring (``tinhso/payments/__init__.py``)
for the interface offered to callers."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.permissions import user_can
from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit
from tinhso.payments import conf, vnpay
from tinhso.payments import permissions as _permissions  # noqa: F401  (registers actions)
from tinhso.payments.gateways import QueryOutcome, QueryResult, Transport, gateway_get
from tinhso.payments.models import Payment, PaymentEvent

logger = logging.getLogger(__name__)

PaymentCallback = Callable[[Payment], None]
_SUCCESS: dict[str, list[PaymentCallback]] = {}
_FAILURE: dict[str, list[PaymentCallback]] = {}
MAX_AMOUNT = 100_000_000_000  # 100 billion đồng; vnp_Amount stays well inside 64 bits


# --- callback registry ------------------------------------------------------------------


def payment_success_register(purpose: str, callback: PaymentCallback) -> PaymentCallback:
    """Run ``callback(payment)`` when a payment of ``purpose`` is recorded as paid.

    It runs exactly once per payment, inside the transaction that records the payment (the
    payment row is locked and already saved with status "paid"): if it raises, nothing is
    recorded, the IPN is answered "99" and the gateway (or reconciliation) tries again.
    Registering the same callback twice has no effect. Usable as a decorator factory's
    target: ``payment_success_register("dossier_fee", on_paid)``.
    """
    callbacks = _SUCCESS.setdefault(purpose, [])
    if callback not in callbacks:
        callbacks.append(callback)
    return callback


def payment_failure_register(purpose: str, callback: PaymentCallback) -> PaymentCallback:
    """Run ``callback(payment)`` when a payment of ``purpose`` ends without being paid
    (failed, cancelled by the payer, expired); same transaction rules as success."""
    callbacks = _FAILURE.setdefault(purpose, [])
    if callback not in callbacks:
        callbacks.append(callback)
    return callback


def _callbacks_run(registry: dict[str, list[PaymentCallback]], payment: Payment) -> None:
    for callback in registry.get(payment.purpose, []):
        callback(payment)


# --- creation ---------------------------------------------------------------------------


def _txn_ref_new() -> str:
    # date + 10 random characters: unique, not guessable, ASCII (VNPay allows up to 100)
    return f"{timezone.localdate():%y%m%d}{secrets.token_hex(5).upper()}"


def _snapshot(payment: Payment) -> dict[str, Any]:
    return {
        "txn_ref": payment.txn_ref,
        "status": payment.status,
        "amount": payment.amount,
        "purpose": payment.purpose,
        "object_ref": payment.object_ref,
        "gateway": payment.gateway,
    }


def payment_online_gateway() -> str:
    """The online gateway in use: the sandbox when VNPAY_URL points at it."""
    return Payment.Gateway.SANDBOX if conf.uses_sandbox() else Payment.Gateway.VNPAY


def payment_create(
    *,
    payer: User,
    org_unit: OrgUnit,
    amount: int,
    purpose: str,
    object_ref: str,
    description: str,
    gateway: str | None = None,
    next_url: str = "",
    client_ip: str | None = None,
) -> Payment:
    """Open a payment of ``amount`` đồng by ``payer`` to ``org_unit`` for the caller's
    object (``purpose``, ``object_ref``).

    - If that object already has a paid payment: ``ValidationError``.
    - If it has a pending, unexpired payment of the same amount by the same payer: that one
      is returned (no second order at the gateway, so no double payment from two tabs).
    - A pending one with another amount or payer: ``ValidationError`` (cancel it first with
      ``payment_cancel``).
    ``gateway``: "vnpay"/"sandbox" (default: the configured online gateway) or "counter".
    ``next_url``: a local path where the payer continues after paying.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError(_("Số tiền phải là số nguyên (đồng)."))
    if amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationError(_("Số tiền không hợp lệ."))
    purpose = (purpose or "").strip()
    object_ref = (object_ref or "").strip()
    description = " ".join((description or "").split())
    if not purpose or len(purpose) > 40 or not object_ref or len(object_ref) > 80:
        raise ValidationError(_("Thiếu hoặc sai mục đích/đối tượng của khoản thanh toán."))
    if not description:
        raise ValidationError(_("Vui lòng nhập nội dung thanh toán."))
    if not getattr(payer, "pk", None) or not payer.is_active:
        raise ValidationError(_("Người nộp không hợp lệ."))
    gateway = gateway or payment_online_gateway()
    if gateway not in Payment.Gateway.values:
        raise ValidationError(_("Kênh thanh toán không hợp lệ."))
    if gateway != Payment.Gateway.COUNTER and not conf.gateway_configured():
        raise ValidationError(
            _("Chưa cấu hình cổng thanh toán trực tuyến; vui lòng nộp phí tại bộ phận một cửa.")
        )
    if next_url and (not next_url.startswith("/") or next_url.startswith("//")):
        raise ValidationError(_("Địa chỉ quay lại phải là đường dẫn nội bộ."))
    now = timezone.now()
    with transaction.atomic():
        # lock the caller's existing rows for this object (if any) to serialise creators
        existing = list(
            Payment.objects.select_for_update()
            .filter(purpose=purpose, object_ref=object_ref)
            .exclude(status__in=[Payment.Status.FAILED, Payment.Status.CANCELLED])
            .order_by("-created_at")
        )
        for other in existing:
            if other.status == Payment.Status.PAID:
                raise ValidationError(_("Khoản phí này đã được thanh toán."))
            if other.status == Payment.Status.PENDING and other.expires_at > now:
                if (
                    other.amount == amount
                    and other.payer_id == payer.pk
                    and other.gateway == gateway
                    and other.org_unit_id == org_unit.pk
                ):
                    return other
                raise ValidationError(
                    _("Đang có một khoản thanh toán khác chờ xử lý cho hồ sơ này.")
                )
        payment = Payment.objects.create(
            txn_ref=_txn_ref_new(),
            purpose=purpose,
            object_ref=object_ref,
            payer=payer,
            org_unit=org_unit,
            amount=amount,
            description=description[:255],
            gateway=gateway,
            next_url=next_url[:500],
            client_ip=client_ip,
            expires_at=now + conf.expire_after(),
        )
        audit_record(
            actor=payer,
            action="payment.create",
            obj=payment,
            org_unit=org_unit,
            after=_snapshot(payment),
        )
    return payment


def payment_redirect_url(*, payment: Payment, client_ip: str, return_url: str) -> str:
    """The signed URL that sends the payer to the gateway (``return_url`` must be the
    absolute URL of ``payments:return``). Raises ``ValidationError`` when the payment is
    not payable online any more."""
    if payment.gateway == Payment.Gateway.COUNTER:
        raise ValidationError(_("Khoản này được nộp tại quầy, không thanh toán trực tuyến."))
    if payment.status != Payment.Status.PENDING:
        raise ValidationError(_("Khoản thanh toán này đã kết thúc."))
    if payment.expires_at <= timezone.now():
        raise ValidationError(_("Yêu cầu thanh toán đã hết hạn, vui lòng tạo lại."))
    return gateway_get(payment.gateway).redirect_url(
        payment=payment, client_ip=client_ip, return_url=return_url
    )


# --- settlement -------------------------------------------------------------------------


def _event_log(
    *,
    kind: str,
    params: Mapping[str, object],
    payment: Payment | None = None,
    txn_ref: str = "",
    signature_valid: bool | None = None,
    result_code: str = "",
    message: str = "",
    remote_ip: str | None = None,
) -> PaymentEvent:
    return PaymentEvent.objects.create(
        payment=payment,
        txn_ref=(txn_ref or (payment.txn_ref if payment else ""))[:100],
        kind=kind,
        params={str(k)[:60]: str(v)[:1000] for k, v in list(params.items())[:60]},
        signature_valid=signature_valid,
        result_code=result_code[:4],
        message=message[:255],
        remote_ip=remote_ip,
    )


def _apply_gateway_fields(payment: Payment, params: Mapping[str, object]) -> None:
    def get(key: str, size: int) -> str:
        return str(params.get(key, "") or "")[:size]

    payment.gateway_txn_no = get("vnp_TransactionNo", 40) or payment.gateway_txn_no
    payment.bank_code = get("vnp_BankCode", 20) or payment.bank_code
    payment.bank_txn_no = get("vnp_BankTranNo", 40) or payment.bank_txn_no
    payment.card_type = get("vnp_CardType", 20) or payment.card_type
    payment.response_code = get("vnp_ResponseCode", 4)
    payment.transaction_status = get("vnp_TransactionStatus", 4)
    paid = vnpay.parse_date(get("vnp_PayDate", 14))
    if paid is not None:
        payment.gateway_paid_at = paid


def _settle(
    payment: Payment,
    *,
    status: str,
    via: str,
    params: Mapping[str, object] | None = None,
    actor: User | None = None,
) -> None:
    """Close a locked, pending payment (inside the caller's transaction)."""
    assert payment.status == Payment.Status.PENDING
    before = _snapshot(payment)
    now = timezone.now()
    if params:
        _apply_gateway_fields(payment, params)
    payment.status = status
    payment.settled_by = via
    payment.closed_at = now
    if status == Payment.Status.PAID:
        payment.paid_at = now
        payment.receipt_number = f"BL{timezone.localtime(now):%y}-{payment.pk:07d}"
    payment.save()
    audit_record(
        actor=actor,
        action=f"payment.{status}",
        obj=payment,
        org_unit=payment.org_unit,
        before=before,
        after={**_snapshot(payment), "via": via, "gateway_txn_no": payment.gateway_txn_no},
    )
    _callbacks_run(_SUCCESS if status == Payment.Status.PAID else _FAILURE, payment)


@dataclass
class IpnAnswer:
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"RspCode": self.code, "Message": self.message}


def _ipn_outcome(params: Mapping[str, str]) -> str:
    if (
        params.get("vnp_ResponseCode") == vnpay.RESPONSE_SUCCESS
        and params.get("vnp_TransactionStatus") == vnpay.TXN_STATUS_SUCCESS
    ):
        return Payment.Status.PAID
    if params.get("vnp_ResponseCode") == vnpay.RESPONSE_CUSTOMER_CANCELLED:
        return Payment.Status.CANCELLED
    return Payment.Status.FAILED


def vnpay_ipn_process(*, params: Mapping[str, str], remote_ip: str | None = None) -> IpnAnswer:
    """Handle an IPN (server-to-server notification) — the only way an online payment is
    recorded. Answers: 97 bad signature, 01 order not found, 04 wrong amount, 02 already
    confirmed (nothing changes), 00 recorded, 99 unexpected error (rolled back). Every
    call is logged as a ``PaymentEvent``."""
    params = {str(k): str(v) for k, v in params.items()}
    txn_ref = params.get("vnp_TxnRef", "")
    signature_ok = conf.gateway_configured() and vnpay.verify(params, conf.hash_secret())
    payment: Payment | None = None
    if not signature_ok:
        code = vnpay.IPN_INVALID_SIGNATURE
    else:
        try:
            with transaction.atomic():
                payment = (
                    Payment.objects.select_for_update()
                    .select_related("org_unit")
                    .filter(txn_ref=txn_ref)
                    .first()
                )
                if (
                    payment is None
                    or payment.gateway == Payment.Gateway.COUNTER
                    or params.get("vnp_TmnCode") != conf.tmn_code()
                ):
                    code = vnpay.IPN_ORDER_NOT_FOUND
                elif vnpay.amount_from_vnp(params.get("vnp_Amount")) != payment.amount:
                    code = vnpay.IPN_INVALID_AMOUNT
                elif payment.status != Payment.Status.PENDING:
                    code = vnpay.IPN_ALREADY_CONFIRMED
                    if (
                        _ipn_outcome(params) == Payment.Status.PAID
                        and payment.status != Payment.Status.PAID
                    ):
                        # money taken for a closed order: flag it for a refund by hand
                        audit_record(
                            actor=None,
                            action="payment.paid_after_close",
                            obj=payment,
                            org_unit=payment.org_unit,
                            extra={"gateway_txn_no": params.get("vnp_TransactionNo", "")},
                        )
                else:
                    _settle(payment, status=_ipn_outcome(params), via="ipn", params=params)
                    code = vnpay.IPN_OK
        except Exception:
            logger.exception("IPN processing failed for %s", txn_ref[:40])
            code = vnpay.IPN_UNKNOWN_ERROR
            payment = Payment.objects.filter(txn_ref=txn_ref).first()
    answer = IpnAnswer(code, vnpay.IPN_MESSAGES[code])
    _event_log(
        kind=PaymentEvent.Kind.IPN,
        params=params,
        payment=payment,
        txn_ref=txn_ref,
        signature_valid=signature_ok,
        result_code=code,
        message=answer.message,
        remote_ip=remote_ip,
    )
    return answer


@dataclass
class ReturnInfo:
    payment: Payment | None
    signature_valid: bool
    gateway_success: bool
    level: str  # "success" | "info" | "warning" | "error"
    message: str


def vnpay_return_process(*, params: Mapping[str, str], remote_ip: str | None = None) -> ReturnInfo:
    """The browser coming back from the gateway: verified and logged, but it never changes
    a payment (the IPN or reconciliation does). Returns what to tell the payer."""
    params = {str(k): str(v) for k, v in params.items()}
    txn_ref = params.get("vnp_TxnRef", "")
    signature_ok = conf.gateway_configured() and vnpay.verify(params, conf.hash_secret())
    payment = Payment.objects.filter(txn_ref=txn_ref).first() if signature_ok else None
    success = signature_ok and _ipn_outcome(params) == Payment.Status.PAID
    _event_log(
        kind=PaymentEvent.Kind.RETURN,
        params=params,
        payment=payment,
        txn_ref=txn_ref,
        signature_valid=signature_ok,
        result_code=params.get("vnp_ResponseCode", "")[:4],
        remote_ip=remote_ip,
    )
    if not signature_ok:
        return ReturnInfo(
            None,
            False,
            False,
            "error",
            _("Dữ liệu trả về từ cổng thanh toán không hợp lệ. Giao dịch chưa được ghi nhận."),
        )
    if payment is None:
        return ReturnInfo(None, True, success, "error", _("Không tìm thấy giao dịch."))
    if payment.status == Payment.Status.PAID:
        return ReturnInfo(payment, True, success, "success", _("Thanh toán thành công."))
    if success and payment.status == Payment.Status.PENDING:
        return ReturnInfo(
            payment,
            True,
            True,
            "info",
            _(
                "Ngân hàng báo giao dịch thành công. Hệ thống đang chờ xác nhận từ cổng "
                "thanh toán; trạng thái sẽ được cập nhật trên trang này."
            ),
        )
    if params.get("vnp_ResponseCode") == vnpay.RESPONSE_CUSTOMER_CANCELLED:
        return ReturnInfo(payment, True, False, "warning", _("Bạn đã hủy giao dịch."))
    return ReturnInfo(
        payment,
        True,
        False,
        "error",
        _("Giao dịch không thành công (mã %(code)s).")
        % {"code": params.get("vnp_ResponseCode", "?")},
    )


# --- reconciliation ---------------------------------------------------------------------


def payment_check(
    *,
    payment: Payment,
    transport: Transport | None = None,
    now: dt.datetime | None = None,
    actor: User | None = None,
) -> tuple[str, QueryResult]:
    """Ask the gateway for the status of a pending online payment (querydr) and settle it:
    paid → recorded as paid (success callbacks); failed → failed; unknown to the gateway
    or still pending after its expiry → expired. Returns (new status, query result)."""
    now = now or timezone.now()
    if payment.gateway == Payment.Gateway.COUNTER or payment.status != Payment.Status.PENDING:
        return payment.status, QueryResult(QueryOutcome.ERROR, message="not applicable")
    result = gateway_get(payment.gateway, transport=transport).query(payment=payment)
    code = str(result.response.get("vnp_ResponseCode", ""))[:4]
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("org_unit").get(pk=payment.pk)
        _event_log(
            kind=PaymentEvent.Kind.QUERY,
            params={**{f"request.{k}": v for k, v in result.request.items()}, **result.response},
            payment=locked,
            signature_valid=result.signature_valid,
            result_code=code,
            message=f"{result.outcome}: {result.message}",
        )
        if locked.status == Payment.Status.PENDING:
            if result.outcome == QueryOutcome.PAID:
                if result.amount == locked.amount:
                    _settle(
                        locked,
                        status=Payment.Status.PAID,
                        via="query",
                        params=result.response,
                        actor=actor,
                    )
                else:
                    logger.warning("querydr amount mismatch for %s", locked.txn_ref)
            elif result.outcome == QueryOutcome.FAILED:
                _settle(
                    locked,
                    status=Payment.Status.FAILED,
                    via="query",
                    params=result.response,
                    actor=actor,
                )
            elif (
                result.outcome in (QueryOutcome.NOT_FOUND, QueryOutcome.PENDING)
                and now >= locked.expires_at
            ):
                _settle(locked, status=Payment.Status.EXPIRED, via="query", actor=actor)
    payment.refresh_from_db()
    return payment.status, result


@dataclass
class ReconcileLine:
    txn_ref: str
    amount: int
    created_at: dt.datetime
    before: str
    after: str
    outcome: str
    message: str


def payments_reconcile(
    *,
    older_than: dt.timedelta | None = None,
    now: dt.datetime | None = None,
    transport: Transport | None = None,
    dry_run: bool = False,
) -> list[ReconcileLine]:
    """Online payments still pending ``older_than`` (default
    ``PAYMENTS_RECONCILE_AFTER_MINUTES``) after creation: query and settle each one."""
    now = now or timezone.now()
    cutoff = now - (older_than if older_than is not None else conf.reconcile_after())
    lines: list[ReconcileLine] = []
    pending = (
        Payment.objects.filter(status=Payment.Status.PENDING, created_at__lte=cutoff)
        .exclude(gateway=Payment.Gateway.COUNTER)
        .order_by("created_at")
    )
    for payment in pending:
        if dry_run:
            lines.append(
                ReconcileLine(
                    payment.txn_ref,
                    payment.amount,
                    payment.created_at,
                    payment.status,
                    payment.status,
                    "",
                    "",
                )
            )
            continue
        try:
            status, result = payment_check(payment=payment, transport=transport, now=now)
        except Exception as exc:
            logger.exception("reconciliation failed for %s", payment.txn_ref)
            lines.append(
                ReconcileLine(
                    payment.txn_ref,
                    payment.amount,
                    payment.created_at,
                    Payment.Status.PENDING,
                    Payment.Status.PENDING,
                    QueryOutcome.ERROR,
                    type(exc).__name__,
                )
            )
            continue
        lines.append(
            ReconcileLine(
                payment.txn_ref,
                payment.amount,
                payment.created_at,
                Payment.Status.PENDING,
                status,
                result.outcome,
                result.message,
            )
        )
    return lines


# --- officials and payers ---------------------------------------------------------------


def payment_counter_confirm(*, actor: User, payment: Payment) -> Payment:
    """An official records a fee paid in cash at the counter (gateway "counter" only)."""
    if not user_can(user=actor, action="payments.counter_confirm", obj=payment):
        raise PermissionDenied(_("Bạn không có quyền xác nhận thu phí cho đơn vị này."))
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("org_unit").get(pk=payment.pk)
        if locked.gateway != Payment.Gateway.COUNTER:
            raise ValidationError(_("Chỉ xác nhận tại quầy các khoản nộp tại quầy."))
        if locked.status != Payment.Status.PENDING:
            raise ValidationError(_("Khoản thanh toán này đã kết thúc."))
        _event_log(
            kind=PaymentEvent.Kind.COUNTER,
            params={"confirmed_by": actor.get_username()},
            payment=locked,
            result_code="00",
        )
        _settle(locked, status=Payment.Status.PAID, via="counter", actor=actor)
    return locked


def payment_cancel(
    *, actor: User | None, payment: Payment, transport: Transport | None = None
) -> Payment:
    """Cancel a pending payment (by its payer, an official of the unit, or the system when
    ``actor`` is None, e.g. a withdrawn dossier). An online payment is first checked with
    the gateway: if it was in fact paid it is recorded as paid and ``ValidationError`` is
    raised."""
    if actor is not None and not user_can(user=actor, action="payments.cancel", obj=payment):
        raise PermissionDenied(_("Bạn không có quyền hủy khoản thanh toán này."))
    if payment.status == Payment.Status.PENDING and payment.gateway != Payment.Gateway.COUNTER:
        status, result = payment_check(payment=payment, transport=transport, actor=actor)
        if status == Payment.Status.PAID:
            raise ValidationError(_("Khoản này đã được thanh toán, không thể hủy."))
        if result.outcome in (QueryOutcome.ERROR, QueryOutcome.PAID):
            raise ValidationError(
                _("Chưa xác minh được trạng thái với cổng thanh toán, vui lòng thử lại sau.")
            )
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("org_unit").get(pk=payment.pk)
        if locked.status != Payment.Status.PENDING:
            raise ValidationError(_("Khoản thanh toán này đã kết thúc."))
        _settle(locked, status=Payment.Status.CANCELLED, via="cancel", actor=actor)
    return locked
