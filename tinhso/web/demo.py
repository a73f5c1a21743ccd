"""Demo step of the web app: publish the platform's own data (org units, procedures, service
statistics) through the data app, replacing the data demo's invented statistics."""

from __future__ import annotations

from typing import TextIO

from tinhso.web.platform_data import platform_publish


def demo_load(*, stdout: TextIO | None = None) -> None:
    platform_publish(stdout=stdout)
