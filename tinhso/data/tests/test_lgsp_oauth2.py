"""LGSP machine clients on OAuth2 client credentials (django-oauth-toolkit): scopes from the
client's grants, HTTP Basic or form credentials, immediate stop on key revocation or when the
system is disabled."""

import base64

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from tinhso.data.demo import DEMO_API_KEY
from tinhso.data.models import ApiKey, ClientSystem, LgspToken

pytestmark = pytest.mark.django_db
API = "/api/v1/data/lgsp"
CLIENT = "do-thi-thong-minh-di-an"


def token(client, scope=None, basic=True, secret=DEMO_API_KEY):
    data = {"grant_type": "client_credentials"}
    headers = {}
    if scope is not None:
        data["scope"] = scope
    if basic:
        raw = base64.b64encode(f"{CLIENT}:{secret}".encode()).decode()
        headers["Authorization"] = f"Basic {raw}"
    else:
        data.update(client_id=CLIENT, client_secret=secret)
    return client.post(API + "/token", data, headers=headers)


def bearer(client, path, access):
    return client.get(API + path, headers={"Authorization": f"Bearer {access}"})


def test_token_scopes_come_from_the_grants(client, catalogue):
    r = token(client)
    assert r.status_code == 200, r.content
    body = r.json()
    scopes = body["scope"].split()
    assert scopes[0] == "lgsp" and all(s.startswith("dataset:") for s in scopes[1:])
    assert len(scopes) > 1 and body["expires_in"] == 3600
    # the toolkit stored it, linked to the key the client authenticated with
    stored = AccessToken.objects.get(application__client_id=CLIENT)
    assert LgspToken.objects.get(access_token=stored).key.prefix == "demo0001"
    name = scopes[1].removeprefix("dataset:")
    assert bearer(client, f"/datasets/{name}", body["access_token"]).status_code == 200


def test_form_credentials_work_and_scope_beyond_grants_is_refused(client, catalogue):
    assert token(client, basic=False).status_code == 200
    r = token(client, scope="lgsp dataset:quy-hoach-su-dung-dat")
    assert r.status_code == 400 and r.json()["error"] == "invalid_scope"


def test_a_narrower_token_reaches_only_its_scopes(client, catalogue):
    full = token(client).json()["scope"].split()
    name = full[1].removeprefix("dataset:")
    narrow = token(client, scope="lgsp").json()["access_token"]
    r = bearer(client, f"/datasets/{name}", narrow)
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"
    assert "dataset:" in r.json()["message"]


def test_disabling_the_system_stops_its_tokens_at_once(client, catalogue):
    access = token(client).json()["access_token"]
    ClientSystem.objects.filter(code=CLIENT).update(is_active=False)
    r = bearer(client, "/datasets", access)
    assert r.status_code == 403 and r.json()["code"] == "client_disabled"


def test_revoked_key_gets_no_token_and_tokens_are_not_secrets(client, catalogue):
    access = token(client).json()["access_token"]
    # an access token is not a client secret
    r = token(client, secret=access)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    ApiKey.objects.filter(prefix="demo0001").update(revoked_at=timezone.now())
    r = token(client)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    r = bearer(client, "/datasets", access)
    assert r.status_code == 401 and r.json()["code"] == "key_revoked"


def test_expired_token_is_refused(client, catalogue):
    access = token(client).json()["access_token"]
    AccessToken.objects.update(expires=timezone.now() - timezone.timedelta(seconds=1))
    r = bearer(client, "/datasets", access)
    assert r.status_code == 401 and r.json()["code"] == "token_expired"
