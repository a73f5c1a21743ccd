"""The data access log and the audit log share one hash-chain implementation
(``tinhso.audit.chain``): sharded the same way, verified by the one verifier."""

import pytest
from django.utils import timezone

from tinhso.audit.chain import GENESIS, chain_shard, chain_verify
from tinhso.audit.models import AuditEntry, ChainHead
from tinhso.audit.selectors import audit_chain_verify
from tinhso.audit.services import audit_record, entry_digest_of
from tinhso.data.models import AccessLog, AccessLogHead, ClientSystem
from tinhso.data.selectors import accesslog_verify
from tinhso.data.services import (
    LOG_CHAIN,
    accesslog_append,
    accesslog_digest,
    accesslog_digest_of,
    accesslog_sign,
)
from tinhso.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def systems(demo_orgs):
    unit = OrgUnit.objects.get(code="74.STTTT", valid_to__isnull=True)
    return [
        ClientSystem.objects.create(
            code=f"he-thong-{i}", name=f"Hệ thống {i}", org_unit=unit, created_at=timezone.now()
        )
        for i in range(12)
    ]


def _log(system, n=1):
    for _ in range(n):
        accesslog_append(client=system, action="datastore.search", outcome="ok", status=200)


def test_the_access_log_is_sharded_like_the_audit_log(systems):
    for system in systems:
        _log(system, 3)
    chains = set(AccessLog.objects.values_list("chain", flat=True))
    assert len(chains) > 3  # clients do not share one lock
    for system in systems:
        entries = AccessLog.objects.filter(client=system)
        # one client's entries stay in order in one chain: the audit log's shard of its key
        assert {e.chain for e in entries} == {chain_shard(f"client:{system.code}")}
    for chain in chains:
        seqs = list(
            AccessLog.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True)
        )
        assert seqs == list(range(1, len(seqs) + 1))
        assert AccessLogHead.objects.get(name=chain).seq == len(seqs)
    assert accesslog_verify() == []


def test_tampering_with_either_log_is_found_by_the_one_verifier(systems):
    for system in systems[:4]:
        _log(system, 3)
        audit_record(actor=None, action="test.change", obj=system)
        audit_record(actor=None, action="test.change", obj=system)
    access = AccessLog.objects.filter(client=systems[2]).get(seq=2)
    audit = AuditEntry.objects.filter(object_id=str(systems[2].pk)).order_by("seq").last()
    AccessLog.objects.filter(pk=access.pk).update(rows=999)
    AuditEntry.objects.filter(pk=audit.pk).update(object_label="khác")

    found_access = chain_verify(
        entries=AccessLog.objects.all(),
        heads=AccessLogHead.objects.all(),
        digest_of=accesslog_digest_of,
    )
    found_audit = chain_verify(
        entries=AuditEntry.objects.all(), heads=ChainHead.objects.all(), digest_of=entry_digest_of
    )
    assert [(p.chain, p.seq) for p in found_access] == [(access.chain, 2)]
    assert [(p.chain, p.seq) for p in found_audit] == [(audit.chain, audit.seq)]
    # and the logs' own verifiers are that verifier (plus the access log's signature check)
    assert accesslog_verify() == found_access
    assert audit_chain_verify() == found_audit


def test_a_deleted_last_entry_of_a_shard_is_found(systems):
    _log(systems[0], 3)
    AccessLog.objects.filter(client=systems[0], seq=3).delete()
    problems = accesslog_verify()
    assert [(p.chain, p.seq) for p in problems] == [(chain_shard("client:he-thong-0"), 3)]


def test_entries_written_before_the_shards_still_verify(systems):
    """The log was one chain ("lgsp", global seq): those entries keep verifying beside the
    shards, and tampering with them is still found."""
    prev = GENESIS
    for seq in (1, 2, 3):
        fields = {
            "seq": seq,
            "prev_hash": prev,
            "created_at": timezone.now(),
            "client_code": "he-thong-0",
            "key_prefix": "",
            "dataset_name": "",
            "resource_id": "",
            "grant_id": "",
            "action": "datastore.search",
            "outcome": "ok",
            "status": 200,
            "rows": seq,
            "params": {},
            "ip_address": "",
        }
        digest = accesslog_digest(**fields)
        AccessLog.objects.create(
            **fields, chain=LOG_CHAIN, hash=digest, signature=accesslog_sign(digest)
        )
        prev = digest
    AccessLogHead.objects.create(name=LOG_CHAIN, seq=3, last_hash=prev)
    _log(systems[0], 2)
    assert AccessLog.objects.filter(chain=LOG_CHAIN).count() == 3
    assert accesslog_verify() == []
    AccessLog.objects.filter(chain=LOG_CHAIN, seq=2).update(rows=7)
    assert [(p.chain, p.seq) for p in accesslog_verify()] == [(LOG_CHAIN, 2)]
