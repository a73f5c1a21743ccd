"""Demo catalogue: 31 real commune-level procedures from the project's own fixture (taken from
the national catalogue crawl), with demo e-forms, shortened upload lists and receiving
agencies (the wards of Dĩ An and Thuận An and the two cities' one-stop desks)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, TextIO

from django.db import transaction

from tinhso.orgs.models import OrgUnit
from tinhso.services.doctypes import doctype_of
from tinhso.services.importer import ImportReport, tthc_import_data
from tinhso.services.models import (
    DocumentPart,
    FormField,
    Procedure,
    ProcedureAgency,
    ProcedureChannel,
)
from tinhso.services.workflow import process_ensure_default

FIXTURE = Path(__file__).parent / "fixtures" / "demo_procedures.json"
DEMO_FROM = dt.date(2020, 1, 1)
DEMO_CITIES = ("724", "725")  # Dĩ An, Thuận An


def demo_units() -> list[OrgUnit]:
    cities = OrgUnit.objects.filter(code__in=DEMO_CITIES, valid_to__isnull=True)
    units: list[OrgUnit] = []
    for city in cities.order_by("code"):
        units.append(city)
        units.extend(
            OrgUnit.objects.filter(path__startswith=city.path, valid_to__isnull=True)
            .exclude(pk=city.pk)
            .order_by("code")
        )
    return units


def _overlay(proc: Procedure, demo: dict[str, Any]) -> None:
    proc.service_class = demo.get("service_class", "")
    proc.legacy_level = {"full": 4, "partial": 3}.get(proc.service_class)
    proc.is_demo = True
    proc.save(update_fields=["service_class", "legacy_level", "is_demo"])
    if demo.get("form") and not proc.form_fields.exists():
        for i, f in enumerate(demo["form"]):
            FormField.objects.create(
                procedure=proc,
                order=i,
                name=f["name"],
                label=f["label"],
                kind=f.get("kind", "text"),
                required=f.get("required", True),
                choices=f.get("choices", []),
            )
    if demo.get("parts") and not proc.dossiers.exists():
        proc.parts.all().delete()
        for i, p in enumerate(demo["parts"]):
            DocumentPart.objects.create(
                procedure=proc,
                order=i,
                name=p["name"],
                required=p.get("required", True),
                copies=1,
                copy_kind="bản điện tử",
                accepted_types=p.get("types", DocumentPart.DEFAULT_TYPES),
                doc_type=doctype_of(p["name"]),
                group="Giấy tờ phải nộp (rút gọn cho bản trình diễn)",
            )
        # keep the overlay when the catalogue is re-imported: mark the record as local
        proc.raw = {**proc.raw, "_local_parts": True}
        proc.save(update_fields=["raw"])
    _overlay_fees(proc, demo)


def _overlay_fees(proc: Procedure, demo: dict[str, Any]) -> None:
    """Demo fee data (idempotent, also applied to procedures loaded by an earlier demo):
    the fee where the catalogue gives none, when to pay it, and a processing time where the
    catalogue says "no information" (so the clock visibly pauses while the fee is owed)."""
    if demo.get("fee_amount"):
        proc.channels.filter(fee_amount__isnull=True, fee_is_free=False).update(
            fee_amount=demo["fee_amount"], fee_currency="VND"
        )
    if demo.get("fee_per_copy"):
        # the fee is per copy (e.g. 8.000 đồng per certified copy): copies are whole numbers
        proc.channels.filter(fee_per_copy=False).update(fee_per_copy=True)
        proc.form_fields.filter(name="so_ban").exclude(kind=FormField.Kind.COPIES).update(
            kind=FormField.Kind.COPIES
        )
    if demo.get("fee_timing") and proc.fee_timing != demo["fee_timing"]:
        proc.fee_timing = demo["fee_timing"]
        proc.save(update_fields=["fee_timing"])
    if demo.get("time_days"):
        proc.channels.filter(time_value__isnull=True, review="").update(
            time_value=demo["time_days"], time_unit=ProcedureChannel.TimeUnit.WORKING_DAY
        )
    _settle_civil_status_units(proc)


CIVIL_STATUS_NOTE = (
    "Luật Hộ tịch 2014 và Nghị định 123/2015/NĐ-CP: thời hạn giải quyết tính theo ngày làm "
    "việc (bản trình diễn: Văn phòng chuyển đổi số đã đối chiếu)."
)


def _settle_civil_status_units(proc: Procedure) -> None:
    """The demo's DX office has reviewed the civil-status (hộ tịch) procedures whose crawled
    time has no unit: the Civil Status Law counts them in working days. Done through the
    audited review service, as an official would; other unit-less channels stay in review."""
    from tinhso.accounts.models import User
    from tinhso.services.services import procedure_channel_settle

    if proc.field is None or proc.field.name != "Hộ tịch":
        return
    official = User.objects.filter(username="vanphong.cds").first()
    if official is None:
        return
    for ch in proc.channels.filter(time_value__isnull=False, time_unit="", review="no_unit"):
        procedure_channel_settle(
            user=official,
            channel_id=ch.pk,
            time_value=ch.time_value,
            time_value_max=ch.time_value_max,
            time_unit=ProcedureChannel.TimeUnit.WORKING_DAY,
            note=CIVIL_STATUS_NOTE,
        )


@transaction.atomic
def demo_load(*, stdout: TextIO | None = None) -> None:
    process_ensure_default()
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    report = ImportReport()
    units = demo_units()
    for item in data["procedures"]:
        code = item["record"]["ma_thu_tuc"]
        existing = Procedure.objects.filter(code=code, is_demo=True).first()
        if existing is not None:
            _overlay_fees(existing, item.get("demo", {}))
            continue
        proc = tthc_import_data(
            data=item["record"],
            ministry=item["ministry"],
            source=f"fixture:{code}",
            report=report,
            demo=True,
        )
        if proc is None:
            continue
        _overlay(proc, item.get("demo", {}))
        levels = proc.level_list
        for unit in units:
            if "commune" in levels or unit.level == OrgUnit.Level.DISTRICT:
                ProcedureAgency.objects.get_or_create(
                    procedure=proc, org_unit=unit, valid_from=DEMO_FROM
                )
    if stdout:
        demo = Procedure.objects.filter(is_demo=True).count()
        stdout.write(
            f"  thủ tục: {Procedure.objects.count()} (demo {demo}),"
            f" vấn đề phân tích: {len(report.problems)}\n"
        )


DEMO_HISTORY_DOSSIERS = 3000


def demo_history(*, stdout: TextIO | None = None) -> int:
    """Dossiers from 1 January three years back to yesterday, made by the province generator
    (``generate_province``, marked ``is_demo``); the demo procedures are then received by
    every ward and district of the province, as the generator widens them. Officials' queues,
    public tracking, the service statistics and the dashboards rest on real dossiers (the
    monitoring demo's invented statistics are no longer needed). Run by ``load_demo`` after
    the catalogue; nothing happens when generated dossiers exist. Returns the number made."""
    from tinhso.services.demo_queues import demo_open_queues
    from tinhso.services.generator import province_generate
    from tinhso.services.models import Dossier

    made = 0
    if not Dossier.objects.filter(is_demo=True).exists():
        report = province_generate(
            dossiers=DEMO_HISTORY_DOSSIERS, seed=2022, years=4, progress=False
        )
        made = report.dossiers
        if stdout:
            stdout.write(f"  hồ sơ lịch sử (sinh minh họa): {report.dossiers}\n")
    # the history ends at midnight: fill every demo unit's queue with open dossiers
    demo_open_queues(stdout=stdout)
    return made
