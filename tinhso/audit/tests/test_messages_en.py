"""Issue 15 item 10: the chain verifier's findings are in the reader's language."""

from django.utils import translation

from tinhso.audit.models import AuditEntry, ChainHead
from tinhso.audit.selectors import audit_chain_verify
from tinhso.audit.services import audit_record


def test_chain_problems_in_english(db):
    for i in range(3):
        audit_record(
            actor=None,
            action="test.change",
            object_type="test.thing",
            object_id="8",
            before={"v": i},
            after={"v": i + 1},
        )
    entry = AuditEntry.objects.get(seq=2, object_id="8")
    AuditEntry.objects.filter(pk=entry.pk).update(changes={"after": {"v": 999}})
    with translation.override("vi"):
        assert [p.reason for p in audit_chain_verify()] == ["nội dung đã bị sửa (hash không khớp)"]
    ChainHead.objects.filter(name=entry.chain).update(seq=5)
    with translation.override("en"):
        assert [p.reason for p in audit_chain_verify()] == [
            "content altered (hash mismatch)",
            "last entries deleted (chain head 5, found 3)",
        ]
