"""Portal pages: catalogue with facets, dataset page with preview and chart, agency page,
downloads, access requests approved by the owner's head, client systems and keys."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from tinhso.data.models import AccessRequest, ApiKey, ClientSystem, Grant

pytestmark = pytest.mark.django_db


def test_catalogue_page_search_and_facets(client, catalogue):
    r = client.get("/du-lieu/")
    html = r.content.decode()
    assert r.status_code == 200 and "10 bộ dữ liệu" in html
    assert "Hạ tầng số" not in html
    assert "Sở Y tế" in html and "Y tế" in html  # facets
    r = client.get("/du-lieu/", {"q": "truong hoc"})
    assert "Số trường và học sinh theo cấp học" in r.content.decode()
    assert "1 bộ dữ liệu" in r.content.decode()
    r = client.get("/du-lieu/", {"theme": "health"})
    assert "Cơ sở khám chữa bệnh công lập" in r.content.decode()
    assert "Các khu công nghiệp" not in r.content.decode()
    r = client.get("/du-lieu/", {"format": "XLSX"})
    assert "Điểm du lịch" in r.content.decode() and "1 bộ dữ liệu" in r.content.decode()


def test_official_sees_shared_metadata_in_catalogue(client, catalogue, user_named):
    client.force_login(user_named("canbo.thuanan"))
    html = client.get("/du-lieu/", {"access": "shared"}).content.decode()
    assert "Hạ tầng số theo đơn vị cấp huyện" in html and "Hồ sơ một cửa" not in html


def test_dataset_page_with_preview_table_and_chart_data(client, catalogue):
    r = client.get("/du-lieu/khu-cong-nghiep/")
    html = r.content.decode()
    assert r.status_code == 200
    assert (
        '<caption>Dữ liệu <span lang="vi">Các khu công nghiệp tỉnh Bình Dương</span> (xem trước)'
        "</caption>" in html
    )
    assert "KCN Việt Nam - Singapore (VSIP)" in html
    data = json.loads(
        re.search(
            r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert data["labels"][0] == "KCN Việt Nam - Singapore (VSIP)"
    assert data["series"][0]["label"] == "Diện tích (ha)" and data["series"][0]["values"][0] == 500
    assert "data/chart.js" in html and "vendor/chart.umd.min.js" in html
    assert "<script>" not in html and 'style="' not in html  # strict CSP
    assert "Số liệu minh họa" in html


def test_shared_dataset_page_and_downloads(client, catalogue, user_named, ds):
    shared = ds("ha-tang-so")
    res = shared.resources.first()
    download = f"/du-lieu/ha-tang-so/tai-nguyen/{res.uuid}/tai-ve/"
    assert client.get("/du-lieu/ha-tang-so/").status_code == 404  # anonymous
    assert client.get(download).status_code == 404
    client.force_login(user_named("canbo.thuanan"))
    html = client.get("/du-lieu/ha-tang-so/").content.decode()
    assert "Yêu cầu truy cập" in html and "chart-data" not in html
    assert client.get(download).status_code == 403
    client.force_login(user_named("canbo.dian"))  # Dĩ An is a named unit
    html = client.get("/du-lieu/ha-tang-so/").content.decode()
    assert "chart-data" in html and "Yêu cầu truy cập" not in html
    r = client.get(download)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith("Mã đơn vị".encode())


def test_public_download_has_the_published_hash(client, catalogue, ds):
    import hashlib

    res = ds("truong-hoc").resources.first()
    r = client.get(f"/du-lieu/truong-hoc/tai-nguyen/{res.uuid}/tai-ve/")
    content = b"".join(r.streaming_content)
    assert hashlib.sha256(content).hexdigest() == res.hash


def test_agency_page(client, catalogue, user_named):
    html = client.get("/du-lieu/don-vi/74.SYT/").content.decode()
    assert "Sở Y tế" in html and "Cơ sở khám chữa bệnh công lập" in html
    assert "Hạ tầng số" not in client.get("/du-lieu/don-vi/74.STTTT/").content.decode()
    assert client.get("/du-lieu/don-vi/KHONG/").status_code == 404


def test_request_access_then_head_approves(client, catalogue, user_named, ds):
    AccessRequest.objects.all().delete()
    client.force_login(user_named("canbo.thuanan"))
    url = "/du-lieu/ha-tang-so/yeu-cau-truy-cap/"
    from tinhso.orgs.selectors import orgunit_get

    unit = orgunit_get(code="725")
    today = timezone.localdate()
    r = client.post(
        url, {"unit": unit.pk, "purpose": "", "valid_from": today, "valid_until": today}
    )
    assert r.status_code == 200 and "errorlist" in r.content.decode()
    r = client.post(
        url,
        {
            "unit": unit.pk,
            "purpose": "Kế hoạch wifi công cộng",
            "valid_from": today,
            "valid_until": today + dt.timedelta(days=30),
        },
    )
    assert r.status_code == 302
    req = AccessRequest.objects.get()
    # an officer of the owner unit cannot approve; the head can
    client.force_login(user_named("canbo.stttt"))
    client.post(f"/du-lieu/quan-ly/yeu-cau/{req.pk}/", {"decision": "approve"})
    req.refresh_from_db()
    assert req.status == "pending"
    client.force_login(user_named("lanhdao.stttt"))
    html = client.get("/du-lieu/quan-ly/yeu-cau/").content.decode()
    assert "Kế hoạch wifi công cộng" in html
    client.post(f"/du-lieu/quan-ly/yeu-cau/{req.pk}/", {"decision": "approve", "note": "Đồng ý"})
    req.refresh_from_db()
    assert req.status == "approved" and req.decided_by.username == "lanhdao.stttt"
    client.force_login(user_named("canbo.thuanan"))
    assert "chart-data" in client.get("/du-lieu/ha-tang-so/").content.decode()


def test_client_registration_and_key_shown_once(client, catalogue, user_named):
    client.force_login(user_named("canbo.thuanan"))
    from tinhso.orgs.selectors import orgunit_get

    r = client.post(
        "/du-lieu/quan-ly/he-thong/",
        {"unit": orgunit_get(code="725").pk, "code": "app-tn", "name": "Ứng dụng"},
    )
    system = ClientSystem.objects.get(code="app-tn")
    assert r.status_code == 302
    r = client.post(f"/du-lieu/quan-ly/he-thong/{system.pk}/", {"op": "issue"})
    html = r.content.decode()
    raw = re.search(r'<code class="api-key">(tsk_[^<]+)</code>', html).group(1)
    assert r["Cache-Control"] == "no-store"
    assert raw not in client.get(f"/du-lieu/quan-ly/he-thong/{system.pk}/").content.decode()
    key = ApiKey.objects.get(client=system)
    client.post(f"/du-lieu/quan-ly/he-thong/{system.pk}/", {"op": "revoke", "key": key.pk})
    key.refresh_from_db()
    assert key.revoked_at is not None
    client.force_login(user_named("canbo.dian"))  # another unit's client is not visible
    assert client.get(f"/du-lieu/quan-ly/he-thong/{system.pk}/").status_code == 404


def test_owner_head_grants_from_dataset_page(client, catalogue, user_named, ds):
    system = ClientSystem.objects.get(code="do-thi-thong-minh-di-an")
    client.force_login(user_named("lanhdao.stttt"))
    html = client.get("/du-lieu/ha-tang-so/").content.decode()
    assert "Cấp quyền cho một hệ thống kết nối" in html
    today = timezone.localdate()
    client.post(
        "/du-lieu/ha-tang-so/cap-quyen/",
        {"client": system.pk, "purpose": "Bản đồ", "valid_from": today, "valid_until": today},
    )
    grant = Grant.objects.filter(dataset__name="ha-tang-so", purpose="Bản đồ").get()
    client.post(f"/du-lieu/quan-ly/quyen/{grant.pk}/thu-hoi/")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    client.force_login(user_named("canbo.stttt"))
    assert client.post("/du-lieu/ha-tang-so/cap-quyen/", {}).status_code == 403


def test_role_page_panel_shows_pending_requests(client, catalogue, user_named):
    from tinhso.panels import panels_for

    panel = next(
        p for p in panels_for(user_named("lanhdao.stttt")) if p.title == "Dữ liệu dùng chung"
    )
    assert ("Yêu cầu chờ duyệt", 1) in panel.figures  # the demo request from Thuận An
    assert not [p for p in panels_for(user_named("congdan")) if p.title == "Dữ liệu dùng chung"]
    client.force_login(user_named("lanhdao.stttt"))
    assert "Dữ liệu dùng chung" in client.get("/trang-cua-toi/").content.decode()
