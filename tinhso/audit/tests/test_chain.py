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
    from tinhso.audit.services import entry_digest

    e = AuditEntry.objects.get(seq=2)
    e.actor_label = "someone-else"
    e.hash = entry_digest(
        seq=e.seq,
        prev_hash=e.prev_hash,
        created_at=e.created_at,
        actor_id=e.actor_id,
        actor_label=e.actor_label,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        object_label=e.object_label,
        org_unit_id=e.org_unit_id,
        ip_address=e.ip_address,
        changes=e.changes,
    )
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
