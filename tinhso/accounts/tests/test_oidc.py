"""OpenID Connect login, checked against the library's validation with locally signed ID
tokens (the provider's HTTP side is replaced: discovery document and JWKS are given to the
Authlib client, the token endpoint answers with the token the test signed).

The whole flow against an independent provider (Node's oidc-provider) is in
test_oidc_provider.py."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from tinhso.accounts import oidc
from tinhso.accounts.models import ExternalIdentity, User
from tinhso.audit.models import AuditEntry

ISSUER = "https://sso.example.vn"
CLIENT_ID = "tinhso-test"
START = "/tai-khoan/dinh-danh/vneid/"
CALLBACK = "/tai-khoan/dinh-danh/vneid/callback/"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})


@pytest.fixture
def provider(settings, monkeypatch):
    settings.OIDC_PROVIDERS = {
        "vneid": {
            "discovery_url": f"{ISSUER}/.well-known/openid-configuration",
            "client_id": CLIENT_ID,
            "client_secret": "s3cret",
            "min_level": 1,
        }
    }
    conf = oidc.provider_get("vneid")
    assert conf is not None
    app = oidc.client_for(conf)
    app.server_metadata.clear()
    app.server_metadata.update(
        {
            "issuer": ISSUER,
            "authorization_endpoint": f"{ISSUER}/oauth2/authorize",
            "token_endpoint": f"{ISSUER}/oauth2/token",
            "jwks": KeySet([KEY]).as_dict(private=False),
            "id_token_signing_alg_values_supported": ["RS256"],
            "_loaded_at": time.time(),
        }
    )
    state: dict[str, Any] = {"token": None}

    def fetch_access_token(**params):
        state["params"] = params
        return {"access_token": "at-1", "token_type": "Bearer", "id_token": state["token"]}

    monkeypatch.setattr(app, "fetch_access_token", fetch_access_token)
    yield state
    oidc._clients.clear()


def sign(claims, key=KEY, header=None):
    return jwt.encode(header or {"alg": "RS256", "kid": "k1"}, claims, key)


def claims_for(nonce, **over):
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "vneid-sub-1",
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "acr": "LoA2",
        "SoDinhDanh": "001090000001",
        "HoVaTen": "Nguyễn Văn Dân",
        "NgayThangNamSinh": "15/03/1990",
        "LoaiTaiKhoan": "1",
    }
    claims.update(over)
    return {k: v for k, v in claims.items() if v is not None}


def start(client):
    r = client.get(START)
    assert r.status_code == 302
    url = urlparse(r["Location"])
    assert url.netloc == "sso.example.vn"
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def finish(client, provider, state, token):
    provider["token"] = token
    return client.get(CALLBACK, {"code": "c-1", "state": state}, follow=True)


def assert_refused(response, text):
    assert "_auth_user_id" not in response.client.session
    assert not response.wsgi_request.user.is_authenticated
    body = response.content.decode()
    assert text in body, body[:3000]


@pytest.mark.django_db
def test_authorization_request_has_pkce_state_nonce(client, provider):
    q = start(client)
    assert q["response_type"] == "code"
    assert q["client_id"] == CLIENT_ID
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) >= 43
    assert q["state"] and q["nonce"]
    assert "openid" in q["scope"].split()


@pytest.mark.django_db
def test_login_creates_verified_citizen_and_audits(client, provider):
    q = start(client)
    r = finish(client, provider, q["state"], sign(claims_for(q["nonce"])))
    assert r.wsgi_request.user.is_authenticated
    user = User.objects.get(citizen_id="001090000001")
    assert user.kind == User.Kind.CITIZEN
    assert user.full_name == "Nguyễn Văn Dân"
    assert user.date_of_birth is not None
    assert user.date_of_birth.isoformat() == "1990-03-15"
    assert (user.identity_source, user.identity_level) == ("vneid", 2)
    assert user.identity_verified_at is not None
    assert not user.has_usable_password()
    assert ExternalIdentity.objects.filter(user=user, subject="vneid-sub-1").exists()
    # the PKCE verifier went to the token endpoint
    assert len(provider["params"]["code_verifier"]) >= 43
    assert AuditEntry.objects.filter(action="accounts.identity_login").count() == 1
    # a second login finds the same account by (provider, sub)
    client.logout()
    q = start(client)
    r = finish(client, provider, q["state"], sign(claims_for(q["nonce"])))
    assert r.wsgi_request.user == user
    assert User.objects.filter(citizen_id="001090000001").count() == 1


@pytest.mark.django_db
def test_claims_mapping_is_configurable(client, provider, settings):
    settings.OIDC_PROVIDERS["vneid"]["claims"] = {"citizen_id": "cccd", "full_name": "name"}
    q = start(client)
    token = sign(claims_for(q["nonce"], SoDinhDanh=None, cccd="001090000009", name="Tên Khác"))
    r = finish(client, provider, q["state"], token)
    assert r.wsgi_request.user.citizen_id == "001090000009"
    assert r.wsgi_request.user.full_name == "Tên Khác"


@pytest.mark.django_db
def test_tampered_token_is_refused(client, provider):
    q = start(client)
    token = sign(claims_for(q["nonce"]))
    head, payload, sig = token.split(".")
    forged = sign(claims_for(q["nonce"], SoDinhDanh="001090000002")).split(".")[1]
    r = finish(client, provider, q["state"], f"{head}.{forged}{payload[:0]}.{sig}")
    assert_refused(r, "Chữ ký của mã định danh không hợp lệ")
    assert not User.objects.filter(identity_source="vneid").exists()
    assert AuditEntry.objects.filter(action="accounts.identity_refused").exists()


@pytest.mark.django_db
def test_token_signed_with_another_key_is_refused(client, provider):
    q = start(client)
    r = finish(client, provider, q["state"], sign(claims_for(q["nonce"]), key=OTHER_KEY))
    assert_refused(r, "Chữ ký của mã định danh không hợp lệ")


@pytest.mark.django_db
def test_expired_token_is_refused(client, provider):
    q = start(client)
    old = int(time.time()) - 3600
    r = finish(client, provider, q["state"], sign(claims_for(q["nonce"], iat=old, exp=old + 60)))
    assert_refused(r, "Mã định danh (ID token) đã hết hạn")


@pytest.mark.django_db
def test_wrong_audience_is_refused(client, provider):
    q = start(client)
    r = finish(client, provider, q["state"], sign(claims_for(q["nonce"], aud="another-portal")))
    assert_refused(r, "Mã định danh không cấp cho Tỉnh Số")
    # even with an azp naming Tỉnh Số (the library alone would accept it)
    q = start(client)
    token = sign(claims_for(q["nonce"], aud="another-portal", azp=CLIENT_ID))
    r = finish(client, provider, q["state"], token)
    assert_refused(r, "Mã định danh không cấp cho Tỉnh Số")


@pytest.mark.django_db
def test_wrong_issuer_is_refused(client, provider):
    q = start(client)
    r = finish(client, provider, q["state"], sign(claims_for(q["nonce"], iss="https://evil.vn")))
    assert_refused(r, "không do nhà cung cấp định danh đã cấu hình phát hành")


@pytest.mark.django_db
def test_nonce_mismatch_is_refused(client, provider):
    q = start(client)
    r = finish(client, provider, q["state"], sign(claims_for("another-nonce")))
    assert_refused(r, "không khớp với yêu cầu đăng nhập này (nonce)")


@pytest.mark.django_db
def test_missing_and_replayed_state_are_refused(client, provider):
    q = start(client)
    token = sign(claims_for(q["nonce"]))
    r = finish(client, provider, "", token)
    assert_refused(r, "Phiên đăng nhập VNeID không hợp lệ hoặc đã được sử dụng")
    r = finish(client, provider, "forged-state", token)
    assert_refused(r, "Phiên đăng nhập VNeID không hợp lệ hoặc đã được sử dụng")
    r = finish(client, provider, q["state"], token)  # the real one: accepted once
    assert r.wsgi_request.user.is_authenticated
    client.logout()
    r = finish(client, provider, q["state"], token)  # replayed
    assert_refused(r, "Phiên đăng nhập VNeID không hợp lệ hoặc đã được sử dụng")


@pytest.mark.django_db
def test_level_below_minimum_is_refused(client, provider, settings):
    settings.OIDC_PROVIDERS["vneid"]["min_level"] = 2
    q = start(client)
    r = finish(client, provider, q["state"], sign(claims_for(q["nonce"], acr="LoA1")))
    assert_refused(r, "mức 1 chưa đủ: cần mức 2")
    assert not User.objects.filter(citizen_id="001090000001").exists()


@pytest.mark.django_db
def test_provider_down_keeps_local_login(client, settings, demo_users):
    settings.OIDC_PROVIDERS = {
        "vneid": {
            "discovery_url": "http://127.0.0.1:9/.well-known/openid-configuration",
            "client_id": CLIENT_ID,
        }
    }
    oidc._clients.clear()
    r = client.get(START, follow=True)
    assert_refused(r, "Không kết nối được với nhà cung cấp định danh")
    assert "Đăng nhập bằng VNeID" in r.content.decode()
    r = client.post(
        "/tai-khoan/dang-nhap/", {"username": "congdan", "password": "tinhso-demo"}, follow=True
    )
    assert r.wsgi_request.user.username == "congdan"


@pytest.mark.django_db
def test_key_rotation_fetches_the_jwks_again(client, provider, monkeypatch):
    conf = oidc.provider_get("vneid")
    assert conf is not None
    app = oidc.client_for(conf)
    new_key = RSAKey.generate_key(2048, parameters={"kid": "k2", "use": "sig", "alg": "RS256"})
    fetched = []

    def fetch_jwk_set(force=False):
        if force:
            fetched.append(True)
            app.server_metadata["jwks"] = KeySet([KEY, new_key]).as_dict(private=False)
        return app.server_metadata["jwks"]

    monkeypatch.setattr(app, "fetch_jwk_set", fetch_jwk_set)
    q = start(client)
    r = finish(
        client,
        provider,
        q["state"],
        sign(claims_for(q["nonce"]), key=new_key, header={"alg": "RS256", "kid": "k2"}),
    )
    assert fetched and r.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_existing_account_is_linked_only_after_its_login(client, provider, demo_users):
    congdan = User.objects.get(username="congdan")
    q = start(client)
    r = finish(
        client, provider, q["state"], sign(claims_for(q["nonce"], SoDinhDanh=congdan.citizen_id))
    )
    # same CCCD: not signed in by the number alone, asked to sign in to that account
    assert r.redirect_chain[-1][0] == "/tai-khoan/dinh-danh-lien-ket/"
    assert not r.wsgi_request.user.is_authenticated
    assert not ExternalIdentity.objects.exists()
    r = client.post(
        "/tai-khoan/dinh-danh-lien-ket/",
        {"username": "congdan", "password": "sai-mat-khau"},
    )
    assert not ExternalIdentity.objects.exists()
    r = client.post(
        "/tai-khoan/dinh-danh-lien-ket/",
        {"username": "congdan", "password": "tinhso-demo"},
        follow=True,
    )
    assert r.wsgi_request.user == congdan
    congdan.refresh_from_db()
    assert congdan.identity_source == "vneid" and congdan.identity_level == 2
    assert ExternalIdentity.objects.get().user == congdan
    assert AuditEntry.objects.filter(action="accounts.identity_link").count() == 1


@pytest.mark.django_db
def test_linking_another_persons_account_is_refused(client, provider, demo_users):
    from tinhso.accounts.services import citizen_register

    congdan = User.objects.get(username="congdan")
    citizen_register(
        username="nguoikhac",
        password="mat-khau-rat-dai-1",
        full_name="Người Khác",
        citizen_id="001090000003",
        check_password=False,
    )
    q = start(client)
    r = finish(
        client, provider, q["state"], sign(claims_for(q["nonce"], SoDinhDanh=congdan.citizen_id))
    )
    r = client.post(
        "/tai-khoan/dinh-danh-lien-ket/",
        {"username": "nguoikhac", "password": "mat-khau-rat-dai-1"},
        follow=True,
    )
    assert_refused(r, "không thuộc về người có định danh điện tử này")
    assert not ExternalIdentity.objects.exists()
    assert User.objects.get(username="nguoikhac").identity_source == ""
    assert AuditEntry.objects.filter(action="accounts.identity_link_refused").count() == 1


@pytest.mark.django_db
def test_business_representative_acts_for_the_asserted_tax_code(client, provider):
    q = start(client)
    token = sign(
        claims_for(
            q["nonce"],
            LoaiTaiKhoan="2",
            MaSoThue="0100109106",
            TenDoanhNghiep="Công ty Cổ phần Thử Nghiệm",
        )
    )
    r = finish(client, provider, q["state"], token)
    user = r.wsgi_request.user
    assert user.kind == User.Kind.BUSINESS
    assert user.tax_code == "0100109106"
    assert user.business_name == "Công ty Cổ phần Thử Nghiệm"
    assert user.full_name == "Nguyễn Văn Dân"  # the representative


@pytest.mark.django_db
def test_officials_directory_links_but_never_grants_roles(client, settings, provider, demo_users):
    settings.OIDC_PROVIDERS["officials"] = {
        **settings.OIDC_PROVIDERS["vneid"],
        "officials": True,
    }
    settings.OIDC_PROVIDERS.pop("vneid")
    oidc._clients.clear()
    conf = oidc.provider_get("officials")
    assert conf is not None
    app = oidc.client_for(conf)
    vneid_app_meta = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/oauth2/authorize",
        "token_endpoint": f"{ISSUER}/oauth2/token",
        "jwks": KeySet([KEY]).as_dict(private=False),
        "_loaded_at": time.time(),
    }
    app.server_metadata.update(vneid_app_meta)
    holder: dict[str, str] = {}
    app.fetch_access_token = lambda **p: {"access_token": "a", "id_token": holder["t"]}
    r = client.get("/tai-khoan/dinh-danh/officials/")
    q = {k: v[0] for k, v in parse_qs(urlparse(r["Location"]).query).items()}
    holder["t"] = sign(claims_for(q["nonce"], sub="canbo-1", roles=["admin"]))
    r = client.get(
        "/tai-khoan/dinh-danh/officials/callback/", {"code": "c", "state": q["state"]}, follow=True
    )
    assert r.redirect_chain[-1][0] == "/tai-khoan/dinh-danh-lien-ket/"
    official = User.objects.filter(kind=User.Kind.OFFICIAL).first()
    assert official is not None
    roles_before = set(official.memberships.values_list("org_unit_id", "role"))
    r = client.post(
        "/tai-khoan/dinh-danh-lien-ket/",
        {"username": official.username, "password": "tinhso-demo"},
        follow=True,
    )
    assert r.wsgi_request.user == official
    assert set(official.memberships.values_list("org_unit_id", "role")) == roles_before
    assert not official.is_superuser
