"""Datastore loads: encodings, ragged rows, huge files, type inference and override,
all-or-nothing loads that keep the previous version, queries."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from tinhso.audit.models import AuditEntry
from tinhso.data.models import DatastoreRow, DatastoreTable
from tinhso.data.selectors import DatastoreQueryError, datastore_query, datastore_table
from tinhso.data.services import DatastoreLoadError, datastore_load
from tinhso.data.tests.conftest import make_dataset, make_resource, to_cp1258
from tinhso.testing import files_on_both

pytestmark = pytest.mark.django_db

VI_CSV = "Mã phường,Tên phường,Dân số,Ngày thành lập\n0274,Phường Hiệp Thành,32000,01/02/2013\n0275,Phường Phú Lợi,45123,2014-05-31\n"


@pytest.fixture
def dataset(demo_orgs):
    return make_dataset()


def rows_of(resource):
    table = datastore_table(resource=resource)
    return [r.data for r in DatastoreRow.objects.filter(table=table).order_by("row_no")]


def test_utf8_load_infers_types_and_keeps_leading_zero_codes(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, VI_CSV.encode("utf-8"))
    report = datastore_load(actor=None, resource=res)
    assert report.rows_loaded == 2 and report.encoding == "utf-8"
    types = {c["id"]: c["type"] for c in report.columns}
    assert types == {
        "ma_phuong": "text",
        "ten_phuong": "text",
        "dan_so": "int",
        "ngay_thanh_lap": "date",
    }
    assert rows_of(res)[0] == {
        "ma_phuong": "0274",
        "ten_phuong": "Phường Hiệp Thành",
        "dan_so": 32000,
        "ngay_thanh_lap": "2013-02-01",
    }
    res.refresh_from_db()
    assert res.datastore_active and res.schema[0]["label"] == "Mã phường"
    assert AuditEntry.objects.filter(action="data.datastore.load").exists()


def test_utf8_with_bom(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, b"\xef\xbb\xbf" + VI_CSV.encode("utf-8"))
    report = datastore_load(actor=None, resource=res)
    assert report.encoding == "utf-8-sig"
    assert report.columns[0]["label"] == "Mã phường"  # no BOM glued to the first header


def test_windows_1258_vietnamese_is_detected_and_normalised(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, to_cp1258(VI_CSV))
    report = datastore_load(actor=None, resource=res)
    assert report.encoding == "cp1258"
    assert rows_of(res)[0]["ten_phuong"] == "Phường Hiệp Thành"  # NFC, not decomposed
    assert report.columns[1]["label"] == "Tên phường"


def test_undecodable_file_is_refused_clearly(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, b"ten,so\nab\x81\x8d,1\n")
    with pytest.raises(DatastoreLoadError, match="bảng mã"):
        datastore_load(actor=None, resource=res)
    assert not DatastoreTable.objects.filter(resource=res).exists()


def test_declared_wrong_encoding_is_refused(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, to_cp1258(VI_CSV))
    with pytest.raises(DatastoreLoadError, match="utf-8"):
        datastore_load(actor=None, resource=res, encoding="utf-8")


def test_binary_file_is_refused(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, b"\x00\x01\x02PK\x00binary")
    with pytest.raises(DatastoreLoadError, match="NUL"):
        datastore_load(actor=None, resource=res)


def test_ragged_rows_are_reported_and_nothing_is_loaded(dataset, tmp_path):
    content = b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n"
    res = make_resource(dataset, tmp_path, content)
    with pytest.raises(DatastoreLoadError) as err:
        datastore_load(actor=None, resource=res)
    report = err.value.report
    assert [b.line for b in report.bad_rows] == [3, 4]
    assert "lệch cột" in report.bad_rows[0].reason
    assert "2 dòng lỗi" in err.value.messages[0]
    assert DatastoreRow.objects.count() == 0


def test_ragged_rows_may_be_skipped_when_allowed(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, b"a,b\n1,2\n3\n4,5\n")
    report = datastore_load(actor=None, resource=res, max_bad_rows=1)
    assert report.rows_loaded == 2 and report.bad_count == 1
    assert [r["a"] for r in rows_of(res)] == [1, 4]


def test_huge_file_is_refused_before_reading(dataset, tmp_path, settings):
    res = make_resource(dataset, tmp_path, VI_CSV.encode())
    settings.DATA_MAX_FILE_BYTES = 50
    with pytest.raises(DatastoreLoadError, match="quá lớn"):
        datastore_load(actor=None, resource=res)


def test_huge_file_cannot_even_be_added(dataset, tmp_path, settings):
    from django.core.exceptions import ValidationError

    settings.DATA_MAX_FILE_BYTES = 10
    with pytest.raises(ValidationError, match="quá lớn"):
        make_resource(dataset, tmp_path, VI_CSV.encode())
    assert dataset.resources.count() == 0


def test_type_override_and_conflicting_override_reports_bad_rows(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, VI_CSV.encode())
    report = datastore_load(actor=None, resource=res, types={"dan_so": "numeric"})
    assert {c["id"]: c["type"] for c in report.columns}["dan_so"] == "numeric"
    with pytest.raises(DatastoreLoadError) as err:
        datastore_load(actor=None, resource=res, types={"Tên phường": "int"})
    assert err.value.report.bad_rows[0].line == 2
    assert "không phải số nguyên" in err.value.report.bad_rows[0].reason
    with pytest.raises(DatastoreLoadError, match="Kiểu dữ liệu không hợp lệ"):
        datastore_load(actor=None, resource=res, types={"dan_so": "money"})
    with pytest.raises(DatastoreLoadError, match="Không có cột"):
        datastore_load(actor=None, resource=res, types={"khong_co": "int"})


def test_failed_reload_leaves_previous_version_in_place(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, VI_CSV.encode())
    first = datastore_load(actor=None, resource=res)
    old_hash = res.hash
    bad = tmp_path / "moi.csv"
    bad.write_bytes(b"a,b\n1,2\n3\n")
    with pytest.raises(DatastoreLoadError):
        datastore_load(actor=None, resource=res, path=bad)
    # a conversion failure in the second pass (inside the transaction) also rolls back
    with pytest.raises(DatastoreLoadError):
        datastore_load(actor=None, resource=res, types={"ten_phuong": "int"})
    res.refresh_from_db()
    table = datastore_table(resource=res)
    assert table.version == first.version and table.row_count == 2
    assert DatastoreTable.objects.filter(resource=res).count() == 1
    assert res.hash == old_hash
    assert rows_of(res)[1]["ten_phuong"] == "Phường Phú Lợi"


@files_on_both
def test_successful_reload_replaces_file_and_version(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, VI_CSV.encode())
    datastore_load(actor=None, resource=res)
    new = tmp_path / "moi.csv"
    new.write_bytes(b"x,y\n1,2\n3,4\n5,6\n")
    report = datastore_load(actor=None, resource=res, path=new)
    res.refresh_from_db()
    assert report.version == 2 and report.rows_loaded == 3
    assert DatastoreTable.objects.filter(resource=res).count() == 1
    assert res.size == new.stat().st_size and res.schema[0]["id"] == "x"
    assert res.file.read() == new.read_bytes()


def test_header_problems(dataset, tmp_path):
    for content, message in (
        (b"a,a\n1,2\n", "trùng"),
        (b"a,,c\n1,2,3\n", "không có tên"),
        (b"\n\n", "tiêu đề"),
    ):
        res = make_resource(dataset, tmp_path, content)
        with pytest.raises(DatastoreLoadError, match=message):
            datastore_load(actor=None, resource=res)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="rỗng"):
        make_resource(dataset, tmp_path, b"")


def test_semicolon_csv_and_quoted_newlines(dataset, tmp_path):
    res = make_resource(dataset, tmp_path, 'ten;ghi chu\n"A";"dòng 1\ndòng 2"\n"B";x\n'.encode())
    report = datastore_load(actor=None, resource=res)
    assert report.rows_loaded == 2
    assert rows_of(res)[0]["ghi_chu"] == "dòng 1\ndòng 2"


def test_xlsx_and_json_loads(dataset, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Tên", "Số lượng", "Ngày"])
    ws.append(["Một", 3, None])
    ws.append(["Hai", 4.5, None])
    buf = io.BytesIO()
    wb.save(buf)
    xlsx = make_resource(dataset, tmp_path, buf.getvalue(), fmt="XLSX", filename="a.xlsx")
    report = datastore_load(actor=None, resource=xlsx)
    assert report.rows_loaded == 2
    assert {c["id"]: c["type"] for c in report.columns}["so_luong"] == "numeric"
    js = make_resource(
        dataset,
        tmp_path,
        json.dumps([{"ma": "01", "n": 1}, {"ma": "02", "n": 2, "them": "x"}]).encode(),
        fmt="JSON",
        filename="a.json",
    )
    report = datastore_load(actor=None, resource=js)
    assert [c["id"] for c in report.columns] == ["ma", "n", "them"]
    assert rows_of(js)[1] == {"ma": "02", "n": 2, "them": "x"}
    broken = make_resource(dataset, tmp_path, b'{"a": 1}', fmt="JSON", filename="b.json")
    with pytest.raises(DatastoreLoadError, match="danh sách"):
        datastore_load(actor=None, resource=broken)
    not_xlsx = make_resource(dataset, tmp_path, b"not a zip", fmt="XLSX", filename="c.xlsx")
    with pytest.raises(DatastoreLoadError, match="XLSX"):
        datastore_load(actor=None, resource=not_xlsx)


def test_geojson_is_not_loadable(dataset, tmp_path):
    res = make_resource(
        dataset,
        tmp_path,
        b'{"type":"FeatureCollection","features":[]}',
        fmt="GeoJSON",
        filename="a.geojson",
    )
    with pytest.raises(DatastoreLoadError, match="không nạp được"):
        datastore_load(actor=None, resource=res)


def test_officer_of_another_unit_may_not_load(dataset, tmp_path, user_named):
    from django.core.exceptions import PermissionDenied

    res = make_resource(dataset, tmp_path, VI_CSV.encode())
    with pytest.raises(PermissionDenied):
        datastore_load(actor=user_named("canbo.dian"), resource=res)
    assert datastore_load(actor=user_named("canbo.stttt"), resource=res).rows_loaded == 2


def test_queries_filters_text_sort_paging_fields(dataset, tmp_path):
    lines = ["Tên,Huyện,Số"] + [
        f"Điểm {i},{'Dĩ An' if i % 2 else 'Thuận An'},{i}" for i in range(1, 21)
    ]
    res = make_resource(dataset, tmp_path, "\n".join(lines).encode())
    datastore_load(actor=None, resource=res)
    table = datastore_table(resource=res)
    r = datastore_query(table=table, filters={"huyen": "Dĩ An"}, sort="so desc", limit=3)
    assert r.total == 10 and [x["so"] for x in r.records] == [19, 17, 15]
    r = datastore_query(table=table, filters={"so": ["2", 4]}, sort="so")
    assert [x["so"] for x in r.records] == [2, 4]
    r = datastore_query(table=table, q="thuan an", limit=2, offset=2, sort="so asc")
    assert r.total == 10 and [x["so"] for x in r.records] == [6, 8]
    r = datastore_query(table=table, q={"ten": "điểm 1"}, sort="so")
    assert [x["so"] for x in r.records][:2] == [1, 10]
    r = datastore_query(table=table, fields=["so"], limit=1, include_total=False)
    assert r.records == [{"_id": 1, "so": 1}] and r.total is None
    for kwargs in (
        {"filters": {"nope": 1}},
        {"sort": "nope"},
        {"fields": ["nope"]},
        {"filters": {"so": "abc"}},
        {"sort": "so sideways"},
    ):
        with pytest.raises(DatastoreQueryError):
            datastore_query(table=table, **kwargs)


def test_load_command_with_progress_and_failure(dataset, tmp_path, capsys):
    res = make_resource(dataset, tmp_path, VI_CSV.encode())
    out = io.StringIO()
    call_command(
        "datastore_load",
        str(res.uuid),
        "--type",
        "dan_so=numeric",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "Đã nạp 2 dòng" in out.getvalue() and "dan_so:numeric" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b\n1\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="dòng lỗi"):
        call_command("datastore_load", str(res.uuid), "--file", str(bad), stderr=err)
    assert "dòng 2" in err.getvalue()
    assert datastore_table(resource=res).row_count == 2
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("datastore_load", "khong-phai-uuid")


def test_upload_is_size_checked_and_loaded(dataset, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tinhso.data.services import datastore_load_upload

    res = make_resource(dataset, tmp_path, VI_CSV.encode())
    datastore_load(actor=None, resource=res)
    settings.DATA_MAX_FILE_BYTES = 30
    big = SimpleUploadedFile("lon.csv", b"a,b\n" + b"1,2\n" * 20)
    with pytest.raises(DatastoreLoadError, match="quá lớn"):
        datastore_load_upload(actor=None, resource=res, upload=big)
    settings.DATA_MAX_FILE_BYTES = 10_000
    report = datastore_load_upload(
        actor=None, resource=res, upload=SimpleUploadedFile("moi.csv", b"a,b\n1,2\n")
    )
    assert report.rows_loaded == 1 and report.version == 2


@files_on_both
def test_failing_replace_keeps_the_old_file_downloadable(dataset, tmp_path, monkeypatch):
    """Issue 14 finding 1: a replace that fails after the new file is stored rolls the row
    back; the old file must still exist (it is deleted only after commit)."""
    import tinhso.data.services.datastore as data_services

    res = make_resource(dataset, tmp_path, VI_CSV.encode())
    datastore_load(actor=None, resource=res)
    res.refresh_from_db()
    old_name, old_bytes = res.file.name, res.file.read()
    res.file.close()

    def boom(**kwargs):
        raise RuntimeError("lock wait timeout")

    monkeypatch.setattr(data_services, "audit_record", boom)  # where datastore_load looks it up
    new = tmp_path / "moi.csv"
    new.write_bytes(b"x,y\n1,2\n")
    with pytest.raises(RuntimeError):
        datastore_load(actor=None, resource=res, path=new)
    res.refresh_from_db()
    assert res.file.name == old_name
    assert res.file.storage.exists(old_name)
    with res.file.open("rb") as fh:
        assert fh.read() == old_bytes


@files_on_both
def test_successful_replace_deletes_the_old_file_after_commit(
    dataset, tmp_path, django_capture_on_commit_callbacks
):
    res = make_resource(dataset, tmp_path, VI_CSV.encode())
    datastore_load(actor=None, resource=res)
    res.refresh_from_db()
    old_name = res.file.name
    new = tmp_path / "moi.csv"
    new.write_bytes(b"x,y\n1,2\n")
    with django_capture_on_commit_callbacks(execute=True):
        datastore_load(actor=None, resource=res, path=new)
    res.refresh_from_db()
    assert res.file.name != old_name
    assert not res.file.storage.exists(old_name)


def _bomb_xlsx(strings: int) -> bytes:
    """A valid workbook whose shared-strings part is replaced by ``strings`` entries: it
    compresses to almost nothing and expands a lot."""
    import zipfile

    wb = Workbook()
    ws = wb.active
    ws.append(["ten"])
    ws.append(["a"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "xl/sharedStrings.xml":
                dst.writestr(info.filename, src.read(info.filename))
        dst.writestr(
            "xl/sharedStrings.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main">'
            + b"<si><t>a</t></si>" * strings
            + b"</sst>",
        )
    return out.getvalue()


def test_xlsx_decompression_bomb_is_refused_before_parsing(
    dataset, tmp_path, settings, monkeypatch
):
    """Issue 14 finding 4: the uncompressed size of every part is checked before openpyxl
    opens the workbook."""
    import openpyxl

    settings.XLSX_MAX_PART_BYTES = 2 * 1024 * 1024
    bomb = _bomb_xlsx(300_000)  # ~5 MB of shared strings in a few KB
    assert len(bomb) < 100_000
    res = make_resource(dataset, tmp_path, bomb, fmt="XLSX", filename="bom.xlsx")
    with pytest.raises(DatastoreLoadError, match="giải nén"):
        datastore_load(actor=None, resource=res)

    def never(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    path = tmp_path / "bom2.xlsx"
    path.write_bytes(bomb)
    from tinhso.data import tabular

    with pytest.raises(tabular.TabularError, match="giải nén"):
        tabular.check_content(path, "XLSX")
    with pytest.raises(tabular.TabularError, match="giải nén"):
        tabular.scan(path, "XLSX")


def test_xlsx_rows_and_columns_are_bounded(dataset, tmp_path, monkeypatch):
    from tinhso.data import tabular

    wb = Workbook()
    ws = wb.active
    ws.append(["a", "b"])
    for i in range(30):
        ws.append([i, i])
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "dai.xlsx"
    path.write_bytes(buf.getvalue())
    monkeypatch.setattr(tabular, "MAX_ROWS", 20)
    with pytest.raises(tabular.TabularError, match="dòng"):
        tabular.scan(path, "XLSX")
