"""Demo of the procedure studio (``make demo``, after the services demo): procedures at
different readiness levels. The birth registration gets a published studio form (with a
condition and a repeating block) and a result template, so it is full-process; marriage
registration has typed fields and a result template (full-process); the marital status
certificate has typed fields only (online submission); the residence procedures stay
information only, for the DX office (``vanphong.cds``) to take to full-process in the
browser (Thiết kế thủ tục trực tuyến → Xác nhận thông tin về cư trú)."""

from __future__ import annotations

from typing import Any, TextIO

from django.db import transaction

from tinhso.accounts.models import User
from tinhso.services.models import FormRevision, Procedure, ResultTemplate
from tinhso.services.studio import services as studio

BIRTH = "1.001193"
TEMPLATES = {
    BIRTH: (
        "Trích lục khai sinh",
        "Họ, chữ đệm và tên: {ho_ten_tre}\nNgày sinh: {ngay_sinh}\n"
        "Nơi sinh: {noi_sinh}\nNgười đi đăng ký: {nguoi_nop}",
    ),
    "1.000894": ("Giấy chứng nhận kết hôn", "Người đi đăng ký: {nguoi_nop}\nNgày: {ngay}"),
}


@transaction.atomic
def demo_load(*, stdout: TextIO | None = None) -> None:
    office = User.objects.filter(username="vanphong.cds").first()
    birth = Procedure.objects.filter(code=BIRTH).first()
    if office is None or birth is None or FormRevision.objects.filter(procedure=birth).exists():
        return
    for code, (title, body) in TEMPLATES.items():
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is not None:
            ResultTemplate.objects.get_or_create(
                procedure=procedure, defaults={"title": title, "body": body}
            )
    draft = studio.revision_draft_get_or_create(user=office, procedure=birth)
    add: Any = studio.revision_field_add
    add(user=office, revision_id=draft.pk, kind="yesno", label="Trẻ có anh chị em ruột")
    # optional: the other apps' demos file birth registrations with the typed fields only
    studio.revision_field_update(
        user=office, revision_id=draft.pk, name="tre_co_anh_chi_em_ruot", values={"required": False}
    )
    # the child is who the request is about (the same-day duplicate warning reads these)
    for name in ("ho_ten_tre", "ngay_sinh"):
        studio.revision_field_update(
            user=office, revision_id=draft.pk, name=name, values={"subject": True}
        )
    add(user=office, revision_id=draft.pk, kind="repeat", label="Anh chị em ruột")
    studio.revision_field_update(
        user=office,
        revision_id=draft.pk,
        name="anh_chi_em_ruot",
        values={
            "show_if": {"field": "tre_co_anh_chi_em_ruot", "equals": "yes"},
            "required": False,
            "help": "Khai để cán bộ đối chiếu sổ hộ tịch.",
        },
    )
    add(user=office, revision_id=draft.pk, kind="text", label="Họ tên", parent="anh_chi_em_ruot")
    add(
        user=office,
        revision_id=draft.pk,
        kind="date",
        label="Ngày sinh anh chị em",
        parent="anh_chi_em_ruot",
    )
    for i, part in enumerate(birth.parts.filter(required=True), start=1):
        spec = add(
            user=office, revision_id=draft.pk, kind="upload", label=f"Giấy tờ {i}: {part.name[:60]}"
        )
        studio.revision_field_update(
            user=office, revision_id=draft.pk, name=spec["name"], values={"part": part.pk}
        )
    studio.revision_publish(user=office, revision_id=draft.pk, note="Biểu mẫu minh họa")
    if stdout:
        stdout.write("  studio: khai sinh, kết hôn toàn trình; cư trú chỉ thông tin\n")
