"""Issue 15 item 10: the feedback API's errors are in the chosen language."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_tracking_miss_in_the_chosen_language(client):
    r = client.get("/api/v1/feedback/PA-0000001", {"code": "sai"})
    assert r.status_code == 404
    assert r.json()["message"] == "Không tìm thấy phản ánh với số và mã tra cứu này."
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.get("/api/v1/feedback/PA-0000001", {"code": "sai"})
    assert r.status_code == 404 and r.json()["code"] == "feedback_not_found"
    assert r.json()["message"] == "No feedback with this number and tracking code."
    r = client.post(
        "/api/v1/feedback",
        {
            "category": "x",
            "subject": "x",
            "text": "x",
            "name": "An",
            "email": "an@example.vn",
            "procedure_code": "KHONG-CO",
        },
    )
    assert r.status_code == 404 and r.json()["message"] == "Procedure not found."
