"""The demo's generated approvals happen in office hours (issue 15, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from tinhso.services import deadlines
from tinhso.services.generator import province_generate
from tinhso.services.models import DossierEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_generated_approvals_are_signed_in_office_hours(services_demo):
    province_generate(dossiers=300, seed=5, years=1, end=dt.date(2026, 6, 30), progress=False)
    cal = deadlines.calendar_load()
    events = list(DossierEvent.objects.filter(action__in=("approve", "reject")))
    assert len(events) > 50
    for e in events:
        local = deadlines.to_local(e.at)
        minutes = local.hour * 60 + local.minute
        in_hours = 7 * 60 + 30 <= minutes < 11 * 60 + 30 or 13 * 60 <= minutes < 17 * 60
        assert in_hours, (e.action, local)
        assert cal.is_working_day(local.date()), (e.action, local)
