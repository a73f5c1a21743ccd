"""Process, fee and result set-up of the studio: standard processes (checked with the
existing graph checks), a unit's fee for a procedure, and the result template previewed
as the PDF the unit will sign."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tinhso.accounts.permissions import user_can
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit
from tinhso.services.models import (
    ActorRole,
    FeeAdjustment,
    Procedure,
    Process,
    ResultTemplate,
    Status,
)
from tinhso.services.studio import spec as fs
from tinhso.services.studio.services import EDIT, PLACEHOLDER_RE, procedure_units, studio_can_edit
from tinhso.services.workflow import (
    DEFAULT_ACTIONS,
    DEFAULT_STEPS,
    ActionSpec,
    StepSpec,
    process_create,
    process_graph_errors,
)

_ONE_STEP_STEPS = {"new", "refused", "received", "done", "returned", "withdrawn", "payment_receipt"}
_ONE_STEP_ACTIONS = {
    ("receive", "new"),
    ("refuse", "new"),
    ("withdraw", "new"),
    ("withdraw", "received"),
    ("request_fee", "received"),
    ("paid", "payment_receipt"),
    ("withdraw", "payment_receipt"),
    ("return_result", "done"),
    ("deliver_online", "done"),
    ("send_post", "done"),
}
# key → (name, steps, actions) as in workflow.DEFAULT_STEPS / DEFAULT_ACTIONS
LIBRARY: dict[str, dict[str, Any]] = {
    "mot-buoc": {
        "name": gettext_lazy("Một bước: tiếp nhận và trả kết quả ngay"),
        "steps": [s for s in DEFAULT_STEPS if s[0] in _ONE_STEP_STEPS],
        "actions": [a for a in DEFAULT_ACTIONS if (a[0], a[2]) in _ONE_STEP_ACTIONS]
        + [
            (
                "finish",
                gettext_noop("Giải quyết, có kết quả"),
                "received",
                "done",
                ActorRole.OFFICER,
                False,
            )
        ],
    },
    "bon-buoc": {
        "name": gettext_lazy("Tiếp nhận → xử lý → phê duyệt → ký số"),
        "steps": list(DEFAULT_STEPS),
        "actions": list(DEFAULT_ACTIONS),
    },
    "lien-thong": {
        "name": gettext_lazy("Liên thông: chuyển cơ quan phối hợp rồi nhận lại"),
        "steps": [
            *DEFAULT_STEPS,
            (
                "handover",
                gettext_noop("Chờ cơ quan phối hợp (liên thông)"),
                Status.PROCESSING,
                False,
                False,
                20,
            ),
        ],
        "actions": [
            *DEFAULT_ACTIONS,
            (
                "hand_over",
                gettext_noop("Chuyển cơ quan phối hợp"),
                "processing",
                "handover",
                ActorRole.OFFICER,
                True,
            ),
            (
                "hand_back",
                gettext_noop("Nhận lại từ cơ quan phối hợp"),
                "handover",
                "processing",
                ActorRole.OFFICER,
                False,
            ),
        ],
    },
}


def library_errors(key: str) -> list[str]:
    spec = LIBRARY[key]
    return process_graph_errors(
        [StepSpec(s[0], s[1], s[3], s[4]) for s in spec["steps"]],
        [ActionSpec(a[1], a[2], a[3]) for a in spec["actions"]],
    )


@transaction.atomic
def process_from_library(*, user: AnyUser, procedure: Procedure, key: str) -> Process:
    """A new process for ``procedure`` from the library (validated), made its own."""
    if not studio_can_edit(user=user, procedure=procedure):
        raise PermissionDenied(_("Bạn không có quyền soạn thủ tục này."))
    if key not in LIBRARY:
        raise ValidationError(_("Không có quy trình mẫu này."))
    errors = library_errors(key)
    if errors:
        raise ValidationError(errors)
    spec = LIBRARY[key]
    process = process_create(
        code=f"{procedure.code}-{key}",
        name=str(spec["name"]),
        steps=spec["steps"],
        actions=spec["actions"],
    )
    before = procedure.process_id
    procedure.process = process
    procedure.save(update_fields=["process", "updated_at"])
    audit_record(
        actor=user,
        action="services.studio_process_from_library",
        obj=procedure,
        before={"process": before},
        after={"process": process.code, "library": key},
    )
    return process


@transaction.atomic
def fee_adjust(
    *, user: AnyUser, procedure: Procedure, org_unit: OrgUnit, amount: int, reason: str
) -> FeeAdjustment:
    """The unit's fee for the procedure (replacing the catalogue's), with its legal basis."""
    if not user_can(user=user, action=EDIT, org_unit=org_unit):
        raise PermissionDenied(_("Bạn không có quyền điều chỉnh phí tại đơn vị này."))
    errors: dict[str, list[str]] = {}
    if org_unit.pk not in {u.pk for u in procedure_units(procedure)}:
        errors["org_unit"] = [_("Đơn vị này không tiếp nhận thủ tục.")]
    if not isinstance(amount, int) or amount < 0 or amount > 10**12:
        errors["amount"] = [_("Mức phí phải là số nguyên từ 0 đồng.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Vui lòng ghi căn cứ điều chỉnh (văn bản, điều khoản).")]
    if errors:
        raise ValidationError(errors)
    row = (
        FeeAdjustment.objects.select_for_update()
        .filter(procedure=procedure, org_unit=org_unit)
        .first()
    )
    before = {"amount": row.amount, "reason": row.reason} if row else None
    row = row or FeeAdjustment(procedure=procedure, org_unit=org_unit)
    row.amount, row.reason = amount, reason.strip()[:500]
    row.updated_by = user  # type: ignore[assignment]
    row.save()
    audit_record(
        actor=user,
        action="services.fee_adjust",
        obj=row,
        org_unit=org_unit,
        before=before,
        after={"amount": amount, "reason": row.reason, "procedure": procedure.code},
    )
    return row


def fee_for_unit(*, procedure_id: int, org_unit_id: int, catalogue: int | None) -> int | None:
    """The fee a dossier received by the unit owes: the unit's adjustment, else the
    catalogue's."""
    adjusted = (
        FeeAdjustment.objects.filter(procedure_id=procedure_id, org_unit_id=org_unit_id)
        .values_list("amount", flat=True)
        .first()
    )
    return adjusted if adjusted is not None else catalogue


