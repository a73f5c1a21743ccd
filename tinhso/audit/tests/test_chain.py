import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tinhso.audit.models import AuditEntry
from tinhso.audit.selectors import audit_chain_verify
from tinhso.audit.services import audit_record


@pytest.fixture
def chain(db):
    # five changes of one object: one chain, in order
    for i in range(5):
        audit_record(
            actor=None,
            action="test.change",
            object_type="test.thing",
            object_id="7",
            before={"v": i},
            after={"v": i + 1},
            ip="10.0.0.1",
        )
    return list(AuditEntry.objects.order_by("seq"))


def test_objects_spread_over_chains_each_verifiable(db):
    for i in range(40):
        audit_record(actor=None, action="test.change", object_type="test.thing", object_id=str(i))
    chains = set(AuditEntry.objects.values_list("chain", flat=True))
    assert len(chains) > 4  # writers of different objects do not share one lock
    assert audit_chain_verify() == []
    # the same object always lands in the same chain
    audit_record(actor=None, action="test.again", object_type="test.thing", object_id="3")
    assert AuditEntry.objects.filter(object_id="3").values("chain").distinct().count() == 1
    victim = AuditEntry.objects.filter(object_id="5").get()
    AuditEntry.objects.filter(pk=victim.pk).update(object_label="changed")
    problems = audit_chain_verify()
    assert [(p.chain, p.seq) for p in problems] == [(victim.chain, victim.seq)]


def test_intact_chain_verifies(chain):
    assert audit_chain_verify() == []
    call_command("verify_audit")
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[1].prev_hash == chain[0].hash
    assert chain[0].ip_address == "10.0.0.1"


def test_edited_entry_is_detected(chain):
    AuditEntry.objects.filter(seq=3).update(changes={"after": {"v": 999}})
    problems = audit_chain_verify()
    assert [p.seq for p in problems] == [3]
    assert problems[0].chain == chain[2].chain
    with pytest.raises(CommandError):
        call_command("verify_audit")


def test_deleted_entry_is_detected(chain):
    AuditEntry.objects.filter(seq=2).delete()
    assert {p.seq for p in audit_chain_verify()} >= {2}


def test_deleted_last_entry_is_detected(chain):
    AuditEntry.objects.filter(seq=5).delete()
    assert audit_chain_verify()


def test_rehashed_forgery_is_detected(chain):
    # An attacker who recomputes the edited entry's own hash still breaks the next link.
    from tinhso.audit.services import entry_digest_of

    e = AuditEntry.objects.get(seq=2)
    e.actor_label = "someone-else"
    e.hash = entry_digest_of(e)
    e.save()
    assert [p.seq for p in audit_chain_verify()] == [3]


def test_state_changes_write_entries(demo_users):
    # the demo's users and memberships were created through services, each audited
    assert AuditEntry.objects.filter(action="user.create").count() >= 9
    assert AuditEntry.objects.filter(action="membership.add").count() >= 8
    assert audit_chain_verify() == []


def test_officials_see_only_their_units_entries(user_named, client):
    client.force_login(user_named("lanhdao.dian"))
    page = client.get("/nhat-ky/").content.decode()
    assert "Nguyễn Văn An" in page  # membership of canbo.dian in Dĩ An
    assert "Lê Văn Cường" not in page  # canbo.thuanan belongs to Thuận An
    client.force_login(user_named("congdan"))
    assert client.get("/nhat-ky/").status_code == 403


def test_edited_org_path_is_detected(chain):
    """Issue 14 finding 7: org_path decides who sees an entry; editing it breaks the chain."""
    AuditEntry.objects.filter(seq=3).update(org_path="/khac/")
    assert [p.seq for p in audit_chain_verify()] == [3]


def test_edited_chain_column_is_detected(chain):
    e = AuditEntry.objects.get(seq=4)
    assert e.version == 2
    AuditEntry.objects.filter(pk=e.pk).update(version=1)  # a downgrade to the old format
    assert {p.seq for p in audit_chain_verify()} == {4}


def test_entries_of_the_first_format_still_verify(chain):
    """Entries written before version 2 (hash without org_path) keep verifying: rewrite the
    whole chain as the old code wrote it."""
    from tinhso.audit.models import ChainHead
    from tinhso.audit.services import entry_digest_of

    prev = "0" * 64
    for e in AuditEntry.objects.filter(chain=chain[0].chain).order_by("seq"):
        e.version = 1
        e.prev_hash = prev
        e.hash = entry_digest_of(e)
        e.save()
        prev = e.hash
    ChainHead.objects.filter(name=chain[0].chain).update(last_hash=prev)
    assert audit_chain_verify() == []
    # and in that format org_path was outside the hash (why version 2 exists)
    AuditEntry.objects.filter(chain=chain[0].chain, seq=3).update(org_path="/khac/")
    assert audit_chain_verify() == []
