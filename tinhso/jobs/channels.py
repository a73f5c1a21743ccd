"""Outbound channels' adapters that are not Django's email: the SMS gateway (an
in-platform sandbox, or an HTTP gateway from the environment) and the sandbox email
backend of the demo. Zalo or another provider is one more adapter registered by name in
``tinhso.services.notifications``."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Sequence

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from tinhso.jobs.models import SandboxMessage


class SmsError(Exception):
    pass


def sms_send(*, phone: str, text: str) -> None:
    """``TINHSO_SMS_GATEWAY``: "sandbox" stores the message (demo, tests); an http(s) URL
    receives ``{"to", "text", "sender"}`` as JSON with ``Authorization: Bearer
    TINHSO_SMS_TOKEN`` and must answer 2xx."""
    gateway = getattr(settings, "TINHSO_SMS_GATEWAY", "sandbox")
    if gateway == "sandbox":
        SandboxMessage.objects.create(channel="sms", to=phone, body=text)
        return
    if not gateway.startswith(("https://", "http://")):
        raise SmsError(f"TINHSO_SMS_GATEWAY={gateway!r} is not 'sandbox' or a URL")
    body = json.dumps(
        {"to": phone, "text": text, "sender": getattr(settings, "TINHSO_SMS_SENDER", "TINHSO")}
    ).encode()
    req = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        gateway,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {getattr(settings, 'TINHSO_SMS_TOKEN', '')}",
        },
    )
    with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
        if not 200 <= resp.status < 300:
            raise SmsError(f"SMS gateway answered {resp.status}")


class SandboxEmailBackend(BaseEmailBackend):
    """The demo's email: stored in the sandbox and shown to administrators."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for m in email_messages:
            SandboxMessage.objects.create(
                channel="email",
                to=", ".join(m.to)[:255],
                subject=str(m.subject)[:255],
                body=str(m.body),
            )
        return len(email_messages)
