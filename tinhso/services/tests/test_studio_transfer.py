"""Import and export of a procedure's configuration (issue 16, part D)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from tinhso.audit.models import AuditEntry
from tinhso.services.models import FeeAdjustment, FormRevision, Process, ResultTemplate
from tinhso.services.studio import services as studio
from tinhso.services.studio.transfer import config_export, config_import
from tinhso.services.tests.test_studio import _build

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(birth, user_named) -> dict[str, Any]:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    studio.revision_publish(user=admin, revision_id=draft.pk)
    data = config_export(procedure=birth)
    data["fee_adjustments"] = [{"unit": "25942", "amount": 10000, "reason": "NQ HĐND"}]
    data["process"] = {
        "name": "Một bước",
        "steps": [
            {"code": "new", "name": "Chờ tiếp nhận", "status": 1, "is_start": True},
            {"code": "returned", "name": "Đã trả", "status": 10, "is_end": True},
        ],
        "actions": [
            {
                "code": "receive",
                "name": "Tiếp nhận",
                "from": "new",
                "to": "returned",
                "role": "officer",
            }
        ],
    }
    # another province: the same national procedure with nothing configured yet
    FormRevision.objects.filter(procedure=birth).update(state="superseded")
    ResultTemplate.objects.filter(procedure=birth).delete()
    return json.loads(json.dumps(data))


def _nothing_stored(birth) -> None:
    assert not FormRevision.objects.filter(procedure=birth, state="draft").exists()
    assert not FeeAdjustment.objects.exists()
    assert not ResultTemplate.objects.filter(procedure=birth).exists()
    assert not Process.objects.filter(code__startswith=f"{birth.code}-nhap").exists()
    assert not AuditEntry.objects.filter(action="services.studio_import").exists()


def test_export_then_import_round_trip(birth, user_named, exported) -> None:
    admin = user_named("vanphong.cds")
    draft = config_import(user=admin, procedure=birth, raw=json.dumps(exported).encode())
    assert draft.state == "draft"
    assert [f["name"] for f in draft.fields] == [f["name"] for f in exported["form"]["fields"]]
    upload_part = next(f["part"] for f in draft.fields if f["kind"] == "upload")
    assert birth.parts.filter(pk=upload_part, required=True).exists()
    assert FeeAdjustment.objects.get(procedure=birth).amount == 10000
    birth.refresh_from_db()
    assert birth.process.steps.count() == 2
    assert ResultTemplate.objects.get(procedure=birth).title == "Giấy khai sinh"
    studio.revision_publish(user=admin, revision_id=draft.pk)


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (lambda d: "{not json", "Tệp không phải JSON hợp lệ."),
        (lambda d: {**d, "format": "x"}, "không phải cấu hình thủ tục của Tỉnh Số"),
        (lambda d: {**d, "procedure": {"code": "9.999"}}, "không phải 1.001193"),
        (
            lambda d: d["form"]["fields"][3].update(show_if={"field": "khong_co", "equals": ""}),
            "“khong_co” không có ở phía trước",
        ),
        (
            lambda d: d["form"]["fields"][1].update(kind="bogus"),
            "kiểu “bogus” không hợp lệ",
        ),
        (lambda d: d["fee_adjustments"][0].update(unit="00000"), "không có đơn vị mã “00000”"),
        (lambda d: d["fee_adjustments"][0].update(amount=-5), "số nguyên không âm"),
        (lambda d: d["process"]["actions"][0].update(to="nowhere"), "Quy trình:"),
        (lambda d: d["result_template"].update(body="{xyz}"), "{xyz}"),
        (lambda d: d["parts"][0].update(name="Giấy khác"), "thành phần hồ sơ không có"),
    ],
)
def test_import_refuses_bad_file_whole(birth, user_named, exported, break_it, message) -> None:
    data = copy.deepcopy(exported)
    out = break_it(data)
    raw = out if isinstance(out, str) else json.dumps(out if isinstance(out, dict) else data)
    with pytest.raises(ValidationError) as exc:
        config_import(user=user_named("vanphong.cds"), procedure=birth, raw=raw)
    assert any(message in m for m in exc.value.messages), exc.value.messages
    _nothing_stored(birth)


def test_import_page_reports_errors(client, birth, user_named, exported) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user_named("vanphong.cds"))
    bad = {**exported, "format": "x"}
    r = client.post(
        f"/dich-vu-cong/studio/{birth.code}/nhap-cau-hinh/",
        {"config": SimpleUploadedFile("c.json", json.dumps(bad).encode())},
        follow=True,
    )
    assert "Không nhập được cấu hình, chưa lưu gì" in r.content.decode()
    _nothing_stored(birth)
    r = client.get(f"/dich-vu-cong/studio/{birth.code}/cau-hinh.json")
    assert r.status_code == 200 and json.loads(r.content)["format"] == "tinhso.procedure-config/1"
