"""Issue 14 finding 5: a bounded schemathesis run over the OpenAPI schema, anonymous, as a
citizen and as an official (the queues, actions and scoped reads). Every operation gets a
few generated requests (valid and invalid); no answer may be a server error (5xx).
Bounded: ``FUZZ_EXAMPLES`` examples per operation and mode (default 8) and a deadline per
operation, so it runs in CI with the rest of the suite."""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SECONDS_PER_OPERATION = float(os.environ.get("FUZZ_SECONDS", "20"))


def _run(schema, cookies: dict[str, str]) -> list[str]:
    errors: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        started = time.monotonic()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hsettings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case) -> None:
                if time.monotonic() - started > SECONDS_PER_OPERATION:  # noqa: B023
                    return
                response = case.call(cookies=cookies)
                if response.status_code >= 500:
                    errors.append(
                        f"{case.method} {case.formatted_path} {case.query or ''} "
                        f"→ {response.status_code}"
                    )

            try:
                check()
            except Unsatisfiable:  # e.g. no invalid request can be built for this operation
                continue
    return errors


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("who", ["anonymous", "congdan", "canbo.dian"])
def test_openapi_schema_fuzz_has_no_server_errors(
    who, services_demo_or_users, user_named, no_connection_close
):
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    cookies: dict[str, str] = {}
    if who != "anonymous":
        client = Client()
        client.force_login(user_named(who))
        cookies = {"sessionid": client.cookies["sessionid"].value}
    errors = _run(schema, cookies)
    assert errors == [], "\n".join(errors[:30])


@pytest.fixture
def services_demo_or_users(demo_users):
    import io

    from tinhso.services.demo import demo_load

    demo_load(stdout=io.StringIO())


@pytest.fixture
def no_connection_close():
    # like django.test.Client: a request through the WSGI handler must not close the test
    # database connection at its end
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
