"""Pages of the procedure studio (thin: rules in ``studio.services``). Every change is a
plain form POST that redirects back to the editor, so the editor works without scripts;
``hx-boost`` on the editor makes the same requests in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tinhso.accounts.permissions import user_can
from tinhso.services.models import FormRevision, Procedure, ResultTemplate
from tinhso.services.studio import services as studio
from tinhso.services.studio import spec as fs
from tinhso.services.studio.forms import (
    FieldAddForm,
    FieldSettingsForm,
    PublishForm,
    ResultTemplateForm,
)
from tinhso.services.studio.render import studio_form_class
from tinhso.services.studio.selectors import (
    revision_diff,
    revision_get,
    revision_list,
    studio_procedures,
)


def _procedure(request: HttpRequest, code: str) -> Procedure:
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise Http404
    if not studio.studio_can_edit(user=request.user, procedure=procedure):
        raise PermissionDenied
    return procedure


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


@login_required
@require_GET
def studio_index(request: HttpRequest) -> HttpResponse:
    if not user_can(user=request.user, action=studio.EDIT):
        raise PermissionDenied
    q = request.GET.get("q", "")[:100]
    rows = list(studio_procedures(user=request.user, q=q))
    states = {
        (r.procedure_id, r.state): r.number
        for r in FormRevision.objects.filter(procedure__in=rows).exclude(
            state=FormRevision.State.SUPERSEDED
        )
    }
    items = [
        {
            "procedure": p,
            "published": states.get((p.pk, FormRevision.State.PUBLISHED)),
            "draft": states.get((p.pk, FormRevision.State.DRAFT)),
        }
        for p in rows
    ]
    return render(request, "services/studio/index.html", {"items": items, "q": q})


def _editor_context(procedure: Procedure, draft: FormRevision | None) -> dict[str, Any]:
    parts = list(procedure.parts.all())
    fields = draft.fields if draft else []
    rows = []
    earlier: list[dict[str, Any]] = []
    for index, spec in enumerate(fields):
        rows.append(_row(spec, earlier, parts, index, len(fields), None))
        if spec["kind"] not in fs.NO_VALUE | {fs.REPEAT}:
            earlier.append(spec)
    preview = studio_form_class(fields=fields)() if draft else None
    template = ResultTemplate.objects.filter(procedure=procedure).first()
    return {
        "procedure": procedure,
        "draft": draft,
        "rows": rows,
        "add_form": FieldAddForm(blocks=[f for f in fields if f["kind"] == fs.REPEAT]),
        "publish_form": PublishForm(),
        "template_form": ResultTemplateForm(
            initial={"title": template.title, "body": template.body}
            if template
            else {"title": procedure.result_name[:255]}
        ),
        "placeholders": list(studio.BUILTIN_PLACEHOLDERS)
        + [f["name"] for f in fs.value_fields(fields)],
        "preview": preview,
        "revisions": revision_list(procedure=procedure),
        "publish_errors": studio.revision_check(revision=draft) if draft else [],
        **_setup_context(procedure),
    }


def _setup_context(procedure: Procedure) -> dict[str, Any]:
    from tinhso.services.models import FeeAdjustment, ProcedureChannel
    from tinhso.services.studio.library import LIBRARY
    from tinhso.services.workflow import procedure_process

    channel = ProcedureChannel.objects.filter(procedure=procedure).order_by("-channel").first()
    return {
        "library": [(k, v["name"]) for k, v in LIBRARY.items()],
        "current_process": procedure_process(procedure=procedure),
        "units": studio.procedure_units(procedure),
        "fees": FeeAdjustment.objects.filter(procedure=procedure).select_related("org_unit"),
        "catalogue_fee": channel,
    }


def _row(  # noqa: PLR0917 (a row and its place among its siblings)
    spec: dict[str, Any],
    earlier: list[dict[str, Any]],
    parts: list[Any],
    index: int,
    count: int,
    parent: str | None,
) -> dict[str, Any]:
    kind = spec["kind"]
    form = FieldSettingsForm(
        initial=FieldSettingsForm.initial_from(spec),
        earlier=earlier,
        parts=parts,
        prefix=spec["name"],
    )
    show = {"label", "help"}
    if kind not in fs.NO_VALUE:
        show |= {"required", "show_if_field", "show_if_equals"}
    if kind in (fs.UPLOAD, fs.HEADING):  # an upload, like a heading, may be conditional
        show |= {"show_if_field", "show_if_equals"}
    if kind in fs.SUBJECT_KINDS:
        show |= {"subject"}
    if kind in fs.TEXTUAL:
        show |= {"min_length", "max_length", "pattern", "pattern_message", "prefill"}
    if kind in (fs.CITIZEN_ID, fs.TAX_CODE, fs.PHONE, fs.EMAIL, fs.DATE, fs.ADDRESS):
        show |= {"prefill"}
    if kind == fs.NUMBER:
        show |= {"min_value", "max_value"}
    if kind in (fs.CHOICE, fs.MULTICHOICE):
        show |= {"choices"}
    if kind == fs.UPLOAD:
        show |= {"part"}
    if kind == fs.REPEAT:
        show |= {"min_items", "max_items"}
    if parent:
        show -= {"show_if_field", "show_if_equals", "prefill", "subject"}
    children = []
    for j, child in enumerate(spec.get("children") or []):
        children.append(_row(child, [], parts, j, len(spec["children"]), spec["name"]))
    return {
        "spec": spec,
        "kind_label": fs.KINDS.get(kind, kind),
        "form": form,
        "visible": [form[name] for name in form.fields if name in show],
        "hidden_names": [name for name in form.fields if name not in show],
        "first": index == 0,
        "last": index == count - 1,
        "children": children,
        "parent": parent,
    }


@login_required
def studio_editor(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(request, code)
    draft = FormRevision.objects.filter(procedure=procedure, state=FormRevision.State.DRAFT).first()
    if request.method == "POST":  # start a draft
        try:
            studio.revision_draft_get_or_create(user=request.user, procedure=procedure)
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("services:studio_editor", code=code)
    return render(request, "services/studio/editor.html", _editor_context(procedure, draft))


def _draft(request: HttpRequest, procedure: Procedure) -> FormRevision:
    draft = FormRevision.objects.filter(procedure=procedure, state=FormRevision.State.DRAFT).first()
    if draft is None:
        raise Http404
    return draft


@login_required
@require_POST
def studio_field_add(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(request, code)
    draft = _draft(request, procedure)
    form = FieldAddForm(request.POST, blocks=[f for f in draft.fields if f["kind"] == fs.REPEAT])
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
    else:
        try:
            spec = studio.revision_field_add(
                user=request.user,
                revision_id=draft.pk,
                kind=form.cleaned_data["kind"],
                label=form.cleaned_data["label"],
                parent=form.cleaned_data["parent"] or "",
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Đã thêm trường “%s”.") % spec["label"])
            return redirect(f"{procedure_editor_url(code)}#f-{spec['name']}")
    return redirect("services:studio_editor", code=code)


def procedure_editor_url(code: str) -> str:
    from django.urls import reverse

    return reverse("services:studio_editor", args=[code])


@login_required
@require_POST
def studio_field_change(request: HttpRequest, code: str, name: str) -> HttpResponse:
    procedure = _procedure(request, code)
    draft = _draft(request, procedure)
    op = request.POST.get("op", "")
    anchor = f"#f-{name}"
    try:
        if op == "up":
            studio.revision_field_move(
                user=request.user, revision_id=draft.pk, name=name, offset=-1
            )
        elif op == "down":
            studio.revision_field_move(user=request.user, revision_id=draft.pk, name=name, offset=1)
        elif op == "remove":
            studio.revision_field_remove(user=request.user, revision_id=draft.pk, name=name)
            messages.success(request, _("Đã xóa trường."))
            anchor = "#fields"
        elif op == "save":
            form = FieldSettingsForm(
                request.POST,
                prefix=name,
                earlier=[f for f in draft.fields if f["kind"] not in fs.NO_VALUE],
                parts=list(procedure.parts.all()),
            )
            if not form.is_valid():
                for field_name, errs in form.errors.items():
                    label = form.fields[field_name].label if field_name in form.fields else ""
                    for e in errs:
                        messages.error(request, f"{label}: {e}" if label else str(e))
            else:
                studio.revision_field_update(
                    user=request.user, revision_id=draft.pk, name=name, values=form.values()
                )
                messages.success(request, _("Đã lưu trường."))
        else:
            raise Http404
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(f"{procedure_editor_url(code)}{anchor}")


@login_required
@require_POST
def studio_publish(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(request, code)
    draft = _draft(request, procedure)
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        revision = studio.revision_publish(
            user=request.user, revision_id=draft.pk, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, _("Chưa công bố được biểu mẫu:"))
        _errors(request, exc)
        return redirect("services:studio_editor", code=code)
    messages.success(request, _("Đã công bố phiên bản %d.") % revision.number)
    return redirect("services:studio_revision", code=code, number=revision.number)


@login_required
@require_POST
def studio_result_template(request: HttpRequest, code: str) -> HttpResponse:
    procedure = _procedure(request, code)
    form = ResultTemplateForm(request.POST)
    if form.is_valid():
        try:
            studio.result_template_save(
                user=request.user,
                procedure=procedure,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Đã lưu mẫu kết quả."))
    else:
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
    return redirect(f"{procedure_editor_url(code)}#result")


@login_required
@require_GET
def studio_preview(request: HttpRequest, code: str) -> HttpResponse:
    """The draft (or ``?v=N``) exactly as the applicant's form renders it."""
    procedure = _procedure(request, code)
    number = request.GET.get("v", "")
    revision = (
        revision_get(procedure=procedure, number=int(number))
        if number.isdigit()
        else FormRevision.objects.filter(
            procedure=procedure, state=FormRevision.State.DRAFT
        ).first()
    )
    if revision is None:
        raise Http404
    form = studio_form_class(fields=revision.fields)(applicant=None)
    return render(
        request,
        "services/studio/preview.html",
        {"procedure": procedure, "revision": revision, "form": form},
    )


