"""The org admins show a service's refusal on the form (200, the Vietnamese message, nothing
saved), never a server error."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tinhso.audit.models import AuditEntry
from tinhso.orgs.models import OrgUnit, Population
from tinhso.orgs.services import orgunit_close

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(user_named: Any) -> Client:
    client = Client()
    client.force_login(user_named("admin"))
    return client


def _unit_form(parent: OrgUnit, **extra: Any) -> dict[str, Any]:
    return {
        "code": "99999",
        "name": "Xã Mới",
        "category": parent.category,
        "kind": parent.kind,
        "level": parent.level,
        "parent": parent.pk,
        "valid_from": "01/01/2025",
        "name_en": "",
        "short_name": "",
        "source": "",
        **extra,
    }


def test_a_parent_not_in_force_on_the_start_date_is_a_form_error(root):
    parent = OrgUnit.objects.filter(parent__isnull=False, valid_to__isnull=True)[0]
    orgunit_close(actor=None, unit=parent, on=dt.date(2024, 7, 1))
    audited = AuditEntry.objects.count()
    r = root.post("/admin/orgs/orgunit/add/", _unit_form(parent))
    assert r.status_code == 200
    page = r.content.decode()
    assert "không còn hiệu lực vào ngày 01/01/2025" in page
    assert "errornote" in page  # the admin's "please correct the errors" banner
    assert 'value="Xã Mới"' in page  # the posted values are shown again
    assert not OrgUnit.objects.filter(code="99999").exists()
    assert AuditEntry.objects.count() == audited
    # the same form with a start date the parent covers is saved
    r = root.post("/admin/orgs/orgunit/add/", _unit_form(parent, valid_from="01/01/2024"))
    assert r.status_code == 302, r.content.decode()[:2000]
    assert OrgUnit.objects.get(code="99999").parent_id == parent.pk


def test_a_parent_that_starts_later_is_a_form_error(root):
    parent = OrgUnit.objects.filter(parent__isnull=False, valid_to__isnull=True)[0]
    r = root.post(
        "/admin/orgs/orgunit/add/",
        _unit_form(
            parent, valid_from=(parent.valid_from - dt.timedelta(days=1)).strftime("%d/%m/%Y")
        ),
    )
    assert r.status_code == 200 and "không còn hiệu lực" in r.content.decode()
    assert not OrgUnit.objects.filter(code="99999").exists()


def test_population_refused_by_the_service_is_a_form_error(root):
    unit = OrgUnit.objects.filter(parent__isnull=False)[0]
    r = root.post(
        "/admin/orgs/population/add/",
        {"org_unit": unit.pk, "year": 2024, "total": 1000, "adults": 5000, "source": ""},
    )
    assert r.status_code == 200
    assert "không được lớn hơn tổng dân số" in r.content.decode()
    assert not Population.objects.filter(org_unit=unit, year=2024).exists()
