"""Writes of the procedure studio: a procedure's draft form revision edited field by
field, published after its checks; the result template. Each change is audited in its
transaction. Editing needs ``services.studio_edit`` at one of the procedure's receiving
units (the DX office's scope covers them all)."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.permissions import scope_paths
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import today, valid_on_q
from tinhso.services.models import (
    FormField,
    FormRevision,
    Procedure,
    ProcedureAgency,
    ResultTemplate,
)
from tinhso.services.studio import spec as fs
from tinhso.text import fold

EDIT = "services.studio_edit"
# placeholders every result template may use besides the form's fields
BUILTIN_PLACEHOLDERS = ("so_ho_so", "nguoi_nop", "so_dinh_danh", "ngay", "thu_tuc", "co_quan")
PLACEHOLDER_RE = re.compile(r"\{([a-z][a-z0-9_.]*)\}")
CHECK_CACHE_SECONDS = 24 * 3600


def procedure_units(procedure: Procedure) -> list[OrgUnit]:
    ids = ProcedureAgency.objects.filter(valid_on_q(today()), procedure=procedure).values(
        "org_unit_id"
    )
    return list(OrgUnit.objects.filter(pk__in=ids))


def studio_can_edit(*, user: AnyUser | None, procedure: Procedure) -> bool:
    paths = scope_paths(user, EDIT)
    if paths is None:
        return True
    if not paths:
        return False
    return any(u.path.startswith(p) for u in procedure_units(procedure) for p in paths)


def _check(user: AnyUser | None, procedure: Procedure) -> None:
    if not studio_can_edit(user=user, procedure=procedure):
        raise PermissionDenied(_("Bạn không có quyền soạn biểu mẫu của thủ tục này."))


def _legacy_fields(procedure: Procedure) -> list[dict[str, Any]]:
    """The typed ``FormField`` rows as studio fields (a first draft starts from them)."""
    kinds: dict[str, str] = {
        FormField.Kind.TEXT: fs.TEXT,
        FormField.Kind.TEXTAREA: fs.TEXTAREA,
        FormField.Kind.DATE: fs.DATE,
        FormField.Kind.NUMBER: fs.NUMBER,
        FormField.Kind.CHOICE: fs.CHOICE,
        FormField.Kind.CITIZEN_ID: fs.CITIZEN_ID,
        FormField.Kind.PHONE: fs.PHONE,
        FormField.Kind.EMAIL: fs.EMAIL,
    }
    out = []
    for f in procedure.form_fields.all():
        spec = fs.field_blank(
            kind=kinds.get(f.kind, fs.TEXT), name=f.name.replace("-", "_"), label=f.label
        )
        spec.update(
            required=f.required, help=f.help_text, choices=list(f.choices), max_length=f.max_length
        )
        out.append(spec)
    return out


def _lock(revision_id: int) -> FormRevision:
    revision = (
        FormRevision.objects.select_for_update()
        .select_related("procedure")
        .filter(pk=revision_id)
        .first()
    )
    if revision is None:
        raise ValidationError(_("Không tìm thấy phiên bản biểu mẫu."))
    if revision.state != FormRevision.State.DRAFT:
        raise ValidationError(_("Chỉ sửa được bản nháp; phiên bản đã công bố không sửa được."))
    return revision


@transaction.atomic
def revision_draft_get_or_create(*, user: AnyUser, procedure: Procedure) -> FormRevision:
    """The procedure's draft; a new one copies the published revision (or the typed rows)."""
    _check(user, procedure)
    Procedure.objects.select_for_update().filter(pk=procedure.pk).exists()
    draft = FormRevision.objects.filter(procedure=procedure, state=FormRevision.State.DRAFT).first()
    if draft is not None:
        return draft
    last = FormRevision.objects.filter(procedure=procedure).order_by("-number").first()
    live = FormRevision.objects.filter(
        procedure=procedure, state=FormRevision.State.PUBLISHED
    ).first()
    fields = live.fields if live is not None else _legacy_fields(procedure)
    draft = FormRevision.objects.create(
        procedure=procedure,
        number=(last.number + 1) if last else 1,
        fields=fields,
        created_by=user if isinstance(user, User) else None,
    )
    audit_record(
        actor=user,
        action="services.studio_draft_create",
        obj=draft,
        after={"procedure": procedure.code, "number": draft.number, "from": live and live.number},
    )
    return draft


