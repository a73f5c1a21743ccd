"""Issue 14, "tests that would catch a regression": membership validity dates count, officials
never see applicants' drafts, and the real action → role table (not a test registry)."""

import datetime as dt

import pytest
from django.utils import timezone

from tinhso.accounts.models import Membership, User
from tinhso.accounts.permissions import permission_roles, user_can
from tinhso.orgs.selectors import orgunit_get

pytestmark = pytest.mark.django_db


def _fresh(user):
    return User.objects.get(pk=user.pk)  # memberships are cached on the instance


def test_membership_validity_dates_are_honoured(user_named):
    user = user_named("canbo.dian")
    unit = orgunit_get(code="724")
    today = timezone.localdate()
    assert user_can(user=_fresh(user), action="services.queue", org_unit=unit)
    Membership.objects.filter(user=user).update(valid_to=today)  # ended today (exclusive)
    assert not user_can(user=_fresh(user), action="services.queue", org_unit=unit)
    Membership.objects.filter(user=user).update(
        valid_from=today + dt.timedelta(days=1), valid_to=None
    )  # not started yet
    assert not user_can(user=_fresh(user), action="services.queue", org_unit=unit)
    Membership.objects.filter(user=user).update(valid_from=today - dt.timedelta(days=30))
    assert user_can(user=_fresh(user), action="services.queue", org_unit=unit)


def test_officials_never_see_applicants_drafts(user_named, demo_users):
    import io

    from tinhso.services.demo import demo_load
    from tinhso.services.models import Dossier, Procedure, Status
    from tinhso.services.selectors import dossier_get_for_user, dossier_queue
    from tinhso.services.services import dossier_draft_create
    from tinhso.services.tests.conftest import BIRTH_FORM, upload

    demo_load(stdout=io.StringIO())
    birth = Procedure.objects.get(code="1.001193")
    part = birth.parts.filter(required=True).first()
    assert part is not None
    draft = dossier_draft_create(
        user=user_named("congdan"),
        procedure=birth,
        org_unit=orgunit_get(code="25942"),
        form_data=BIRTH_FORM,
        files={part.pk: [upload()]},
    )
    assert draft.status == Status.DRAFT
    assert dossier_get_for_user(user=user_named("congdan"), pk=draft.pk) is not None
    for official in ("canbo.dian", "lanhdao.dian", "admin"):
        user = user_named(official)
        assert dossier_get_for_user(user=user, pk=draft.pk) is None, official
        assert not dossier_queue(user=user).filter(pk=draft.pk).exists(), official
    assert Dossier.objects.filter(pk=draft.pk).exists()


# the platform's real table, as the apps register it (a change here is a decision)
REAL_TABLE = {
    "services.act.officer": {"officer", "head"},
    "services.act.head": {"head"},
    "services.queue": {"officer", "head", "admin"},
    # the procedure studio (issue 16): a unit's head as its procedure administrator
    "services.studio_edit": {"head", "dx_office", "admin"},
    "services.readiness_view": {"head", "dx_office", "admin"},
    "signing.sign": {"head"},
    "payments.counter_confirm": {"officer", "head", "admin"},
    "payments.reconcile": {"admin"},
    "data.grant": {"head", "admin"},
    "data.manage": {"officer", "head", "admin"},
    "monitoring.report_accept": {"dx_office", "admin"},
    "orgs.manage": {"admin"},
    "accounts.manage": {"admin"},
    "audit.view": {"officer", "head", "dx_office", "admin"},
}


@pytest.mark.parametrize(("action", "roles"), sorted(REAL_TABLE.items()))
def test_the_real_action_role_table(action, roles):
    import tinhso.services.workflow  # noqa: F401 (registers the services actions)

    assert set(permission_roles(action)) == roles
