"""Readiness of each procedure at each receiving unit, computed from what exists:

- information only: the procedure cannot take online dossiers (no online form, or its
  time or fee waits for review);
- online submission: an online form (a published studio revision, or typed fields);
- full-process (toàn trình): online submission, a valid process, online fee payment where
  a fee applies (the unit's fee is known), and an electronic result (a result template).

The monitoring indicator "share of procedures provided as full-process online services"
is computed from these levels (``readiness_counts_by_agency``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from tinhso.orgs.selectors import valid_on_q
from tinhso.services.models import (
    Channel,
    FeeAdjustment,
    FormField,
    FormRevision,
    Procedure,
    ProcedureAgency,
    ProcedureChannel,
    Process,
    ProcessAction,
    ProcessStep,
    ResultTemplate,
)

INFO = "info"
ONLINE = "online"
FULL = "full"
LEVELS: dict[str, Any] = {
    INFO: _("Chỉ cung cấp thông tin"),
    ONLINE: _("Nộp hồ sơ trực tuyến (một phần)"),
    FULL: _("Trực tuyến toàn trình"),
}
LACK_FORM = _("Chưa có biểu mẫu điện tử công bố")
LACK_REVIEW = _("Thời hạn hoặc phí chưa rõ, đang chờ rà soát")
LACK_PROCESS = _("Quy trình xử lý chưa hợp lệ")
LACK_FEE = _("Phí, lệ phí chưa xác định nên chưa thu trực tuyến được")
LACK_RESULT = _("Chưa có mẫu kết quả điện tử")


@dataclass
class Readiness:
    procedure_id: int
    code: str
    name: str
    org_unit_id: int
    level: str
    lacks: list[Any] = field(default_factory=list)

    @property
    def level_label(self) -> Any:
        return LEVELS[self.level]


def _process_ok() -> dict[int | None, bool]:
    """Process id (None: the default) → valid, for every active process, in three queries
    (the graph checks of ``workflow.process_graph_errors``)."""
    from tinhso.services.workflow import ActionSpec, StepSpec, process_graph_errors

    procs = list(
        Process.objects.filter(Q(is_active=True) | Q(is_default=True)).values_list(
            "pk", "is_default"
        )
    )
    ids = [pk for pk, _d in procs]
    steps: dict[int, list[StepSpec]] = {pk: [] for pk in ids}
    for pk, pid, name, start, end in ProcessStep.objects.filter(process_id__in=ids).values_list(
        "pk", "process_id", "name", "is_start", "is_end"
    ):
        steps[pid].append(StepSpec(pk, name, start, end))
    actions: dict[int, list[ActionSpec]] = {pk: [] for pk in ids}
    for pid, name, src, dst in ProcessAction.objects.filter(process_id__in=ids).values_list(
        "process_id", "name", "from_step_id", "to_step_id"
    ):
        actions[pid].append(ActionSpec(name, src, dst))
    out: dict[int | None, bool] = {None: True}  # no default yet: created valid on first use
    for pk, is_default in procs:
        out[pk] = not process_graph_errors(steps[pk], actions[pk])
        if is_default:
            out[None] = out[pk]
    return out


def readiness_list(
    *, on: dt.date, paths: Sequence[str] | None = None, unit_ids: Sequence[int] | None = None
) -> list[Readiness]:
    """Every (procedure, receiving unit) on ``on``; ``paths``: only units under these
    path prefixes (a user's scope); ``unit_ids``: only these units."""
    links = ProcedureAgency.objects.filter(valid_on_q(on), procedure__is_active=True)
    if paths is not None:
        q = Q(pk__in=[])
        for p in paths:
            q |= Q(org_unit__path__startswith=p)
        links = links.filter(q)
    if unit_ids is not None:
        links = links.filter(org_unit_id__in=list(unit_ids))
    pairs = set(links.values_list("procedure_id", "org_unit_id"))
    proc_ids = {p for p, _u in pairs}
    here = OuterRef("pk")
    procedures = {
        r["pk"]: r
        for r in Procedure.objects.filter(pk__in=proc_ids)
        .annotate(
            has_published=Exists(
                FormRevision.objects.filter(procedure=here, state=FormRevision.State.PUBLISHED)
            ),
            has_typed=Exists(FormField.objects.filter(procedure=here)),
            has_template=Exists(ResultTemplate.objects.filter(procedure=here).exclude(body="")),
        )
        .values(
            "pk",
            "code",
            "name",
            "process_id",
            "process__is_active",
            "has_published",
            "has_typed",
            "has_template",
        )
    }
    channels: dict[int, ProcedureChannel] = {}
    for c in ProcedureChannel.objects.filter(procedure_id__in=proc_ids).order_by(
        "procedure_id", "-channel", "order"
    ):
        # the online channel when there is one, else the first listed
        if c.procedure_id not in channels or c.channel == Channel.ONLINE:
            channels[c.procedure_id] = c
    adjusted = {
        (a.procedure_id, a.org_unit_id): a.amount
        for a in FeeAdjustment.objects.filter(procedure_id__in=proc_ids)
    }
    valid = _process_ok()
    out: list[Readiness] = []
    for proc_id, unit_id in sorted(pairs):
        proc = procedures[proc_id]
        lacks: list[Any] = []
        channel = channels.get(proc_id)
        has_form = bool(proc["has_published"] or proc["has_typed"])
        if not has_form:
            lacks.append(LACK_FORM)
        in_review = channel is not None and channel.needs_review
        if in_review:
            lacks.append(LACK_REVIEW)
        online = has_form and not in_review
        process_key = proc["process_id"] if proc["process__is_active"] else None
        if not valid.get(process_key, False):
            lacks.append(LACK_PROCESS)
        fee_known = (proc_id, unit_id) in adjusted or (
            channel is not None and (channel.fee_is_free or channel.fee_amount is not None)
        )
        fee_applies = channel is not None and not channel.fee_is_free
        if fee_applies and not fee_known and channel is not None and channel.fee_currency:
            lacks.append(LACK_FEE)
        if not proc["has_template"]:
            lacks.append(LACK_RESULT)
        level = FULL if online and not lacks else (ONLINE if online else INFO)
        out.append(Readiness(proc_id, proc["code"], proc["name"], unit_id, level, lacks))
    return out


def readiness_counts(rows: Sequence[Readiness]) -> dict[str, int]:
    counts = dict.fromkeys(LEVELS, 0)
    for r in rows:
        counts[r.level] += 1
    return counts


def readiness_counts_by_agency(*, on: dt.date) -> dict[int, dict[str, int]]:
    """org_unit_id → {"total", "online", "full_process"} (what monitoring reads)."""
    out: dict[int, dict[str, int]] = {}
    for r in readiness_list(on=on):
        c = out.setdefault(r.org_unit_id, {"total": 0, "online": 0, "full_process": 0})
        c["total"] += 1
        c["online"] += r.level in (ONLINE, FULL)
        c["full_process"] += r.level == FULL
    return out
