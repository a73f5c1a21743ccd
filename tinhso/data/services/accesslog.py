"""The signed access log of the sharing gateway (a hash chain, HMAC-signed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tinhso.audit.chain import canonical_hash, chain_append, chain_shard, utc_stamp
from tinhso.data.models import (
    AccessLog,
    AccessLogHead,
    ClientSystem,
    Dataset,
    Grant,
    Resource,
)

# --- the signed access log ------------------------------------------------------------------

LOG_CHAIN = "lgsp"  # the one chain of the entries written before the log was sharded


def accesslog_key() -> bytes:
    """The HMAC key of the access log: ``settings.DATA_LOG_HMAC_KEY`` (set it in production,
    kept apart from SECRET_KEY), else derived from SECRET_KEY."""
    configured = getattr(settings, "DATA_LOG_HMAC_KEY", "")
    if configured:
        return configured.encode("utf-8")
    return hashlib.sha256(b"tinhso.data.accesslog:" + settings.SECRET_KEY.encode("utf-8")).digest()


def accesslog_digest(
    *,
    seq: int,
    prev_hash: str,
    created_at: dt.datetime,
    client_code: str,
    key_prefix: str,
    dataset_name: str,
    resource_id: str,
    grant_id: str,
    action: str,
    outcome: str,
    status: int,
    rows: int,
    params: dict[str, Any],
    ip_address: str,
) -> str:
    return canonical_hash(
        [
            seq,
            prev_hash,
            utc_stamp(created_at),
            client_code,
            key_prefix,
            dataset_name,
            resource_id,
            grant_id,
            action,
            outcome,
            status,
            rows,
            params,
            ip_address,
        ]
    )


def accesslog_digest_of(entry: AccessLog) -> str:
    """The hash an entry's stored columns give."""
    return accesslog_digest(
        seq=entry.seq,
        prev_hash=entry.prev_hash,
        created_at=entry.created_at,
        client_code=entry.client_code,
        key_prefix=entry.key_prefix,
        dataset_name=entry.dataset_name,
        resource_id=entry.resource_id,
        grant_id=entry.grant_id,
        action=entry.action,
        outcome=entry.outcome,
        status=entry.status,
        rows=entry.rows,
        params=entry.params,
        ip_address=entry.ip_address,
    )


def accesslog_sign(digest: str) -> str:
    return hmac.new(accesslog_key(), digest.encode("ascii"), hashlib.sha256).hexdigest()


def accesslog_append(
    *,
    client: ClientSystem | None,
    action: str,
    outcome: str,
    status: int,
    key_prefix: str = "",
    dataset: Dataset | None = None,
    resource: Resource | None = None,
    grant: Grant | None = None,
    rows: int = 0,
    params: dict[str, Any] | None = None,
    ip: str = "",
) -> AccessLog:
    """Append one request to the hash chain, signed. Runs in its own transaction so that a
    refused request is logged too."""
    clean_params = json.loads(json.dumps(params or {}, default=str))
    client_code = client.code if client else ""
    # the entries of one client system stay in order in one chain (the audit log's shards)
    chain = chain_shard(f"client:{client_code}")

    def write(seq: int, prev_hash: str) -> tuple[AccessLog, str]:
        fields: dict[str, Any] = {
            "seq": seq,
            "prev_hash": prev_hash,
            "created_at": timezone.now(),
            "client_code": client_code,
            "key_prefix": key_prefix,
            "dataset_name": dataset.name if dataset else "",
            "resource_id": str(resource.uuid) if resource else "",
            "grant_id": str(grant.uuid) if grant else "",
            "action": action,
            "outcome": outcome,
            "status": status,
            "rows": rows,
            "params": clean_params,
            "ip_address": ip or "",
        }
        digest = accesslog_digest(**fields)
        entry = AccessLog.objects.create(
            **fields,
            chain=chain,
            hash=digest,
            signature=accesslog_sign(digest),
            client=client,
            dataset=dataset,
            owner_unit=dataset.org_unit if dataset else None,
        )
        return entry, digest

    with transaction.atomic():
        return chain_append(head_model=AccessLogHead, chain=chain, write=write)
