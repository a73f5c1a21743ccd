"""The catalogue importer over every record in shared/data/tthc, and the parsers."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tinhso.services import tthc
from tinhso.services.importer import ImportReport, tthc_import
from tinhso.services.models import Procedure, ProcedureChannel

TTHC = Path(settings.SHARED_DIR) / "data" / "tthc"


def test_parse_channels_messy_text():
    specs, problems = tthc.parse_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến1Miễn phíDịch vụ bưu chính"
        "5 Ngày làm việc25 USDTrực tiếp2 - 3 Ngày làm việc1,500,000 - 2,000,000 VNĐ"
        "(Tùy trường hợp)Trực tiếp2 GiờKhông có thông tin"
    )
    assert [(s.channel, s.time_value, s.time_unit) for s in specs] == [
        (2, Decimal(1), ""),
        (3, Decimal(5), "working_day"),
        (1, Decimal(2), "working_day"),
        (1, Decimal(2), "hour"),
    ]
    assert specs[0].fee_is_free and specs[1].fee_amount == 25 and specs[1].fee_currency == "USD"
    assert (specs[2].fee_amount, specs[2].fee_amount_max, specs[2].time_value_max) == (
        1500000,
        2000000,
        Decimal(3),
    )
    assert specs[2].description == "(Tùy trường hợp)"
    assert specs[3].fee_amount is None and not specs[3].fee_is_free
    assert {(p.field, p.code) for p in problems} == {("time", "no_unit"), ("fee", "missing")}


def test_parse_never_invents():
    specs, problems = tthc.parse_channels("Nộp tại trụ sở, thời gian theo quy định")
    assert specs == [] and problems[-1].code == "unparsed"
    specs, problems = tthc.parse_channels(
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp7 Ngày làm việc100 VNĐ(100.000 đồng/lần.)"
    )
    assert specs[0].fee_amount == 100  # as written; the disagreement is reported
    assert problems[0].code == "mismatch"


def test_parse_parts_and_result():
    parts, problems = tthc.parse_parts(
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai theo mẫuMau_to_khai.docx1 bản chính"
        "- Trường hợp ủy quyền thì có văn bản ủy quyền0 bản chính,1 bản sao"
    )
    assert problems == []
    assert parts[0].name == "Tờ khai theo mẫu" and parts[0].form_name == "Mau_to_khai.docx"
    assert parts[0].required and parts[0].group == "Giấy tờ phải nộp"
    assert not parts[1].required and parts[1].copies == 1 and parts[1].copy_kind == "bản sao"
    results, _ = tthc.parse_results("Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tinMô tả")
    assert results[0].name == "Giấy khai sinh" and results[0].code == "KQ.G15.000031"


@pytest.mark.parametrize(
    "bad", [[], "x", {"ma_thu_tuc": ""}, {"ma_thu_tuc": "1.2", "ten_thu_tuc": ""}]
)
def test_parse_record_rejects_unusable(bad):
    with pytest.raises(ValueError):
        tthc.parse_record(bad)


@pytest.mark.django_db
def test_import_all_records_counts_and_idempotence(tmp_path):
    if not TTHC.is_dir():
        pytest.fail(f"shared data not found at {TTHC}")
    report = tthc_import(root=TTHC)
    assert report.files == 1135 and report.failed == 0
    assert report.created == 1135 and Procedure.objects.count() == 1135
    # per field (time and fee per channel): "parsed" only where the source states the value
    # with its unit; unit-less, glued and conflicting values are their own columns
    assert report.summary_rows_map() == {
        "channels": {"parsed": 1135},
        "fee": {"parsed": 2320, "ambiguous": 21, "missing": 789},
        "field": {"parsed": 1135},
        "level": {"parsed": 1135},
        "parts": {"parsed": 1114, "missing": 19, "unparsed": 2},
        "result": {"parsed": 1134, "missing": 1},
        "time": {
            "parsed": 2763,
            "no_unit": 175,
            "ambiguous": 21,
            "conflicting": 22,
            "missing": 149,
        },
    }
    assert len(report.problems) == 1332
    assert ProcedureChannel.objects.count() == 3130
    birth = Procedure.objects.get(code="1.001193")
    assert birth.levels == ",commune," and birth.field.name == "Hộ tịch"
    assert birth.result_name == "Giấy khai sinh"
    assert birth.raw["cach_thuc_thuc_hien"].startswith("Hình thức nộp")  # raw text kept
    assert birth.search_text.startswith("1.001193 thu tuc dang ky khai sinh")
    csv_path = tmp_path / "problems.csv"
    report.write_csv(csv_path)
    with csv_path.open(encoding="utf-8", newline="") as fh:
        rows = list(__import__("csv").DictReader(fh))
    assert len(rows) == 1332 and rows[0]["file"].endswith(".json")
    again = tthc_import(root=TTHC)
    assert (again.unchanged, again.created, again.updated) == (1135, 0, 0)
    assert Procedure.objects.count() == 1135


@pytest.mark.django_db
def test_import_survives_bad_files(tmp_path):
    ministry = tmp_path / "bo-thu"
    ministry.mkdir()
    (ministry / "a.json").write_text("{not json", encoding="utf-8")
    (ministry / "b.json").write_text("[1, 2]", encoding="utf-8")
    (ministry / "c.json").write_bytes(b"\xff\xfe\x00")
    good = json.loads((TTHC / "bo-tu-phap" / "1.001193.json").read_text(encoding="utf-8"))
    good["cach_thuc_thuc_hien"] = "Liên hệ cơ quan"
    (ministry / "d.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    report = tthc_import(root=tmp_path)
    assert (report.files, report.failed, report.created) == (4, 3, 1)
    proc = Procedure.objects.get(code="1.001193")
    assert proc.channels.count() == 0
    assert any(p["field"] == "channels" and p["code"] == "unparsed" for p in proc.parse_problems)


@pytest.mark.django_db
def test_import_command_writes_csv(tmp_path):
    out = __import__("io").StringIO()
    call_command(
        "import_tthc",
        str(TTHC),
        "--ministry",
        "bo-tu-phap",
        "--csv",
        str(tmp_path / "p.csv"),
        stdout=out,
    )
    assert "Bản ghi: 271" in out.getvalue()
    assert (tmp_path / "p.csv").exists()


def test_report_summary_helper():
    r = ImportReport()
    r.count("fee", "parsed")
    r.count("fee", "missing")
    r.count("time", "no_unit")
    assert r.summary_rows() == [("fee", 1, 0, 0, 0, 1, 0), ("time", 0, 1, 0, 0, 0, 0)]


HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả"


@pytest.mark.parametrize(
    "glued",
    [
        "Trực tuyến120 VNĐ",
        "Trực tiếp1100 VNĐ",
        "Trực tuyến125 VNĐ",
        "Trực tuyến1200 VNĐ",
        # a note seems to settle it, yet contradicts every split: still not guessed
        "Trực tuyến120 VNĐ(20.000 vnđ/tờ khai)",
        "Dịch vụ bưu chính2 - 315,000 Đồng",
    ],
)
def test_glued_time_and_fee_are_reported_never_split(glued):
    specs, problems = tthc.parse_channels(HEADER + glued)
    assert len(specs) == 1
    spec = specs[0]
    assert (spec.time_value, spec.time_value_max, spec.time_unit) == (None, None, "")
    assert (spec.fee_amount, spec.fee_amount_max, spec.fee_is_free) == (None, None, False)
    assert spec.review == "ambiguous" and spec.raw.startswith(glued[:8])
    assert {(p.field, p.code) for p in problems} == {("time", "ambiguous"), ("fee", "ambiguous")}


def test_separated_time_and_fee_are_read():
    specs, problems = tthc.parse_channels(HEADER + "Trực tuyến15 Ngày120 VNĐTrực tiếp1 20 VNĐ")
    assert (specs[0].time_value, specs[0].time_unit, specs[0].fee_amount) == (15, "day", 120)
    assert specs[0].review == ""
    # a number without a unit is kept as the source wrote it, and marked for review
    assert (specs[1].time_value, specs[1].time_unit, specs[1].review) == (1, "", "no_unit")
    assert [p.code for p in problems] == ["no_unit"]


def test_time_stated_in_the_description():
    specs, problems = tthc.parse_channels(
        HEADER + "Trực tuyếnKhông có thông tinMiễn phí"
        "(Trong thời hạn 15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ)"
        "Trực tiếpKhông có thông tinMiễn phí(Thời hạn giải quyết là 02 tháng)"
        "Dịch vụ bưu chínhKhông có thông tinMiễn phí(Nộp kèm 2 ảnh 4x6)"
    )
    assert [(s.time_value, s.time_unit, s.time_source) for s in specs] == [
        (15, "working_day", "description"),
        (2, "month", "description"),
        (None, "", ""),
    ]
    assert [(p.field, p.code) for p in problems] == [("time", "missing")]


def test_conflicting_times_in_the_description_are_not_kept():
    specs, problems = tthc.parse_channels(
        HEADER + "Trực tuyếnKhông có thông tinMiễn phí"
        "(Trong thời hạn 15 ngày kể từ ngày nhận; trường hợp phức tạp không quá 30 ngày)"
    )
    assert specs[0].time_value is None and specs[0].review == "conflicting"
    assert problems[0].code == "conflicting" and "15 ngày, 30 ngày" in problems[0].message


@pytest.mark.django_db
def test_import_stores_no_value_for_the_glued_records():
    glued = {
        "bo-tu-phap": ["1.004757", "1.005136", "1.005137", "1.005141", "2.001895", "2.002797"],
        "bo-xay-dung": ["1.005103", "1.013092", "1.013205"],
    }
    codes = {c for cs in glued.values() for c in cs}
    report = tthc_import(root=TTHC, ministries=list(glued), codes=codes)
    assert report.created == 9
    reported = {p["code"] for p in report.problems if p["problem"] == "ambiguous"}
    assert reported == codes
    rows = ProcedureChannel.objects.filter(procedure__code__in=codes, review="ambiguous")
    assert rows.count() >= 9
    for ch in rows:
        assert ch.time_value is None and ch.fee_amount is None and not ch.fee_is_free
        assert ch.needs_review and ch.duration is None
        assert "VNĐ" in ch.raw or "Đồng" in ch.raw
    # a re-import after a parser change parses again (the digest includes the version)
    again = tthc_import(root=TTHC, ministries=list(glued), codes=codes)
    assert again.unchanged == 9
