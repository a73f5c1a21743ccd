"""The demo leaves dozens of open dossiers, at every stage, in every demo unit's queue."""

from __future__ import annotations

import io

import pytest

from tinhso.services.demo_queues import demo_open_queues
from tinhso.services.models import Dossier, Status
from tinhso.services.queues import AWAITING_APPROVAL, dossier_queue_list

pytestmark = pytest.mark.django_db


def test_every_demo_unit_has_a_realistic_queue(pki, services_demo, user_named):
    out = io.StringIO()
    made = demo_open_queues(stdout=out)
    assert made >= 50 and "hồ sơ đang giải quyết" in out.getvalue()
    for officer, head in (("canbo.dian", "lanhdao.dian"), ("canbo.thuanan", "lanhdao.thuanan")):
        queue = dossier_queue_list(user=user_named(officer))
        assert queue.count() >= 25
        statuses = set(queue.values_list("status", flat=True))
        assert {
            Status.NEW,
            Status.RECEIVED,
            Status.PROCESSING,
            Status.SUPPLEMENT,
            Status.FINANCIAL,
        } <= statuses
        waiting = dossier_queue_list(user=user_named(head), status=AWAITING_APPROVAL)
        assert waiting.count() >= 4
        # applicants with an ID number and a phone, several of them
        assert (
            queue.exclude(applicant_phone="").values("applicant_id_number").distinct().count() > 5
        )
    assert not Dossier.objects.filter(is_demo=False).exists()
    # idempotent
    assert demo_open_queues() == 0
