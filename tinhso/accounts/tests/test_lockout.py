"""Issue 14 finding 2: the client address is read through a configured count of trusted
proxies (tinhso.http.client_address), and login lockout is per username AND address."""

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tinhso.http import client_address

LOGIN = "/tai-khoan/dang-nhap/"
PROXY = "10.0.0.5"


def _request(remote: str, xff: str | None = None):
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(_request("203.0.113.9", "1.1.1.1")) == "203.0.113.9"


def test_one_trusted_proxy_reads_the_last_forwarded_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # the client may prepend anything; only the entry the proxy appended is trusted
    assert client_address(_request(PROXY, "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    assert client_address(_request(PROXY, "198.51.100.7")) == "198.51.100.7"


def test_two_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(PROXY, "6.6.6.6, 198.51.100.7, 10.0.0.4")) == "198.51.100.7"


def test_missing_or_garbage_header_falls_back_to_the_socket_address(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(_request(PROXY)) == PROXY
    assert client_address(_request(PROXY, "not-an-ip")) == PROXY
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(_request(PROXY, "198.51.100.7")) == PROXY


def _login(client, username, password, ip):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=ip,
    )


def test_an_attacker_behind_the_proxy_cannot_lock_out_the_real_user(client, demo_users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(6):
        _login(client, "lanhdao.thuanan", "sai", "198.51.100.66")
    # the attacker's own address is locked for that username
    assert _login(client, "lanhdao.thuanan", "tinhso-demo", "198.51.100.66").status_code == 429
    # the real user, another client behind the same proxy, still logs in
    ok = _login(client, "lanhdao.thuanan", "tinhso-demo", "203.0.113.20")
    assert ok.status_code == 302


def test_lockout_is_per_username_and_address(client, demo_users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(6):
        _login(client, "canbo.dian", "sai", "198.51.100.66")
    # the same client may still log in as somebody else
    assert _login(client, "congdan", "tinhso-demo", "198.51.100.66").status_code == 302


def test_a_forged_header_does_not_escape_the_lockout_without_a_proxy(client, demo_users, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for i in range(6):
        client.post(
            LOGIN,
            {"username": "canbo.dian", "password": "sai"},
            REMOTE_ADDR="198.51.100.66",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
    locked = client.post(
        LOGIN,
        {"username": "canbo.dian", "password": "tinhso-demo"},
        REMOTE_ADDR="198.51.100.66",
        HTTP_X_FORWARDED_FOR="192.0.2.200",
    )
    assert locked.status_code == 429


@pytest.mark.django_db
def test_audit_entries_record_the_forwarded_client(client, settings):
    from tinhso.audit import middleware
    from tinhso.audit.context import current_ip

    settings.TRUSTED_PROXY_COUNT = 1
    seen: dict[str, str | None] = {}

    def get_response(request: HttpRequest) -> HttpResponse:
        seen.setdefault("ip", current_ip())
        return HttpResponse()

    mw = middleware.RequestContextMiddleware(get_response)
    mw(_request(PROXY, "198.51.100.7"))
    assert seen["ip"] == "198.51.100.7"
