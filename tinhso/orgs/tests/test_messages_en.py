"""Issue 15 item 10: the org units' import, population and API errors are marked for
translation: Vietnamese by default, English for a visitor who chose English."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation

from tinhso.orgs.models import OrgUnit
from tinhso.orgs.services import (
    ImportFormatError,
    dvhcvn_parse,
    orgunit_create,
    population_set,
)


def _import_error(data: object) -> str:
    with pytest.raises(ImportFormatError) as exc:
        dvhcvn_parse(data=data)
    return str(exc.value)


def test_import_errors_follow_the_language():
    with translation.override("vi"):
        assert _import_error({}) == "Tệp không đúng định dạng dvhcvn: thiếu danh sách 'data'."
    with translation.override("en"):
        assert _import_error({}) == (
            "The file is not in the dvhcvn format: the 'data' list is missing."
        )
        assert _import_error({"data": [{}]}) == "Missing field 'level1_id' at data[0]."
        bad_type = {"data": [{"level1_id": "74", "name": "Bình Dương", "type": "Bang"}]}
        assert _import_error(bad_type) == "Unknown unit type 'Bang' at data[0]."


@pytest.mark.django_db
def test_population_errors_in_english():
    unit = orgunit_create(
        actor=None,
        code="T00001",
        name="Xã Thử",
        category=OrgUnit.Category.ADMINISTRATIVE,
        kind=OrgUnit.Kind.COMMUNE,
        level=3,
        valid_from=dt.date(2020, 1, 1),
    )
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        population_set(actor=None, org_unit=unit, year=1800, total="", adults="abc")
    assert exc.value.message_dict == {
        "year": ["Invalid year."],
        "total": ["Enter the total population."],
        "adults": ["'abc' is not a whole number."],
    }


@pytest.mark.django_db
def test_api_error_in_the_chosen_language(client):
    r = client.get("/api/v1/orgs/units", {"under": "99999"})
    assert r.status_code == 404
    assert r.json()["message"] == "Không có đơn vị mã 99999 vào ngày đã chọn."
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.get("/api/v1/orgs/units", {"under": "99999"})
    assert r.status_code == 404 and r.json()["code"] == "unit_not_found"
    assert r.json()["message"] == "No unit with code 99999 on the chosen date."
