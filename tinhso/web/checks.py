"""Deployment checks (``manage.py check --deploy``; ``manage.py serve`` runs them and stops
on errors): no published demo secret, no sandbox gateway and no empty host list in
production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def deployment_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from tinhso.payments import conf

    demo_secrets: frozenset[str] = getattr(settings, "DEMO_SECRETS", frozenset())
    if settings.DEMO:
        return [
            Warning(
                "TINHSO_DEMO is on: demo secrets and the sandbox gateway are accepted.",
                hint="Never set TINHSO_DEMO in production.",
                id="tinhso.W001",
            )
        ]
    errors: list[CheckMessage] = []
    if settings.SECRET_KEY in demo_secrets:
        errors.append(Error("SECRET_KEY is the published demo key.", id="tinhso.E001"))
    if conf.hash_secret() in demo_secrets:
        errors.append(Error("VNPAY_HASH_SECRET is the published sandbox secret.", id="tinhso.E002"))
    if conf.uses_sandbox() and not conf.sandbox_enabled():
        errors.append(
            Error(
                "VNPAY_URL points at the sandbox gateway, which is off in production.",
                hint="Set VNPAY_URL to the real gateway (or leave payments unconfigured).",
                id="tinhso.E003",
            )
        )
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        errors.append(Error("ALLOWED_HOSTS is empty.", id="tinhso.E004"))
    if not conf.gateway_configured():
        errors.append(
            Warning(
                "No online payment gateway is configured: fees are paid at the counter only.",
                id="tinhso.W002",
            )
        )
    return errors
