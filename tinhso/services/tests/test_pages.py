import pytest
from django.core import mail

from tinhso.services.models import Dossier, Status
from tinhso.services.services import dossier_act

from .conftest import BIRTH_FORM, upload

pytestmark = pytest.mark.django_db


def test_catalogue_and_tracking_pages_exist(client, services_demo):
    r = client.get("/dich-vu-cong/", {"q": "dang ky khai sinh"})
    assert r.status_code == 200
    assert "Thủ tục đăng ký khai sinh" in r.content.decode()
    r = client.get("/dich-vu-cong/thu-tuc/1.001193/")
    assert r.status_code == 200 and "Giấy chứng sinh" in r.content.decode()
    assert client.get("/dich-vu-cong/thu-tuc/0.000000/").status_code == 404
    r = client.get("/dich-vu-cong/tra-cuu/")
    assert r.status_code == 200 and "Tra cứu hồ sơ" in r.content.decode()
    r = client.get("/dich-vu-cong/tra-cuu/", {"so": "KHONG-CO"})
    assert "Không tìm thấy hồ sơ" in r.content.decode()


def test_filters_by_field_and_level(client, services_demo):
    from tinhso.services.models import ProcedureField

    f = ProcedureField.objects.get(name="Chứng thực")
    body = client.get("/dich-vu-cong/", {"linh_vuc": f.pk}).content.decode()
    assert "Chứng thực di chúc" in body and "Thủ tục đăng ký khai sinh" not in body


def test_online_submission_pages(
    client, birth, ward_dian, user_named, django_capture_on_commit_callbacks
):
    client.force_login(user_named("congdan"))
    part = birth.parts.filter(required=True).first()
    url = "/dich-vu-cong/thu-tuc/1.001193/nop/"
    assert client.get(url).status_code == 200
    # missing required part: the form comes back with a message; the typed values are kept
    # in a draft (issue 15: work is never lost), nothing is sent
    data = {"org_unit": ward_dian.pk, **{f"f_{k}": v for k, v in BIRTH_FORM.items()}}
    r = client.post(url, data)
    assert r.status_code == 200 and "Thiếu thành phần hồ sơ bắt buộc" in r.content.decode()
    d = Dossier.objects.get()
    assert d.status == Status.DRAFT and d.number is None
    assert d.form_data["ho_ten_tre"] == BIRTH_FORM["ho_ten_tre"]
    r = client.post(url, {**data, "draft": d.pk, f"part_{part.pk}": upload()})
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/dich-vu-cong/ho-so/{d.pk}/xem-lai/")
    d.refresh_from_db()
    assert d.status == Status.NEW and r.url == f"/dich-vu-cong/ho-so/{d.pk}/"
    assert len(mail.outbox) == 1 and d.number in mail.outbox[0].subject
    assert mail.outbox[0].to == ["congdan@example.vn"]
    # double submit from the browser: a message, no change
    r = client.post(f"/dich-vu-cong/ho-so/{d.pk}/xem-lai/", follow=True)
    assert Dossier.objects.get().number == d.number and d.events.count() == 1
    assert d.number in client.get("/dich-vu-cong/ho-so-cua-toi/").content.decode()


def test_notification_only_after_commit(
    submit_birth, user_named, django_capture_on_commit_callbacks
):
    d = submit_birth()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        dossier_act(
            user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
        )
    # the notification (and the tracking-cache invalidation) wait for the commit
    assert mail.outbox == [] and callbacks
    for callback in callbacks:
        callback()
    assert "Được tiếp nhận" in mail.outbox[0].subject


def test_pluggable_sender(submit_birth, user_named, django_capture_on_commit_callbacks, settings):
    from tinhso.services import notifications

    sent = []
    notifications.sender_register("test-sms", sent.append)
    settings.TINHSO_NOTIFY_SENDERS = ["test-sms"]
    d = submit_birth()
    with django_capture_on_commit_callbacks(execute=True):
        dossier_act(
            user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
        )
    assert sent and sent[-1].dossier_number == d.number


def test_queue_page_and_actions(client, submit_birth, user_named):
    d = submit_birth()
    client.force_login(user_named("canbo.dian"))
    body = client.get("/dich-vu-cong/xu-ly/").content.decode()
    assert d.number in body
    r = client.post(
        f"/dich-vu-cong/ho-so/{d.pk}/thao-tac/",
        {"action": "receive", "version": d.version},
        follow=True,
    )
    assert "Được tiếp nhận" in r.content.decode()
    # a second officer with the stale version: a clear message, nothing changed
    client.force_login(user_named("lanhdao.dian"))
    r = client.post(
        f"/dich-vu-cong/ho-so/{d.pk}/thao-tac/",
        {"action": "refuse", "version": d.version, "comment": "x"},
        follow=True,
    )
    assert "vừa được người khác cập nhật" in r.content.decode()
    d.refresh_from_db()
    assert d.status == Status.RECEIVED
    client.force_login(user_named("congdan"))
    assert client.get("/dich-vu-cong/xu-ly/").status_code == 403


def test_receipt_pdf_with_qr(client, submit_birth, user_named):
    d = submit_birth()
    d = dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )
    client.force_login(user_named("congdan"))
    r = client.get(f"/dich-vu-cong/ho-so/{d.pk}/giay-hen.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF") and b"/Image" in r.content  # the QR code


def test_register_in_person_page(client, birth, ward_dian, user_named):
    client.force_login(user_named("canbo.dian"))
    assert "Chọn thủ tục" in client.get("/dich-vu-cong/xu-ly/tiep-nhan/").content.decode()
    r = client.post(
        "/dich-vu-cong/xu-ly/tiep-nhan/?thu_tuc=1.001193",
        {
            "thu_tuc": "1.001193",
            "org_unit": ward_dian.pk,
            "applicant_kind": "citizen",
            "applicant_name": "Lê Thị Mai",
            "channel": 1,
            **{f"f_{k}": v for k, v in BIRTH_FORM.items()},
        },
    )
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert d.channel == 1 and d.status == Status.RECEIVED and d.applicant is None
