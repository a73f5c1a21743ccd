"""The one way to write an audit entry: ``audit_record``, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone

from tinhso.audit.chain import canonical_hash, chain_append, chain_shard, utc_stamp
from tinhso.audit.context import current_ip
from tinhso.audit.models import AuditEntry, ChainHead

CHAIN = "main"  # the single chain of entries written before chains were sharded


def chain_for(object_type: str, object_id: str, action: str) -> str:
    """The chain an entry goes to: a stable shard of its object (or, without one, its action)."""
    return chain_shard(f"{object_type}:{object_id}" if object_id else f"action:{action}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def entry_digest(
    *,
    seq: int,
    prev_hash: str,
    created_at: dt.datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_label: str,
    org_unit_id: int | None,
    ip_address: str | None,
    changes: dict[str, Any],
    version: int = 1,
    chain: str = "",
    org_path: str = "",
) -> str:
    """The entry's hash. Version 1 (the first entries) covers everything but the chain name
    and ``org_path``; version 2 covers every column, ``org_path`` (who may see the entry)
    included, and the version itself."""
    fields: list[Any] = [
        seq,
        prev_hash,
        utc_stamp(created_at),
        actor_id,
        actor_label,
        action,
        object_type,
        object_id,
        object_label,
        org_unit_id,
        ip_address,
        changes,
    ]
    if version >= 2:
        fields = [version, *fields, chain, org_path]
    return canonical_hash(fields)


ENTRY_VERSION = 2


def entry_digest_of(entry: AuditEntry) -> str:
    """The hash an entry's stored columns give, in the entry's own format version."""
    return entry_digest(
        seq=entry.seq,
        prev_hash=entry.prev_hash,
        created_at=entry.created_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_label=entry.object_label,
        org_unit_id=entry.org_unit_id,
        ip_address=entry.ip_address,
        changes=entry.changes,
        version=entry.version,
        chain=entry.chain,
        org_path=entry.org_path,
    )


def audit_record(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    org_unit: Any | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append an entry to the chain. Must run inside the transaction of the change."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    changes: dict[str, Any] = {}
    if before is not None:
        changes["before"] = _jsonable(before)
    if after is not None:
        changes["after"] = _jsonable(after)
    if extra:
        changes["extra"] = _jsonable(extra)
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    actor_label = ""
    if actor_obj is not None:
        actor_label = getattr(actor_obj, "get_username", lambda: str(actor_obj))()
    chain = chain_for(object_type or "", object_id or "", action)
    org_path = getattr(org_unit, "path", "") or ""

    def write(seq: int, prev_hash: str) -> tuple[AuditEntry, str]:
        fields: dict[str, Any] = {
            "seq": seq,
            "prev_hash": prev_hash,
            "created_at": timezone.now(),
            "actor_id": actor_obj.pk if actor_obj else None,
            "actor_label": actor_label,
            "action": action,
            "object_type": object_type or "",
            "object_id": object_id or "",
            "object_label": (str(obj) if obj is not None else "")[:255],
            "org_unit_id": org_unit.pk if org_unit is not None else None,
            "ip_address": ip or current_ip(),
            "changes": changes,
        }
        digest = entry_digest(**fields, version=ENTRY_VERSION, chain=chain, org_path=org_path)
        entry = AuditEntry.objects.create(
            **fields, chain=chain, hash=digest, org_path=org_path, version=ENTRY_VERSION
        )
        return entry, digest

    # No savepoint: the entry belongs to the caller's change, so a failure here must fail
    # (and roll back) that change; outside a transaction this still opens one.
    return chain_append(head_model=ChainHead, chain=chain, write=write)
