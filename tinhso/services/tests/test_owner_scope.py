"""Issue 14, one permission layer: a dossier is its applicant's, and the officials' of its
unit's scope once submitted (``services.dossier.view``: ``owner="applicant"``, drafts
``owner_only``); another applicant and another unit's officials are refused."""

from __future__ import annotations

from typing import Any

import pytest

from tinhso.accounts.permissions import user_can, visible_q
from tinhso.services.models import Dossier

pytestmark = pytest.mark.django_db


def test_dossier_pages_answer_the_owner_and_the_unit_only(
    client: Any, submit_birth: Any, user_named: Any
) -> None:
    d = submit_birth()  # congdan's, at Phường Dĩ An (under 724)
    for name, status in (
        ("congdan", 200),
        ("canbo.dian", 200),
        ("doanhnghiep", 404),
        ("canbo.thuanan", 404),
    ):
        client.force_login(user_named(name))
        assert client.get(f"/dich-vu-cong/ho-so/{d.pk}/").status_code == status, name


def test_drafts_are_the_applicants_alone(birth: Any, user_named: Any, submit_birth: Any) -> None:
    from tinhso.orgs.selectors import orgunit_get
    from tinhso.services.services import dossier_draft_create

    from .conftest import BIRTH_FORM, upload

    required = birth.parts.filter(required=True).first()
    draft = dossier_draft_create(
        user=user_named("congdan"),
        procedure=birth,
        org_unit=orgunit_get(code="25942"),
        form_data=BIRTH_FORM,
        files={required.pk: [upload()]},
    )
    sent = submit_birth()
    for name, sees_draft, sees_sent in (
        ("congdan", True, True),
        ("canbo.dian", False, True),
        ("admin", False, True),
        ("doanhnghiep", False, False),
        ("canbo.thuanan", False, False),
    ):
        user = user_named(name)
        assert user_can(user=user, action="services.dossier.view", obj=draft) is sees_draft
        assert user_can(user=user, action="services.dossier.view", obj=sent) is sees_sent
        qs = Dossier.objects.filter(visible_q(user, "services.dossier.view"))
        assert qs.filter(pk=draft.pk).exists() is sees_draft, name
        assert qs.filter(pk=sent.pk).exists() is sees_sent, name
        # the applicant's own steps are the applicant's only
        assert user_can(user=user, action="services.act.applicant", obj=sent) is (name == "congdan")
