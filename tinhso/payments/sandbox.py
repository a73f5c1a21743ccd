"""The sandbox bank: plays VNPay inside the platform, for the demo and the tests.

It receives the same signed redirect as VNPay (``/payments/sandbox/pay``), shows a page
where the payer approves or cancels, then — like the real gateway — notifies the merchant
server-to-server (IPN) and sends the browser back to ``vnp_ReturnUrl`` with signed
parameters. It answers querydr from its own record (``SandboxTransaction``). The mode
chosen on the page reproduces real-world trouble: the IPN sent twice, late (after the
browser return) or never (only reconciliation can settle the payment).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
import threading
import urllib.request
from collections.abc import Callable, Mapping

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.payments import conf, vnpay
from tinhso.payments.models import SandboxTransaction

logger = logging.getLogger(__name__)


class SandboxError(Exception):
    def __init__(self, message: str, code: str = "99") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


IpnTransport = Callable[[dict[str, str]], str]  # signed params -> RspCode


def ipn_in_process(params: dict[str, str]) -> str:
    from tinhso.payments.services import vnpay_ipn_process

    return vnpay_ipn_process(params=params, remote_ip="127.0.0.1").code


def ipn_over_http(params: dict[str, str]) -> str:
    url = conf.sandbox_ipn_url()
    if not url.startswith(("http://", "https://")):
        raise SandboxError("PAYMENTS_SANDBOX_IPN_URL must be http(s)")
    query = vnpay.canonical_query(params) + "&vnp_SecureHash=" + params["vnp_SecureHash"]
    with urllib.request.urlopen(f"{url}?{query}", timeout=15) as response:  # noqa: S310
        return str(json.loads(response.read().decode())["RspCode"])


def ipn_transport() -> IpnTransport:
    return ipn_over_http if conf.sandbox_ipn_url() else ipn_in_process


def sandbox_open(*, params: Mapping[str, str]) -> SandboxTransaction:
    """Check a pay request like VNPay would and open (or reopen) its transaction."""
    params = {str(k): str(v) for k, v in params.items()}
    if not vnpay.verify(params, conf.hash_secret()):
        raise SandboxError(_("Chữ ký của yêu cầu thanh toán không hợp lệ."), "97")
    if params.get("vnp_Version") != vnpay.VERSION or params.get("vnp_Command") != "pay":
        raise SandboxError(_("Phiên bản hoặc lệnh không được hỗ trợ."), "03")
    if params.get("vnp_TmnCode") != conf.tmn_code():
        raise SandboxError(_("Mã đơn vị chấp nhận thanh toán không đúng."), "02")
    if params.get("vnp_CurrCode", "VND") != "VND":
        raise SandboxError(_("Chỉ hỗ trợ thanh toán bằng đồng Việt Nam."), "03")
    amount = vnpay.amount_from_vnp(params.get("vnp_Amount"))
    if not amount:
        raise SandboxError(_("Số tiền không hợp lệ."), "03")
    txn_ref = params.get("vnp_TxnRef", "")
    return_url = params.get("vnp_ReturnUrl", "")
    if not txn_ref or not return_url.startswith(("http://", "https://", "/")):
        raise SandboxError(_("Thiếu mã giao dịch hoặc địa chỉ quay về."), "03")
    expire = vnpay.parse_date(params.get("vnp_ExpireDate", ""))
    if expire is not None and expire < timezone.now():
        raise SandboxError(_("Giao dịch đã quá thời gian chờ thanh toán."), "11")
    with transaction.atomic():
        txn, created = SandboxTransaction.objects.select_for_update().get_or_create(
            tmn_code=params["vnp_TmnCode"],
            txn_ref=txn_ref,
            defaults={
                "token": secrets.token_urlsafe(24),
                "amount_vnp": amount * 100,
                "order_info": params.get("vnp_OrderInfo", "")[:255],
                "return_url": return_url[:1000],
                "create_date": params.get("vnp_CreateDate", "")[:14],
                "expire_date": params.get("vnp_ExpireDate", "")[:14],
            },
        )
        if not created:
            if txn.state != SandboxTransaction.State.OPEN:
                raise SandboxError(_("Giao dịch này đã được xử lý."), "94")
            if txn.amount_vnp != amount * 100:
                raise SandboxError(_("Giao dịch trùng mã nhưng khác số tiền."), "94")
    return txn


def sandbox_response_params(txn: SandboxTransaction) -> dict[str, str]:
    approved = txn.state == SandboxTransaction.State.APPROVED
    params = {
        "vnp_TmnCode": txn.tmn_code,
        "vnp_Amount": str(txn.amount_vnp),
        "vnp_BankCode": txn.bank_code,
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": txn.order_info,
        "vnp_PayDate": txn.pay_date,
        "vnp_ResponseCode": (
            vnpay.RESPONSE_SUCCESS if approved else vnpay.RESPONSE_CUSTOMER_CANCELLED
        ),
        "vnp_TransactionNo": txn.transaction_no,
        "vnp_TransactionStatus": (
            vnpay.TXN_STATUS_SUCCESS if approved else vnpay.TXN_STATUS_FAILED
        ),
        "vnp_TxnRef": txn.txn_ref,
    }
    if approved:
        params["vnp_BankTranNo"] = f"VNP{txn.transaction_no}"
    return vnpay.signed_params(params, conf.hash_secret())


def sandbox_ipn_deliver(txn: SandboxTransaction, *, transport: IpnTransport | None = None) -> str:
    """Send one IPN for a decided transaction; returns the merchant's RspCode."""
    params = sandbox_response_params(txn)
    try:
        code = (transport or ipn_transport())(params)
    except Exception as exc:
        logger.warning("sandbox IPN delivery failed: %s", type(exc).__name__)
        code = "--"
    SandboxTransaction.objects.filter(pk=txn.pk).update(
        ipn_sent=txn.ipn_sent + 1, ipn_last_answer=code[:4], ipn_due_at=None
    )
    txn.ipn_sent += 1
    txn.ipn_last_answer = code[:4]
    txn.ipn_due_at = None
    return code


