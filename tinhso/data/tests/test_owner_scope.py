"""Issue 14, one permission layer: an internal dataset is seen by the officials of its
unit's scope (``data.view`` through ``visible_q``/``user_can``), by nobody else."""

from __future__ import annotations

from typing import Any

import pytest

from tinhso.accounts.permissions import user_can, visible_q
from tinhso.data.models import Dataset
from tinhso.data.selectors import dataset_data_readable, dataset_visible_q

from .conftest import make_dataset

pytestmark = pytest.mark.django_db


def test_internal_dataset_only_within_the_units_scope(client: Any, user_named: Any) -> None:
    ds = make_dataset("noi-bo-di-an", access="internal", owner="724")
    url = f"/du-lieu/{ds.name}/"
    for name, allowed in (
        ("canbo.dian", True),  # official of the owner unit
        ("vanphong.cds", True),  # the province's DX office
        ("canbo.thuanan", False),  # another unit's official
        ("canbo.stttt", False),  # another department's official
        ("congdan", False),  # an applicant
    ):
        user = user_named(name)
        client.force_login(user)
        assert (client.get(url).status_code == 200) is allowed, name
        assert dataset_data_readable(user=user, dataset=ds) is allowed, name
        assert user_can(user=user, action="data.view", obj=ds) is allowed or name == "congdan"
        visible = Dataset.objects.filter(dataset_visible_q(user=user), pk=ds.pk).exists()
        assert visible is allowed, name
    client.logout()
    assert client.get(url).status_code == 404


def test_grants_and_requests_follow_the_registered_unit(user_named: Any) -> None:
    from tinhso.data.models import Grant

    # data.grant is matched on the grant's dataset's unit (registered unit="dataset__org_unit")
    assert str(visible_q(user_named("lanhdao.dian"), "data.grant")).count(
        "dataset__org_unit__path__startswith"
    )
    assert not Grant.objects.filter(visible_q(user_named("congdan"), "data.grant")).exists()
