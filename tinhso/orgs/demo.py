"""Demo org units: Bình Dương as of 2022 (province, 9 district-level units, 91 communes,
departments and the Public Administration Service Centre), from the project's own fixture."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TextIO

from django.db import transaction

from tinhso.orgs.models import OrgUnit
from tinhso.orgs.services import LEVEL1_KINDS, LEVEL2_KINDS, LEVEL3_KINDS, orgunit_create

FIXTURE = Path(__file__).parent / "fixtures" / "binh-duong-2022.json"
DEMO_VALID_FROM = dt.date(2020, 1, 1)


@transaction.atomic
def demo_load(*, stdout: TextIO | None = None) -> None:
    if OrgUnit.objects.filter(code="74", valid_from=DEMO_VALID_FROM).exists():
        return
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    src = data["source"]
    p = data["province"]
    common = {"actor": None, "valid_from": DEMO_VALID_FROM, "source": src}
    province = orgunit_create(
        code=p["code"],
        name=p["name"],
        name_en="Binh Duong Province",
        category=OrgUnit.Category.ADMINISTRATIVE,
        kind=LEVEL1_KINDS[p["type"]],
        level=1,
        **common,
    )
    for a in data["agencies"]:
        orgunit_create(
            code=a["code"],
            name=a["name"],
            name_en=a["name_en"],
            category=OrgUnit.Category.AGENCY,
            kind=a["kind"],
            level=1,
            parent=province,
            is_demo=True,
            **common,
        )
    for d in data["districts"]:
        district = orgunit_create(
            code=d["code"],
            name=d["name"],
            category=OrgUnit.Category.ADMINISTRATIVE,
            kind=LEVEL2_KINDS[d["type"]],
            level=2,
            parent=province,
            **common,
        )
        for c in d["communes"]:
            orgunit_create(
                code=c["code"],
                name=c["name"],
                category=OrgUnit.Category.ADMINISTRATIVE,
                kind=LEVEL3_KINDS[c["type"]],
                level=3,
                parent=district,
                audit=False,
                **common,
            )
    if stdout:
        stdout.write(f"  đơn vị: {OrgUnit.objects.count()}\n")