def _deliver_due_in_background() -> None:
    try:
        sandbox_deliver_due()
    finally:
        connections.close_all()


def sandbox_decide(
    *,
    token: str,
    approve: bool,
    mode: str = SandboxTransaction.Mode.NORMAL,
    transport: IpnTransport | None = None,
) -> str:
    """The payer approved or cancelled on the bank page. Notifies the merchant per ``mode``
    and returns the URL (``vnp_ReturnUrl`` + signed parameters) to send the browser to."""
    if mode not in SandboxTransaction.Mode.values:
        raise SandboxError(_("Chế độ gửi IPN không hợp lệ."), "03")
    now = timezone.now()
    with transaction.atomic():
        txn = SandboxTransaction.objects.select_for_update().filter(token=token).first()
        if txn is None:
            raise SandboxError(_("Không tìm thấy giao dịch."), "01")
        if txn.state != SandboxTransaction.State.OPEN:
            raise SandboxError(_("Giao dịch này đã được xử lý."), "94")
        expire = vnpay.parse_date(txn.expire_date)
        if approve and expire is not None and expire < now:
            raise SandboxError(_("Giao dịch đã quá thời gian chờ thanh toán."), "11")
        txn.state = (
            SandboxTransaction.State.APPROVED if approve else SandboxTransaction.State.CANCELLED
        )
        txn.mode = mode
        txn.transaction_no = f"{secrets.randbelow(10**8):08d}"
        txn.pay_date = vnpay.format_date(now)
        txn.decided_at = now
        if mode == SandboxTransaction.Mode.LATE:
            txn.ipn_due_at = now + dt.timedelta(seconds=conf.sandbox_late_seconds())
        txn.save()
    if mode in (SandboxTransaction.Mode.NORMAL, SandboxTransaction.Mode.TWICE):
        sandbox_ipn_deliver(txn, transport=transport)
        if mode == SandboxTransaction.Mode.TWICE:
            sandbox_ipn_deliver(txn, transport=transport)
    elif mode == SandboxTransaction.Mode.LATE and conf.sandbox_background_ipn():
        timer = threading.Timer(conf.sandbox_late_seconds(), _deliver_due_in_background)
        timer.daemon = True
        timer.start()
    params = sandbox_response_params(txn)
    separator = "&" if "?" in txn.return_url else "?"
    query = vnpay.canonical_query(params)
    return f"{txn.return_url}{separator}{query}&vnp_SecureHash={params['vnp_SecureHash']}"


def sandbox_deliver_due(
    *, now: dt.datetime | None = None, transport: IpnTransport | None = None
) -> int:
    """Send the late IPNs that are due; returns how many were sent."""
    now = now or timezone.now()
    due = list(SandboxTransaction.objects.filter(ipn_due_at__isnull=False, ipn_due_at__lte=now))
    for txn in due:
        sandbox_ipn_deliver(txn, transport=transport)
    return len(due)


def sandbox_querydr(*, body: Mapping[str, object]) -> dict[str, object]:
    """Answer a querydr request from the sandbox's own records (VNPay's JSON format)."""
    secret = conf.hash_secret()
    answer: dict[str, object] = {
        "vnp_ResponseId": secrets.token_hex(12),
        "vnp_Command": "querydr",
        "vnp_TmnCode": str(body.get("vnp_TmnCode", "")),
        "vnp_TxnRef": str(body.get("vnp_TxnRef", "")),
    }

    def done(code: str, message: str, **fields: str) -> dict[str, object]:
        answer.update({"vnp_ResponseCode": code, "vnp_Message": message, **fields})
        answer["vnp_SecureHash"] = vnpay.querydr_response_sign(answer, secret)
        return answer

    if body.get("vnp_Command") != "querydr" or not vnpay.querydr_verify_request(body, secret):
        return done(vnpay.QUERY_BAD_SIGNATURE, "Invalid checksum")
    txn = SandboxTransaction.objects.filter(
        tmn_code=str(body.get("vnp_TmnCode", "")), txn_ref=str(body.get("vnp_TxnRef", ""))
    ).first()
    if txn is None:
        return done(vnpay.QUERY_NOT_FOUND, "Transaction not found")
    status = {
        SandboxTransaction.State.OPEN: vnpay.TXN_STATUS_PENDING,
        SandboxTransaction.State.APPROVED: vnpay.TXN_STATUS_SUCCESS,
        SandboxTransaction.State.CANCELLED: vnpay.TXN_STATUS_FAILED,
    }[SandboxTransaction.State(txn.state)]
    return done(
        vnpay.QUERY_OK,
        "QueryDR Success",
        vnp_Amount=str(txn.amount_vnp),
        vnp_BankCode=txn.bank_code,
        vnp_PayDate=txn.pay_date,
        vnp_TransactionNo=txn.transaction_no,
        vnp_TransactionType="01",
        vnp_TransactionStatus=status,
        vnp_OrderInfo=txn.order_info,
        vnp_PromotionCode="",
        vnp_PromotionAmount="",
    )
