"""Reading and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tinhso.audit.chain import ChainProblem, chain_verify
from tinhso.audit.models import AuditEntry, ChainHead
from tinhso.audit.services import entry_digest_of

__all__ = ["ChainProblem", "audit_chain_verify", "audit_entries_for_object", "audit_entry_list"]


def _no_downgrade(entry: AuditEntry, previous: AuditEntry | None) -> list[str]:
    """An entry never uses an older format than the entry before it (a downgrade would take
    ``org_path`` and the chain name out of the hash)."""
    if previous is not None and entry.version < previous.version:
        return [_("định dạng mục cũ hơn mục trước (bị hạ phiên bản)")]
    return []


def audit_chain_verify(*, batch_size: int = 2000) -> list[ChainProblem]:
    """Walk every chain; return every break found (empty list = intact)."""
    return chain_verify(
        entries=AuditEntry.objects.all(),
        heads=ChainHead.objects.all(),
        digest_of=entry_digest_of,
        check=_no_downgrade,
        batch_size=batch_size,
    )


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
