"""DEMO ONLY sandbox identity provider (django-oauth-toolkit) and production's refusal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tinhso.accounts import oidc, sandbox
from tinhso.accounts.models import ExternalIdentity, User
from tinhso.accounts.sandbox import CLIENT_ID

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def sandbox_rp(live_server, settings):
    sandbox.sandbox_setup(redirect_bases=[live_server.url])
    settings.OIDC_PROVIDERS = {
        "vneid": {
            "discovery_url": f"{live_server.url}/sandbox/vneid/.well-known/openid-configuration",
            "client_id": CLIENT_ID,
            "client_secret": settings.OIDC_SANDBOX_SECRET,
            "min_level": 2,
        }
    }
    oidc._clients.clear()
    yield live_server.url
    oidc._clients.clear()


def _choose(s: requests.Session, base: str, identity: str) -> requests.Response:
    r = s.get(f"{base}/tai-khoan/dinh-danh/vneid/")
    assert "/sandbox/vneid/authorize/" in r.url, r.text[:1000]
    assert "code_challenge=" in r.url and "nonce=" in r.url
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', r.text)
    assert m is not None
    token = m.group(1)
    return s.post(
        r.url,
        data={"identity": identity, "csrfmiddlewaretoken": token},
        headers={"Referer": r.url},
    )


@pytest.mark.django_db(transaction=True)
def test_sandbox_signs_in_a_new_citizen_at_level_2(sandbox_rp):
    s = requests.Session()
    r = _choose(s, sandbox_rp, "congdanmoi")
    assert r.url.endswith("/trang-cua-toi/"), r.text[:2000]
    user = User.objects.get(citizen_id="074195004321")
    assert (user.full_name, user.identity_source, user.identity_level) == (
        "Lê Thị Mai",
        "vneid",
        2,
    )
    # the technical accounts behind the identities can never sign in
    assert not User.objects.get(username="sandbox.vneid.congdanmoi").is_active


@pytest.mark.django_db(transaction=True)
def test_sandbox_signs_the_demo_congdan_in(sandbox_rp, demo_users):
    sandbox.sandbox_demo_load(redirect_bases=[sandbox_rp])
    s = requests.Session()
    r = _choose(s, sandbox_rp, "congdan")
    assert r.url.endswith("/trang-cua-toi/"), r.text[:2000]
    congdan = User.objects.get(username="congdan")
    assert ExternalIdentity.objects.get(user=congdan).last_login_at is not None
    congdan.refresh_from_db()
    assert congdan.identity_level == 2


@pytest.mark.django_db(transaction=True)
def test_sandbox_level_1_identity_is_refused(sandbox_rp):
    s = requests.Session()
    r = _choose(s, sandbox_rp, "muc1")
    assert "mức 1 chưa đủ: cần mức 2" in r.text
    assert s.get(f"{sandbox_rp}/trang-cua-toi/", allow_redirects=False).status_code == 302


@pytest.mark.parametrize(
    "env",
    [
        {"TINHSO_OIDC_SANDBOX": "1"},
        {"OIDC_VNEID_DISCOVERY_URL": "https://x.vn/sandbox/vneid/.well-known/openid-configuration"},
        {"OIDC_VNEID_CLIENT_SECRET": "demo-only-vneid-sandbox-secret"},
    ],
)
def test_production_refuses_the_sandbox(env):
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TINHSO_DEMO", "OIDC_", "TINHSO_TESTING"))
    }
    base.update({"SECRET_KEY": "x" * 50, "DJANGO_SETTINGS_MODULE": "tinhso.settings"})
    code = "import django; django.setup()"
    ok = subprocess.run(
        [sys.executable, "-c", code], check=False, env=base, cwd=ROOT, capture_output=True
    )
    assert ok.returncode == 0, ok.stderr.decode()[-2000:]
    bad = subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
    )
    assert bad.returncode != 0
    assert b"cannot be used in production" in bad.stderr
