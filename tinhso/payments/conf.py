"""Payment settings, read from Django settings with defaults (no edits to settings.py needed).

``VNPAY_TMN_CODE``, ``VNPAY_HASH_SECRET``, ``VNPAY_URL``  merchant code, secret, pay URL.
  When ``VNPAY_URL`` is the platform's own sandbox page (``/payments/sandbox/pay``, the demo
  default) the sandbox gateway is used, otherwise the VNPay adapter.
``VNPAY_API_URL``            querydr endpoint (default VNPay's sandbox merchant_webapi).
``PAYMENTS_EXPIRE_MINUTES``  how long a payment link is valid (vnp_ExpireDate), default 15.
``PAYMENTS_RECONCILE_AFTER_MINUTES``  pending longer than this → reconciliation, default 20.
``PAYMENTS_SANDBOX``         enable the sandbox bank pages (default: ``settings.DEMO``).
``PAYMENTS_SANDBOX_LATE_SECONDS``  delay of a "late" sandbox IPN, default 8.
``PAYMENTS_SANDBOX_IPN_URL`` (setting or env) if set, the sandbox delivers IPNs by HTTP
  GET to this absolute URL (like VNPay); otherwise it calls the IPN handler in-process.
"""

from __future__ import annotations

import datetime as dt
import os

from django.conf import settings

SANDBOX_PATH = "/payments/sandbox/pay"


def tmn_code() -> str:
    return str(getattr(settings, "VNPAY_TMN_CODE", ""))


def hash_secret() -> str:
    return str(getattr(settings, "VNPAY_HASH_SECRET", ""))


def pay_url() -> str:
    return str(getattr(settings, "VNPAY_URL", ""))


def api_url() -> str:
    return str(
        getattr(
            settings,
            "VNPAY_API_URL",
            "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        )
    )


def uses_sandbox() -> bool:
    return pay_url().rstrip("/").endswith(SANDBOX_PATH)


def sandbox_enabled() -> bool:
    return bool(getattr(settings, "PAYMENTS_SANDBOX", settings.DEMO))


def gateway_configured() -> bool:
    """Whether online payments can be taken: merchant code, secret and pay URL are set,
    none of them a published demo value outside the demo, and the sandbox gateway only
    where the sandbox is enabled."""
    if not (tmn_code() and hash_secret() and pay_url()):
        return False
    if uses_sandbox():
        return sandbox_enabled()
    return settings.DEMO or hash_secret() not in getattr(settings, "DEMO_SECRETS", ())


def expire_after() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "PAYMENTS_EXPIRE_MINUTES", 15)))


def reconcile_after() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "PAYMENTS_RECONCILE_AFTER_MINUTES", 20)))


def sandbox_late_seconds() -> int:
    return int(getattr(settings, "PAYMENTS_SANDBOX_LATE_SECONDS", 8))


def sandbox_ipn_url() -> str:
    return str(
        getattr(
            settings, "PAYMENTS_SANDBOX_IPN_URL", os.environ.get("PAYMENTS_SANDBOX_IPN_URL", "")
        )
    )


def sandbox_background_ipn() -> bool:
    """Deliver late IPNs from a timer thread (the demo); tests call the delivery directly."""
    return bool(getattr(settings, "PAYMENTS_SANDBOX_BACKGROUND", not settings.TESTING))
