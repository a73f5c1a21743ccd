"""Dossier synchronisation with the national portal: the outbox is written in the
dossier's transaction; delivery is in order per dossier, idempotent, with backoff, and a
dead letter; the sandbox portal can fail, time out, answer slowly or acknowledge twice."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from django.utils import timezone

from tinhso.portal.models import DeadLetter, SandboxConfig, SandboxReceipt
from tinhso.portal.services import outbox_deliver
from tinhso.portal.transport import SandboxTransport
from tinhso.services.models import PortalOutbox, Status
from tinhso.services.services import dossier_act

SANDBOX = SandboxTransport()


def _mode(mode: str, delay: float = 0.0) -> None:
    SandboxConfig.objects.update_or_create(pk=1, defaults={"mode": mode, "delay_seconds": delay})


def _act(d, user, code, comment=""):
    d.refresh_from_db()
    return dossier_act(
        user=user, dossier_id=d.pk, action_code=code, version=d.version, comment=comment
    )


def _received_in_order(number: str) -> list[tuple[str, int]]:
    rows = SandboxReceipt.objects.filter(dossier_number=number, duplicate=False)
    return [(r.service, r.payload.get("TrangThaiHoSo") or r.payload.get("TrangThai")) for r in rows]


def test_creation_and_each_status_change_write_the_outbox_in_their_transaction(
    submit_birth, user_named
):
    d = submit_birth()
    assert list(PortalOutbox.objects.values_list("kind", flat=True)) == ["create"]
    officer = user_named("canbo.dian")
    _act(d, officer, "receive")
    assert PortalOutbox.objects.filter(dossier=d, kind="status").count() == 1
    # a change that rolls back leaves no outbox row (and a draft writes none)
    with pytest.raises(RuntimeError), transaction.atomic():
        _act(d, officer, "assign")
        assert PortalOutbox.objects.filter(dossier=d).count() == 3
        raise RuntimeError
    assert PortalOutbox.objects.filter(dossier=d).count() == 2


def test_payload_fields_as_the_portal_uses_them(submit_birth, user_named):
    d = submit_birth()
    _act(d, user_named("canbo.dian"), "receive", comment="Đủ giấy tờ")
    assert outbox_deliver(transport=SANDBOX).sent == 2
    sync = SandboxReceipt.objects.filter(service="DongBoHoSoMC").first().payload
    d.refresh_from_db()
    assert sync["MaHoSo"] == d.number and sync["MaTTHC"] == "1.001193"
    assert sync["TrangThaiHoSo"] == Status.NEW and sync["HinhThuc"] == 2
    assert sync["LoaiDoiTuong"] in (1, 2) and sync["ChuHoSo"] == d.applicant_name
    assert re.fullmatch(r"\d{14}", sync["NgayTiepNhan"])
    # the dossier as it stands at delivery (already received), in Asia/Ho_Chi_Minh, not UTC
    local = timezone.localtime(d.received_at or d.submitted_at)
    assert sync["NgayTiepNhan"] == local.strftime("%Y%m%d%H%M%S")
    assert sync["TaiLieuNop"] and sync["DonViXuLy"]
    progress = SandboxReceipt.objects.get(service="CapNhatTienDoHoSoMC").payload
    assert progress["TrangThai"] == Status.RECEIVED and "Đủ giấy tờ" in progress["NoiDungXuLy"]
    assert progress["NguoiXuLy"] and re.fullmatch(r"\d{14}", progress["ThoiDiemXuLy"])
    last_sync = SandboxReceipt.objects.filter(service="DongBoHoSoMC").last().payload
    assert last_sync["TrangThaiHoSo"] == Status.RECEIVED and last_sync["NgayHenTra"]


def test_portal_down_for_an_hour_then_the_backlog_arrives_in_order_without_duplicates(
    submit_birth, user_named, settings
):
    settings.TINHSO_PORTAL_BACKOFF_SECONDS = 30
    _mode("fail")
    officer = user_named("canbo.dian")
    a, b = submit_birth(), submit_birth()
    _act(a, officer, "receive")
    _act(b, officer, "receive")
    t0 = timezone.now()
    for minute in range(0, 61, 2):  # the worker keeps trying for an hour
        r = outbox_deliver(now=t0 + dt.timedelta(minutes=minute), transport=SANDBOX)
        assert r.sent == 0
    assert not SandboxReceipt.objects.exists()
    head = PortalOutbox.objects.filter(dossier=a).first()
    assert head.attempts >= 6 and not head.dead and "503" in head.last_error
    # only each dossier's oldest message was tried: the later ones never jumped the queue
    assert PortalOutbox.objects.filter(dossier=a).last().attempts == 0
    _mode("ok")
    r = outbox_deliver(now=t0 + dt.timedelta(minutes=61), transport=SANDBOX)
    assert r.sent == 0  # still in its backoff (≤ 10 minutes)
    r = outbox_deliver(now=t0 + dt.timedelta(minutes=72), transport=SANDBOX)
    assert r.sent == 4 and not PortalOutbox.objects.filter(delivered_at__isnull=True).exists()
    for d in (a, b):
        assert _received_in_order(d.number) == [
            ("DongBoHoSoMC", Status.NEW),
            ("CapNhatTienDoHoSoMC", Status.RECEIVED),
            ("DongBoHoSoMC", Status.RECEIVED),
        ]
    assert not SandboxReceipt.objects.filter(duplicate=True).exists()
    keys = list(SandboxReceipt.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))
    # running again sends nothing
    assert outbox_deliver(now=t0 + dt.timedelta(minutes=90), transport=SANDBOX).sent == 0


def test_timeout_is_retried_and_the_portal_sees_the_same_key_twice_not_two_messages(
    submit_birth, settings
):
    settings.TINHSO_PORTAL_BACKOFF_SECONDS = 0
    d = submit_birth()
    _mode("timeout")
    assert outbox_deliver(transport=SANDBOX).sent == 0
    assert PortalOutbox.objects.get().delivered_at is None
    _mode("ok")
    assert outbox_deliver(transport=SANDBOX).sent == 1
    rows = list(SandboxReceipt.objects.filter(dossier_number=d.number))
    assert len({r.key for r in rows}) == 1 and [r.duplicate for r in rows] == [False, True]


def test_double_acknowledgement_and_slow_answers(submit_birth, user_named):
    d = submit_birth()
    _mode("ack_twice")
    assert outbox_deliver(transport=SANDBOX).sent == 1
    msg = PortalOutbox.objects.get()
    assert msg.delivered_at is not None and msg.attempts == 1
    _mode("slow", delay=0.3)
    _act(d, user_named("canbo.dian"), "receive")
    started = timezone.now()
    assert outbox_deliver(transport=SANDBOX).sent == 1
    assert (timezone.now() - started).total_seconds() >= 0.3
    assert SandboxReceipt.objects.filter(duplicate=True).count() == 0


def test_dead_letter_after_the_last_try_blocks_the_dossier_until_an_admin_retries(
    submit_birth, user_named, settings, admin_client
):
    settings.TINHSO_PORTAL_BACKOFF_SECONDS = 0
    settings.TINHSO_PORTAL_MAX_ATTEMPTS = 3
    d = submit_birth()
    _act(d, user_named("canbo.dian"), "receive")
    _mode("fail")
    for _ in range(3):
        outbox_deliver(transport=SANDBOX)
    dead = DeadLetter.objects.get()
    assert dead.kind == "create" and dead.attempts == 3
    assert d.number in admin_client.get("/admin/portal/deadletter/").content.decode()
    _mode("ok")
    assert outbox_deliver(transport=SANDBOX).sent == 0  # order: nothing jumps the dead one
    admin_client.post(
        "/admin/portal/deadletter/", {"action": "retry", "_selected_action": [str(dead.pk)]}
    )
    assert outbox_deliver(transport=SANDBOX).sent == 2
    assert [s for s, _ in _received_in_order(d.number)] == [
        "DongBoHoSoMC",
        "CapNhatTienDoHoSoMC",
        "DongBoHoSoMC",
    ]
