"""The real portal's client (``TINHSO_PORTAL_URL=https://…``) against a local HTTP server:
login for a session, one JSON POST per service with the message's idempotency key, an
answer other than ``error_code 0`` or no answer is a failure to retry."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tinhso.portal.transport import HttpTransport, Item, PortalError, transport_default


class Portal(BaseHTTPRequestHandler):
    received: list[tuple[str, str, dict]] = []
    answer = {"error_code": "0"}

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        path = self.path.strip("/")
        if path == "api/login":
            ok = body == {"username": "tinh", "password": "bi-mat"}
            out = {"session": "S1"} if ok else {"error": "denied"}
        else:
            Portal.received.append((path, self.headers.get("X-Idempotency-Key", ""), body))
            out = Portal.answer
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def portal_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Portal.received = []
    Portal.answer = {"error_code": "0"}
    yield f"http://127.0.0.1:{server.server_port}/api"
    server.shutdown()


def test_login_then_one_post_per_service_with_the_key(settings, portal_url):
    settings.TINHSO_PORTAL_URL = portal_url
    settings.TINHSO_PORTAL_USER, settings.TINHSO_PORTAL_PASSWORD = "tinh", "bi-mat"
    transport = transport_default()
    assert isinstance(transport, HttpTransport)
    items = [
        Item("CapNhatTienDoHoSoMC", "tinhso-7-progress", {"MaHoSo": "X", "TrangThai": 2}),
        Item("DongBoHoSoMC", "tinhso-7-sync", {"MaHoSo": "X", "TrangThaiHoSo": 2}),
    ]
    assert transport.send(items) == ["tinhso-7-progress", "tinhso-7-sync"]
    assert [(p, k) for p, k, _ in Portal.received] == [
        ("api/CapNhatTienDoHoSoMC", "tinhso-7-progress"),
        ("api/DongBoHoSoMC", "tinhso-7-sync"),
    ]
    assert Portal.received[1][2] == {"session": "S1", "data": [items[1].payload]}


def test_refusals_and_bad_logins_are_failures(settings, portal_url):
    settings.TINHSO_PORTAL_USER, settings.TINHSO_PORTAL_PASSWORD = "tinh", "sai"
    with pytest.raises(PortalError, match="login"):
        HttpTransport(portal_url).send([Item("DongBoHoSoMC", "k", {})])
    settings.TINHSO_PORTAL_PASSWORD = "bi-mat"
    Portal.answer = {"error_code": "-1", "message": "MaTTHC không tồn tại"}
    with pytest.raises(PortalError, match="MaTTHC"):
        HttpTransport(portal_url).send([Item("DongBoHoSoMC", "k", {})])
    with pytest.raises(PortalError):  # nobody listening
        HttpTransport("http://127.0.0.1:9").send([Item("DongBoHoSoMC", "k", {})])


def test_link_off_without_a_url(settings):
    settings.TINHSO_PORTAL_URL = ""
    assert transport_default() is None