def _name_from(label: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_")[:32] or "truong"
    if not base[0].isalpha():
        base = f"t_{base}"[:32]
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    return name


def _names(fields: list[dict[str, Any]]) -> set[str]:
    return {f["name"] for f in fields} | {c["name"] for f in fields for c in f["children"]}


def _save(revision: FormRevision, user: AnyUser, action: str, extra: dict[str, Any]) -> None:
    revision.save(update_fields=["fields", "updated_at"])
    audit_record(
        actor=user,
        action=f"services.studio_{action}",
        obj=revision,
        extra={"procedure": revision.procedure.code, "number": revision.number, **extra},
    )


def _find(fields: list[dict[str, Any]], name: str) -> tuple[list[dict[str, Any]], int]:
    """The list holding the field ``name`` (top level or a block's children) and its index."""
    for i, f in enumerate(fields):
        if f["name"] == name:
            return fields, i
        for j, c in enumerate(f["children"]):
            if c["name"] == name:
                return f["children"], j
    raise ValidationError(_("Không tìm thấy trường “%s”.") % name)


@transaction.atomic
def revision_field_add(
    *, user: AnyUser, revision_id: int, kind: str, label: str, parent: str = ""
) -> dict[str, Any]:
    revision = _lock(revision_id)
    _check(user, revision.procedure)
    label = (label or "").strip()
    if kind not in fs.KINDS:
        raise ValidationError({"kind": [_("Kiểu trường không hợp lệ.")]})
    if not label:
        raise ValidationError({"label": [_("Vui lòng nhập nhãn của trường.")]})
    if len(label) > 255:
        raise ValidationError({"label": [_("Nhãn tối đa 255 ký tự.")]})
    fields = revision.fields
    spec = fs.field_blank(kind=kind, name=_name_from(label, _names(fields)), label=label)
    if parent:
        siblings, i = _find(fields, parent)
        block = siblings[i]
        if block["kind"] != fs.REPEAT or kind in (fs.REPEAT, fs.UPLOAD, fs.HEADING):
            raise ValidationError(
                {"kind": [_("Nhóm lặp lại chỉ chứa trường nhập liệu (không nhóm, tệp, tiêu đề).")]}
            )
        block["children"].append(spec)
    else:
        fields.append(spec)
    _save(revision, user, "field_add", {"field": spec["name"], "kind": kind, "parent": parent})
    return spec


@transaction.atomic
def revision_field_update(
    *, user: AnyUser, revision_id: int, name: str, values: dict[str, Any]
) -> dict[str, Any]:
    """Replace a field's settings (its name and kind stay); refused with the field's own
    problems (the checks across fields run at publishing)."""
    revision = _lock(revision_id)
    _check(user, revision.procedure)
    siblings, i = _find(revision.fields, name)
    before = siblings[i]
    try:
        spec = fs.field_normalise(
            {**before, **values, "name": before["name"], "kind": before["kind"]},
            child=before not in revision.fields,
        )
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    spec["children"] = before["children"] if before["kind"] == fs.REPEAT else []
    part_ids = list(revision.procedure.parts.values_list("pk", flat=True))
    errors = fs.field_errors(spec, part_ids=part_ids, complete=False)
    if errors:
        raise ValidationError(errors)
    siblings[i] = spec
    changed = {k: spec[k] for k in fs.KEYS if spec[k] != fs.setting(before, k) and k != "children"}
    _save(revision, user, "field_update", {"field": name, "changed": changed})
    return spec


@transaction.atomic
def revision_field_move(*, user: AnyUser, revision_id: int, name: str, offset: int) -> None:
    revision = _lock(revision_id)
    _check(user, revision.procedure)
    siblings, i = _find(revision.fields, name)
    j = i + offset
    if not 0 <= j < len(siblings):
        return
    siblings[i], siblings[j] = siblings[j], siblings[i]
    _save(revision, user, "field_move", {"field": name, "to": j})


@transaction.atomic
def revision_field_remove(*, user: AnyUser, revision_id: int, name: str) -> None:
    revision = _lock(revision_id)
    _check(user, revision.procedure)
    siblings, i = _find(revision.fields, name)
    removed = siblings.pop(i)
    _save(revision, user, "field_remove", {"field": name, "kind": removed["kind"]})


def template_placeholder_errors(body: str, fields: list[dict[str, Any]]) -> list[str]:
    known = set(BUILTIN_PLACEHOLDERS) | {f["name"] for f in fs.value_fields(fields)}
    unknown = sorted(set(PLACEHOLDER_RE.findall(body or "")) - known)
    if unknown:
        return [
            _("Mẫu kết quả dùng ô “%s” không có trong biểu mẫu.")
            % ", ".join(f"{{{u}}}" for u in unknown)
        ]
    return []


def revision_publish_errors(*, revision: FormRevision) -> list[str]:
    """Why the revision cannot be published (Vietnamese messages; empty: it can)."""
    from tinhso.services.workflow import procedure_process, process_validate

    procedure = revision.procedure
    parts = list(procedure.parts.all())
    fields = revision.fields
    errors = fs.revision_errors(fields, part_ids=[p.pk for p in parts])
    if not fs.value_fields(fields):
        errors.append(_("Biểu mẫu chưa có trường nhập liệu nào."))
    bound = {f["part"] for f in fields if f["kind"] == fs.UPLOAD}
    for part in parts:
        if part.required and part.pk not in bound:
            errors.append(
                _("Thiếu trường tải lên cho thành phần hồ sơ bắt buộc: %s") % part.name[:120]
            )
    if revision.steps is not None:  # the steps edited with this revision
        from tinhso.services.studio.steps import stages_publish_errors

        errors += stages_publish_errors(stages=revision.steps, procedure=procedure)
    else:
        process_errors = process_validate(process=procedure_process(procedure=procedure))
        errors += [_("Quy trình xử lý chưa hợp lệ: %s") % e for e in process_errors]
    template = ResultTemplate.objects.filter(procedure=procedure).first()
    if template is None or not template.body.strip():
        errors.append(_("Thủ tục chưa có mẫu kết quả."))
    else:
        errors += template_placeholder_errors(template.body, fields)
    return errors


def _check_fingerprint(revision: FormRevision) -> str:
    """A digest of everything ``revision_publish_errors`` reads: the draft's fields and
    steps, the procedure's parts and result template, the process it keeps (when its
    steps are not edited), and the language the messages are in."""
    from tinhso.services.models import ProcessAction
    from tinhso.services.workflow import procedure_process

    procedure = revision.procedure
    template = (
        ResultTemplate.objects.filter(procedure=procedure)
        .values_list("title", "body", "updated_at")
        .first()
    )
    content: dict[str, Any] = {
        "revision": revision.pk,
        "fields": revision.fields,
        "steps": revision.steps,
        "parts": list(procedure.parts.order_by("pk").values_list("pk", "required")),
        "template": template,
        "language": get_language(),
    }
    if revision.steps is None:
        process = procedure_process(procedure=procedure)
        content["process"] = [
            process.pk,
            list(process.steps.values_list("pk", "is_start", "is_end", "name")),
            list(
                ProcessAction.objects.filter(process=process).values_list(
                    "name", "from_step_id", "to_step_id"
                )
            ),
        ]
    raw = json.dumps(content, sort_keys=True, default=str).encode()
    return hashlib.sha256(raw).hexdigest()


def revision_check(*, revision: FormRevision) -> list[str]:
    """``revision_publish_errors`` for the editor's pages, cached per content of what it
    checks (any change to the draft, its parts, template or process gives a new key), so
    a page shown again does not check the whole revision again."""
    key = f"studio:check:{_check_fingerprint(revision)}"
    errors = cache.get(key)
    if errors is None:
        errors = revision_publish_errors(revision=revision)
        cache.set(key, errors, CHECK_CACHE_SECONDS)
    return list(errors)


@transaction.atomic
def revision_publish(*, user: AnyUser, revision_id: int, note: str = "") -> FormRevision:
    """Make the draft the live revision (the previous one superseded); refused, nothing
    changed, with every problem listed."""
    revision = _lock(revision_id)
    _check(user, revision.procedure)
    errors = revision_publish_errors(revision=revision)
    if errors:
        raise ValidationError(errors)
    previous = (
        FormRevision.objects.select_for_update()
        .filter(procedure=revision.procedure, state=FormRevision.State.PUBLISHED)
        .first()
    )
    if previous is not None:
        previous.state = FormRevision.State.SUPERSEDED
        previous.save(update_fields=["state", "updated_at"])
    revision.state = FormRevision.State.PUBLISHED
    revision.published_by = user  # type: ignore[assignment]
    revision.published_at = timezone.now()
    revision.note = (note or "").strip()[:500]
    revision.save(update_fields=["state", "published_by", "published_at", "note", "updated_at"])
    from tinhso.services.studio.steps import revision_process_publish

    process = revision_process_publish(user=user, revision=revision)
    audit_record(
        actor=user,
        action="services.studio_publish",
        obj=revision,
        before={"number": previous.number if previous else None},
        after={
            "procedure": revision.procedure.code,
            "number": revision.number,
            "fields": [f["name"] for f in revision.fields],
            "note": revision.note,
            "process": process.code if process else None,
        },
    )
    return revision


@transaction.atomic
def result_template_save(
    *, user: AnyUser, procedure: Procedure, title: str, body: str
) -> ResultTemplate:
    _check(user, procedure)
    title, body = (title or "").strip(), (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Vui lòng nhập tiêu đề kết quả.")]
    if not body:
        errors["body"] = [_("Vui lòng nhập nội dung mẫu kết quả.")]
    draft = FormRevision.objects.filter(procedure=procedure).order_by("-number").first()
    bad = template_placeholder_errors(body, draft.fields if draft else [])
    if bad:
        errors["body"] = bad
    if errors:
        raise ValidationError(errors)
    template = ResultTemplate.objects.filter(procedure=procedure).select_for_update().first()
    before = {"title": template.title, "body": template.body} if template else None
    if template is None:
        template = ResultTemplate(procedure=procedure)
    template.title, template.body, template.updated_by = title, body, user  # type: ignore[assignment]
    template.save()
    audit_record(
        actor=user,
        action="services.studio_result_template",
        obj=template,
        before=before,
        after={"title": title, "body": body, "procedure": procedure.code},
    )
    return template
