"""Issue 14 finding 5 (data): ordinary bad input never answers 500."""

import pytest

from tinhso.data.tests.conftest import make_dataset

pytestmark = pytest.mark.django_db

HUGE = str(10**30)


def test_spatial_coverage_as_text_without_a_unit(client, demo_users):
    make_dataset("pham-vi-chu", spatial_label="Toàn tỉnh")
    r = client.get("/du-lieu/pham-vi-chu/")
    assert r.status_code == 200
    assert "Toàn tỉnh" in r.content.decode()
    for path in ("/du-lieu/pham-vi-chu/", "/api/3/action/package_show?id=pham-vi-chu"):
        assert client.get(path).status_code == 200


def test_spatial_coverage_unit_without_text(client, demo_users):
    from tinhso.orgs.selectors import orgunit_get

    make_dataset("pham-vi-don-vi", spatial_unit=orgunit_get(code="74"))
    assert client.get("/du-lieu/pham-vi-don-vi/").status_code == 200


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("package_search", {"start": HUGE}),
        ("package_search", {"rows": HUGE}),
        ("package_search", {"facet.limit": HUGE}),
        ("package_list", {"offset": HUGE}),
        ("package_list", {"limit": HUGE}),
        ("organization_list", {"offset": HUGE, "limit": "5"}),
        ("current_package_list_with_resources", {"offset": HUGE}),
    ],
)
def test_huge_ckan_integers_are_a_validation_error(client, catalogue, action, params):
    r = client.get(f"/api/3/action/{action}", params)
    assert r.status_code in (400, 409), r.content[:300]
    body = r.json()
    assert body["success"] is False and body["error"]["__type"] in (
        "Validation Error",
        "Bad Request",
    )


def test_huge_lgsp_and_datastore_integers(client, catalogue):
    r = client.get("/api/3/action/datastore_search", {"resource_id": "x", "offset": HUGE})
    assert r.status_code < 500
    r = client.get("/api/v1/data/lgsp/resources/x/records", {"offset": HUGE})
    assert r.status_code < 500 and r["Content-Type"].startswith("application/json")
