"""VNPay hash vectors: everything is recomputed here independently with hmac/urllib."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import urllib.parse

import pytest

from tinhso.payments import vnpay
from tinhso.payments.gateways import SandboxGateway, VnpayGateway

from .conftest import SECRET


def independent_hash(secret: str, pairs: list[tuple[str, str]]) -> str:
    data = "&".join(
        f"{urllib.parse.quote_plus(k)}={urllib.parse.quote_plus(v)}" for k, v in sorted(pairs)
    )
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def test_fixed_vector() -> None:
    params = {
        "vnp_Version": "2.1.0",
        "vnp_Command": "pay",
        "vnp_TmnCode": "ABCD1234",
        "vnp_Amount": "1000000",
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": "250101ABC",
        "vnp_OrderInfo": "Thanh toan le phi ho so",
        "vnp_ReturnUrl": "https://tinhso.example/payments/vnpay/return",
        "vnp_IpAddr": "10.0.0.1",
        "vnp_CreateDate": "20250101103000",
    }
    expected_data = (
        "vnp_Amount=1000000&vnp_Command=pay&vnp_CreateDate=20250101103000&vnp_CurrCode=VND"
        "&vnp_IpAddr=10.0.0.1&vnp_OrderInfo=Thanh+toan+le+phi+ho+so"
        "&vnp_ReturnUrl=https%3A%2F%2Ftinhso.example%2Fpayments%2Fvnpay%2Freturn"
        "&vnp_TmnCode=ABCD1234&vnp_TxnRef=250101ABC&vnp_Version=2.1.0"
    )
    assert vnpay.canonical_query(params) == expected_data
    expected = hmac.new(b"SECRETKEY", expected_data.encode(), hashlib.sha512).hexdigest()
    assert vnpay.sign(params, "SECRETKEY") == expected
    url = vnpay.signed_url("https://pay.example/vpcpay.html", params, "SECRETKEY")
    assert url == f"https://pay.example/vpcpay.html?{expected_data}&vnp_SecureHash={expected}"


@pytest.mark.django_db
def test_redirect_url_recomputed_independently(make_payment, settings) -> None:
    payment = make_payment(amount=1_250_000, description="Lệ phí đăng ký kết hôn & bản sao")
    url = VnpayGateway(pay_url="https://sandbox.vnpayment.vn/paymentv2/vpcpay.html").redirect_url(
        payment=payment,
        client_ip="203.0.113.7",
        return_url="https://x.example/payments/vnpay/return",
    )
    base, query = url.split("?", 1)
    assert base == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    received = dict(pairs)
    pairs_wo_hash = [(k, v) for k, v in pairs if k != "vnp_SecureHash"]
    # sorted, and the hash is over exactly what was sent
    assert [k for k, _ in pairs_wo_hash] == sorted(k for k, _ in pairs_wo_hash)
    assert received["vnp_SecureHash"] == independent_hash(settings.VNPAY_HASH_SECRET, pairs_wo_hash)
    assert received["vnp_Amount"] == "125000000"  # VND × 100
    assert received["vnp_TmnCode"] == settings.VNPAY_TMN_CODE
    assert received["vnp_Version"] == "2.1.0" and received["vnp_Command"] == "pay"
    assert received["vnp_CurrCode"] == "VND"
    assert received["vnp_TxnRef"] == payment.txn_ref
    assert received["vnp_IpAddr"] == "203.0.113.7"
    gmt7 = payment.created_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert received["vnp_CreateDate"] == gmt7.strftime("%Y%m%d%H%M%S")
    assert len(received["vnp_ExpireDate"]) == 14
    # order info without diacritics
    assert received["vnp_OrderInfo"] == "Le phi dang ky ket hon ban sao"


@pytest.mark.django_db
def test_sandbox_gateway_uses_same_protocol(make_payment) -> None:
    payment = make_payment()
    url = SandboxGateway().redirect_url(payment=payment, client_ip="127.0.0.1", return_url="/r")
    assert url.startswith("/payments/sandbox/pay?")
    pairs = urllib.parse.parse_qsl(url.split("?", 1)[1])
    sent = [(k, v) for k, v in pairs if k != "vnp_SecureHash"]
    assert dict(pairs)["vnp_SecureHash"] == independent_hash(SECRET, sent)


def test_verify_accepts_good_and_rejects_tampering() -> None:
    params = vnpay.signed_params({"vnp_TxnRef": "A1", "vnp_Amount": "500000"}, SECRET)
    assert vnpay.verify(params, SECRET)
    assert vnpay.verify({**params, "vnp_SecureHash": params["vnp_SecureHash"].upper()}, SECRET)
    assert not vnpay.verify({**params, "vnp_Amount": "5000000"}, SECRET)
    assert not vnpay.verify({**params, "vnp_Extra": "1"}, SECRET)
    assert not vnpay.verify(params, "other-secret")
    assert not vnpay.verify({k: v for k, v in params.items() if k != "vnp_SecureHash"}, SECRET)
    assert not vnpay.verify(params, "")
    # vnp_SecureHashType is not part of the hash
    assert vnpay.verify({**params, "vnp_SecureHashType": "HmacSHA512"}, SECRET)
    # non-vnp parameters are ignored
    assert vnpay.verify({**params, "utm_source": "x"}, SECRET)


def test_querydr_pipe_hash() -> None:
    body = {
        "vnp_RequestId": "R1",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": "ABCD1234",
        "vnp_TxnRef": "T1",
        "vnp_TransactionDate": "20250101103000",
        "vnp_CreateDate": "20250101110000",
        "vnp_IpAddr": "10.0.0.1",
        "vnp_OrderInfo": "Truy van",
    }
    data = "R1|2.1.0|querydr|ABCD1234|T1|20250101103000|20250101110000|10.0.0.1|Truy van"
    assert (
        vnpay.querydr_sign(body, "K") == hmac.new(b"K", data.encode(), hashlib.sha512).hexdigest()
    )


def test_amount_conversions() -> None:
    assert vnpay.amount_to_vnp(50_000) == "5000000"
    assert vnpay.amount_from_vnp("5000000") == 50_000
    assert vnpay.amount_from_vnp("5000050") is None  # fractions of a đồng
    assert vnpay.amount_from_vnp("-100") is None
    assert vnpay.amount_from_vnp("abc") is None
    assert vnpay.amount_from_vnp(None) is None


def test_dates_are_gmt7() -> None:
    moment = dt.datetime(2025, 1, 1, 17, 30, tzinfo=dt.UTC)
    assert vnpay.format_date(moment) == "20250102003000"
    assert vnpay.parse_date("20250102003000") == moment
    assert vnpay.parse_date("bad") is None
