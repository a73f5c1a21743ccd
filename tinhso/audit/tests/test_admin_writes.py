"""Issue 14, "the admin writes like everything else": every admin of the platform is
read-only, or audits each write in the same transaction, or writes through the services
(which check the rules and audit)."""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory

from tinhso.accounts.models import Membership, Role, User
from tinhso.audit.models import AuditEntry
from tinhso.orgs.models import OrgUnit
from tinhso.services.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(user_named, client):
    client.force_login(user_named("admin"))
    return client


def test_every_admin_is_read_only_or_audited(user_named):
    request = RequestFactory().get("/admin/")
    request.user = user_named("admin")
    assert request.user.is_superuser
    unaudited = []
    for model, model_admin in admin.site._registry.items():
        writable = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        audited = getattr(model_admin, "audits_writes", False) or getattr(
            model_admin, "writes_through_services", False
        )
        if writable and not audited:
            unaudited.append(model._meta.label)
    assert unaudited == []
    # the role grants and the identities are not edited as rows
    assert not admin.site._registry[Membership].has_change_permission(request)
    for inline in admin.site._registry[User].get_inline_instances(request):
        assert not inline.has_add_permission(request, None)
        assert not inline.has_change_permission(request)
        assert not inline.has_delete_permission(request)


def test_an_admin_change_and_a_bulk_delete_are_audited(root):
    r = root.post(
        "/admin/services/calendarday/add/",
        {"day": "02/09/2030", "kind": "off", "note": "Quyết định của tỉnh"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    day = CalendarDay.objects.get(note="Quyết định của tỉnh")
    add = AuditEntry.objects.get(action="services.admin.add", object_id=str(day.pk))
    assert add.actor_label == "admin"
    r = root.post(
        "/admin/services/calendarday/",
        {"action": "delete_selected", "_selected_action": [day.pk], "post": "yes"},
    )
    assert r.status_code == 302
    assert not CalendarDay.objects.filter(pk=day.pk).exists()
    assert AuditEntry.objects.filter(action="services.admin.delete", object_id=str(day.pk)).exists()


def test_a_password_set_in_the_admin_is_audited(root, user_named):
    target = user_named("congdan")
    r = root.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {"password1": "mat-khau-moi-dai-456", "password2": "mat-khau-moi-dai-456"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    target.refresh_from_db()
    assert target.check_password("mat-khau-moi-dai-456")
    entry = AuditEntry.objects.get(action="accounts.admin.change", object_id=str(target.pk))
    assert "password" not in entry.changes.get("after", {})


def test_a_role_grant_in_the_admin_goes_through_the_service(root, user_named):
    unit = OrgUnit.objects.get(code="74")
    citizen = user_named("congdan")
    r = root.post(
        "/admin/accounts/membership/add/",
        {"user": citizen.pk, "org_unit": unit.pk, "role": Role.OFFICER},
    )
    assert r.status_code == 200  # refused: only officials hold roles (membership_check)
    assert "Chỉ tài khoản cán bộ" in r.content.decode()
    assert not Membership.objects.filter(user=citizen).exists()

    official = user_named("canbo.thuanan")
    r = root.post(
        "/admin/accounts/membership/add/",
        {
            "user": official.pk,
            "org_unit": unit.pk,
            "role": Role.DX_OFFICE,
            "valid_from": "01/01/2030",
            "valid_to": "01/01/2029",
        },
    )
    assert r.status_code == 200 and "Ngày kết thúc phân công" in r.content.decode()
    r = root.post(
        "/admin/accounts/membership/add/",
        {"user": official.pk, "org_unit": unit.pk, "role": Role.DX_OFFICE, "title": "Chuyên viên"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    m = Membership.objects.get(user=official, org_unit=unit, role=Role.DX_OFFICE)
    assert AuditEntry.objects.filter(action="membership.add", object_id=str(m.pk)).exists()
    r = root.post(f"/admin/accounts/membership/{m.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()
    assert AuditEntry.objects.filter(action="membership.remove", object_id=str(m.pk)).exists()


def test_an_org_unit_keeps_its_place_in_the_tree(root):
    unit = OrgUnit.objects.filter(parent__isnull=False).select_related("parent")[0]
    other = OrgUnit.objects.exclude(pk__in=[unit.pk, unit.parent_id])[0]
    path = unit.path
    r = root.post(
        f"/admin/orgs/orgunit/{unit.pk}/change/",
        {"name": "Tên sửa", "name_en": "", "short_name": "", "parent": other.pk, "code": "X"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.name == "Tên sửa"
    assert (unit.parent_id, unit.path, unit.code) != (other.pk, path, "X")
    assert unit.path == path
    assert AuditEntry.objects.filter(action="orgs.admin.change", object_id=str(unit.pk)).exists()
    # a new unit goes through orgunit_create: its path is set and the creation audited
    r = root.post(
        "/admin/orgs/orgunit/add/",
        {
            "code": "99999",
            "name": "Xã Mới",
            "category": unit.category,
            "kind": unit.kind,
            "level": unit.level,
            "parent": unit.parent_id,
            "valid_from": "01/01/2025",
            "name_en": "",
            "short_name": "",
            "source": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    new = OrgUnit.objects.get(code="99999")
    parent_path = OrgUnit.objects.get(pk=new.parent_id or 0).path
    assert new.path.startswith(parent_path) and new.path != parent_path
    assert AuditEntry.objects.filter(action="orgunit.create", object_id=str(new.pk)).exists()
    assert not admin.site._registry[OrgUnit].has_delete_permission(RequestFactory().get("/"))
    assert dt.date(2025, 1, 1) == new.valid_from
