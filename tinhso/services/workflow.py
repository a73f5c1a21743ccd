"""Processes: the default process, graph validation, and which actions a user may take.

A process is a directed graph of steps (each showing a national status code) and actions
(transitions taken by one role). Valid when: exactly one start step; every step reachable
from the start; from every step some end step reachable ("every path ends"); end steps have
no outgoing actions; every action stays within its process.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tinhso.accounts.models import Role
from tinhso.accounts.permissions import permission_register, user_can
from tinhso.accounts.usertypes import AnyUser
from tinhso.services.models import ActorRole, Process, ProcessAction, ProcessStep, Status

# The permission layer knows roles, not process actions: a process action's role maps to
# one registered permission, checked against the dossier's receiving unit.
permission_register("services.act.officer", roles=[Role.OFFICER, Role.HEAD])
permission_register("services.act.head", roles=[Role.HEAD])
permission_register("services.queue", roles=[Role.OFFICER, Role.HEAD, Role.ADMIN])
# A dossier: its applicant sees it; officials of its unit's scope see it once submitted
# (never an applicant's draft). The applicant's own steps (withdraw, supplement, ...).
permission_register(
    "services.dossier.view",
    roles=[Role.OFFICER, Role.HEAD, Role.ADMIN],
    owner="applicant",
    owner_only={"status": Status.DRAFT},
)
permission_register("services.act.applicant", roles=[], owner="applicant")
permission_register("services.register_in_person", roles=[Role.OFFICER, Role.HEAD])
permission_register("services.catalogue_manage", roles=[Role.ADMIN])
# settling imported times and fees that the source left unclear (the catalogue review page)
permission_register("services.catalogue_review", roles=[Role.DX_OFFICE, Role.ADMIN])
# the procedure studio (services.studio): a receiving unit's head acts as its procedure
# administrator; the provincial DX office (its membership at the province) for every unit
permission_register("services.studio_edit", roles=[Role.HEAD, Role.DX_OFFICE, Role.ADMIN])
permission_register("services.readiness_view", roles=[Role.HEAD, Role.DX_OFFICE, Role.ADMIN])

ROLE_PERMISSION: dict[str, str] = {
    ActorRole.OFFICER: "services.act.officer",
    ActorRole.HEAD: "services.act.head",
}


@dataclass(frozen=True)
class StepSpec:
    key: Any
    name: str
    is_start: bool
    is_end: bool


@dataclass(frozen=True)
class ActionSpec:
    name: str
    from_key: Any
    to_key: Any


def process_graph_errors(steps: Iterable[StepSpec], actions: Iterable[ActionSpec]) -> list[str]:
    """Validation messages (Vietnamese) for a process graph; empty when valid."""
    steps = list(steps)
    actions = list(actions)
    errors: list[str] = []
    by_key = {s.key: s for s in steps}
    starts = [s for s in steps if s.is_start]
    if len(starts) != 1:
        errors.append(_("Quy trình phải có đúng một bước bắt đầu (hiện có %d).") % len(starts))
    if not any(s.is_end for s in steps):
        errors.append(_("Quy trình phải có ít nhất một bước kết thúc."))
    out: dict[Any, set[Any]] = {s.key: set() for s in steps}
    inc: dict[Any, set[Any]] = {s.key: set() for s in steps}
    for a in actions:
        if a.from_key not in by_key or a.to_key not in by_key:
            errors.append(_("Thao tác “%s” trỏ tới bước không thuộc quy trình.") % a.name)
            continue
        out[a.from_key].add(a.to_key)
        inc[a.to_key].add(a.from_key)
        if by_key[a.from_key].is_end:
            errors.append(
                _("Bước kết thúc “%(step)s” không được có thao tác đi tiếp (“%(action)s”).")
                % {"step": by_key[a.from_key].name, "action": a.name}
            )
    if len(starts) == 1:
        seen = {starts[0].key}
        frontier = [starts[0].key]
        while frontier:
            nxt = [t for k in frontier for t in out[k] if t not in seen]
            seen.update(nxt)
            frontier = nxt
        for s in steps:
            if s.key not in seen:
                errors.append(_("Bước “%s” không thể đến được từ bước bắt đầu.") % s.name)
    ends = {s.key for s in steps if s.is_end}
    can_end = set(ends)
    frontier = list(ends)
    while frontier:
        nxt = [f for k in frontier for f in inc[k] if f not in can_end]
        can_end.update(nxt)
        frontier = nxt
    for s in steps:
        if s.key not in can_end:
            errors.append(_("Từ bước “%s” không có đường đến bước kết thúc.") % s.name)
    return errors


def process_validate(*, process: Process) -> list[str]:
    steps = [StepSpec(s.pk, s.name, s.is_start, s.is_end) for s in process.steps.all()]
    actions = [
        ActionSpec(a.name, a.from_step_id, a.to_step_id)
        for a in ProcessAction.objects.filter(process=process)
    ]
    errors = process_graph_errors(steps, actions)
    foreign = ProcessAction.objects.filter(process=process).exclude(from_step__process=process)
    foreign |= ProcessAction.objects.filter(process=process).exclude(to_step__process=process)
    if foreign.exists():
        errors.append(_("Có thao tác dùng bước của quy trình khác."))
    return errors


def process_steps_create(
    *, process: Process, steps: Sequence[Sequence[Any]], actions: Sequence[Sequence[Any]]
) -> None:
    """Create ``process``'s steps (code, name, status, start, end, time share %) and actions
    (code, name, from step, to step, role, comment required), in their order."""
    rows = {}
    for order, (scode, sname, status, start, end, share) in enumerate(steps):
        rows[scode] = ProcessStep.objects.create(
            process=process,
            code=scode,
            name=sname,
            status=status,
            order=order,
            is_start=start,
            is_end=end,
            time_share=share,
        )
    for order, (acode, aname, src, dst, role, comment) in enumerate(actions):
        ProcessAction.objects.create(
            process=process,
            code=acode,
            name=aname,
            from_step=rows[src],
            to_step=rows[dst],
            role=role,
            comment_required=comment,
            order=order,
        )


def process_create(
    *, code: str, name: str, steps: Sequence[Sequence[Any]], actions: Sequence[Sequence[Any]]
) -> Process:
    """A new active process with these steps and actions, under a free code made from
    ``code`` (``code``, then ``code-2``, ``code-3``, …)."""
    base = code[:34]
    code, n = base, 2
    while Process.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    process = Process.objects.create(code=code, name=name[:255], is_active=True)
    process_steps_create(process=process, steps=steps, actions=actions)
    return process


def stored_label(value: str) -> str:
    """A name stored in the platform's own words (a default process step or action, a history
    event the platform writes: kept in Vietnamese in the database, marked with
    ``gettext_noop`` where it is written) in the reader's language when the catalogue has it;
    a name an official typed stays as typed. Never translate before storing: the history is
    also what the national portal receives, in Vietnamese."""
    return _(value) if value else ""


# The default process (codes are referenced by services: keep them stable).
DEFAULT_STEPS = [
    # code, name, status, start, end, time share %
    ("new", gettext_noop("Chờ tiếp nhận"), Status.NEW, True, False, None),
    ("refused", gettext_noop("Không tiếp nhận"), Status.NOT_ACCEPTED, False, True, None),
    ("received", gettext_noop("Đã tiếp nhận, chờ phân công"), Status.RECEIVED, False, False, 10),
    ("processing", gettext_noop("Đang thẩm định, xử lý"), Status.PROCESSING, False, False, 60),
    ("supplement", gettext_noop("Chờ bổ sung hồ sơ"), Status.SUPPLEMENT, False, False, None),
    (
        "payment",
        gettext_noop("Chờ thực hiện nghĩa vụ tài chính"),
        Status.FINANCIAL,
        False,
        False,
        None,
    ),
    ("approval", gettext_noop("Chờ lãnh đạo phê duyệt"), Status.PROCESSING, False, False, 20),
    ("done", gettext_noop("Đã có kết quả, chờ trả"), Status.PROCESSED, False, False, 10),
    ("stopped", gettext_noop("Dừng xử lý (từ chối giải quyết)"), Status.STOPPED, False, True, None),
    ("returned", gettext_noop("Đã trả kết quả"), Status.RETURNED, False, True, None),
    ("withdrawn", gettext_noop("Đã rút hồ sơ"), Status.WITHDRAWN, False, True, None),
    # fees requested automatically by the procedure's fee timing (services.dossier_act)
    (
        "payment_receipt",
        gettext_noop("Chờ nộp phí, lệ phí (trước khi xử lý)"),
        Status.FINANCIAL,
        False,
        False,
        None,
    ),
    (
        "payment_approval",
        gettext_noop("Chờ nộp phí, lệ phí (đã thẩm định, trước khi phê duyệt)"),
        Status.FINANCIAL,
        False,
        False,
        None,
    ),
]
DEFAULT_ACTIONS = [
    # code, name, from, to, role, comment required
    ("receive", gettext_noop("Tiếp nhận hồ sơ"), "new", "received", ActorRole.OFFICER, False),
    ("refuse", gettext_noop("Từ chối tiếp nhận"), "new", "refused", ActorRole.OFFICER, True),
    ("withdraw", gettext_noop("Rút hồ sơ"), "new", "withdrawn", ActorRole.APPLICANT, False),
    ("assign", gettext_noop("Phân công xử lý"), "received", "processing", ActorRole.OFFICER, False),
    (
        "request_supplement",
        gettext_noop("Yêu cầu bổ sung"),
        "received",
        "supplement",
        ActorRole.OFFICER,
        True,
    ),
    ("withdraw", gettext_noop("Rút hồ sơ"), "received", "withdrawn", ActorRole.APPLICANT, False),
    (
        "process",
        gettext_noop("Ghi ý kiến xử lý"),
        "processing",
        "processing",
        ActorRole.OFFICER,
        True,
    ),
    (
        "request_supplement",
        gettext_noop("Yêu cầu bổ sung"),
        "processing",
        "supplement",
        ActorRole.OFFICER,
        True,
    ),
    (
        "request_payment",
        gettext_noop("Yêu cầu nộp phí, lệ phí"),
        "processing",
        "payment",
        ActorRole.OFFICER,
        False,
    ),
    (
        "forward",
        gettext_noop("Trình lãnh đạo phê duyệt"),
        "processing",
        "approval",
        ActorRole.OFFICER,
        False,
    ),
    ("withdraw", gettext_noop("Rút hồ sơ"), "processing", "withdrawn", ActorRole.APPLICANT, False),
    (
        "supplement",
        gettext_noop("Nộp bổ sung"),
        "supplement",
        "processing",
        ActorRole.APPLICANT,
        False,
    ),
    ("withdraw", gettext_noop("Rút hồ sơ"), "supplement", "withdrawn", ActorRole.APPLICANT, False),
    ("paid", gettext_noop("Đã nộp phí, lệ phí"), "payment", "processing", ActorRole.SYSTEM, False),
    ("approve", gettext_noop("Phê duyệt"), "approval", "done", ActorRole.HEAD, False),
    (
        "return_for_rework",
        gettext_noop("Trả lại để xử lý lại"),
        "approval",
        "processing",
        ActorRole.HEAD,
        True,
    ),
    ("reject", gettext_noop("Từ chối giải quyết"), "approval", "stopped", ActorRole.HEAD, True),
    ("return_result", gettext_noop("Trả kết quả"), "done", "returned", ActorRole.OFFICER, False),
    # fees (the system requests them per the procedure's fee timing; the payment confirms)
    (
        "request_fee",
        gettext_noop("Yêu cầu nộp phí, lệ phí"),
        "received",
        "payment_receipt",
        ActorRole.SYSTEM,
        False,
    ),
    (
        "paid",
        gettext_noop("Đã nộp phí, lệ phí"),
        "payment_receipt",
        "received",
        ActorRole.SYSTEM,
        False,
    ),
    (
        "withdraw",
        gettext_noop("Rút hồ sơ"),
        "payment_receipt",
        "withdrawn",
        ActorRole.APPLICANT,
        False,
    ),
    (
        "request_fee",
        gettext_noop("Yêu cầu nộp phí, lệ phí"),
        "approval",
        "payment_approval",
        ActorRole.SYSTEM,
        False,
    ),
    (
        "paid",
        gettext_noop("Đã nộp phí, lệ phí"),
        "payment_approval",
        "approval",
        ActorRole.SYSTEM,
        False,
    ),
    # delivery of the result
    (
        "deliver_online",
        gettext_noop("Trả kết quả trực tuyến (người nộp đã tải về)"),
        "done",
        "returned",
        ActorRole.SYSTEM,
        False,
    ),
    (
        "send_post",
        gettext_noop("Gửi kết quả qua bưu chính"),
        "done",
        "returned",
        ActorRole.OFFICER,
        False,
    ),
]
# actions the pages offer through their own forms (not the generic action buttons)
SPECIAL_ACTIONS = frozenset({"send_post", "withdraw"})  # withdraw: its confirmation page
DEFAULT_CODE = "mac-dinh"


_UPGRADED: set[int] = set()


def _default_upgrade(process: Process) -> None:
    """Add the steps and actions the default process gained since it was created (by
    code), so a database created by an earlier version follows the current rules."""
    steps = {s.code: s for s in process.steps.all()}
    added: list[str] = []
    for order, (code, name, status, start, end, share) in enumerate(DEFAULT_STEPS):
        if code not in steps:
            steps[code] = ProcessStep.objects.create(
                process=process,
                code=code,
                name=name,
                status=status,
                order=order,
                is_start=start,
                is_end=end,
                time_share=share,
            )
            added.append(code)
    have = set(
        ProcessAction.objects.filter(process=process).values_list(
            "code", "from_step__code", "to_step__code"
        )
    )
    for order, (code, name, src, dst, role, comment) in enumerate(DEFAULT_ACTIONS):
        if (code, src, dst) not in have:
            ProcessAction.objects.create(
                process=process,
                code=code,
                name=name,
                from_step=steps[src],
                to_step=steps[dst],
                role=role,
                comment_required=comment,
                order=order,
            )
            added.append(f"{src}:{code}")
    if added:
        from tinhso.audit.services import audit_record

        audit_record(
            actor=None,
            action="services.process_upgrade",
            obj=process,
            extra={"added": added},
        )


@transaction.atomic
def process_ensure_default() -> Process:
    """Create (idempotently) the default process; returns it. An existing default process
    with the standard code gets the steps/actions added since it was created."""
    process = Process.objects.filter(is_default=True).first()
    if process is not None:
        if process.code == DEFAULT_CODE and process.pk not in _UPGRADED:
            _default_upgrade(process)
            _UPGRADED.add(process.pk)
        return process
    process = Process.objects.create(
        code=DEFAULT_CODE,
        name=gettext_noop("Quy trình mặc định (một cửa: tiếp nhận, xử lý, phê duyệt, trả kết quả)"),
        is_default=True,
        is_active=True,
    )
    process_steps_create(process=process, steps=DEFAULT_STEPS, actions=DEFAULT_ACTIONS)
    errors = process_validate(process=process)
    if errors:  # pragma: no cover - the constant above is tested
        raise ValidationError(errors)
    return process


def procedure_process(*, procedure: Any) -> Process:
    """The process a new dossier of ``procedure`` follows (its own if active, else the
    default)."""
    own = procedure.process
    if own is not None and own.is_active:
        return own
    return process_ensure_default()


def action_allowed(*, user: AnyUser | None, action: ProcessAction, dossier: Any) -> bool:
    """May ``user`` take ``action`` on ``dossier`` (role and unit scope)?"""
    if action.role == ActorRole.APPLICANT:
        return user_can(user=user, action="services.act.applicant", obj=dossier)
    if action.role == ActorRole.SYSTEM:
        return False  # only integrations (payments, signing) call these, never a person
    perm = ROLE_PERMISSION.get(action.role)
    return perm is not None and user_can(user=user, action=perm, org_unit=dossier.org_unit)


def actions_available(*, user: AnyUser | None, dossier: Any) -> list[ProcessAction]:
    actions = ProcessAction.objects.filter(from_step_id=dossier.step_id).select_related("to_step")
    return [a for a in actions if action_allowed(user=user, action=a, dossier=dossier)]
