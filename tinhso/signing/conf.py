"""Signing settings, read from Django settings (with defaults) so the app needs no
edits to ``tinhso/settings.py``.

``SIGNING_DIR``      where key material lives (default ``var/pki``); never in the repository,
                     never under a static or media root.
``SIGNING_KEYS``     production key sources per org-unit code, a dict or the path of a JSON file
                     (env ``TINHSO_SIGNING_KEYS``)::

                        {"724": {"pkcs12": "/etc/tinhso/keys/724.p12",
                                 "passphrase_env": "TINHSO_P12_PASS_724"},
                         "74":  {"pkcs11": {"module": "/usr/lib/x86_64-linux-gnu/libsofthsm2.so",
                                            "token_label": "UBND-74", "key_label": "sign",
                                            "cert_label": "sign", "pin_env": "TINHSO_PIN_74"}}}

``SIGNING_TRUST_ROOTS`` extra trusted root certificates (PEM/DER paths) besides the demo
                     province CA, e.g. the Government Cipher Committee root (env
                     ``TINHSO_SIGNING_TRUST_ROOTS``, colon-separated).
``SIGNING_DEMO_PKI`` issue demo certificates on demand (default: ``settings.DEMO``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings

from tinhso.uploads import upload_limit


def signing_dir() -> Path:
    return Path(settings.SIGNING_DIR)


def demo_pki_enabled() -> bool:
    return bool(getattr(settings, "SIGNING_DEMO_PKI", settings.DEMO))


def key_sources() -> dict[str, dict[str, Any]]:
    value = getattr(settings, "SIGNING_KEYS", None) or os.environ.get("TINHSO_SIGNING_KEYS")
    if not value:
        return {}
    if isinstance(value, dict):
        return value
    return json.loads(Path(value).read_text(encoding="utf-8"))


def extra_trust_roots() -> list[Path]:
    value = getattr(settings, "SIGNING_TRUST_ROOTS", None)
    if value is None:
        value = [p for p in os.environ.get("TINHSO_SIGNING_TRUST_ROOTS", "").split(":") if p]
    return [Path(p) for p in value]


def max_upload_bytes() -> int:
    return upload_limit()  # the platform's upload policy (tinhso.uploads)