@login_required
@require_GET
def studio_revision(request: HttpRequest, code: str, number: int) -> HttpResponse:
    procedure = _procedure(request, code)
    revision = revision_get(procedure=procedure, number=number)
    if revision is None:
        raise Http404
    previous = (
        FormRevision.objects.filter(procedure=procedure, number__lt=number)
        .exclude(state=FormRevision.State.DRAFT)
        .order_by("-number")
        .first()
    )
    return render(
        request,
        "services/studio/revision.html",
        {
            "procedure": procedure,
            "revision": revision,
            "previous": previous,
            "changes": revision_diff(
                old=previous.fields if previous else None, new=revision.fields
            ),
            "stages": _stage_rows(revision.steps or []),
        },
    )


@login_required
@require_GET
def readiness(request: HttpRequest) -> HttpResponse:
    """Readiness of the procedures at the units in the user's scope (DX office: all)."""
    from tinhso.accounts.permissions import scope_paths
    from tinhso.orgs.models import OrgUnit
    from tinhso.orgs.selectors import today
    from tinhso.services.studio.readiness import FULL, LEVELS, readiness_counts, readiness_list

    action = "services.readiness_view"
    if not user_can(user=request.user, action=action):
        raise PermissionDenied
    paths = scope_paths(request.user, action)
    on = today()
    rows = readiness_list(on=on, paths=paths)
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in={r.org_unit_id for r in rows})}
    chosen = request.GET.get("don-vi", "")
    per_unit: dict[int, dict[str, int]] = {}
    for r in rows:
        c = per_unit.setdefault(r.org_unit_id, dict.fromkeys(LEVELS, 0))
        c[r.level] += 1
    unit_rows: list[dict[str, Any]] = sorted(
        (
            {
                "unit": units[uid],
                "counts": [c[k] for k in LEVELS],
                "total": sum(c.values()),
                "share": round(100 * c[FULL] / sum(c.values())) if sum(c.values()) else 0,
            }
            for uid, c in per_unit.items()
        ),
        key=lambda x: (x["share"], x["unit"].path),
    )
    if chosen.isdigit():
        rows = [r for r in rows if r.org_unit_id == int(chosen)]
    short = [r for r in rows if r.level != FULL]
    counts = readiness_counts(rows)
    total = len(rows)
    return render(
        request,
        "services/studio/readiness.html",
        {
            "levels": [(LEVELS[k], counts[k]) for k in LEVELS],
            "level_names": list(LEVELS.values()),
            "total": total,
            "share": round(100 * counts[FULL] / total, 1) if total else None,
            "unit_rows": unit_rows,
            "chosen": units.get(int(chosen)) if chosen.isdigit() else None,
            "short": [(r, units[r.org_unit_id]) for r in short[:300]],
            "short_count": len(short),
            "can_edit": user_can(user=request.user, action=studio.EDIT),
        },
    )


