"""The OpenID Connect login against an independent provider: Node's certified
``oidc-provider`` package (tinhso/accounts/tests/oidc/provider.mjs, installed by ``npm ci``
in that folder; ``.ci/run`` does it), started on 127.0.0.1 for the test session."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest
import requests

from tinhso.accounts import oidc
from tinhso.accounts.models import ExternalIdentity, User
from tinhso.testing import DEMO_PASSWORD, axe_violations, cannot_run

HERE = Path(__file__).parent / "oidc"
CLIENT_ID = "tinhso-test"
CLIENT_SECRET = "tinhso-test-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def node_provider(live_server):
    node = shutil.which("node")
    if not node:
        cannot_run("Node.js is not installed")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        cannot_run(f"oidc-provider is not installed: run `npm ci` in {HERE}")
    assert node is not None  # cannot_run() skips or fails
    port = _free_port()
    bases = {live_server.url, live_server.url.replace("localhost", "127.0.0.1")}
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": ",".join(
            f"{b}/tai-khoan/dinh-danh/vneid/callback/" for b in sorted(bases)
        ),
        "POST_LOGOUT_URIS": ",".join(f"{b}/" for b in sorted(bases)),
    }
    proc = subprocess.Popen(
        [node, "provider.mjs"],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = proc.stdout, proc.stderr
    assert stdout is not None and stderr is not None  # both are PIPE
    ready: list[str] = []
    reader = threading.Thread(target=lambda: ready.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(30)
    if not ready or not ready[0].startswith("READY"):
        proc.kill()
        pytest.fail(f"oidc-provider did not start: {stderr.read()[:2000]}")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def vneid(node_provider, settings):
    settings.OIDC_PROVIDERS = {
        "vneid": {
            "discovery_url": f"{node_provider}/.well-known/openid-configuration",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "acr_values": "LoA2",
            "min_level": 2,
        }
    }
    oidc._clients.clear()
    yield node_provider
    oidc._clients.clear()


@pytest.fixture
def services_data(demo_users):
    from tinhso.services.demo import demo_load

    demo_load(stdout=io.StringIO())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_vneid_login_prefilled_submission_and_logout(
    browser_page, vneid, services_data, settings, tmp_path
):
    from tinhso.services.models import Dossier

    settings.IDENTITY_REQUIRED_LEVEL = 2
    page = browser_page
    attachment = tmp_path / "giay-chung-sinh.pdf"
    attachment.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    # login at the provider, return to Tỉnh Số signed in with a verified identity
    page.goto(page.base_url + "/tai-khoan/dang-nhap/")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    page.wait_for_url(re.compile(re.escape(vneid) + r"/interaction/.*"))
    page.fill("#login", "dan")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/trang-cua-toi/")
    assert "Đã đăng nhập bằng định danh điện tử" in page.content()
    user = User.objects.get(citizen_id="001090000001")
    assert (user.identity_source, user.identity_level) == ("vneid", 2)

    # the submission form shows the verified name and CCCD, not editable
    page.goto(page.base_url + "/dich-vu-cong/thu-tuc/1.001193/nop/")
    name = page.locator("#id_verified_name")
    assert name.input_value() == "Nguyễn Văn Dân" and name.is_disabled()
    cccd = page.locator("#id_verified_citizen_id")
    assert cccd.input_value() == "001090000001" and cccd.is_disabled()
    page.select_option("#id_org_unit", label="UBND phường Dĩ An")
    page.fill("#id_f_ho_ten_tre", "Nguyễn Minh Khang")
    page.fill("#id_f_ngay_sinh", "2026-01-05")
    page.select_option("#id_f_gioi_tinh", "Nam")
    page.fill("#id_f_noi_sinh", "Bệnh viện Quân đoàn 4, Dĩ An")
    page.fill("#id_f_ho_ten_me", "Nguyễn Thị Hoa")
    page.select_option("#id_f_quan_he", "Mẹ")
    page.locator("input[type=file]").first.set_input_files(str(attachment))
    page.get_by_role("button", name="Tiếp tục: xem lại hồ sơ").click()
    page.wait_for_url("**/xem-lai/")
    assert "001090000001" in page.locator("#review-applicant").inner_text()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r".*/ho-so/\d+/$"))
    assert "VNEID, mức 2" in page.locator("#dossier-identity").inner_text()
    dossier = Dossier.objects.get(applicant=user)
    assert dossier.applicant_name == "Nguyễn Văn Dân"
    assert dossier.applicant_id_number == "001090000001"
    assert (dossier.identity_source, dossier.identity_level) == ("vneid", 2)

    # logout: at Tỉnh Số and at the provider (RP-initiated), back on the home page
    page.locator("form[action='/tai-khoan/dang-xuat/'] button").click()
    page.wait_for_url(re.compile(re.escape(page.base_url) + r"/(\?state=.*)?$"))
    page.goto(page.base_url + "/trang-cua-toi/")
    assert "/tai-khoan/dang-nhap/" in page.url
    # the provider's session ended too: it asks for the login again
    page.goto(page.base_url + "/tai-khoan/dinh-danh/vneid/")
    page.wait_for_url(re.compile(re.escape(vneid) + r"/interaction/.*"))
    assert page.locator("#login").is_visible()


def _idp_login(s: requests.Session, base: str, account: str) -> requests.Response:
    r = s.get(f"{base}/tai-khoan/dinh-danh/vneid/")
    action = re.search(r'action="(/interaction/[^"]+/login)"', r.text)
    assert action, r.text[:2000]
    m = re.match(r"https?://[^/]+", r.url)
    assert m is not None
    issuer = m.group(0)
    return s.post(issuer + action.group(1), data={"login": account})


def _signed_in(s: requests.Session, base: str) -> bool:
    r = s.get(f"{base}/trang-cua-toi/", allow_redirects=False)
    return r.status_code == 200


@pytest.mark.django_db(transaction=True)
def test_level_below_minimum_creates_no_session(vneid, live_server):
    s = requests.Session()
    r = _idp_login(s, live_server.url, "muc1")
    assert "Tài khoản định danh điện tử mức 1 chưa đủ: cần mức 2" in r.text
    assert not _signed_in(s, live_server.url)
    assert not User.objects.filter(citizen_id="001090000002").exists()


@pytest.mark.django_db(transaction=True)
def test_replayed_callback_is_refused(vneid, live_server):
    s = requests.Session()
    r = _idp_login(s, live_server.url, "dan")
    assert _signed_in(s, live_server.url)
    callback = next(h.url for h in r.history if "/callback/" in h.url)
    for attacker in (requests.Session(), s):
        r = attacker.get(callback)
        assert "Phiên đăng nhập VNeID không hợp lệ hoặc đã được sử dụng" in r.text
    assert not _signed_in(requests.Session(), live_server.url)


@pytest.mark.django_db(transaction=True)
def test_provider_down_local_login_still_works(live_server, settings, demo_users):
    settings.OIDC_PROVIDERS = {
        "vneid": {
            "discovery_url": f"http://127.0.0.1:{_free_port()}/.well-known/openid-configuration",
            "client_id": CLIENT_ID,
        }
    }
    oidc._clients.clear()
    s = requests.Session()
    r = s.get(f"{live_server.url}/tai-khoan/dinh-danh/vneid/")
    assert "Không kết nối được với nhà cung cấp định danh" in r.text
    assert not _signed_in(s, live_server.url)
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
    assert m is not None
    token = m.group(1)
    s.post(
        f"{live_server.url}/tai-khoan/dang-nhap/",
        data={"username": "congdan", "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": live_server.url},
    )
    assert _signed_in(s, live_server.url)


def _link(s: requests.Session, base: str, page: requests.Response, username: str):
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert m is not None
    token = m.group(1)
    return s.post(
        f"{base}/tai-khoan/dinh-danh-lien-ket/",
        data={"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": base},
    )


@pytest.mark.django_db(transaction=True)
def test_linking_requires_the_accounts_own_login(vneid, live_server, demo_users):
    base = live_server.url
    # another person's account cannot be linked
    s = requests.Session()
    r = _idp_login(s, base, "congdan")
    assert r.url.endswith("/tai-khoan/dinh-danh-lien-ket/") and not _signed_in(s, base)
    r = _link(s, base, r, "canbo.dian")
    assert "không thuộc về người có định danh điện tử này" in r.text
    assert not _signed_in(s, base)
    assert not ExternalIdentity.objects.exists()
    # the owner's own login links it
    s = requests.Session()
    r = _idp_login(s, base, "congdan")
    r = _link(s, base, r, "congdan")
    assert _signed_in(s, base)
    congdan = User.objects.get(username="congdan")
    assert ExternalIdentity.objects.get().user == congdan
    assert congdan.identity_level == 2
