"""Inter-agency sharing: keys (hashed, shown once, rotated, revoked), grants, rate limits,
the hash-chained signed access log, access requests approved by the owner's head."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from tinhso.data.demo import DEMO_API_KEY
from tinhso.data.models import AccessLog, AccessRequest, ApiKey, ClientSystem, Grant
from tinhso.data.selectors import accesslog_verify, usage_for_owner
from tinhso.data.services import (
    access_request_create,
    access_request_decide,
    apikey_issue,
    apikey_revoke,
    apikey_rotate,
    client_register,
    grant_create,
    grant_revoke,
)
from tinhso.orgs.selectors import orgunit_get

pytestmark = pytest.mark.django_db
API = "/api/v1/data/lgsp"
TODAY = timezone.localdate()


def get(client, path, key=None, bearer=False, **params):
    headers = {}
    if key and bearer:
        headers["Authorization"] = f"Bearer {key}"
    elif key:
        headers["X-API-Key"] = key
    return client.get(API + path, params, headers=headers)


@pytest.fixture
def thuanan_client(catalogue, user_named):
    system = client_register(
        actor=user_named("canbo.thuanan"),
        org_unit=orgunit_get(code="725"),
        code="tn-app",
        name="Ứng dụng Thuận An",
    )
    _key, raw = apikey_issue(actor=user_named("canbo.thuanan"), client=system)
    return system, raw


def records_url(ds_name):
    from tinhso.data.models import Dataset

    return f"/resources/{Dataset.objects.get(name=ds_name).resources.first().uuid}/records"


def test_key_is_hashed_at_rest_and_shown_once(thuanan_client):
    system, raw = thuanan_client
    key = system.keys.get()
    assert raw.startswith(f"tsk_{key.prefix}_") and len(raw) > 40
    assert key.key_hash != raw and raw not in key.key_hash
    stored = json.dumps(list(ApiKey.objects.values()), default=str)
    assert raw.split("_", 2)[2] not in stored


def test_demo_client_reads_granted_shared_data_and_it_is_logged(client, catalogue):
    r = get(client, "/datasets", DEMO_API_KEY)
    assert r.status_code == 200
    names = {d["name"] for d in r.json()["results"]}
    assert names == {"ha-tang-so", "thong-ke-ho-so-theo-thang"}
    r = get(client, records_url("ha-tang-so"), DEMO_API_KEY, limit=4, sort="so_tram_bts desc")
    body = r.json()
    assert r.status_code == 200 and len(body["records"]) == 4 and body["total"] == 9
    entry = AccessLog.objects.order_by("-seq").first()
    assert (entry.client_code, entry.action, entry.outcome, entry.rows) == (
        "do-thi-thong-minh-di-an",
        "datastore.search",
        "ok",
        4,
    )
    assert entry.dataset_name == "ha-tang-so" and entry.grant_id
    assert entry.owner_unit.code == "74.STTTT"


def test_missing_and_invalid_keys(client, catalogue):
    r = get(client, "/datasets")
    assert r.status_code == 401 and r.json()["code"] == "missing_key"
    r = get(client, "/datasets", "tsk_demo0001_wrong-secret")
    assert r.status_code == 401 and r.json()["code"] == "invalid_key"
    r = get(client, "/datasets", "garbage", bearer=True)
    assert r.status_code == 401 and r.json()["code"] == "invalid_key"
    assert AccessLog.objects.count() == 0  # no client identified, nothing to attribute


def test_no_grant_is_refused_clearly_and_logged(client, thuanan_client):
    _system, raw = thuanan_client
    r = get(client, records_url("ha-tang-so"), raw)
    assert r.status_code == 403 and r.json()["code"] == "no_grant"
    assert "chưa được cấp quyền" in r.json()["message"]
    assert "records" not in r.json()
    r = get(client, "/datasets/ha-tang-so", raw)
    assert r.status_code == 403
    r = get(client, "/datasets/khong-ton-tai", raw)
    assert r.status_code == 404
    outcomes = list(AccessLog.objects.order_by("seq").values_list("outcome", "client_code", "rows"))
    assert outcomes == [
        ("no_grant", "tn-app", 0),
        ("no_grant", "tn-app", 0),
        ("not_found", "tn-app", 0),
    ]


def test_expired_not_started_and_revoked_grants(client, catalogue, user_named, ds):
    head = user_named("lanhdao.stttt")
    system = ClientSystem.objects.get(code="do-thi-thong-minh-di-an")
    Grant.objects.filter(client=system).delete()
    data = ds("ha-tang-so")
    grant = grant_create(
        actor=head,
        client=system,
        dataset=data,
        purpose="Thử",
        valid_from=TODAY - dt.timedelta(days=60),
        valid_until=TODAY - dt.timedelta(days=1),
    )
    r = get(client, records_url("ha-tang-so"), DEMO_API_KEY)
    assert r.status_code == 403 and r.json()["code"] == "grant_expired"
    assert (TODAY - dt.timedelta(days=1)).strftime("%d/%m/%Y") in r.json()["message"]
    grant.delete()
    grant = grant_create(
        actor=head,
        client=system,
        dataset=data,
        purpose="Thử",
        valid_from=TODAY + dt.timedelta(days=3),
        valid_until=TODAY + dt.timedelta(days=30),
    )
    assert (
        get(client, records_url("ha-tang-so"), DEMO_API_KEY).json()["code"] == "grant_not_started"
    )
    grant.delete()
    grant = grant_create(
        actor=head, client=system, dataset=data, purpose="Thử", valid_from=TODAY, valid_until=TODAY
    )
    assert get(client, records_url("ha-tang-so"), DEMO_API_KEY).status_code == 200
    grant_revoke(actor=head, grant=grant)
    r = get(client, records_url("ha-tang-so"), DEMO_API_KEY)
    assert r.status_code == 403 and r.json()["code"] == "grant_revoked"
    with pytest.raises(ValidationError):
        grant_revoke(actor=head, grant=grant)


def test_resource_level_grant_covers_only_that_resource(client, catalogue, ds, tmp_path):
    from tinhso.data.tests.conftest import make_resource

    stats = ds("thong-ke-ho-so-theo-thang")  # the demo grant covers its first resource only
    other = make_resource(stats, tmp_path, b"a,b\n1,2\n")
    from tinhso.data.services import datastore_load

    datastore_load(actor=None, resource=other)
    assert get(client, records_url("thong-ke-ho-so-theo-thang"), DEMO_API_KEY).status_code == 200
    r = get(client, f"/resources/{other.uuid}/records", DEMO_API_KEY)
    assert r.status_code == 403 and r.json()["code"] == "no_grant"
    meta = get(client, "/datasets/thong-ke-ho-so-theo-thang", DEMO_API_KEY).json()
    assert [r["id"] for r in meta["resources"]] == [str(stats.resources.first().uuid)]


def test_revoked_key_and_rotation(client, thuanan_client, user_named):
    system, raw = thuanan_client
    officer = user_named("canbo.thuanan")
    new_key, new_raw = apikey_rotate(actor=officer, client=system)
    r = get(client, "/datasets", raw)
    assert r.status_code == 401 and r.json()["code"] == "key_revoked"
    assert "thu hồi" in r.json()["message"]
    assert AccessLog.objects.filter(outcome="key_revoked", client_code="tn-app").exists()
    assert get(client, "/datasets", new_raw).status_code == 200
    apikey_revoke(actor=officer, key=new_key)
    assert get(client, "/datasets", new_raw).json()["code"] == "key_revoked"
    # rotation with a grace period keeps the old key valid until it ends
    k3, raw3 = apikey_issue(actor=officer, client=system)
    _k4, raw4 = apikey_rotate(actor=officer, client=system, grace=dt.timedelta(hours=1))
    assert get(client, "/datasets", raw3).status_code == 200
    assert get(client, "/datasets", raw4).status_code == 200
    k3.refresh_from_db()
    assert k3.revoked_at > timezone.now()
    with pytest.raises(PermissionDenied):
        apikey_issue(actor=user_named("canbo.dian"), client=system)


def test_rate_limit_per_client(client, catalogue, thuanan_client, settings):
    settings.DATA_LGSP_RATE_LIMIT = 3
    _system, raw = thuanan_client
    for _ in range(3):
        assert get(client, "/datasets", DEMO_API_KEY).status_code == 200
    r = get(client, "/datasets", DEMO_API_KEY)
    assert r.status_code == 429 and r.json()["code"] == "rate_limited" and r["Retry-After"] == "60"
    assert get(client, "/datasets", raw).status_code == 200  # another client is not affected
    assert AccessLog.objects.filter(outcome="rate_limited").count() == 1


def test_grant_rules(catalogue, user_named, ds, thuanan_client):
    system, _raw = thuanan_client
    head = user_named("lanhdao.stttt")
    period = {"valid_from": TODAY, "valid_until": TODAY + dt.timedelta(days=10)}
    with pytest.raises(ValidationError, match="không nằm trong danh sách"):
        grant_create(actor=head, client=system, dataset=ds("ha-tang-so"), purpose="x", **period)
    with pytest.raises(PermissionDenied):  # officers do not grant
        grant_create(
            actor=user_named("canbo.stttt"),
            client=system,
            dataset=ds("ha-tang-so"),
            purpose="x",
            **period,
        )
    with pytest.raises(PermissionDenied):  # heads grant only their units' data
        grant_create(
            actor=user_named("lanhdao.dian"),
            client=system,
            dataset=ds("ha-tang-so"),
            purpose="x",
            **period,
        )
    with pytest.raises(ValidationError, match="nội bộ"):
        grant_create(
            actor=user_named("lanhdao.dian"),
            client=system,
            dataset=ds("ho-so-mot-cua-di-an"),
            purpose="x",
            **period,
        )
    with pytest.raises(ValidationError) as err:
        grant_create(
            actor=head,
            client=system,
            dataset=ds("ha-tang-so"),
            purpose=" ",
            valid_from=TODAY,
            valid_until=TODAY - dt.timedelta(days=1),
        )
    assert {"purpose", "valid_until"} <= set(err.value.message_dict)
    assert Grant.objects.filter(client=system).count() == 0


def test_access_request_approved_by_owner_head(client, catalogue, user_named, ds, thuanan_client):
    system, raw = thuanan_client
    data = ds("ha-tang-so")
    AccessRequest.objects.all().delete()  # the demo's pending request from Thuận An
    req = access_request_create(
        actor=user_named("canbo.thuanan"),
        dataset=data,
        unit=orgunit_get(code="725"),
        client=system,
        purpose="Quy hoạch wifi",
        valid_from=TODAY,
        valid_until=TODAY + dt.timedelta(days=90),
    )
    with pytest.raises(PermissionDenied):
        access_request_decide(actor=user_named("canbo.stttt"), request=req, approve=True)
    with pytest.raises(PermissionDenied):
        access_request_decide(actor=user_named("lanhdao.dian"), request=req, approve=True)
    with pytest.raises(ValidationError, match="đang chờ duyệt"):  # one pending request per unit
        access_request_create(
            actor=user_named("canbo.thuanan"),
            dataset=data,
            unit=orgunit_get(code="725"),
            purpose="Lần hai",
            valid_from=TODAY,
            valid_until=TODAY,
        )
    assert get(client, records_url("ha-tang-so"), raw).status_code == 403
    access_request_decide(actor=user_named("lanhdao.stttt"), request=req, approve=True)
    req.refresh_from_db()
    assert req.status == AccessRequest.Status.APPROVED
    assert data.shared_with.filter(code="725").exists()
    assert get(client, records_url("ha-tang-so"), raw).status_code == 200
    with pytest.raises(ValidationError, match="đã được xử lý"):
        access_request_decide(
            actor=user_named("lanhdao.stttt"), request=req, approve=False, note="x"
        )


def test_access_request_bad_paths(catalogue, user_named, ds):
    officer = user_named("canbo.thuanan")
    unit = orgunit_get(code="725")
    period = {"valid_from": TODAY, "valid_until": TODAY + dt.timedelta(days=5)}
    with pytest.raises(ValidationError, match="công khai"):
        access_request_create(
            actor=officer, dataset=ds("khu-cong-nghiep"), unit=unit, purpose="x", **period
        )
    with pytest.raises(ValidationError, match="nội bộ"):
        access_request_create(
            actor=officer, dataset=ds("ho-so-mot-cua-di-an"), unit=unit, purpose="x", **period
        )
    with pytest.raises(PermissionDenied):
        access_request_create(
            actor=officer,
            dataset=ds("quy-hoach-su-dung-dat"),
            unit=orgunit_get(code="724"),
            purpose="x",
            **period,
        )
    with pytest.raises(PermissionDenied):
        access_request_create(
            actor=user_named("congdan"),
            dataset=ds("quy-hoach-su-dung-dat"),
            unit=unit,
            purpose="x",
            **period,
        )
    req = AccessRequest.objects.get(requesting_unit=unit)
    with pytest.raises(ValidationError, match="lý do"):
        access_request_decide(actor=user_named("lanhdao.stttt"), request=req, approve=False)


def test_oauth2_client_credentials(client, catalogue):
    r = client.post(
        API + "/token",
        {
            "grant_type": "client_credentials",
            "client_id": "do-thi-thong-minh-di-an",
            "client_secret": DEMO_API_KEY,
        },
    )
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    token = r.json()["access_token"]
    assert r.json()["token_type"] == "Bearer" and not token.startswith("tsk_")
    assert get(client, "/datasets", token, bearer=True).status_code == 200
    bad = client.post(
        API + "/token",
        {"grant_type": "client_credentials", "client_id": "other", "client_secret": DEMO_API_KEY},
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    assert client.post(API + "/token", {"grant_type": "password"}).status_code == 400
    ApiKey.objects.filter(prefix="demo0001").update(revoked_at=timezone.now())
    r = get(client, "/datasets", token, bearer=True)
    assert r.status_code == 401 and r.json()["code"] == "key_revoked"


def test_log_is_chained_signed_and_verifiable(client, catalogue, settings):
    for _ in range(3):
        get(client, records_url("ha-tang-so"), DEMO_API_KEY, limit=2)
    get(client, "/datasets/quy-hoach-su-dung-dat", DEMO_API_KEY)  # refused, logged too
    assert AccessLog.objects.count() == 4
    assert accesslog_verify() == []
    out = io.StringIO()
    call_command("verify_data_log", stdout=out)
    assert "toàn vẹn" in out.getvalue()
    # tampering with the rows of an entry breaks its hash
    entry = AccessLog.objects.get(seq=2)
    AccessLog.objects.filter(pk=entry.pk).update(rows=999)
    problems = accesslog_verify()
    assert [(p.seq, "hash") for p in problems if "hash" in p.reason] == [(2, "hash")]
    with pytest.raises(CommandError, match="KHÔNG toàn vẹn"):
        call_command("verify_data_log", stderr=io.StringIO())
    AccessLog.objects.filter(pk=entry.pk).update(rows=2)
    assert accesslog_verify() == []
    # deleting the last entry is detected through the chain head
    AccessLog.objects.filter(seq=4).delete()
    assert accesslog_verify()
    # a log signed with another key fails the signature check
    settings.DATA_LOG_HMAC_KEY = "another-key"
    assert any("HMAC" in p.reason for p in accesslog_verify())


def test_owner_sees_who_uses_their_data(client, catalogue, user_named):
    get(client, records_url("ha-tang-so"), DEMO_API_KEY, limit=5)
    get(client, records_url("thong-ke-ho-so-theo-thang"), DEMO_API_KEY, limit=7)
    stttt = list(usage_for_owner(user=user_named("lanhdao.stttt")))
    assert stttt == [
        {
            "client_code": "do-thi-thong-minh-di-an",
            "dataset_name": "ha-tang-so",
            "requests": 1,
            "rows": 5,
            "refused": 0,
        }
    ]
    assert list(usage_for_owner(user=user_named("lanhdao.dian"))) == []
    client.force_login(user_named("lanhdao.stttt"))
    page = client.get("/du-lieu/quan-ly/su-dung/")
    assert page.status_code == 200 and "do-thi-thong-minh-di-an" in page.content.decode()
