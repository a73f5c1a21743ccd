"""Demo signing PKI: province root CA, local TSA and the demo units' certificates."""

from __future__ import annotations

from typing import TextIO

from tinhso.signing.pki import pki_demo_ensure


def demo_load(*, stdout: TextIO | None = None) -> None:
    certificates = pki_demo_ensure()  # idempotent: existing keys are kept
    if stdout:
        stdout.write(f"  chứng thư số đơn vị: {len(certificates)}\n")
