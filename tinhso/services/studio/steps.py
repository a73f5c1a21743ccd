"""The processing steps of a procedure, edited in the studio with a draft form revision
and published with it.

An official edits the main line of the process as an ordered list of stages::

    {"kind": "receive" | "process" | "approve" | "return", "name": "Thẩm định hồ sơ",
     "role": "officer" | "head", "share": 60}

(receive → one or more processing stages → approve and sign → return the result; each
with the role that acts at it and its share, in percent, of the legal processing time).
Publishing compiles the stages into a new ``Process`` (the same steps and actions as the
default process: refusal, withdrawal, supplement, fees and the ways of returning a result
are added around the main line), checked with the process graph checks, and makes it the
procedure's process: new dossiers follow it, dossiers already started keep the process
(and steps) they started with.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.services.models import (
    ActorRole,
    FormRevision,
    Procedure,
    Process,
    ProcessAction,
    ResultTemplate,
    Status,
)
from tinhso.services.studio.services import _check, _lock
from tinhso.services.workflow import ActionSpec, StepSpec, process_create, process_graph_errors

RECEIVE = "receive"
PROCESS = "process"
APPROVE = "approve"
RETURN = "return"
STAGE_KINDS: dict[str, Any] = {
    RECEIVE: gettext_lazy("Tiếp nhận"),
    PROCESS: gettext_lazy("Xử lý, thẩm định"),
    APPROVE: gettext_lazy("Phê duyệt, ký số kết quả"),
    RETURN: gettext_lazy("Trả kết quả"),
}
# kinds an official adds (the receiving and returning stages are always there, once)
ADDABLE = (PROCESS, APPROVE)
STAGE_ROLES: dict[str, Any] = {
    ActorRole.OFFICER: ActorRole.OFFICER.label,
    ActorRole.HEAD: ActorRole.HEAD.label,
}
MAX_STAGES = 12
# the step code of each stage kind in the compiled process (the services refer to them)
_CODE = {RECEIVE: "received", APPROVE: "approval", RETURN: "done"}
_STATUS = {
    RECEIVE: Status.RECEIVED,
    PROCESS: Status.PROCESSING,
    APPROVE: Status.PROCESSING,
    RETURN: Status.PROCESSED,
}
_SIDE_STEPS = frozenset(
    {"new", "refused", "supplement", "payment", "payment_receipt", "payment_approval"}
)


def stage_blank(*, kind: str, name: str = "", role: str = "", share: int = 0) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name or str(STAGE_KINDS.get(kind, "")),
        "role": role or (ActorRole.HEAD if kind == APPROVE else ActorRole.OFFICER),
        "share": share,
    }


def stages_from_process(process: Process) -> list[dict[str, Any]]:
    """The main line of an existing process as stages (the start of a draft's steps)."""
    steps = [s for s in process.steps.all() if not s.is_start and not s.is_end]
    steps = [s for s in steps if s.code not in _SIDE_STEPS]
    out_roles: dict[int, str] = {}
    for a in ProcessAction.objects.filter(process=process).order_by("order", "pk"):
        if a.role in STAGE_ROLES and a.to_step_id != a.from_step_id:
            out_roles.setdefault(a.from_step_id, a.role)
    stages = []
    for s in steps:
        kind = {"received": RECEIVE, "approval": APPROVE, "done": RETURN}.get(s.code, PROCESS)
        stage = stage_blank(kind=kind, name=s.name, share=s.time_share or 0)
        stage["role"] = out_roles.get(s.pk, stage["role"])
        stages.append(stage)
    order = {RECEIVE: 0, PROCESS: 1, APPROVE: 2, RETURN: 3}
    stages.sort(key=lambda st: order[st["kind"]])
    kinds = [st["kind"] for st in stages]
    if kinds.count(RECEIVE) != 1 or kinds.count(RETURN) != 1:
        return default_stages()
    return stages


def default_stages() -> list[dict[str, Any]]:
    return [
        stage_blank(kind=RECEIVE, name="Đã tiếp nhận, chờ phân công", share=10),
        stage_blank(kind=PROCESS, name="Đang thẩm định, xử lý", share=60),
        stage_blank(kind=APPROVE, name="Chờ lãnh đạo phê duyệt", share=20),
        stage_blank(kind=RETURN, name="Đã có kết quả, chờ trả", share=10),
    ]


def result_signed(procedure: Procedure) -> bool:
    """Does the procedure issue an electronic result (signed at the approval step)?"""
    return ResultTemplate.objects.filter(procedure=procedure).exclude(body="").exists()


def stage_errors(stages: list[dict[str, Any]], *, signed: bool) -> list[str]:
    """Why the stages cannot be published (Vietnamese messages; empty: they can)."""
    errors: list[str] = []
    if not stages:
        return [_("Quy trình chưa có bước nào.")]
    if len(stages) > MAX_STAGES:
        errors.append(_("Quy trình tối đa %d bước.") % MAX_STAGES)
    for i, st in enumerate(stages, 1):
        name = st.get("name") or ""
        if st.get("kind") not in STAGE_KINDS:
            errors.append(_("Bước %d: loại bước không hợp lệ.") % i)
        if not name.strip() or len(name) > 255:
            errors.append(_("Bước %d: cần tên bước (tối đa 255 ký tự).") % i)
        if st.get("role") not in STAGE_ROLES:
            errors.append(_("Bước “%s”: vai trò thực hiện không hợp lệ.") % name)
        share = st.get("share")
        if not isinstance(share, int) or isinstance(share, bool) or not 0 <= share <= 100:
            errors.append(_("Bước “%s”: tỷ lệ thời gian là số nguyên từ 0 đến 100.") % name)
    kinds = [st.get("kind") for st in stages]
    if kinds.count(RECEIVE) != 1 or kinds[0] != RECEIVE:
        errors.append(_("Quy trình phải bắt đầu bằng đúng một bước tiếp nhận."))
    if kinds.count(RETURN) != 1 or kinds[-1] != RETURN:
        errors.append(_("Quy trình phải kết thúc bằng đúng một bước trả kết quả."))
    if kinds.count(APPROVE) > 1:
        errors.append(_("Quy trình chỉ có một bước phê duyệt, ký số."))
    elif APPROVE in kinds and kinds.index(APPROVE) != len(kinds) - 2:
        errors.append(_("Bước phê duyệt, ký số phải đứng ngay trước bước trả kết quả."))
    if signed and APPROVE not in kinds:
        errors.append(_("Kết quả của thủ tục được ký số: quy trình cần một bước phê duyệt, ký số."))
    for st in stages:
        if st.get("kind") == APPROVE and st.get("role") != ActorRole.HEAD:
            errors.append(_("Bước phê duyệt, ký số do lãnh đạo đơn vị thực hiện."))
    shares = [st.get("share") for st in stages]
    if all(isinstance(s, int) for s in shares) and sum(shares) != 100:  # type: ignore[arg-type]
        errors.append(
            _("Tổng tỷ lệ thời gian của các bước phải bằng 100%% (hiện là %d%%).") % sum(shares)  # type: ignore[arg-type]
        )
    return list(dict.fromkeys(errors))


def stages_compile(
    stages: list[dict[str, Any]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Steps and actions (as ``workflow.DEFAULT_STEPS`` / ``DEFAULT_ACTIONS``) of the
    process the stages describe."""
    codes: list[str] = []
    n_process = 0
    for st in stages:
        if st["kind"] == PROCESS:
            n_process += 1
            codes.append("processing" if n_process == 1 else f"processing-{n_process}")
        else:
            codes.append(_CODE[st["kind"]])
    kinds = [st["kind"] for st in stages]
    first_work = codes[kinds.index(PROCESS)] if PROCESS in kinds else None
    rework = first_work or codes[0]
    steps: list[tuple[Any, ...]] = [
        ("new", "Chờ tiếp nhận", Status.NEW, True, False, None),
        ("refused", "Không tiếp nhận", Status.NOT_ACCEPTED, False, True, None),
    ]
    steps += [
        (code, st["name"], _STATUS[st["kind"]], False, False, st["share"])
        for code, st in zip(codes, stages, strict=True)
    ]
    steps += [
        ("supplement", "Chờ bổ sung hồ sơ", Status.SUPPLEMENT, False, False, None),
        (
            "payment_receipt",
            "Chờ nộp phí, lệ phí (trước khi xử lý)",
            Status.FINANCIAL,
            False,
            False,
            None,
        ),
        ("stopped", "Dừng xử lý (từ chối giải quyết)", Status.STOPPED, False, True, None),
        ("returned", "Đã trả kết quả", Status.RETURNED, False, True, None),
        ("withdrawn", "Đã rút hồ sơ", Status.WITHDRAWN, False, True, None),
    ]
    officer, applicant, system = ActorRole.OFFICER, ActorRole.APPLICANT, ActorRole.SYSTEM
    actions: list[tuple[Any, ...]] = [
        ("receive", "Tiếp nhận hồ sơ", "new", codes[0], officer, False),
        ("refuse", "Từ chối tiếp nhận", "new", "refused", officer, True),
        ("withdraw", "Rút hồ sơ", "new", "withdrawn", applicant, False),
        ("request_fee", "Yêu cầu nộp phí, lệ phí", codes[0], "payment_receipt", system, False),
        ("paid", "Đã nộp phí, lệ phí", "payment_receipt", codes[0], system, False),
        ("withdraw", "Rút hồ sơ", "payment_receipt", "withdrawn", applicant, False),
    ]
    for i, (code, st) in enumerate(zip(codes[:-1], stages[:-1], strict=True)):
        role, kind = st["role"], st["kind"]
        nxt_code, nxt = codes[i + 1], stages[i + 1]
        if kind != APPROVE:
            actions.append(("withdraw", "Rút hồ sơ", code, "withdrawn", applicant, False))
            actions.append(
                ("request_supplement", "Yêu cầu bổ sung", code, "supplement", role, True)
            )
        if kind == PROCESS:
            actions.append(("process", "Ghi ý kiến xử lý", code, code, role, True))
        if code == first_work:
            actions.append(
                ("request_payment", "Yêu cầu nộp phí, lệ phí", code, "payment", role, False)
            )
            actions.append(("paid", "Đã nộp phí, lệ phí", "payment", code, system, False))
        if kind == APPROVE:
            actions.append(("approve", "Phê duyệt", code, nxt_code, role, False))
            actions.append(("return_for_rework", "Trả lại để xử lý lại", code, rework, role, True))
            actions.append(
                ("request_fee", "Yêu cầu nộp phí, lệ phí", code, "payment_approval", system, False)
            )
            actions.append(("paid", "Đã nộp phí, lệ phí", "payment_approval", code, system, False))
        elif nxt["kind"] == RETURN:
            actions.append(("finish", "Giải quyết, có kết quả", code, nxt_code, role, False))
        elif kind == RECEIVE and nxt["kind"] == PROCESS:
            actions.append(("assign", "Phân công xử lý", code, nxt_code, role, False))
        elif nxt["kind"] == APPROVE:
            actions.append(("forward", "Trình lãnh đạo phê duyệt", code, nxt_code, role, False))
        else:
            actions.append(
                ("forward", f"Chuyển bước: {nxt['name']}"[:255], code, nxt_code, role, False)
            )
        if i == len(stages) - 2:
            actions.append(("reject", "Từ chối giải quyết", code, "stopped", role, True))
    actions += [
        ("supplement", "Nộp bổ sung", "supplement", rework, applicant, False),
        ("withdraw", "Rút hồ sơ", "supplement", "withdrawn", applicant, False),
        ("return_result", "Trả kết quả", codes[-1], "returned", stages[-1]["role"], False),
        (
            "deliver_online",
            "Trả kết quả trực tuyến (người nộp đã tải về)",
            codes[-1],
            "returned",
            system,
            False,
        ),
        (
            "send_post",
            "Gửi kết quả qua bưu chính",
            codes[-1],
            "returned",
            stages[-1]["role"],
            False,
        ),
    ]
    if first_work:
        steps.append(
            ("payment", "Chờ thực hiện nghĩa vụ tài chính", Status.FINANCIAL, False, False, None)
        )
    if APPROVE in kinds:
        steps.append(
            (
                "payment_approval",
                "Chờ nộp phí, lệ phí (đã thẩm định, trước khi phê duyệt)",
                Status.FINANCIAL,
                False,
                False,
                None,
            )
        )
    return steps, actions


def graph_errors(steps: list[tuple[Any, ...]], actions: list[tuple[Any, ...]]) -> list[str]:
    return process_graph_errors(
        [StepSpec(s[0], s[1], s[3], s[4]) for s in steps],
        [ActionSpec(a[1], a[2], a[3]) for a in actions],
    )


def stages_publish_errors(*, stages: list[dict[str, Any]], procedure: Procedure) -> list[str]:
    errors = stage_errors(stages, signed=result_signed(procedure))
    if errors:
        return errors
    return [_("Quy trình xử lý chưa hợp lệ: %s") % e for e in graph_errors(*stages_compile(stages))]


def revision_process_publish(*, user: AnyUser, revision: FormRevision) -> Process | None:
    """At publishing (inside its transaction, the checks passed): the revision's steps as
    the procedure's new process. None when the revision did not edit the steps."""
    if revision.steps is None:
        return None
    procedure = revision.procedure
    process = process_create(
        code=f"{procedure.code}-v{revision.number}",
        name=f"Quy trình {procedure.code} (phiên bản {revision.number})",
        steps=stages_compile(revision.steps)[0],
        actions=stages_compile(revision.steps)[1],
    )
    before = procedure.process_id
    procedure.process = process
    procedure.save(update_fields=["process", "updated_at"])
    revision.process = process
    revision.save(update_fields=["process", "updated_at"])
    audit_record(
        actor=user,
        action="services.studio_process_publish",
        obj=procedure,
        before={"process": before},
        after={"process": process.code, "number": revision.number, "steps": revision.steps},
    )
    return process


# --- editing a draft's steps --------------------------------------------------------------


def revision_stages(*, revision: FormRevision) -> list[dict[str, Any]]:
    """The draft's stages (until edited: those of the process the procedure follows)."""
    from tinhso.services.workflow import procedure_process

    if revision.steps is not None:
        return revision.steps
    return stages_from_process(procedure_process(procedure=revision.procedure))


def _stage_values(values: dict[str, Any], stage: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = str(values.get("name", stage["name"]) or "").strip()
    role = str(values.get("role", stage["role"]) or "")
    share = values.get("share", stage["share"])
    if not name:
        errors["name"] = [_("Vui lòng nhập tên bước.")]
    elif len(name) > 255:
        errors["name"] = [_("Tên bước tối đa 255 ký tự.")]
    if role not in STAGE_ROLES:
        errors["role"] = [_("Vai trò thực hiện không hợp lệ.")]
    if isinstance(share, str) and share.strip().isdigit():
        share = int(share)
    if not isinstance(share, int) or isinstance(share, bool) or not 0 <= share <= 100:
        errors["share"] = [_("Tỷ lệ thời gian là số nguyên từ 0 đến 100.")]
    if errors:
        raise ValidationError(errors)
    return {**stage, "name": name, "role": role, "share": share}


def _save(
    revision: FormRevision, user: AnyUser, stages: list[dict[str, Any]], action: str, extra: Any
) -> None:
    before = revision.steps
    revision.steps = stages
    revision.save(update_fields=["steps", "updated_at"])
    audit_record(
        actor=user,
        action=f"services.studio_step_{action}",
        obj=revision,
        before={"steps": before},
        after={"steps": stages},
        extra={"procedure": revision.procedure.code, "number": revision.number, **extra},
    )


def _edit(user: AnyUser, revision_id: int) -> tuple[FormRevision, list[dict[str, Any]]]:
    revision = _lock(revision_id)
    _check(user, revision.procedure)
    return revision, [dict(st) for st in revision_stages(revision=revision)]


def _at(stages: list[dict[str, Any]], index: int) -> dict[str, Any]:
    if not 0 <= index < len(stages):
        raise ValidationError(_("Không tìm thấy bước xử lý."))
    return stages[index]


@transaction.atomic
def revision_stage_add(
    *, user: AnyUser, revision_id: int, kind: str, values: dict[str, Any]
) -> dict[str, Any]:
    """A processing or approval stage, placed before the approval (or return) stage."""
    revision, stages = _edit(user, revision_id)
    if kind not in ADDABLE:
        raise ValidationError({"kind": [_("Chỉ thêm được bước xử lý hoặc bước phê duyệt.")]})
    if len(stages) >= MAX_STAGES:
        raise ValidationError(_("Quy trình tối đa %d bước.") % MAX_STAGES)
    if kind == APPROVE and any(st["kind"] == APPROVE for st in stages):
        raise ValidationError(_("Quy trình chỉ có một bước phê duyệt, ký số."))
    stage = _stage_values(values, stage_blank(kind=kind))
    before = [i for i, st in enumerate(stages) if st["kind"] in {APPROVE, RETURN}]
    if kind == APPROVE:
        before = [i for i, st in enumerate(stages) if st["kind"] == RETURN]
    stages.insert(before[0] if before else len(stages), stage)
    _save(revision, user, stages, "add", {"stage": stage})
    return stage


@transaction.atomic
def revision_stage_update(
    *, user: AnyUser, revision_id: int, index: int, values: dict[str, Any]
) -> dict[str, Any]:
    revision, stages = _edit(user, revision_id)
    stages[index] = _stage_values(values, _at(stages, index))
    _save(revision, user, stages, "update", {"index": index})
    return stages[index]


@transaction.atomic
def revision_stage_move(*, user: AnyUser, revision_id: int, index: int, offset: int) -> None:
    """Move a processing stage among the processing stages (receive stays first, approve
    and return last)."""
    revision, stages = _edit(user, revision_id)
    _at(stages, index)
    j = index + offset
    if not 0 <= j < len(stages) or PROCESS not in (stages[index]["kind"], stages[j]["kind"]):
        raise ValidationError(_("Chỉ đổi được thứ tự giữa các bước xử lý, thẩm định."))
    if {stages[index]["kind"], stages[j]["kind"]} != {PROCESS}:
        raise ValidationError(_("Chỉ đổi được thứ tự giữa các bước xử lý, thẩm định."))
    stages[index], stages[j] = stages[j], stages[index]
    _save(revision, user, stages, "move", {"index": index, "to": j})


@transaction.atomic
def revision_stage_remove(*, user: AnyUser, revision_id: int, index: int) -> None:
    revision, stages = _edit(user, revision_id)
    stage = _at(stages, index)
    if stage["kind"] in (RECEIVE, RETURN):
        raise ValidationError(_("Không xóa được bước tiếp nhận và bước trả kết quả."))
    stages.pop(index)
    _save(revision, user, stages, "remove", {"index": index, "stage": stage})


@transaction.atomic
def revision_stages_reset(*, user: AnyUser, revision_id: int) -> None:
    """Drop the draft's edited steps: the revision keeps the procedure's current process."""
    revision = _lock(revision_id)
    _check(user, revision.procedure)
    if revision.steps is not None:
        _save(revision, user, None, "reset", {})  # type: ignore[arg-type]
