"""Fixtures shared by every app's tests.

- ``demo_orgs`` / ``demo_users``: the demo's Bình Dương units and logins.
- ``browser_page``: a Playwright page in Debian's Chromium (``/usr/bin/chromium``).
  Under CI=true a missing browser or PostgreSQL is a failure, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings

from tinhso.testing import cannot_run

# Playwright's sync API runs an event loop in the test thread; Django's ORM would refuse it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TINHSO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    vendor = django_settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    for item in items:
        if "postgres" in item.keywords and vendor != "postgresql":
            item.add_marker(
                pytest.mark.skip(reason="PostgreSQL-only test: runs in the PostgreSQL pass")
            )


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any, tmp_path: Any) -> None:
    # argon2 is the production hasher (asserted in accounts tests); tests use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # Each test starts with an empty cache (the process-local cache outlives a test's
    # database transaction: cached figures or tracking answers must not leak between tests).
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def demo_orgs(db: Any) -> None:
    from tinhso.orgs.demo import demo_load

    demo_load()


@pytest.fixture
def demo_users(demo_orgs: None) -> None:
    from tinhso.accounts.demo import demo_load

    demo_load()


@pytest.fixture
def user_named(demo_users: None) -> Any:
    from tinhso.accounts.models import User

    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture(scope="session")
def _chromium() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        cannot_run(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        cannot_run("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_chromium: Any, live_server: Any) -> Iterator[Any]:
    context = _chromium.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}, bypass_csp=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    yield page
    context.close()
