import pytest

from tinhso.accounts.models import User
from tinhso.accounts.permissions import permission_register, scope_q, user_can
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import orgunit_get

permission_register("test.process", roles=["officer", "head", "admin"])
permission_register("test.approve", roles=["head", "admin"])
permission_register("test.monitor", roles=["dx_office", "admin"])

# (username, action, unit code, allowed)
MATRIX = [
    ("canbo.dian", "test.process", "724", True),
    ("canbo.dian", "test.process", "25942", True),  # a ward of Dĩ An
    ("canbo.dian", "test.process", "725", False),  # Thuận An
    ("canbo.dian", "test.process", "25966", False),  # a ward of Thuận An
    ("canbo.dian", "test.process", "74", False),  # the province itself
    ("canbo.dian", "test.process", "74.STTTT", False),
    ("canbo.dian", "test.approve", "724", False),  # officers do not approve
    ("lanhdao.dian", "test.approve", "724", True),
    ("lanhdao.dian", "test.approve", "25942", True),
    ("lanhdao.dian", "test.approve", "725", False),
    ("canbo.thuanan", "test.process", "25966", True),
    ("canbo.thuanan", "test.process", "724", False),
    ("canbo.stttt", "test.process", "74.STTTT", True),
    ("canbo.stttt", "test.process", "724", False),
    ("vanphong.cds", "test.monitor", "724", True),
    ("vanphong.cds", "test.monitor", "74.STTTT", True),
    ("vanphong.cds", "test.process", "724", False),  # the DX office does not process dossiers
    ("admin", "test.process", "725", True),
    ("admin", "test.approve", "74.STTTT", True),
    ("congdan", "test.process", "724", False),
    ("doanhnghiep", "test.monitor", "74", False),
]


@pytest.mark.parametrize("username, action, code, allowed", MATRIX)
def test_permission_matrix(user_named, username, action, code, allowed):
    unit = orgunit_get(code=code)
    assert user_can(user=user_named(username), action=action, org_unit=unit) is allowed


def test_scope_q_filters_querysets(user_named):
    qs = OrgUnit.objects.filter(scope_q(user_named("canbo.dian"), "test.process", field="parent"))
    codes = set(qs.values_list("code", flat=True))
    assert codes and all(c.startswith("259") for c in codes)  # Dĩ An's wards only
    assert "25966" not in codes
    assert not OrgUnit.objects.filter(
        scope_q(user_named("congdan"), "test.process", field="parent")
    ).exists()
    assert (
        OrgUnit.objects.filter(scope_q(user_named("admin"), "test.process", field="parent")).count()
        > 100
    )


def test_inactive_official_has_no_rights(user_named):
    user = user_named("canbo.dian")
    user.is_active = False
    user.save()
    user = User.objects.get(pk=user.pk)
    assert not user_can(user=user, action="test.process", org_unit=orgunit_get(code="724"))


def test_unknown_action_is_an_error(user_named):
    with pytest.raises(KeyError):
        user_can(user=user_named("admin"), action="nope.nothing", org_unit=orgunit_get(code="74"))