def _sample(spec: dict[str, Any]) -> str:
    samples = {
        fs.DATE: "05/01/2026",
        fs.NUMBER: "1",
        fs.YESNO: _("Có"),
        fs.CITIZEN_ID: "074123456789",
        fs.PHONE: "0912345678",
        fs.EMAIL: "nguoinop@example.vn",
        fs.TAX_CODE: "3700000000",
    }
    if spec["kind"] in (fs.CHOICE, fs.MULTICHOICE) and spec["choices"]:
        return spec["choices"][0]
    return samples.get(spec["kind"], f"[{spec['label']}]")


def result_preview_pdf(
    *, user: AnyUser, procedure: Procedure, fields: list[dict[str, Any]]
) -> bytes:
    """The result template filled with sample values, rendered as the result PDF."""
    from tinhso.signing.documents import pdf_certificate_render

    if not studio_can_edit(user=user, procedure=procedure):
        raise PermissionDenied
    template = ResultTemplate.objects.filter(procedure=procedure).first()
    if template is None:
        raise ValidationError(_("Thủ tục chưa có mẫu kết quả."))
    values = {f["name"]: _sample(f) for f in fs.value_fields(fields)}
    values.update(
        so_ho_so="25942-260105-0001",
        nguoi_nop="Nguyễn Văn A",
        so_dinh_danh="074123456789",
        ngay="05/01/2026",
        thu_tuc=procedure.name,
    )
    units = procedure_units(procedure)
    values["co_quan"] = units[0].agency_name if units else ""
    body = PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), template.body)
    rows = [(_("Nội dung"), line) for line in body.splitlines() if line.strip()]
    return pdf_certificate_render(
        title=template.title,
        fields=rows,
        org_unit=units[0] if units else OrgUnit.objects.order_by("path").first(),  # type: ignore[arg-type]
        number="25942-260105-0001/KQ",
        demo=True,
    )


def result_template_lines(*, dossier: Any) -> list[tuple[str, str]]:
    """The procedure's result template filled with the dossier's values (none without a
    template)."""
    from tinhso.services.studio.render import studio_display

    template = ResultTemplate.objects.filter(procedure_id=dossier.procedure_id).first()
    if template is None:
        return []
    values: dict[str, str] = {}
    revision = dossier.form_revision
    if revision is not None:
        shown = dict(studio_display(fields=revision.fields, data=dossier.form_data))
        values = {f["name"]: shown.get(f["label"], "") for f in fs.value_fields(revision.fields)}
    else:
        values = {k: str(v) for k, v in (dossier.form_data or {}).items()}
    received = dossier.received_at or dossier.submitted_at
    values.update(
        so_ho_so=dossier.number or "",
        nguoi_nop=dossier.applicant_name,
        so_dinh_danh=dossier.applicant_id_number,
        ngay=received.strftime("%d/%m/%Y") if received else "",
        thu_tuc=dossier.procedure.name,
        co_quan=dossier.org_unit.agency_name,
    )
    body = PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), ""), template.body)
    return [(_("Nội dung"), line.strip()) for line in body.splitlines() if line.strip()]
