from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from tinhso.orgs.models import OrgUnit
from tinhso.orgs.services import orgunit_create


class OrgUnitFactory(factory.Factory):
    """Builds units through the service so that ``path`` is set."""

    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"T{n:05d}")
    name = factory.Sequence(lambda n: f"Đơn vị thử {n}")
    category = OrgUnit.Category.ADMINISTRATIVE
    kind = OrgUnit.Kind.COMMUNE
    level = 3
    parent = None
    valid_from = dt.date(2020, 1, 1)
    valid_to = None

    @classmethod
    def _create(cls, model_class: type[OrgUnit], **kwargs: Any) -> OrgUnit:
        return orgunit_create(actor=None, **kwargs)
