"""One hash-chain implementation for the append-only logs: the audit log (``AuditEntry`` and
``ChainHead``) and the data sharing gateway's access log (``tinhso.data``: ``AccessLog`` and
``AccessLogHead``).

A log is a model of entries with ``chain``, ``seq``, ``prev_hash`` and ``hash`` columns and a
head model with ``name``, ``seq`` and ``last_hash``, one row per chain. Entries are spread
over several chains by a stable shard of a key (the object the entry is about), so writers of
different objects do not wait for each other while all entries of one object stay in order in
one chain. Within a chain each entry stores ``seq`` (1, 2, 3, … with no gap), the previous
entry's hash and its own hash over a canonical serialisation of its fields; appending locks
the chain's head. Editing, deleting or reordering an entry breaks its chain, which
``chain_verify`` reports. Each log decides what its hash covers (``digest_of``) and may add
checks of its own (the access log's HMAC signature, the audit entries' format version).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _

GENESIS = "0" * 64  # the "previous hash" of a chain's first entry

E = TypeVar("E", bound=models.Model)
H = TypeVar("H", bound=models.Model)


def chain_shard(key: str) -> str:
    """The chain of ``key``: ``c00`` … one of ``settings.AUDIT_CHAINS`` (default 16)
    chains, the same for the same key, for every hash-chained log."""
    count = max(1, int(getattr(settings, "AUDIT_CHAINS", 16)))
    shard = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") % count
    return f"c{shard:02d}"


def utc_stamp(moment: dt.datetime) -> str:
    """A moment as the logs hash it: UTC, microseconds, ``Z``."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_hash(fields: list[Any]) -> str:
    """SHA-256 of the fields' canonical JSON (sorted keys, no spaces, UTF-8)."""
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chain_head_locked(head_model: type[H], name: str) -> H:
    """The chain's head, locked (``SELECT … FOR UPDATE``) until the transaction ends: one
    query once the chain exists. The lock is taken by the same statement that reads
    ``seq``/``last_hash``, so the values read are the latest committed ones and no other
    writer of the chain can append before this transaction ends."""
    heads = head_model._default_manager
    head = heads.select_for_update().filter(name=name).first()
    if head is None:  # a new chain: create it (race-safe), then lock it
        heads.get_or_create(name=name)
        head = heads.select_for_update().get(name=name)
    return head


def chain_append(
    *, head_model: type[models.Model], chain: str, write: Callable[[int, str], tuple[E, str]]
) -> E:
    """Append one entry to ``chain``: lock its head, let ``write(seq, prev_hash)`` create the
    entry and return it with its hash, then move the head. Runs inside the caller's
    transaction (no savepoint: a failure here fails the caller's change)."""
    with transaction.atomic(savepoint=False):
        head = chain_head_locked(head_model, chain)
        seq = int(getattr(head, "seq")) + 1  # noqa: B009 (a head model of any log)
        entry, digest = write(seq, str(getattr(head, "last_hash")))  # noqa: B009
        setattr(head, "seq", seq)  # noqa: B010
        setattr(head, "last_hash", digest)  # noqa: B010
        head.save(update_fields=["seq", "last_hash"])
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """One break in a chain: where (``chain``, ``seq``) and what, in the active language."""

    seq: int
    reason: str
    chain: str = "main"


def chain_verify(
    *,
    entries: models.QuerySet[E],
    heads: models.QuerySet[Any],
    digest_of: Callable[[E], str],
    check: Callable[[E, E | None], Iterable[str]] | None = None,
    batch_size: int = 2000,
) -> list[ChainProblem]:
    """Walk every chain of a log; return every break found (empty list = intact): a gap in
    ``seq``, a wrong link, an entry whose hash does not match its columns, a head that does
    not match the last entry. ``check(entry, previous)`` adds a log's own problems."""
    chains = set(entries.values_list("chain", flat=True).distinct())
    chains |= set(heads.values_list("name", flat=True))
    problems: list[ChainProblem] = []
    for chain in sorted(chains):
        problems.extend(
            _verify_one(
                chain=chain,
                entries=entries.filter(chain=chain),
                head=heads.filter(name=chain).first(),
                digest_of=digest_of,
                check=check,
                batch_size=batch_size,
            )
        )
    return problems


def _verify_one(
    *,
    chain: str,
    entries: models.QuerySet[E],
    head: Any,
    digest_of: Callable[[E], str],
    check: Callable[[E, E | None], Iterable[str]] | None,
    batch_size: int,
) -> list[ChainProblem]:
    problems: list[ChainProblem] = []

    def problem(seq: int, reason: str) -> None:
        problems.append(ChainProblem(seq, reason, chain))

    expected_seq = 1
    prev_hash = GENESIS
    last_seen = 0
    previous: E | None = None
    while True:
        batch = list(entries.filter(seq__gt=last_seen).order_by("seq")[:batch_size])
        if not batch:
            break
        for entry in batch:
            seq = int(getattr(entry, "seq"))  # noqa: B009
            if seq != expected_seq:
                problem(
                    expected_seq,
                    _("thiếu mục %(first)s–%(last)s") % {"first": expected_seq, "last": seq - 1},
                )
            if getattr(entry, "prev_hash") != prev_hash:  # noqa: B009
                problem(seq, _("liên kết với mục trước bị sai"))
            if digest_of(entry) != getattr(entry, "hash"):  # noqa: B009
                problem(seq, _("nội dung đã bị sửa (hash không khớp)"))
            for reason in check(entry, previous) if check is not None else ():
                problem(seq, reason)
            prev_hash = str(getattr(entry, "hash"))  # noqa: B009
            expected_seq = seq + 1
            last_seen = seq
            previous = entry
    if head is not None:
        if head.seq != last_seen:
            problem(
                head.seq,
                _("mục cuối cùng bị xóa (đầu chuỗi %(head)s, có %(seen)s)")
                % {"head": head.seq, "seen": last_seen},
            )
        elif head.last_hash != prev_hash:
            problem(head.seq, _("hash đầu chuỗi không khớp"))
    elif last_seen:
        problem(0, _("mất đầu chuỗi"))
    return problems
