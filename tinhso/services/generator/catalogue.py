"""Setup: synthetic procedures, agencies widened, the (procedure, receiving unit) pairs that
dossiers are drawn from, applicants' names."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import valid_on_q
from tinhso.services.deadlines import Duration
from tinhso.services.generator.shares import (
    COMPANY,
    FAMILY,
    GEN_PROCEDURE_PREFIX,
    GIVEN,
    MIDDLE,
    PROC_OBJECTS,
    PROC_QUALIFIERS,
    PROC_VERBS,
    TRADE,
)
from tinhso.services.models import (
    Channel,
    DocumentPart,
    Procedure,
    ProcedureAgency,
    ProcedureChannel,
    ProcedureField,
)
from tinhso.services.selectors import channel_pick
from tinhso.services.text import search_normalize
from tinhso.services.workflow import procedure_process, process_ensure_default

# ---------------------------------------------------------------------------------------
# Setup: procedures, agencies, applicants
# ---------------------------------------------------------------------------------------


def procedures_add(*, count: int, rng: random.Random) -> int:
    """Add ``count`` synthetic procedures (codes ``GEN.000001`` …) for catalogue search."""
    if count <= 0:
        return 0
    fields = list(ProcedureField.objects.order_by("pk"))
    if not fields:
        fields = [
            ProcedureField.objects.create(name="Lĩnh vực tổng hợp (demo)", search_text="demo")
        ]
    start = Procedure.objects.filter(code__startswith=GEN_PROCEDURE_PREFIX).count()
    levels = (",commune,", ",district,", ",province,", ",province,district,")
    rows = []
    for i in range(start + 1, start + count + 1):
        name = " ".join(
            x
            for x in (
                rng.choice(PROC_VERBS),
                rng.choice(PROC_OBJECTS),
                rng.choice(PROC_QUALIFIERS),
                f"(mẫu {i})",
            )
            if x
        )
        fld = rng.choice(fields)
        code = f"{GEN_PROCEDURE_PREFIX}{i:06d}"
        rows.append(
            Procedure(
                code=code,
                name=name,
                search_text=search_normalize(f"{code} {name} {fld.name}"),
                field=fld,
                levels=rng.choice(levels),
                service_class=rng.choice(("full", "partial", "")),
                is_demo=True,
            )
        )
    Procedure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def agencies_widen(*, on: dt.date) -> int:
    """Every procedure received by some commune (district) is received by every commune
    (district) of the province: the dossier load spreads over the whole province."""
    by_level: dict[int, list[int]] = {}
    for uid, level in OrgUnit.objects.filter(valid_on_q(on)).values_list("pk", "level"):
        by_level.setdefault(level, []).append(uid)
    existing = set(ProcedureAgency.objects.values_list("procedure_id", "org_unit_id"))
    levels_of: dict[int, set[int]] = {}
    for pid, level in ProcedureAgency.objects.filter(valid_on_q(on)).values_list(
        "procedure_id", "org_unit__level"
    ):
        levels_of.setdefault(pid, set()).add(level)
    rows = []
    start = dt.date(on.year - 10, 1, 1)
    for pid, levels in levels_of.items():
        for level in levels:
            if level == OrgUnit.Level.PROVINCE:  # departments receive for the whole province
                continue
            for uid in by_level.get(level, []):
                if (pid, uid) not in existing:
                    rows.append(
                        ProcedureAgency(procedure_id=pid, org_unit_id=uid, valid_from=start)
                    )
    ProcedureAgency.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


@dataclass
class _Pair:
    unit_id: int
    unit_code: str
    procedure_id: int
    duration: dict[int, Duration | None]  # per channel, as ``procedure_channel`` picks it
    fee: int | None
    parts: tuple[int, int] = (0, 0)  # the procedure's document parts: required, optional


def _pairs(*, on: dt.date, rng: random.Random) -> tuple[list[_Pair], list[float], dict[int, float]]:
    """(unit, procedure) pairs that receive dossiers, with popularity weights, and a
    per-unit lateness factor."""
    default = process_ensure_default()
    procs = {
        p.pk: p
        for p in Procedure.objects.filter(is_active=True)
        .exclude(code__startswith=GEN_PROCEDURE_PREFIX)
        .select_related("process")
        .order_by("code")
        if procedure_process(procedure=p).pk == default.pk
    }
    channels: dict[int, list[ProcedureChannel]] = {}
    for c in ProcedureChannel.objects.filter(procedure_id__in=list(procs)).order_by("pk"):
        channels.setdefault(c.procedure_id, []).append(c)
    parts: dict[int, list[int]] = {}
    for pid, required in DocumentPart.objects.filter(procedure_id__in=list(procs)).values_list(
        "procedure_id", "required"
    ):
        parts.setdefault(pid, [0, 0])[0 if required else 1] += 1
    agencies = (
        ProcedureAgency.objects.filter(valid_on_q(on), procedure_id__in=list(procs))
        .filter(valid_on_q(on, prefix="org_unit__"))
        .values_list("procedure_id", "org_unit_id", "org_unit__code", "org_unit__level")
        .order_by("procedure__code", "org_unit__code")
        .distinct()
    )
    # popularity: a few procedures carry most of the load (Zipf-like), per procedure order
    ranked = sorted(procs, key=lambda pk: procs[pk].code)
    rng.shuffle(ranked)
    pop = {pk: 1.0 / (i + 1) ** 0.9 for i, pk in enumerate(ranked)}
    unit_size: dict[int, float] = {}
    unit_quality: dict[int, float] = {}
    pairs: list[_Pair] = []
    weights: list[float] = []
    for pid, uid, ucode, level in agencies:
        if uid not in unit_size:
            unit_size[uid] = rng.lognormvariate(0, 0.6) * (3.0 if level == 2 else 1.0)
            unit_quality[uid] = rng.lognormvariate(0, 0.7)
        fee = None
        rows = channels.get(pid, [])
        for ch in rows:
            if fee is None and ch.fee_amount and ch.fee_currency == "VND":
                fee = int(ch.fee_amount)
        durations: dict[int, Duration | None] = {}
        for wanted in (Channel.ONLINE, Channel.IN_PERSON, Channel.POST):
            row = channel_pick(rows=rows, channel=wanted)
            durations[int(wanted)] = row.duration if row is not None else None
        req, opt = parts.get(pid, (0, 0))
        pairs.append(_Pair(uid, ucode, pid, durations, fee, (req, opt)))
        weights.append(pop[pid] * unit_size[uid])
    return pairs, weights, unit_quality


def _applicant_name(rng: random.Random, business: bool) -> str:
    if business:
        return f"{rng.choice(COMPANY)} {rng.choice(TRADE)} {rng.choice(GIVEN)} {rng.choice(GIVEN)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
