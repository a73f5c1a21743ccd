"""Legal time and an honest catalogue (issue 11): a channel whose unit the source does not
state never becomes working days; it cannot take online dossiers until an official settles
it on the review page, in an audited change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.audit.models import AuditEntry
from tinhso.services import deadlines
from tinhso.services.models import Channel, ProcedureChannel
from tinhso.services.services import procedure_channel_settle

from .conftest import BIRTH_FORM, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def unitless(birth):
    """The birth registration's channels as the crawl states them: "1", no unit."""
    birth.channels.update(time_value=Decimal(1), time_unit="", review="no_unit")
    return birth.channels.get(channel=Channel.ONLINE)


def test_unknown_unit_is_shown_plainly_and_blocks_online_submission(
    client, birth, unitless, ward_dian, user_named
):
    assert unitless.needs_review and unitless.duration is None
    assert unitless.time_label == "1 — chưa rõ đơn vị"
    page = client.get(f"/dich-vu-cong/thu-tuc/{birth.code}/").content.decode()
    assert "1 — chưa rõ đơn vị" in page and "không rõ" not in page.replace("chưa rõ", "")
    client.force_login(user_named("congdan"))
    part = birth.parts.filter(required=True).first()
    r = client.post(
        "/api/v1/dossiers",
        {
            "procedure_code": birth.code,
            "org_unit_id": ward_dian.pk,
            "form_json": __import__("json").dumps(BIRTH_FORM),
            "part_ids": str(part.pk),
            "files": [upload()],
        },
    )
    assert r.status_code == 422
    assert "chưa rõ" in r.json()["message"] + str(r.json().get("details"))
    from tinhso.services.models import Dossier

    assert not Dossier.objects.filter(procedure=birth).exists()


def test_settle_needs_the_right_and_a_clean_input(unitless, user_named):
    with pytest.raises(PermissionDenied):
        procedure_channel_settle(
            user=user_named("canbo.dian"),
            channel_id=unitless.pk,
            time_value=Decimal(1),
            time_unit="working_day",
            note="Luật Hộ tịch",
        )
    dx = user_named("vanphong.cds")
    audited = AuditEntry.objects.filter(action="services.channel_settle").count()
    for bad in (
        {"time_value": Decimal(1), "time_unit": "", "note": "x"},
        {"time_value": Decimal(0), "time_unit": "day", "note": "x"},
        {"time_value": Decimal(1), "time_unit": "fortnight", "note": "x"},
        {"time_value": Decimal(1), "time_unit": "day", "note": " "},
        {"time_value": Decimal(5), "time_value_max": Decimal(3), "time_unit": "day", "note": "x"},
    ):
        with pytest.raises(ValidationError):
            procedure_channel_settle(user=dx, channel_id=unitless.pk, **bad)
    unitless.refresh_from_db()
    assert unitless.needs_review and unitless.time_unit == ""
    assert AuditEntry.objects.filter(action="services.channel_settle").count() == audited


def test_settled_channel_takes_dossiers_with_the_confirmed_unit(unitless, submit_birth, user_named):
    dx = user_named("vanphong.cds")
    for ch in ProcedureChannel.objects.filter(procedure=unitless.procedure):
        procedure_channel_settle(
            user=dx,
            channel_id=ch.pk,
            time_value=Decimal(15),
            time_unit="day",
            note="Đối chiếu văn bản gốc: 15 ngày",
        )
    unitless.refresh_from_db()
    assert not unitless.needs_review and unitless.time_source == "official"
    assert unitless.duration == deadlines.Duration(Decimal(15), "day")
    entry = AuditEntry.objects.filter(action="services.channel_settle").latest("pk")
    assert entry.actor_id == dx.pk and entry.changes["after"]["note"].startswith("Đối chiếu")
    assert entry.changes["before"]["review"] == "no_unit"
    # a dossier received under it is due by the calendar-day rule, not in working days
    from tinhso.services.services import dossier_act

    d = submit_birth()
    d = dossier_act(
        user=user_named("canbo.dian"), dossier_id=d.pk, action_code="receive", version=d.version
    )
    assert (d.duration_unit, d.duration_value) == ("day", Decimal(15))
    start = deadlines.clock_start(d.received_at, deadlines.calendar_load())
    expected = deadlines.due_at(
        received_at=d.received_at, duration=deadlines.Duration(Decimal(15), "day")
    )
    assert d.due_at == expected
    assert deadlines.to_local(d.due_at).time() == dt.time(17, 0)
    assert deadlines.to_local(d.due_at).date() >= start.date() + dt.timedelta(days=15)


def test_review_page_lists_raw_text_and_settles(client, unitless, user_named):
    client.force_login(user_named("canbo.dian"))
    assert client.get("/dich-vu-cong/ra-soat-thoi-han/").status_code == 403
    client.force_login(user_named("vanphong.cds"))
    page = client.get("/dich-vu-cong/ra-soat-thoi-han/").content.decode()
    assert unitless.procedure.code in page and "Trực tuyến1Miễn phí" in page
    r = client.post(
        "/dich-vu-cong/ra-soat-thoi-han/",
        {"channel_id": unitless.pk, "time_value": "1", "time_unit": "", "note": "x"},
    )
    assert r.status_code == 200 and "Vui lòng chọn" in r.content.decode()
    unitless.refresh_from_db()
    assert unitless.needs_review
    r = client.post(
        "/dich-vu-cong/ra-soat-thoi-han/",
        {
            "channel_id": unitless.pk,
            "time_value": "1",
            "time_unit": "working_day",
            "note": "Luật Hộ tịch 2014, Điều 16",
        },
    )
    assert r.status_code == 302
    unitless.refresh_from_db()
    assert not unitless.needs_review and unitless.time_unit == "working_day"
