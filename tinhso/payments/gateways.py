"""Payment gateways: the VNPay adapter and the platform's sandbox, which speaks the same
protocol. A gateway builds the signed redirect URL, verifies signed messages and queries
the status of a transaction (querydr) through an injectable transport."""

from __future__ import annotations

import json
import secrets
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from django.utils import timezone

from tinhso.payments import conf, vnpay
from tinhso.payments.models import Payment

# (url, JSON body) -> JSON answer. Raises OSError/ValueError on transport failure.
Transport = Callable[[str, dict[str, str]], dict[str, object]]


class QueryOutcome:
    PAID = "paid"
    FAILED = "failed"
    PENDING = "pending"
    NOT_FOUND = "not_found"
    ERROR = "error"


@dataclass
class QueryResult:
    outcome: str
    request: dict[str, str] = field(default_factory=dict)
    response: dict[str, object] = field(default_factory=dict)
    signature_valid: bool | None = None
    message: str = ""

    @property
    def amount(self) -> int | None:
        return vnpay.amount_from_vnp(self.response.get("vnp_Amount"))


class Gateway(Protocol):
    code: str

    def redirect_url(self, *, payment: Payment, client_ip: str, return_url: str) -> str: ...

    def verify(self, params: Mapping[str, str]) -> bool: ...

    def query(self, *, payment: Payment, client_ip: str = "127.0.0.1") -> QueryResult: ...


def http_json_transport(url: str, body: dict[str, str]) -> dict[str, object]:
    """POST ``body`` as JSON (VNPay's merchant_webapi), 15 s timeout."""
    if not url.startswith("https://") and not url.startswith("http://"):
        raise ValueError("querydr URL must be http(s)")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        return json.loads(response.read().decode("utf-8"))


class VnpayGateway:
    """The VNPay 2.1.0 redirect protocol (see ``tinhso.payments.vnpay``)."""

    code = Payment.Gateway.VNPAY

    def __init__(
        self,
        *,
        tmn_code: str | None = None,
        hash_secret: str | None = None,
        pay_url: str | None = None,
        api_url: str | None = None,
        transport: Transport | None = None,
    ) -> None:
        self.tmn_code = tmn_code if tmn_code is not None else conf.tmn_code()
        self.hash_secret = hash_secret if hash_secret is not None else conf.hash_secret()
        self.pay_url = pay_url if pay_url is not None else conf.pay_url()
        self.api_url = api_url if api_url is not None else conf.api_url()
        self.transport = transport or http_json_transport

    def pay_params(self, *, payment: Payment, client_ip: str, return_url: str) -> dict[str, str]:
        return {
            "vnp_Version": vnpay.VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": vnpay.amount_to_vnp(payment.amount),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.txn_ref,
            "vnp_OrderInfo": vnpay.order_info_ascii(payment.description)
            or f"Thanh toan {payment.txn_ref}",
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            # the creation time of the payment, so the URL (and querydr's
            # vnp_TransactionDate) stay the same however often it is rebuilt
            "vnp_CreateDate": vnpay.format_date(payment.created_at),
            "vnp_ExpireDate": vnpay.format_date(payment.expires_at),
        }

    def redirect_url(self, *, payment: Payment, client_ip: str, return_url: str) -> str:
        params = self.pay_params(payment=payment, client_ip=client_ip, return_url=return_url)
        return vnpay.signed_url(self.pay_url, params, self.hash_secret)

    def verify(self, params: Mapping[str, str]) -> bool:
        return vnpay.verify(params, self.hash_secret)

    def querydr_request(self, *, payment: Payment, client_ip: str) -> dict[str, str]:
        body = {
            "vnp_RequestId": secrets.token_hex(12),
            "vnp_Version": vnpay.VERSION,
            "vnp_Command": "querydr",
            "vnp_TmnCode": self.tmn_code,
            "vnp_TxnRef": payment.txn_ref,
            "vnp_OrderInfo": vnpay.order_info_ascii(f"Truy van giao dich {payment.txn_ref}"),
            "vnp_TransactionDate": vnpay.format_date(payment.created_at),
            "vnp_CreateDate": vnpay.format_date(timezone.now()),
            "vnp_IpAddr": client_ip,
        }
        if payment.gateway_txn_no:
            body["vnp_TransactionNo"] = payment.gateway_txn_no
        body["vnp_SecureHash"] = vnpay.querydr_sign(body, self.hash_secret)
        return body

    def query(self, *, payment: Payment, client_ip: str = "127.0.0.1") -> QueryResult:
        body = self.querydr_request(payment=payment, client_ip=client_ip)
        try:
            answer = self.transport(self.api_url, body)
        except (OSError, ValueError) as exc:
            return QueryResult(
                QueryOutcome.ERROR, request=body, message=f"transport: {type(exc).__name__}"
            )
        if not isinstance(answer, dict):
            return QueryResult(QueryOutcome.ERROR, request=body, message="bad answer")
        sig_ok = vnpay.querydr_verify_response(answer, self.hash_secret)
        result = QueryResult(
            QueryOutcome.ERROR,
            request=body,
            response=answer,
            signature_valid=sig_ok,
            message=str(answer.get("vnp_Message", ""))[:200],
        )
        if not sig_ok:
            result.message = "bad signature"
            return result
        if answer.get("vnp_TxnRef") != payment.txn_ref:
            result.message = "other transaction"
            return result
        code = answer.get("vnp_ResponseCode")
        if code == vnpay.QUERY_NOT_FOUND:
            result.outcome = QueryOutcome.NOT_FOUND
        elif code != vnpay.QUERY_OK:
            return result
        else:
            status = answer.get("vnp_TransactionStatus")
            if status == vnpay.TXN_STATUS_SUCCESS:
                result.outcome = QueryOutcome.PAID
            elif status == vnpay.TXN_STATUS_PENDING:
                result.outcome = QueryOutcome.PENDING
            else:  # 02 failed/cancelled, 07 suspected fraud, refunds…
                result.outcome = QueryOutcome.FAILED
        return result


def sandbox_transport(url: str, body: dict[str, str]) -> dict[str, object]:
    """In-process querydr: the sandbox bank answers from its own records."""
    from tinhso.payments.sandbox import sandbox_querydr

    return sandbox_querydr(body=body)


class SandboxGateway(VnpayGateway):
    """The same protocol against the platform's own sandbox bank."""

    code = Payment.Gateway.SANDBOX

    def __init__(self, *, transport: Transport | None = None, **kwargs: str) -> None:
        kwargs.setdefault("pay_url", conf.SANDBOX_PATH)
        kwargs.setdefault("api_url", "sandbox:querydr")
        super().__init__(transport=transport or sandbox_transport, **kwargs)


def gateway_get(code: str, *, transport: Transport | None = None) -> VnpayGateway:
    if code == Payment.Gateway.SANDBOX:
        return SandboxGateway(transport=transport)
    if code == Payment.Gateway.VNPAY:
        return VnpayGateway(transport=transport)
    raise ValueError(f"No online gateway for {code!r}")
