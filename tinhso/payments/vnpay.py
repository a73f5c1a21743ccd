"""The VNPay 2.1.0 protocol, as pure functions (no database, no HTTP).

- Payment URL: every ``vnp_*`` parameter, sorted by name, each key and value URL-encoded
  (``quote_plus``, as VNPay's own samples do), joined with ``&``; ``vnp_SecureHash`` =
  HMAC-SHA512 of that string with the merchant's hash secret (hex).
- Return and IPN: the same over the received ``vnp_*`` parameters without
  ``vnp_SecureHash``/``vnp_SecureHashType``.
- querydr (server-to-server status query, JSON POST): the hash is over the fields joined
  with ``|`` in a fixed order (``QUERYDR_REQUEST_FIELDS``/``QUERYDR_RESPONSE_FIELDS``).
- ``vnp_Amount`` = VND × 100; dates are ``yyyyMMddHHmmss`` in GMT+7.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote_plus

VERSION = "2.1.0"
GMT7 = dt.timezone(dt.timedelta(hours=7))
HASH_FIELDS_EXCLUDED = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})

# IPN answer codes (merchant → gateway).
IPN_OK = "00"
IPN_ORDER_NOT_FOUND = "01"
IPN_ALREADY_CONFIRMED = "02"
IPN_INVALID_AMOUNT = "04"
IPN_INVALID_SIGNATURE = "97"
IPN_UNKNOWN_ERROR = "99"
IPN_MESSAGES = {
    IPN_OK: "Confirm Success",
    IPN_ORDER_NOT_FOUND: "Order not found",
    IPN_ALREADY_CONFIRMED: "Order already confirmed",
    IPN_INVALID_AMOUNT: "Invalid amount",
    IPN_INVALID_SIGNATURE: "Invalid signature",
    IPN_UNKNOWN_ERROR: "Unknown error",
}

# Gateway → merchant: vnp_ResponseCode / vnp_TransactionStatus.
RESPONSE_SUCCESS = "00"
RESPONSE_CUSTOMER_CANCELLED = "24"
RESPONSE_EXPIRED = "11"
TXN_STATUS_SUCCESS = "00"
TXN_STATUS_PENDING = "01"
TXN_STATUS_FAILED = "02"
# querydr vnp_ResponseCode
QUERY_OK = "00"
QUERY_NOT_FOUND = "91"
QUERY_BAD_SIGNATURE = "97"

QUERYDR_REQUEST_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERYDR_RESPONSE_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def canonical_query(params: Mapping[str, object]) -> str:
    """Sorted ``key=value`` pairs of the ``vnp_*`` parameters (hash fields excluded),
    URL-encoded — the string that is signed and also the query string sent. Empty values
    are kept (VNPay's reference code hashes every received ``vnp_*`` field)."""
    items = sorted(
        (k, str(v))
        for k, v in params.items()
        if k.startswith("vnp_") and k not in HASH_FIELDS_EXCLUDED and v is not None
    )
    return "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in items)


def sign(params: Mapping[str, object], secret: str) -> str:
    return hmac_sha512(secret, canonical_query(params))


def signed_url(base_url: str, params: Mapping[str, object], secret: str) -> str:
    query = canonical_query(params)
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}{query}&vnp_SecureHash={hmac_sha512(secret, query)}"


def signed_params(params: Mapping[str, object], secret: str) -> dict[str, str]:
    """``params`` as strings plus their ``vnp_SecureHash`` (for return/IPN messages)."""
    out = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    out["vnp_SecureHash"] = sign(out, secret)
    return out


def verify(params: Mapping[str, str], secret: str) -> bool:
    """Whether the ``vnp_SecureHash`` of a return/IPN message is right."""
    received = str(params.get("vnp_SecureHash", ""))
    if not received or not secret:
        return False
    return hmac.compare_digest(received.lower(), sign(params, secret))


def pipe_hash(params: Mapping[str, object], fields: tuple[str, ...], secret: str) -> str:
    return hmac_sha512(secret, "|".join(str(params.get(f, "") or "") for f in fields))


def querydr_sign(params: Mapping[str, object], secret: str) -> str:
    return pipe_hash(params, QUERYDR_REQUEST_FIELDS, secret)


def querydr_response_sign(params: Mapping[str, object], secret: str) -> str:
    return pipe_hash(params, QUERYDR_RESPONSE_FIELDS, secret)


def querydr_verify_response(params: Mapping[str, object], secret: str) -> bool:
    received = str(params.get("vnp_SecureHash", ""))
    return bool(received) and hmac.compare_digest(
        received.lower(), querydr_response_sign(params, secret)
    )


def querydr_verify_request(params: Mapping[str, object], secret: str) -> bool:
    received = str(params.get("vnp_SecureHash", ""))
    return bool(received) and hmac.compare_digest(received.lower(), querydr_sign(params, secret))


def format_date(moment: dt.datetime) -> str:
    return moment.astimezone(GMT7).strftime("%Y%m%d%H%M%S")


def parse_date(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=GMT7)
    except (TypeError, ValueError):
        return None


def amount_to_vnp(amount_vnd: int) -> str:
    return str(int(amount_vnd) * 100)


def amount_from_vnp(value: object) -> int | None:
    """VND from ``vnp_Amount`` (None when it is not a whole number of đồng)."""
    try:
        raw = int(str(value))
    except (TypeError, ValueError):
        return None
    if raw < 0 or raw % 100:
        return None
    return raw // 100


def order_info_ascii(text: str, limit: int = 255) -> str:
    """VNPay asks for vnp_OrderInfo without diacritics; keep letters, digits and spaces."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = "".join(c if c.isalnum() or c in " -.:/" else " " for c in plain)
    return " ".join(cleaned.split())[:limit]
