import json

import pytest

from tinhso.services.models import Status

from .conftest import BIRTH_FORM, EXE, upload

pytestmark = pytest.mark.django_db


def test_procedures_search_ignores_diacritics(client, services_demo):
    r = client.get("/api/v1/procedures", {"q": "dang ky khai sinh"})
    assert r.status_code == 200
    names = [p["name"] for p in r.json()["items"]]
    assert "Thủ tục đăng ký khai sinh" in names
    r = client.get("/api/v1/procedures", {"q": "ĐĂNG KÝ KẾT HÔN"})
    assert any(p["code"] == "1.000894" for p in r.json()["items"])
    assert client.get("/api/v1/procedures", {"q": "khong ton tai xyz"}).json()["count"] == 0
    r = client.get("/api/v1/procedures", {"level": "commune", "q": "chung thuc"})
    assert r.json()["count"] >= 3


def test_procedure_detail_and_errors(client, services_demo):
    r = client.get("/api/v1/procedures/1.001193")
    body = r.json()
    assert r.status_code == 200 and body["form"][0]["name"] == "ho_ten_tre"
    assert any(a["code"] == "25942" for a in body["agencies"])
    assert body["channels"][0]["fee_is_free"] is True
    r = client.get("/api/v1/procedures/9.999999")
    assert r.status_code == 404 and r.json()["code"] == "procedure_not_found"
    assert "Không tìm thấy" in r.json()["message"]


def test_submit_track_and_act(client, birth, ward_dian, user_named):
    part = birth.parts.filter(required=True).first()
    assert client.post("/api/v1/dossiers", {}).status_code == 401
    client.force_login(user_named("congdan"))
    r = client.post(
        "/api/v1/dossiers",
        {
            "procedure_code": "1.001193",
            "org_unit_id": ward_dian.pk,
            "form_json": json.dumps(BIRTH_FORM),
            "part_ids": str(part.pk),
            "files": [upload()],
        },
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    # bad input: disguised file
    r = client.post(
        "/api/v1/dossiers",
        {
            "procedure_code": "1.001193",
            "org_unit_id": ward_dian.pk,
            "form_json": json.dumps(BIRTH_FORM),
            "part_ids": str(part.pk),
            "files": [upload("x.pdf", EXE)],
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    assert [d["number"] for d in client.get("/api/v1/dossiers/mine").json()] == [number]
    track = client.get(f"/api/v1/dossiers/track/{number}").json()
    assert track["status"] == Status.NEW and track["applicant_name"] is None
    assert client.get("/api/v1/dossiers/track/NOPE-1").json()["code"] == "dossier_not_found"
    # the officer's queue and actions
    client.force_login(user_named("canbo.dian"))
    queue = client.get("/api/v1/dossiers/queue").json()
    assert [d["number"] for d in queue] == [number]
    d = client.get(f"/api/v1/dossiers/{queue[0]['id']}").json()
    assert "receive" in d["actions"] and "approve" not in d["actions"]
    url = f"/api/v1/dossiers/{d['id']}/actions"
    ok = client.post(
        url, {"action": "receive", "version": d["version"]}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == Status.RECEIVED
    stale = client.post(
        url,
        {"action": "refuse", "version": d["version"], "comment": "x"},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    wrong = client.post(
        url, {"action": "approve", "version": ok.json()["version"]}, content_type="application/json"
    )
    assert wrong.status_code == 422
    client.force_login(user_named("canbo.thuanan"))
    assert client.get(f"/api/v1/dossiers/{d['id']}").status_code == 404
    other = client.post(
        url, {"action": "assign", "version": ok.json()["version"]}, content_type="application/json"
    )
    assert other.status_code == 404
    assert client.get("/api/v1/dossiers/queue").json() == []


def test_openapi_documents_services(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/procedures" in paths and "/api/v1/dossiers/track/{number}" in paths
