"""How messages reach the national portal. ``settings.TINHSO_PORTAL_URL``: "sandbox"
(the in-platform portal of the demo and tests), an https URL (the real portal: a login
call, then JSON POSTs per service, as OpenCPS does), or empty (the link is off)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction


class PortalError(Exception):
    """The portal refused or did not answer: the message is tried again later."""


@dataclass(frozen=True)
class Item:
    service: str
    key: str  # idempotency key: the same message always has the same key
    payload: dict[str, Any]


class Transport(Protocol):
    def send(self, items: list[Item]) -> list[str]:
        """Send the items in order; return the keys the portal acknowledged."""
        ...


class SandboxTransport:
    """The in-platform national portal: records what it receives; told by
    ``SandboxConfig`` to fail, time out, answer slowly or acknowledge twice."""

    def send(self, items: list[Item]) -> list[str]:
        from tinhso.portal.models import SandboxConfig, SandboxReceipt

        cfg = SandboxConfig.objects.first() or SandboxConfig()
        if cfg.mode == SandboxConfig.Mode.FAIL:
            raise PortalError("HTTP 503 Service Unavailable (sandbox)")
        if cfg.mode == SandboxConfig.Mode.SLOW:
            time.sleep(cfg.delay_seconds)
        with transaction.atomic():
            for it in items:
                SandboxReceipt.objects.create(
                    service=it.service,
                    key=it.key,
                    dossier_number=str(it.payload.get("MaHoSo") or ""),
                    payload=it.payload,
                    duplicate=SandboxReceipt.objects.filter(key=it.key).exists(),
                )
        if cfg.mode == SandboxConfig.Mode.TIMEOUT:
            raise PortalError("timed out (sandbox: received, no answer)")
        keys = [it.key for it in items]
        return keys + keys if cfg.mode == SandboxConfig.Mode.ACK_TWICE else keys


class HttpTransport:
    """``POST {url}/login`` with TINHSO_PORTAL_USER / TINHSO_PORTAL_PASSWORD gives a session;
    each item is ``POST {url}/{service}`` (JSON, ``X-Idempotency-Key``) answering
    ``{"error_code": "0"}`` when accepted."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.timeout = float(getattr(settings, "TINHSO_PORTAL_TIMEOUT", 10))
        self.session = ""

    def _post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        req = urllib.request.Request(  # noqa: S310 (https URL from settings)
            f"{self.url}/{path}",
            data=json.dumps(body, ensure_ascii=False).encode(),
            method="POST",
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return json.loads(resp.read() or b"{}")
        except (urllib.error.URLError, TimeoutError, ValueError) as e:
            raise PortalError(f"{path}: {e}") from e

    def send(self, items: list[Item]) -> list[str]:
        if not self.session:
            answer = self._post(
                "login",
                {
                    "username": getattr(settings, "TINHSO_PORTAL_USER", ""),
                    "password": getattr(settings, "TINHSO_PORTAL_PASSWORD", ""),
                },
                {},
            )
            self.session = str(answer.get("session") or "")
            if not self.session:
                raise PortalError("login refused")
        acked = []
        for it in items:
            answer = self._post(
                it.service,
                {"session": self.session, "data": [it.payload]},
                {"X-Idempotency-Key": it.key},
            )
            if str(answer.get("error_code", "")) != "0":
                raise PortalError(f"{it.service}: {answer}")
            acked.append(it.key)
        return acked


def transport_default() -> Transport | None:
    url = getattr(settings, "TINHSO_PORTAL_URL", "")
    if url == "sandbox":
        return SandboxTransport()
    if url.startswith(("https://", "http://")):
        return HttpTransport(url)
    return None