@login_required
@require_GET
def studio_export(request: HttpRequest, code: str) -> HttpResponse:
    from tinhso.services.studio.transfer import config_export_json

    procedure = _procedure(request, code)
    response = HttpResponse(
        config_export_json(procedure=procedure), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="cau-hinh-{procedure.code}.json"'
    return response


@login_required
@require_POST
def studio_import(request: HttpRequest, code: str) -> HttpResponse:
    from tinhso.services.studio.transfer import MAX_BYTES, config_import

    procedure = _procedure(request, code)
    upload = request.FILES.get("config")
    if upload is None:
        messages.error(request, _("Hãy chọn tệp cấu hình (JSON)."))
    elif upload.size is not None and upload.size > MAX_BYTES:
        messages.error(request, _("Tệp cấu hình quá lớn (tối đa 1 MB)."))
    else:
        try:
            config_import(user=request.user, procedure=procedure, raw=upload.read())
        except ValidationError as exc:
            messages.error(request, _("Không nhập được cấu hình, chưa lưu gì:"))
            _errors(request, exc)
        else:
            messages.success(request, _("Đã nhập cấu hình thành bản nháp; kiểm tra rồi công bố."))
    return redirect("services:studio_editor", code=code)


@login_required
@require_POST
def studio_process(request: HttpRequest, code: str) -> HttpResponse:
    from tinhso.services.studio.library import process_from_library

    procedure = _procedure(request, code)
    try:
        process = process_from_library(
            user=request.user, procedure=procedure, key=request.POST.get("library", "")
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Đã áp dụng quy trình “%s”.") % process.name)
    return redirect(f"{procedure_editor_url(code)}#process")


@login_required
@require_POST
def studio_fee(request: HttpRequest, code: str) -> HttpResponse:
    from tinhso.orgs.models import OrgUnit
    from tinhso.services.studio.library import fee_adjust

    procedure = _procedure(request, code)
    unit = OrgUnit.objects.filter(pk=request.POST.get("org_unit", "0") or 0).first()
    amount_text = request.POST.get("amount", "").replace(".", "").strip()
    if unit is None:
        messages.error(request, _("Vui lòng chọn đơn vị."))
    elif not amount_text.isdigit():
        messages.error(request, _("Mức phí phải là số nguyên từ 0 đồng."))
    else:
        try:
            fee_adjust(
                user=request.user,
                procedure=procedure,
                org_unit=unit,
                amount=int(amount_text),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Đã lưu mức phí của %s.") % unit.agency_name)
    return redirect(f"{procedure_editor_url(code)}#fees")


@login_required
@require_GET
def studio_result_pdf(request: HttpRequest, code: str) -> HttpResponse:
    from tinhso.services.studio.library import result_preview_pdf

    procedure = _procedure(request, code)
    draft = FormRevision.objects.filter(procedure=procedure).order_by("-number").first()
    try:
        pdf = result_preview_pdf(
            user=request.user, procedure=procedure, fields=draft.fields if draft else []
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(f"{procedure_editor_url(code)}#result")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="xem-truoc-ket-qua-{procedure.code}.pdf"'
    return response


def _stage_rows(stages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from tinhso.services.studio.steps import STAGE_KINDS, STAGE_ROLES

    return [
        {
            **s,
            "kind_label": STAGE_KINDS.get(s["kind"], s["kind"]),
            "role_label": STAGE_ROLES.get(s["role"], s["role"]),
        }
        for s in stages
    ]


def _stage_form_errors(request: HttpRequest, form: Any) -> None:
    for field_name, errs in form.errors.items():
        label = form.fields[field_name].label if field_name in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else str(e))


@login_required
def studio_steps(request: HttpRequest, code: str) -> HttpResponse:
    """The "Quy trình" tab: the draft's processing steps (receive → process → approve and
    sign → return), each with its role and share of the legal time."""
    from tinhso.services.studio import steps as st
    from tinhso.services.studio.forms import StageAddForm, StageForm

    procedure = _procedure(request, code)
    draft = FormRevision.objects.filter(procedure=procedure, state=FormRevision.State.DRAFT).first()
    if request.method == "POST":
        if draft is None:
            raise Http404
        op = request.POST.get("op", "")
        index_text = request.POST.get("index", "")
        index = int(index_text) if index_text.isdigit() else -1
        anchor = f"#b-{index}" if index >= 0 else "#steps"
        try:
            if op in ("add", "save"):
                form_class = StageAddForm if op == "add" else StageForm
                form = form_class(request.POST, prefix=None if op == "add" else f"b{index}")
                if not form.is_valid():
                    _stage_form_errors(request, form)
                elif op == "add":
                    stage = st.revision_stage_add(
                        user=request.user,
                        revision_id=draft.pk,
                        kind=form.cleaned_data["kind"],
                        values=form.cleaned_data,
                    )
                    messages.success(request, _("Đã thêm bước “%s”.") % stage["name"])
                else:
                    st.revision_stage_update(
                        user=request.user,
                        revision_id=draft.pk,
                        index=index,
                        values=form.cleaned_data,
                    )
                    messages.success(request, _("Đã lưu bước."))
            elif op in ("up", "down"):
                st.revision_stage_move(
                    user=request.user,
                    revision_id=draft.pk,
                    index=index,
                    offset=-1 if op == "up" else 1,
                )
            elif op == "remove":
                st.revision_stage_remove(user=request.user, revision_id=draft.pk, index=index)
                messages.success(request, _("Đã xóa bước."))
                anchor = "#steps"
            elif op == "reset":
                st.revision_stages_reset(user=request.user, revision_id=draft.pk)
                messages.success(request, _("Bản nháp giữ quy trình đang áp dụng."))
            else:
                raise Http404
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(reverse("services:studio_steps", args=[code]) + anchor)
    stages = st.revision_stages(revision=draft) if draft else []
    rows = []
    for i, stage in enumerate(stages):
        rows.append(
            {
                "index": i,
                "stage": stage,
                "kind_label": st.STAGE_KINDS.get(stage["kind"], stage["kind"]),
                "role_label": st.STAGE_ROLES.get(stage["role"], stage["role"]),
                "form": StageForm(
                    initial={k: stage[k] for k in ("name", "role", "share")}, prefix=f"b{i}"
                ),
                "movable_up": stage["kind"] == st.PROCESS
                and i > 0
                and stages[i - 1]["kind"] == st.PROCESS,
                "movable_down": stage["kind"] == st.PROCESS
                and i + 1 < len(stages)
                and stages[i + 1]["kind"] == st.PROCESS,
                "removable": stage["kind"] in st.ADDABLE,
            }
        )
    signed = st.result_signed(procedure)
    return render(
        request,
        "services/studio/steps.html",
        {
            "procedure": procedure,
            "draft": draft,
            "rows": rows,
            "total": sum(s["share"] for s in stages if isinstance(s["share"], int)),
            "edited": draft is not None and draft.steps is not None,
            "errors": st.stage_errors(stages, signed=signed) if draft else [],
            "signed": signed,
            "add_form": StageAddForm(initial={"kind": st.PROCESS, "share": 0}),
        },
    )
