import pytest
from django.test import override_settings
from django.urls import reverse


@pytest.mark.django_db
def test_home_is_vietnamese_with_security_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="vi">' in body
    assert "Dịch vụ công trực tuyến" in body
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_language_switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Online public services" in body


@pytest.mark.django_db
def test_404_page_is_friendly_vietnamese(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.django_db
def test_static_assets_are_local(client):
    body = client.get("/").content.decode()
    assert "http://" not in body.replace("http://www.w3.org", "")
    assert "https://" not in body


def test_dashboard_requires_login(client, db):
    response = client.get(reverse("web:dashboard"))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_officer_dashboard_shows_unit(client, user_named):
    client.force_login(user_named("canbo.dian"))
    body = client.get(reverse("web:dashboard")).content.decode()
    assert "UBND thành phố Dĩ An" in body


def test_login_and_throttling(client, demo_users):
    ok = client.post("/tai-khoan/dang-nhap/", {"username": "canbo.dian", "password": "tinhso-demo"})
    assert ok.status_code == 302
    client.logout()
    for _ in range(5):
        bad = client.post("/tai-khoan/dang-nhap/", {"username": "canbo.dian", "password": "sai"})
    assert bad.status_code in (200, 429)
    locked = client.post(
        "/tai-khoan/dang-nhap/", {"username": "canbo.dian", "password": "tinhso-demo"}
    )
    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()


def test_wrong_password_message_in_vietnamese(client, demo_users):
    response = client.post(
        "/tai-khoan/dang-nhap/", {"username": "congdan", "password": "sai-mat-khau"}
    )
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()


def test_password_reset_sends_email(client, demo_users, mailoutbox):
    response = client.post("/tai-khoan/quen-mat-khau/", {"email": "congdan@example.vn"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/tai-khoan/dat-lai-mat-khau/" in mailoutbox[0].body


def test_citizen_registration_validates_cccd(client, demo_orgs):
    bad = client.post(
        "/tai-khoan/dang-ky/",
        {"full_name": "A", "citizen_id": "123", "username": "a1", "password": "mat-khau-dai-123"},
    )
    assert "12 chữ số" in bad.content.decode()
    from tinhso.accounts.models import User

    assert not User.objects.filter(username="a1").exists()
    good = client.post(
        "/tai-khoan/dang-ky/",
        {
            "full_name": "Lê Thị C",
            "citizen_id": "074195001111",
            "username": "lethic",
            "password": "mat-khau-dai-123",
        },
    )
    assert good.status_code == 302 and good["Location"] == "/tai-khoan/dang-ky/da-nhan/"
    assert User.objects.get(username="lethic").kind == "citizen"


def test_production_settings_are_safe(monkeypatch):
    import subprocess
    import sys

    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "tinhso.settings",
        "SECRET_KEY": "x" * 50,
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False True True True []"
    env.pop("SECRET_KEY")
    failed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert failed.returncode != 0 and "SECRET_KEY" in failed.stderr


@override_settings(DEBUG=False)
def test_api_docs_served(client, db):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Tỉnh Số API"


@pytest.mark.django_db
def test_vietnamese_even_for_an_english_browser(client):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in body


def test_official_sees_audit_panel_citizen_does_not(client, user_named):
    client.force_login(user_named("lanhdao.dian"))
    assert "/nhat-ky/" in client.get("/trang-cua-toi/").content.decode()
    client.force_login(user_named("congdan"))
    assert "/nhat-ky/" not in client.get("/trang-cua-toi/").content.decode()
