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
    # the embedded mode's own tests (SQLite files) belong to the SQLite pass only: left out of
    # the PostgreSQL pass, where no test may skip
    embedded = [i for i in items if i.get_closest_marker("sqlite_only") and vendor != "sqlite3"]
    if embedded:
        config.hook.pytest_deselected(items=embedded)
        items[:] = [i for i in items if i not in embedded]


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


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """A local S3-compatible server (moto's server mode) over HTTP; yields its endpoint URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:  # pragma: no cover - moto[server] is a dev dependency
        cannot_run("moto[server] is not installed (make install)")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def file_storage(request: Any, settings: Any, tmp_path: Any) -> str:
    """Run a file test twice: on the local filesystem and on an S3-compatible bucket.

    Use it with ``@pytest.mark.usefixtures("file_storage")`` (``tinhso.testing.files_on_both``).
    The S3 pass gives each test a fresh private bucket on the moto server."""
    if request.param == "local":
        return "local"
    import uuid

    import boto3

    from tinhso.files import s3_storage

    endpoint = request.getfixturevalue("s3_server")
    bucket = f"tinhso-{uuid.uuid4().hex[:12]}"
    creds = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **creds).create_bucket(
        Bucket=bucket
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket=bucket,
            endpoint_url=endpoint,
            region="us-east-1",
            access_key="test",
            secret_key="test",  # noqa: S106
            prefix="media",
        ),
    }
    return "s3"


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


@pytest.fixture(autouse=True)
def _vietnamese_first() -> Iterator[None]:
    # Each test starts in the platform's default language. A request leaves its language
    # active in the thread (LocaleMiddleware activates it and nothing deactivates it), so an
    # English request in one test must not make the next test's messages English.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
