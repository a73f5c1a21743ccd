"""A procedure's configuration as a JSON file, so provinces can share it: the form
revision, the process (when not the default), the fee adjustments per unit and the result
template. Importing checks the whole file first and stores nothing when any part is wrong;
the form arrives as a draft (published after the usual checks)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import today, valid_on_q
from tinhso.services.models import (
    ActorRole,
    FeeAdjustment,
    FormRevision,
    Procedure,
    Process,
    ProcessAction,
    ProcessStep,
    ResultTemplate,
    Status,
)
from tinhso.services.studio import spec as fs
from tinhso.services.studio.services import (
    revision_draft_get_or_create,
    studio_can_edit,
    template_placeholder_errors,
)
from tinhso.text import fold

FORMAT = "tinhso.procedure-config/1"
MAX_BYTES = 1_000_000


def config_export(*, procedure: Procedure, revision: FormRevision | None = None) -> dict[str, Any]:
    """The configuration as a JSON-ready dict (``revision``: default the published one,
    else the draft)."""
    revision = revision or (
        FormRevision.objects.filter(procedure=procedure)
        .exclude(state=FormRevision.State.SUPERSEDED)
        .order_by("state")  # "draft" < "published": prefer the published below
        .last()
    )
    parts = list(procedure.parts.all())
    index = {p.pk: i for i, p in enumerate(parts, start=1)}
    fields = []
    for spec in revision.fields if revision else []:
        f = dict(spec)
        if f["kind"] == fs.UPLOAD:
            f["part"] = index.get(f["part"])
        fields.append(f)
    process = None
    if procedure.process is not None and not procedure.process.is_default:
        p = procedure.process
        steps = list(p.steps.all())
        process = {
            "name": p.name,
            "steps": [
                {
                    "code": s.code,
                    "name": s.name,
                    "status": s.status,
                    "is_start": s.is_start,
                    "is_end": s.is_end,
                    "time_share": s.time_share,
                }
                for s in steps
            ],
            "actions": [
                {
                    "code": a.code,
                    "name": a.name,
                    "from": a.from_step.code,
                    "to": a.to_step.code,
                    "role": a.role,
                    "comment_required": a.comment_required,
                }
                for a in ProcessAction.objects.filter(process=p).select_related(
                    "from_step", "to_step"
                )
            ],
        }
    template = ResultTemplate.objects.filter(procedure=procedure).first()
    return {
        "format": FORMAT,
        "procedure": {"code": procedure.code, "name": procedure.name},
        "parts": [{"index": index[p.pk], "name": p.name, "required": p.required} for p in parts],
        "form": {"fields": fields, "number": revision.number if revision else None},
        "process": process,
        "fee_adjustments": [
            {"unit": a.org_unit.code, "amount": a.amount, "reason": a.reason}
            for a in FeeAdjustment.objects.filter(procedure=procedure).select_related("org_unit")
        ],
        "result_template": {"title": template.title, "body": template.body} if template else None,
    }


def config_export_json(*, procedure: Procedure) -> str:
    return json.dumps(config_export(procedure=procedure), ensure_ascii=False, indent=2)


def _parse(raw: bytes | str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("Tệp cấu hình quá lớn (tối đa 1 MB)."))
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("Tệp không phải JSON hợp lệ.")) from None
    if not isinstance(data, dict):
        raise ValidationError(_("Tệp cấu hình phải là một đối tượng JSON."))
    return data


def _fields(data: dict[str, Any], procedure: Procedure, errors: list[str]) -> list[dict[str, Any]]:
    form = data.get("form")
    if not isinstance(form, dict) or not isinstance(form.get("fields"), list):
        errors.append(_("Thiếu biểu mẫu (“form.fields”)."))
        return []
    # the file's parts → this procedure's parts, by name
    mine = {fold(p.name): p.pk for p in procedure.parts.all()}
    theirs: dict[int, int | None] = {}
    for p in data.get("parts") or []:
        if isinstance(p, dict) and isinstance(p.get("index"), int):
            theirs[p["index"]] = mine.get(fold(str(p.get("name", ""))))
    fields: list[dict[str, Any]] = []
    for i, raw in enumerate(form["fields"], start=1):
        try:
            spec = fs.field_normalise(raw)
        except ValueError as exc:
            errors.append(_("Trường thứ %(i)d: %(e)s") % {"i": i, "e": exc})
            continue
        if spec["kind"] == fs.UPLOAD:
            pk = theirs.get(spec["part"] or -1)
            if pk is None:
                errors.append(
                    _("Trường “%s”: thành phần hồ sơ không có trong thủ tục này.") % spec["label"]
                )
            spec["part"] = pk
        fields.append(spec)
    if not errors:
        errors += fs.revision_errors(fields, part_ids=list(mine.values()))
    return fields


def _process(data: Any, errors: list[str]) -> dict[str, Any] | None:
    from tinhso.services.workflow import ActionSpec, StepSpec, process_graph_errors

    if data is None:
        return None
    if not isinstance(data, dict):
        errors.append(_("“process” phải là một đối tượng hoặc null."))
        return None
    steps, actions = data.get("steps"), data.get("actions")
    if not isinstance(steps, list) or not isinstance(actions, list):
        errors.append(_("Quy trình cần “steps” và “actions” là danh sách."))
        return None
    statuses = {s.value for s in Status}
    roles = {r.value for r in ActorRole}
    for s in steps:
        if (
            not isinstance(s, dict)
            or not fs.NAME_RE.match(str(s.get("code", "")).replace("-", "_"))
            or s.get("status") not in statuses
            or not str(s.get("name", "")).strip()
        ):
            errors.append(
                _("Bước quy trình không hợp lệ: %s") % json.dumps(s, ensure_ascii=False)[:120]
            )
            return None
    for a in actions:
        if not isinstance(a, dict) or a.get("role") not in roles or not a.get("code"):
            errors.append(
                _("Thao tác quy trình không hợp lệ: %s") % json.dumps(a, ensure_ascii=False)[:120]
            )
            return None
    graph = process_graph_errors(
        [
            StepSpec(s["code"], s["name"], bool(s.get("is_start")), bool(s.get("is_end")))
            for s in steps
        ],
        [ActionSpec(a.get("name", a["code"]), a.get("from"), a.get("to")) for a in actions],
    )
    errors += [_("Quy trình: %s") % e for e in graph]
    return data


def _fees(data: Any, errors: list[str]) -> list[tuple[OrgUnit, int, str]]:
    out = []
    for a in data or []:
        unit = (
            OrgUnit.objects.filter(valid_on_q(today()), code=str(a.get("unit", ""))).first()
            if isinstance(a, dict)
            else None
        )
        amount = a.get("amount") if isinstance(a, dict) else None
        if unit is None:
            errors.append(_("Điều chỉnh phí: không có đơn vị mã “%s”.") % (a or {}).get("unit"))
        elif not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            errors.append(
                _("Điều chỉnh phí của %s: số tiền phải là số nguyên không âm.") % unit.name
            )
        else:
            out.append((unit, amount, str(a.get("reason", ""))[:500] or _("Nhập từ tệp cấu hình")))
    return out


def config_import(
    *, user: AnyUser, procedure: Procedure, raw: bytes | str | dict[str, Any]
) -> FormRevision:
    """Check the whole file, then store it in one transaction: the draft's fields, the
    process (a new one, made the procedure's), the fee adjustments, the result template.
    Any problem: ``ValidationError`` listing all of them, nothing stored."""
    if not studio_can_edit(user=user, procedure=procedure):
        raise PermissionDenied(_("Bạn không có quyền soạn biểu mẫu của thủ tục này."))
    data = _parse(raw)
    errors: list[str] = []
    if data.get("format") != FORMAT:
        raise ValidationError(_("Tệp không phải cấu hình thủ tục của Tỉnh Số (%s).") % FORMAT)
    code = (data.get("procedure") or {}).get("code")
    if code != procedure.code:
        errors.append(
            _("Tệp là cấu hình của thủ tục %(a)s, không phải %(b)s.")
            % {"a": code, "b": procedure.code}
        )
    fields = _fields(data, procedure, errors)
    process = _process(data.get("process"), errors)
    fees = _fees(data.get("fee_adjustments"), errors)
    template = data.get("result_template")
    if template is not None:
        if (
            not isinstance(template, dict)
            or not str(template.get("title", "")).strip()
            or not str(template.get("body", "")).strip()
        ):
            errors.append(_("Mẫu kết quả cần “title” và “body”."))
        else:
            errors += template_placeholder_errors(str(template["body"]), fields)
    if errors:
        raise ValidationError(list(dict.fromkeys(errors)))
    with transaction.atomic():
        draft = revision_draft_get_or_create(user=user, procedure=procedure)
        draft.fields = fields
        draft.save(update_fields=["fields", "updated_at"])
        if process is not None:
            _process_store(procedure, process)
        for unit, amount, reason in fees:
            FeeAdjustment.objects.update_or_create(
                procedure=procedure,
                org_unit=unit,
                defaults={"amount": amount, "reason": reason, "updated_by": draft.created_by},
            )
        if template is not None:
            ResultTemplate.objects.update_or_create(
                procedure=procedure,
                defaults={
                    "title": template["title"].strip()[:255],
                    "body": template["body"].strip(),
                },
            )
        audit_record(
            actor=user,
            action="services.studio_import",
            obj=draft,
            after={
                "procedure": procedure.code,
                "fields": [f["name"] for f in fields],
                "process": bool(process),
                "fee_adjustments": [(u.code, a) for u, a, _r in fees],
                "result_template": bool(template),
            },
        )
    return draft


def _process_store(procedure: Procedure, data: dict[str, Any]) -> Process:
    base = f"{procedure.code}-nhap"[:34]
    code, n = base, 2
    while Process.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    process = Process.objects.create(
        code=code, name=str(data.get("name") or code)[:255], is_active=True
    )
    steps = {}
    for i, s in enumerate(data["steps"]):
        steps[s["code"]] = ProcessStep.objects.create(
            process=process,
            code=s["code"],
            name=s["name"][:255],
            status=s["status"],
            order=i,
            is_start=bool(s.get("is_start")),
            is_end=bool(s.get("is_end")),
            time_share=s.get("time_share") if isinstance(s.get("time_share"), int) else None,
        )
    for i, a in enumerate(data["actions"]):
        ProcessAction.objects.create(
            process=process,
            code=a["code"],
            name=str(a.get("name") or a["code"])[:255],
            from_step=steps[a["from"]],
            to_step=steps[a["to"]],
            role=a["role"],
            comment_required=bool(a.get("comment_required")),
            order=i,
        )
    procedure.process = process
    procedure.save(update_fields=["process", "updated_at"])
    return process
