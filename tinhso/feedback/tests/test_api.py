"""/api/v1/feedback: submit, track, add information, rate, published answers."""

from __future__ import annotations

import pytest
from django.test import Client

from tinhso.feedback.models import Feedback, FeedbackFile

from .conftest import EXE, PNG, upload

pytestmark = pytest.mark.django_db
URL = "/api/v1/feedback"


def _anon(**extra):
    return {
        "category": "platform",
        "subject": "Không nhận được thư",
        "text": "Tôi không nhận được thư xác nhận.",
        "name": "Lê Văn Tư",
        "email": "tu@example.vn",
        **extra,
    }


def test_anonymous_submit_and_track(client, fb_demo):
    r = client.post(URL, _anon(files=[upload("anh.png", PNG, "image/png")]))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"].startswith("PAKN-") and body["status"] == "received"
    code = body["tracking_code"]
    got = client.get(f"{URL}/{body['number']}", {"code": code})
    assert got.status_code == 200 and got.json()["subject"] == "Không nhận được thư"
    bad = client.get(f"{URL}/{body['number']}", {"code": "x" * 16})
    assert bad.status_code == 404 and bad.json()["code"] == "feedback_not_found"
    info = client.post(f"{URL}/{body['number']}/info", {"code": code, "text": "Thêm thông tin"})
    assert info.status_code == 200
    rate = client.post(
        f"{URL}/{body['number']}/rating",
        {"code": code, "rating": "satisfied"},
        content_type="application/json",
    )
    assert rate.status_code == 422 and rate.json()["code"] == "invalid"  # not answered yet


def test_errors_have_stable_codes_and_store_nothing(client, fb_demo, settings):
    r = client.post(URL, _anon(files=[upload("x.pdf", EXE, "application/pdf")]))
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    assert "files" in r.json()["details"]
    r = client.post(URL, _anon(name="", email=""))
    assert r.status_code == 422 and {"name", "email"} <= set(r.json()["details"])
    r = client.post(URL, _anon(procedure_code="khong-co"))
    assert r.status_code == 404 and r.json()["code"] == "procedure_not_found"
    r = client.post(URL, _anon(dossier_number="25942-260101-0001"))
    assert r.status_code == 404 and r.json()["code"] == "dossier_not_found"
    assert not Feedback.objects.exists() and not FeedbackFile.objects.exists()
    settings.TINHSO_FEEDBACK_ANON_LIMIT = 1
    from django.core.cache import cache

    cache.clear()
    assert client.post(URL, _anon()).status_code == 201
    r = client.post(URL, _anon())
    assert r.status_code == 429 and r.json()["code"] == "throttled"
    assert Feedback.objects.count() == 1


def test_logged_in_submit_about_own_dossier(fb_demo, submit_birth, user_named):
    dossier = submit_birth()
    client = Client()
    client.force_login(user_named("congdan"))
    r = client.post(
        URL,
        {
            "category": "dossier",
            "subject": "Chậm",
            "text": "Hồ sơ chậm",
            "dossier_number": dossier.number,
        },
    )
    assert r.status_code == 201, r.content
    fb = Feedback.objects.get()
    assert fb.sender.username == "congdan" and fb.dossier == dossier
    other = Client()
    other.force_login(user_named("doanhnghiep"))
    r = other.post(
        URL, {"category": "dossier", "subject": "x", "text": "y", "dossier_number": dossier.number}
    )
    assert r.status_code == 404 and r.json()["code"] == "dossier_not_found"


def test_published_list_is_public(client, fb_demo):
    r = client.get(f"{URL}/published")
    assert r.status_code == 200 and r.json() == {"count": 0, "items": []}
