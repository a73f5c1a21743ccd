"""English for what the platform itself writes (issue 15, item 10): API errors in the
client's language, history steps and step names translated when shown (stored in
Vietnamese), counts with their plurals (copies, days, hours), notifications in the
recipient's language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from tinhso.services import deadlines
from tinhso.services.models import DossierEvent, ProcedureChannel
from tinhso.services.services import dossier_act, dossier_create_and_submit
from tinhso.services.tests.conftest import COPY_FORM

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _receive(user_named, d):
    return dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )


# --- the API speaks the client's Accept-Language --------------------------------------


def test_api_not_found_in_english_with_accept_language(client, user_named, services_demo):
    client.force_login(user_named("congdan"))
    en = client.get("/api/v1/dossiers/999999", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert en.status_code == 404
    assert en.json() == {"code": "dossier_not_found", "message": "Dossier not found."}
    assert en["Content-Language"] == "en" and "Accept-Language" in en["Vary"]
    # no header: Vietnamese; a language the platform lacks: Vietnamese
    vi = client.get("/api/v1/dossiers/999999")
    assert vi.json()["message"] == "Không tìm thấy hồ sơ."
    fr = client.get("/api/v1/dossiers/999999", HTTP_ACCEPT_LANGUAGE="fr")
    assert fr.json()["message"] == "Không tìm thấy hồ sơ."
    # the cookie (the language the user chose on the site) wins over the header
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    chosen = client.get("/api/v1/dossiers/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert chosen.json()["message"] == "Không tìm thấy hồ sơ."


def test_api_errors_of_other_apps_in_english(client, services_demo):
    track = client.get("/api/v1/dossiers/track/XX-000", HTTP_ACCEPT_LANGUAGE="en")
    assert track.json()["message"] == "No dossier found with this number."
    proc = client.get("/api/v1/procedures/0.000000", HTTP_ACCEPT_LANGUAGE="en")
    assert proc.json()["message"] == "Procedure not found."
    bad = b"not a pdf" * 10
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        "/api/v1/signing/verify",
        {"file": SimpleUploadedFile("x.pdf", bad, content_type="application/pdf")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 422 and r.json()["message"] == "The file is not a PDF document."


def test_pages_still_ignore_the_browser_language(client, services_demo):
    body = client.get("/dich-vu-cong/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="vi">' in body


# --- history steps: stored in Vietnamese, shown in the reader's language ---------------


def test_history_and_step_in_english_on_the_dossier_page(client, submit_birth, user_named):
    with translation.override("en"):  # an English-speaking applicant and officer
        d = _receive(user_named, submit_birth())
    # stored in the platform's words (the national portal receives the history)
    names = list(DossierEvent.objects.filter(dossier=d).values_list("action_name", flat=True))
    assert names == ["Nộp hồ sơ trực tuyến", "Tiếp nhận hồ sơ"]
    assert d.step.name == "Đã tiếp nhận, chờ phân công"

    client.force_login(user_named("congdan"))
    vi = client.get(f"/dich-vu-cong/ho-so/{d.pk}/").content.decode()
    assert "Nộp hồ sơ trực tuyến" in vi and "Đã tiếp nhận, chờ phân công" in vi
    en = _english(client).get(f"/dich-vu-cong/ho-so/{d.pk}/").content.decode()
    assert "Submit a dossier online" in en and "Receive a dossier" in en
    assert "Received, awaiting assignment" in en
    assert "Nộp hồ sơ trực tuyến" not in en and "Đã tiếp nhận, chờ phân công" not in en
    assert "Applicant" in en and "Người nộp" not in en


def test_tracking_steps_and_api_step_in_english(client, submit_birth, user_named):
    d = _receive(user_named, submit_birth())
    en = _english(client).get(f"/api/v1/dossiers/track/{d.number}").json()
    assert [s["action"] for s in en["steps"]] == ["Submit a dossier online", "Receive a dossier"]
    assert en["deadline"].endswith(" left")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    vi = client.get(f"/api/v1/dossiers/track/{d.number}").json()
    assert [s["action"] for s in vi["steps"]] == ["Nộp hồ sơ trực tuyến", "Tiếp nhận hồ sơ"]
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    client.force_login(user_named("congdan"))
    one = client.get(f"/api/v1/dossiers/{d.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert one["step"] == "Received, awaiting assignment"


# --- counts with plurals ----------------------------------------------------------------


def _copies_dossier(copy_proc, ward_dian, user_named, copies: int):
    d = dossier_create_and_submit(
        user=user_named("congdan"),
        procedure=copy_proc,
        org_unit=ward_dian,
        form_data={**COPY_FORM, "so_ban": str(copies)},
        files={},
    )
    return _receive(user_named, d)


def test_fee_per_copy_line_with_plural_copies(client, copy_proc, ward_dian, user_named):
    three = _copies_dossier(copy_proc, ward_dian, user_named, 3)
    one = _copies_dossier(copy_proc, ward_dian, user_named, 1)
    assert three.fee_amount == 24000
    client.force_login(user_named("congdan"))
    vi = client.get(f"/dich-vu-cong/ho-so/{three.pk}/").content.decode()
    assert "(8.000 ₫ × 3 bản)" in vi
    _english(client)
    en3 = client.get(f"/dich-vu-cong/ho-so/{three.pk}/").content.decode()
    en1 = client.get(f"/dich-vu-cong/ho-so/{one.pk}/").content.decode()
    assert "(8.000 ₫ × 3 copies)" in en3 and "24.000 ₫" in en3
    assert "(8.000 ₫ × 1 copy)" in en1
    # a fee per filing has no per-copy line
    copy_proc.channels.update(fee_per_copy=False)
    flat = _copies_dossier(copy_proc, ward_dian, user_named, 3)
    assert 'id="fee-per-copy"' not in client.get(f"/dich-vu-cong/ho-so/{flat.pk}/").content.decode()


def test_remaining_time_with_plurals():
    day = deadlines.DAY_MINUTES
    with translation.override("en"):
        assert deadlines.Remaining(day + 60).label == "1 day 1 hour left"
        assert deadlines.Remaining(2 * day + 180).label == "2 days 3 hours left"
        assert deadlines.Remaining(-300).label == "Overdue by 0 days 5 hours"
        assert str(deadlines.CLASS_LABELS[deadlines.LATE]) != "Trễ hạn"
    with translation.override("vi"):
        assert deadlines.Remaining(2 * day + 180).label == "Còn 2 ngày 3 giờ"


@pytest.mark.parametrize(
    ("value", "value_max", "unit", "english"),
    [
        (1, None, "working_day", "1 working day"),
        (15, None, "working_day", "15 working days"),
        (3, 5, "day", "3–5 days"),
        (1, None, "month", "1 month"),
        (Decimal("0.5"), None, "day", "0,5 days"),
        (4, None, "hour", "4 hours"),
    ],
)
def test_processing_time_with_plurals(value, value_max, unit, english):
    c = ProcedureChannel(
        time_value=Decimal(value),
        time_value_max=None if value_max is None else Decimal(value_max),
        time_unit=unit,
    )
    with translation.override("en"):
        assert c.time_label == english
    if unit == "working_day" and value == 15:
        with translation.override("vi"):
            assert c.time_label == "15 ngày làm việc"


# --- validation and notifications -------------------------------------------------------


def test_eform_validation_message_follows_the_language(services_demo):
    from tinhso.services.eform import _ID

    for language, text in (("en", "The personal ID number has 12 digits."), ("vi", "12 chữ số")):
        with translation.override(language):
            with pytest.raises(ValidationError) as err:
                _ID("123")
            assert text in err.value.messages[0]


def _notified(act):
    """The payloads of the notifications ``act()`` queues (one per channel, the same)."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    result = act()
    payloads = [
        r.args_kwargs["kwargs"]["payload"]
        for r in DBTaskResult.objects.filter(task_path__endswith="notification_send")
    ]
    assert len(payloads) == 2 and payloads[0] == payloads[1]
    return result, payloads[0]


def test_notification_in_the_recipients_language(settings, submit_birth, user_named):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TINHSO_NOTIFY_SENDERS = ["email", "sms"]

    # the officer works in English; the applicant has no preference: Vietnamese
    d = submit_birth()

    def receive_in_english():
        with translation.override("en"):
            return _receive(user_named, d)

    d, vi = _notified(receive_in_english)
    assert vi["subject"] == f"[Tỉnh Số] Hồ sơ {d.number}: Được tiếp nhận"
    assert "Tiếp nhận hồ sơ" in vi["body"]
    # an applicant who prefers English gets English, whoever acts in whichever language
    citizen = user_named("congdan")
    citizen.preferred_language = "en"
    citizen.save(update_fields=["preferred_language"])
    d2 = submit_birth()
    d2, en = _notified(lambda: _receive(user_named, d2))
    assert en["subject"] == f"[Tỉnh Số] Dossier {d2.number}: Received"
    assert f"Dossier {d2.number}: Receive a dossier." in en["body"]
    assert en["sms"].startswith(f"Dossier {d2.number}: Received.")
