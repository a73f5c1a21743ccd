"""Agencies publish in the portal: dataset forms, resource upload (checked by content and
size, loaded into the datastore), file replacement, archive and delete; scope-checked and
audited. Every bad path answers in Vietnamese and changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.audit.models import AuditEntry
from tinhso.data.models import Dataset, DatastoreTable, Resource
from tinhso.data.tests.conftest import make_dataset, make_resource

pytestmark = pytest.mark.django_db

GOOD_CSV = "Mã đơn vị,Tên,Số trường\n724,Dĩ An,40\n725,Thuận An,52\n".encode()
BAD_ROWS_CSV = "Mã,Số\n1,5\n2,6,7\n3,7\n".encode()


def dataset_post(unit_pk: int, **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "truong-hoc-2025",
        "title": "Trường học năm 2025",
        "title_en": "Schools 2025",
        "description": "Danh sách trường học.",
        "description_en": "",
        "org_unit": unit_pk,
        "theme": "education",
        "keywords": "giáo dục, trường học",
        "contact_name": "Phòng dữ liệu",
        "contact_email": "dulieu@example.vn",
        "frequency": "annual",
        "licence": "cc-by-4.0",
        "access_level": "public",
        "spatial_label": "Tỉnh Bình Dương",
        "temporal_start": "2025-01-01",
        "temporal_end": "2025-12-31",
        "source": "Sở TT&TT",
    }
    data.update(over)
    return data


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Tên", "Số"])
    ws.append(["A", 1])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def stttt(demo_users: None) -> object:
    from tinhso.orgs.selectors import orgunit_get

    return orgunit_get(code="74.STTTT")


def test_official_creates_dataset_with_all_fields_and_it_is_audited(client, user_named, stttt):
    client.force_login(user_named("canbo.stttt"))
    assert client.get("/du-lieu/quan-ly/bo-du-lieu/tao-moi/").status_code == 200
    r = client.post("/du-lieu/quan-ly/bo-du-lieu/tao-moi/", dataset_post(stttt.pk))
    assert r.status_code == 302 and r["Location"].endswith("/tai-nguyen/them/")
    ds = Dataset.objects.get(name="truong-hoc-2025")
    assert ds.org_unit == stttt and ds.title_en == "Schools 2025"
    assert sorted(k.name for k in ds.keywords.all()) == ["giáo dục", "trường học"]
    assert str(ds.temporal_end) == "2025-12-31" and ds.spatial_label == "Tỉnh Bình Dương"
    assert AuditEntry.objects.filter(action="data.dataset.create", object_id=str(ds.pk)).exists()
    html = client.get("/du-lieu/quan-ly/bo-du-lieu/").content.decode()
    assert "Trường học năm 2025" in html


def test_create_with_invalid_fields_shows_vietnamese_errors_and_creates_nothing(
    client, user_named, stttt
):
    client.force_login(user_named("canbo.stttt"))
    r = client.post(
        "/du-lieu/quan-ly/bo-du-lieu/tao-moi/",
        dataset_post(
            stttt.pk,
            name="Tên Có Dấu",
            title="",
            contact_email="khong-phai-email",
            licence="other-closed",
            temporal_start="2025-12-31",
            temporal_end="2025-01-01",
        ),
    )
    html = r.content.decode()
    assert r.status_code == 200 and not Dataset.objects.exists()
    assert "Trường này là bắt buộc." in html  # title (Django's own message, in Vietnamese)
    assert "Dữ liệu công khai phải có giấy phép mở." in html
    assert "Thời gian kết thúc phải sau thời gian bắt đầu." in html
    assert "This field" not in html and "Enter a valid" not in html


def test_create_duplicate_name_is_refused_by_the_service(client, user_named, stttt):
    make_dataset("truong-hoc-2025", title="Bản cũ")
    client.force_login(user_named("canbo.stttt"))
    r = client.post("/du-lieu/quan-ly/bo-du-lieu/tao-moi/", dataset_post(stttt.pk))
    assert "Mã bộ dữ liệu đã tồn tại." in r.content.decode()
    assert Dataset.objects.get().title == "Bản cũ"


def test_create_for_a_unit_outside_scope_is_refused(client, user_named):
    from tinhso.orgs.selectors import orgunit_get

    client.force_login(user_named("canbo.dian"))
    r = client.post(
        "/du-lieu/quan-ly/bo-du-lieu/tao-moi/", dataset_post(orgunit_get(code="74.STTTT").pk)
    )
    assert (
        r.status_code == 200 and "Bạn không quản lý dữ liệu của đơn vị này." in r.content.decode()
    )
    assert not Dataset.objects.exists()
    client.force_login(user_named("congdan"))
    assert client.get("/du-lieu/quan-ly/bo-du-lieu/tao-moi/").status_code == 403


def test_edit_dataset_and_outsider_gets_403(client, user_named, stttt):
    ds = make_dataset("ha-tang", access="shared")
    dian = __import__("tinhso.orgs.selectors", fromlist=["x"]).orgunit_get(code="724")
    url = f"/du-lieu/{ds.name}/sua/"
    client.force_login(user_named("canbo.stttt"))
    assert client.get(url).status_code == 200
    post = dataset_post(stttt.pk, title="Hạ tầng số (sửa)", access_level="shared")
    post.pop("name")
    post["licence"] = "other-closed"
    post["shared_with"] = [dian.pk]
    r = client.post(url, post)
    assert r.status_code == 302
    ds.refresh_from_db()
    assert ds.title == "Hạ tầng số (sửa)" and [u.code for u in ds.shared_with.all()] == ["724"]
    entry = AuditEntry.objects.filter(action="data.dataset.update").latest("id")
    assert entry.changes["after"]["shared_with"] == ["724"]
    # Dĩ An's official sees the shared dataset but cannot edit it
    client.force_login(user_named("canbo.thuanan"))
    assert client.get(url).status_code == 403
    assert client.post(url, {**post, "title": "Bị sửa"}).status_code == 403
    ds.refresh_from_db()
    assert ds.title == "Hạ tầng số (sửa)"
    client.logout()
    assert client.get(url).status_code == 302  # login first


def test_internal_dataset_of_another_unit_is_404_not_403(client, user_named):
    ds = make_dataset("noi-bo", access="internal", owner="724")
    client.force_login(user_named("canbo.stttt"))
    assert client.get(f"/du-lieu/{ds.name}/sua/").status_code == 404


def test_add_csv_resource_loads_the_datastore(
    client, user_named, stttt, django_capture_on_commit_callbacks
):
    ds = make_dataset("thu")
    client.force_login(user_named("canbo.stttt"))
    with django_capture_on_commit_callbacks(execute=True):  # the task runs after commit
        r = client.post(
            f"/du-lieu/{ds.name}/tai-nguyen/them/",
            {"name": "Danh sách", "file": upload("truong.csv", GOOD_CSV)},
        )
    assert r.status_code == 302 and "/nap/" in r["Location"]  # the load's progress page
    assert "Phiên bản 1 đã được nạp: 2 dòng." in client.get(r["Location"]).content.decode()
    res = Resource.objects.get(dataset=ds)
    assert res.format == "CSV" and res.datastore_active and res.file.name.endswith(".csv")
    table = DatastoreTable.objects.get(resource=res, is_current=True)
    assert table.row_count == 2 and [c["type"] for c in table.columns] == ["int", "text", "int"]
    assert AuditEntry.objects.filter(action="data.datastore.load").exists()
    html = client.get(f"/du-lieu/{ds.name}/").content.decode()
    assert "Thuận An" in html and "Thay tệp" in html


def test_add_xlsx_and_geojson_resources(client, user_named, django_capture_on_commit_callbacks):
    ds = make_dataset("thu")
    client.force_login(user_named("canbo.stttt"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/du-lieu/{ds.name}/tai-nguyen/them/",
            {"name": "Bảng", "file": upload("bang.xlsx", xlsx_bytes())},
        )
    geo = b'{"type": "FeatureCollection", "features": []}'
    client.post(
        f"/du-lieu/{ds.name}/tai-nguyen/them/",
        {"name": "Ranh giới", "file": upload("ranh-gioi.geojson", geo)},
    )
    formats = dict(Resource.objects.filter(dataset=ds).values_list("format", "datastore_active"))
    assert formats == {"XLSX": True, "GeoJSON": False}


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("anh.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Nội dung tệp không phải CSV"),
        ("bang.xlsx", "Tên,Số\nA,1\n".encode(), "Nội dung tệp không phải XLSX"),
        ("tai-lieu.csv", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj", "Nội dung tệp không phải CSV"),
        ("zip.xlsx", b"PK\x03\x04" + b"\x00" * 40, "Nội dung tệp không phải XLSX"),
        ("du-lieu.json", b"Ten,So\nA,1\n", "Nội dung tệp không phải JSON"),
        ("ban-do.geojson", b'{"a": 1}', "Tệp GeoJSON phải là một đối tượng"),
        ("chuong-trinh.exe", b"MZ\x90\x00", "Chỉ nhận tệp CSV, XLSX, JSON hoặc GeoJSON"),
    ],
)
def test_file_disguised_by_extension_is_refused(client, user_named, filename, content, message):
    ds = make_dataset("thu")
    client.force_login(user_named("canbo.stttt"))
    r = client.post(
        f"/du-lieu/{ds.name}/tai-nguyen/them/",
        {"name": "Tệp", "file": upload(filename, content)},
    )
    assert r.status_code == 400 and message in r.content.decode()
    assert not Resource.objects.filter(dataset=ds).exists()


def test_real_xlsx_renamed_to_csv_is_refused(client, user_named):
    ds = make_dataset("thu")
    client.force_login(user_named("canbo.stttt"))
    r = client.post(
        f"/du-lieu/{ds.name}/tai-nguyen/them/",
        {"name": "Tệp", "file": upload("bang.csv", xlsx_bytes())},
    )
    assert r.status_code == 400 and "Nội dung tệp không phải CSV" in r.content.decode()
    assert not Resource.objects.exists()


def test_oversized_upload_is_refused(client, user_named, settings):
    settings.DATA_MAX_FILE_BYTES = 20
    ds = make_dataset("thu")
    client.force_login(user_named("canbo.stttt"))
    r = client.post(
        f"/du-lieu/{ds.name}/tai-nguyen/them/",
        {"name": "Tệp", "file": upload("lon.csv", GOOD_CSV)},
    )
    assert r.status_code == 400 and "Tệp quá lớn" in r.content.decode()
    assert not Resource.objects.exists()


def test_oversized_upload_refused_by_the_service_too(user_named, settings):
    from django.core.exceptions import ValidationError

    from tinhso.data.services import resource_add_upload

    settings.DATA_MAX_FILE_BYTES = 20
    ds = make_dataset("thu")
    with pytest.raises(ValidationError, match="Tệp quá lớn"):
        resource_add_upload(
            actor=user_named("canbo.stttt"), dataset=ds, name="x", upload=upload("a.csv", GOOD_CSV)
        )
    assert not Resource.objects.exists()


def test_bad_rows_are_listed_and_nothing_is_added(
    client, user_named, django_capture_on_commit_callbacks
):
    ds = make_dataset("thu")
    client.force_login(user_named("canbo.stttt"))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/du-lieu/{ds.name}/tai-nguyen/them/",
            {"name": "Tệp", "file": upload("loi.csv", BAD_ROWS_CSV)},
        )
    assert r.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):  # the refused upload is removed
        html = client.get(r["Location"]).content.decode()
    assert "Không nạp được" in html and "Dòng lỗi trong tệp" in html
    assert "Dòng có 3 ô, cần 2 ô (lệch cột)." in html and '<td class="num">3</td>' in html
    assert not Resource.objects.exists() and not DatastoreTable.objects.exists()


def test_outsider_cannot_add_replace_or_delete_resources(client, user_named, tmp_path):
    ds = make_dataset("thu")
    res = make_resource(ds, tmp_path, GOOD_CSV)
    client.force_login(user_named("canbo.dian"))
    base = f"/du-lieu/{ds.name}/tai-nguyen/"
    assert client.get(base + "them/").status_code == 403
    r = client.post(base + "them/", {"name": "X", "file": upload("a.csv", GOOD_CSV)})
    assert r.status_code == 403
    r = client.post(f"{base}{res.uuid}/thay-tep/", {"file": upload("a.csv", GOOD_CSV)})
    assert r.status_code == 403
    assert client.post(f"{base}{res.uuid}/xoa/").status_code == 403
    assert client.post(f"/du-lieu/{ds.name}/luu-tru/").status_code == 403
    assert client.post(f"/du-lieu/{ds.name}/xoa/").status_code == 403
    # a head of the owner (no data.manage? heads have it) vs a citizen
    client.force_login(user_named("congdan"))
    assert client.post(f"{base}{res.uuid}/xoa/").status_code == 403
    assert Resource.objects.filter(pk=res.pk).exists() and Dataset.objects.filter(pk=ds.pk).exists()


def test_replace_file_makes_a_new_version(
    client, user_named, tmp_path, django_capture_on_commit_callbacks
):
    from tinhso.data.services import datastore_load

    ds = make_dataset("thu")
    res = make_resource(ds, tmp_path, GOOD_CSV)
    datastore_load(actor=None, resource=res)
    client.force_login(user_named("canbo.stttt"))
    new = "Mã đơn vị,Tên,Số trường\n724,Dĩ An,41\n725,Thuận An,53\n726,Bắc Tân Uyên,9\n"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/du-lieu/{ds.name}/tai-nguyen/{res.uuid}/thay-tep/",
            {"file": upload("moi.csv", new.encode())},
        )
    assert r.status_code == 302
    table = DatastoreTable.objects.get(resource=res, is_current=True)
    assert table.version == 2 and table.row_count == 3
    res.refresh_from_db()
    assert res.file.open("rb").read() == new.encode()


def test_failed_replacement_keeps_the_previous_version(
    client, user_named, tmp_path, django_capture_on_commit_callbacks
):
    from tinhso.data.services import datastore_load

    ds = make_dataset("thu")
    res = make_resource(ds, tmp_path, GOOD_CSV)
    datastore_load(actor=None, resource=res)
    old_hash = Resource.objects.get(pk=res.pk).hash
    client.force_login(user_named("canbo.stttt"))
    url = f"/du-lieu/{ds.name}/tai-nguyen/{res.uuid}/thay-tep/"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"file": upload("loi.csv", BAD_ROWS_CSV)})
    assert r.status_code == 302  # checked by the worker: the load page tells the outcome
    assert "dòng lỗi" in client.get(r["Location"]).content.decode()
    r = client.post(url, {"file": upload("moi.json", b'[{"a": 1}]')})
    assert r.status_code == 400 and "Tài nguyên này có định dạng CSV" in r.content.decode()
    r = client.post(url, {"file": upload("anh.csv", b"\x89PNG\r\n\x1a\n\x00")})
    assert r.status_code == 400 and "Nội dung tệp không phải CSV" in r.content.decode()
    table = DatastoreTable.objects.get(resource=res, is_current=True)
    res.refresh_from_db()
    assert table.version == 1 and table.row_count == 2 and res.hash == old_hash
    assert res.file.open("rb").read() == GOOD_CSV


def test_replace_geojson_file(user_named, tmp_path):
    from tinhso.data.services import resource_replace_upload

    ds = make_dataset("thu")
    res = make_resource(
        ds,
        tmp_path,
        b'{"type":"FeatureCollection","features":[]}',
        fmt="GeoJSON",
        filename="a.geojson",
    )
    new = b'{"type":"Feature","geometry":null,"properties":{}}'
    resource_replace_upload(
        actor=user_named("canbo.stttt"), resource=res, upload=upload("b.geojson", new)
    )
    res.refresh_from_db()
    assert res.file.open("rb").read() == new
    assert AuditEntry.objects.filter(action="data.resource.replace").exists()


def test_delete_resource_and_dataset(
    client, user_named, tmp_path, django_capture_on_commit_callbacks
):
    ds = make_dataset("thu")
    res = make_resource(ds, tmp_path, GOOD_CSV)
    stored = res.file.path
    client.force_login(user_named("canbo.stttt"))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/du-lieu/{ds.name}/tai-nguyen/{res.uuid}/xoa/")
    assert r.status_code == 302 and not Resource.objects.exists()
    import os

    assert not os.path.exists(stored)
    r = client.post(f"/du-lieu/{ds.name}/xoa/")
    assert r.status_code == 302 and not Dataset.objects.exists()
    assert AuditEntry.objects.filter(action="data.dataset.delete").exists()
    assert AuditEntry.objects.filter(action="data.resource.delete").exists()


def test_shared_dataset_with_grants_is_archived_not_deleted(client, catalogue, user_named, ds):
    shared = ds("ha-tang-so")
    client.force_login(user_named("canbo.stttt"))
    r = client.post("/du-lieu/ha-tang-so/xoa/", follow=True)
    assert "hãy lưu trữ bộ dữ liệu" in r.content.decode()
    assert Dataset.objects.filter(pk=shared.pk).exists()
    client.post("/du-lieu/ha-tang-so/luu-tru/")
    shared.refresh_from_db()
    assert shared.archived_at is not None
    # gone from the catalogue for others; still there for the owner
    client.force_login(user_named("canbo.dian"))
    assert client.get("/du-lieu/ha-tang-so/").status_code == 404
    client.force_login(user_named("canbo.stttt"))
    assert "đã được lưu trữ" in client.get("/du-lieu/ha-tang-so/").content.decode()
    assert "Hạ tầng số theo đơn vị cấp huyện" not in client.get("/du-lieu/").content.decode()
    assert "Hạ tầng số theo đơn vị cấp huyện" in (
        client.get("/du-lieu/quan-ly/bo-du-lieu/").content.decode()
    )
    # the demo client's grant no longer opens it
    from tinhso.data.demo import DEMO_API_KEY

    r = client.get("/api/v1/data/lgsp/datasets/ha-tang-so", HTTP_X_API_KEY=DEMO_API_KEY)
    assert r.status_code == 410
    client.post("/du-lieu/ha-tang-so/luu-tru/", {"op": "restore"})
    shared.refresh_from_db()
    assert shared.archived_at is None
    assert AuditEntry.objects.filter(action="data.dataset.archive").exists()
    assert AuditEntry.objects.filter(action="data.dataset.restore").exists()


def test_archived_public_dataset_leaves_ckan_and_dcat(client, catalogue, ds, user_named):
    from tinhso.data.services import dataset_archive

    dataset_archive(actor=None, dataset=ds("truong-hoc"))
    names = client.get("/api/3/action/package_list").json()["result"]
    assert "truong-hoc" not in names and len(names) == 9
    assert client.get("/api/3/action/package_show", {"id": "truong-hoc"}).status_code == 404
    assert client.get("/dataset/truong-hoc.ttl").status_code == 404
    assert client.get("/du-lieu/truong-hoc/").status_code == 404


def test_admin_registers_models_and_access_log_is_read_only(client, catalogue, user_named):
    from django.contrib import admin

    from tinhso.data.models import AccessLog

    assert Dataset in admin.site._registry and Resource in admin.site._registry
    log_admin = admin.site._registry[AccessLog]
    admin_user = user_named("admin")
    client.force_login(admin_user)
    assert client.get("/admin/data/dataset/").status_code == 200
    req = type("R", (), {"user": admin_user})()
    assert not log_admin.has_add_permission(req)
    assert not log_admin.has_change_permission(req)
    assert not log_admin.has_delete_permission(req)
