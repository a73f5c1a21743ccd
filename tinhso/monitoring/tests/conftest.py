import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tinhso.orgs.models import OrgUnit
from tinhso.services.models import STAT_COUNTERS, ServiceDailyStat

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def unit(code: str, on: dt.date | None = None) -> OrgUnit:
    from tinhso.orgs.selectors import orgunit_get

    return orgunit_get(code=code, on=on or dt.date(2024, 6, 1))


def stat(org_unit: OrgUnit, day: dt.date, code: str = "1.001193", **counters: int):
    unknown = set(counters) - set(STAT_COUNTERS)
    assert not unknown, unknown
    # the services app's own write path: the daily row and the unit's monthly row
    from tinhso.services.services import stats_bump

    with transaction.atomic():
        stats_bump(org_unit_id=org_unit.pk, procedure_code=code, day=day, **counters)
    return ServiceDailyStat.objects.get(org_unit=org_unit, procedure_code=code, day=day)


def pdf_upload(name: str = "minh-chung.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


@pytest.fixture
def catalogue(demo_users):
    from tinhso.monitoring.demo import catalogue_load
    from tinhso.monitoring.methodologies import methodologies_install

    indicators = catalogue_load()
    methodologies_install()
    return indicators


@pytest.fixture
def pdf_file():
    return io.BytesIO(PDF_BYTES)
