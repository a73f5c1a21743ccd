"""Helpers for tests (browser login, axe-core checks, CI-aware skipping)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def cannot_run(reason: str) -> None:
    """Skip outside CI; fail in CI."""
    if IN_CI:
        pytest.fail(f"CI=true and this test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


# A file test run twice: on the local filesystem and on an S3-compatible bucket (conftest.py).
files_on_both = pytest.mark.usefixtures("file_storage")

DEMO_PASSWORD = "tinhso-demo"  # noqa: S105 (documented demo password)


def browser_login(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(page.base_url + "/tai-khoan/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/trang-cua-toi/")


AXE_JS = Path(__file__).parent / "web" / "tests" / "vendor" / "axe.min.js"


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run axe-core (WCAG 2.1 A/AA rules) on the current page; return serious+ violations."""
    page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]
