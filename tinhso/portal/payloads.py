"""The national portal's message shapes, as OpenCPS sends them (FACTS.md: no official
specification was found): ``DongBoHoSoMC`` (the dossier) and ``CapNhatTienDoHoSoMC`` (a
step of its progress). Dates ``yyyyMMddHHmmss`` in Asia/Ho_Chi_Minh; statuses are the
national codes 1–10, which the platform's own ``Status`` already uses (0, a draft, is
never sent)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from tinhso.services.models import Dossier, DossierEvent, DossierFile, Status

SERVICE_SYNC = "DongBoHoSoMC"
SERVICE_PROGRESS = "CapNhatTienDoHoSoMC"


def portal_date(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S") if moment else ""


def portal_status(status: int) -> int:
    code = Status(status)
    if code == Status.DRAFT:
        raise ValueError("a draft is never sent to the national portal")
    return int(code)


def applicant_kind(dossier: Dossier) -> int:
    """LoaiDoiTuong: 1 citizen (12-digit personal number), 2 business (tax code)."""
    ident = re.sub(r"\D", "", dossier.applicant_id_number or "")
    return 2 if len(ident) in (10, 13) else 1


def dossier_sync(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """DongBoHoSoMC with the status the event set (later events follow in order)."""
    proc = dossier.procedure
    files = [
        {"TenTepDinhKem": f.original_name, "MaHash": f.sha256}
        for f in dossier.files.all()
        if f.kind != DossierFile.Kind.RESULT
    ]
    results = [
        {"TenGiayTo": f.original_name, "MaHash": f.sha256}
        for f in dossier.files.all()
        if f.kind == DossierFile.Kind.RESULT
    ]
    fees = (
        [{"TenPhiLePhi": proc.name[:255], "SoTien": dossier.fee_amount}]
        if dossier.fee_amount
        else []
    )
    return {
        "MaHoSo": dossier.number,
        "MaTTHC": proc.code,
        "TenTTHC": proc.name,
        "MaLinhVuc": str(proc.field_id or ""),
        "TenLinhVuc": proc.field.name if proc.field is not None else "",
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": applicant_kind(dossier),
        "MaDoiTuong": dossier.applicant_id_number,
        "Email": dossier.applicant_email,
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": f"{proc.name} — {dossier.applicant_name}"[:500],
        "NgayTiepNhan": portal_date(dossier.received_at or dossier.submitted_at),
        "NgayHenTra": portal_date(dossier.due_at),
        "TrangThaiHoSo": portal_status(event.to_status),
        "NgayTra": portal_date(dossier.returned_at),
        "HinhThuc": int(dossier.channel),
        "NgayKetThucXuLy": portal_date(dossier.finished_at),
        "DonViXuLy": dossier.org_unit.agency_name,
        "GhiChu": event.comment,
        "TaiLieuNop": files,
        "DanhSachLePhi": fees,
        "DanhSachHoSoBoSung": [],
        "DanhSachGiayToKetQua": results,
    }


def dossier_progress(dossier: Dossier, event: DossierEvent) -> dict[str, Any]:
    """CapNhatTienDoHoSoMC: who acted, when, what, and the status it left."""
    return {
        "MaHoSo": dossier.number,
        "NguoiXuLy": event.actor_label or "Hệ thống",
        "ChucDanh": "",
        "ThoiDiemXuLy": portal_date(event.at),
        "PhongBanXuLy": dossier.org_unit.agency_name,
        "NoiDungXuLy": event.action_name + (f": {event.comment}" if event.comment else ""),
        "TrangThai": portal_status(event.to_status),
        "NgayBatDau": portal_date(event.at),
        "NgayKetThucTheoQuyDinh": portal_date(dossier.step_due_at or dossier.due_at),
    }
