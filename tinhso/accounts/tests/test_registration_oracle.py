"""Issue 14 finding 8: the registration form does not tell a visitor whether an ID number
(CCCD) or a tax code already has an account. Both paths answer the same; the real owner is
told by e-mail and no second account is created."""

import re

import pytest

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _post(client, url, data, capture):
    with capture(execute=True):  # the e-mails leave after commit
        r = client.post(url, data, REMOTE_ADDR="198.51.100.20")
    body = client.get(r["Location"]).content if r.status_code == 302 else r.content
    # the per-request tokens (CSRF, CSP nonce) differ from one page to the next anyway
    body = re.sub(rb'(X-CSRFToken": "|csrfmiddlewaretoken" value="|nonce=")[^"]+', rb"\\1", body)
    return r.status_code, r.get("Location"), body


def test_cccd_with_an_account_answers_as_a_success(
    client, demo_users, mailoutbox, django_capture_on_commit_callbacks
):
    fresh = {
        "full_name": "Lê Thị C",
        "citizen_id": "074195001111",
        "email": "lethic@example.vn",
        "username": "lethic",
        "password": "mat-khau-dai-123",
    }
    taken = {**fresh, "citizen_id": "074190001234", "username": "kedoan", "email": "x@ex.vn"}
    new = _post(client, "/tai-khoan/dang-ky/", fresh, django_capture_on_commit_callbacks)
    dup = _post(client, "/tai-khoan/dang-ky/", taken, django_capture_on_commit_callbacks)
    assert new == dup
    assert new[0] == 302 and new[1] == "/tai-khoan/dang-ky/da-nhan/"
    assert "kiểm tra thư điện tử" in new[2].decode()
    assert "đã có tài khoản" not in dup[2].decode()
    # nobody is logged in by either
    assert "_auth_user_id" not in client.session
    # the account was created for the fresh number, not for the taken one
    assert User.objects.get(username="lethic").citizen_id == "074195001111"
    assert not User.objects.filter(username="kedoan").exists()
    assert User.objects.filter(citizen_id="074190001234").count() == 1
    # the real owner (congdan) is told, and the attempt is in the audit chain
    to = sorted(addr for m in mailoutbox for addr in m.to)
    assert to == ["congdan@example.vn", "lethic@example.vn"]
    owner_mail = next(m for m in mailoutbox if m.to == ["congdan@example.vn"])
    assert "congdan" in owner_mail.body and "kedoan" not in owner_mail.body
    assert AuditEntry.objects.filter(
        action="user.register_duplicate", object_id=str(User.objects.get(username="congdan").pk)
    ).exists()


def test_tax_code_with_an_account_answers_as_a_success(
    client, demo_users, mailoutbox, django_capture_on_commit_callbacks
):
    fresh = {
        "business_name": "Công ty Mới",
        "tax_code": "0312345602",
        "username": "ctymoi",
        "password": "mat-khau-dai-123",
    }
    taken_code = User.objects.get(username="doanhnghiep").tax_code
    taken = {**fresh, "tax_code": taken_code, "username": "ctykhac"}
    new = _post(
        client, "/tai-khoan/dang-ky/doanh-nghiep/", fresh, django_capture_on_commit_callbacks
    )
    dup = _post(
        client, "/tai-khoan/dang-ky/doanh-nghiep/", taken, django_capture_on_commit_callbacks
    )
    assert new == dup and new[0] == 302
    assert User.objects.filter(tax_code=taken_code).count() == 1
    assert not User.objects.filter(username="ctykhac").exists()


def test_other_errors_still_show_and_come_before_the_number(client, demo_users):
    """A taken username or a weak password is reported whatever the number: the number's
    check comes last, so these errors say nothing about it."""
    base = {"full_name": "A", "username": "congdan", "password": "mat-khau-dai-123"}
    for cid in ("074190001234", "074195009999"):
        r = client.post("/tai-khoan/dang-ky/", {**base, "citizen_id": cid})
        assert r.status_code == 200
        assert "Tên đăng nhập đã được sử dụng" in r.content.decode()
        assert "đã có tài khoản" not in r.content.decode()
