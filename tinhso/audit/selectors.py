"""Reading and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tinhso.audit.models import AuditEntry, ChainHead
from tinhso.audit.services import CHAIN, entry_digest_of


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str
    chain: str = CHAIN


def audit_chain_verify(*, batch_size: int = 2000) -> list[ChainProblem]:
    """Walk every chain; return every break found (empty list = intact)."""
    chains = set(AuditEntry.objects.values_list("chain", flat=True).distinct())
    chains |= set(ChainHead.objects.values_list("name", flat=True))
    problems: list[ChainProblem] = []
    for chain in sorted(chains):
        problems.extend(_verify_one(chain=chain, batch_size=batch_size))
    return problems


def _verify_one(*, chain: str, batch_size: int) -> list[ChainProblem]:
    problems: list[ChainProblem] = []

    def problem(seq: int, reason: str) -> None:
        problems.append(ChainProblem(seq, reason, chain))

    expected_seq = 1
    prev_hash = "0" * 64
    last_seen = 0
    version = 1
    entries = AuditEntry.objects.filter(chain=chain)
    while True:
        batch = list(entries.filter(seq__gt=last_seen).order_by("seq")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                problem(expected_seq, f"thiếu mục {expected_seq}–{entry.seq - 1}")
            if entry.prev_hash != prev_hash:
                problem(entry.seq, "liên kết với mục trước bị sai")
            if entry.version < version:
                problem(entry.seq, "định dạng mục cũ hơn mục trước (bị hạ phiên bản)")
            version = max(version, entry.version)
            digest = entry_digest_of(entry)
            if digest != entry.hash:
                problem(entry.seq, "nội dung đã bị sửa (hash không khớp)")
            prev_hash = entry.hash
            expected_seq = entry.seq + 1
            last_seen = entry.seq
    head = ChainHead.objects.filter(name=chain).first()
    if head is not None:
        if head.seq != last_seen:
            problem(head.seq, f"mục cuối cùng bị xóa (đầu chuỗi {head.seq}, có {last_seen})")
        elif head.last_hash != prev_hash:
            problem(head.seq, "hash đầu chuỗi không khớp")
    elif last_seen:
        problem(0, "mất đầu chuỗi")
    return problems


def audit_entry_list(
    *, scope_paths: Iterable[str] | None, object_type: str = "", action: str = "", q: str = ""
) -> QuerySet[AuditEntry]:
    """Entries visible to someone whose scope is the given org-unit paths (None = all)."""
    qs = AuditEntry.objects.select_related("org_unit").order_by("-created_at", "-id")
    if scope_paths is not None:
        cond = Q(pk__in=[])
        for path in scope_paths:
            cond |= Q(org_path__startswith=path)
        qs = qs.filter(cond)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if action:
        qs = qs.filter(action__startswith=action)
    if q:
        qs = qs.filter(Q(object_label__icontains=q) | Q(actor_label__icontains=q) | Q(object_id=q))
    return qs


def audit_entries_for_object(*, object_type: str, object_id: str) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(object_type=object_type, object_id=object_id).order_by(
        "created_at", "id"
    )
