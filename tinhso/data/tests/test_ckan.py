"""CKAN Action API: envelope, HTTP codes, parameters, no leak of non-public datasets,
bounded queries."""

import json

import pytest

from tinhso.data.models import Dataset, Keyword, Resource

pytestmark = pytest.mark.django_db

PRIVATE = ("ha-tang-so", "quy-hoach-su-dung-dat", "ho-so-mot-cua-di-an")


def call(client, action, method="get", **params):
    if method == "post":
        return client.post(
            f"/api/3/action/{action}", data=json.dumps(params), content_type="application/json"
        )
    return client.get(f"/api/3/action/{action}", params)


def assert_no_private(body):
    text = json.dumps(body, ensure_ascii=False)
    for name in PRIVATE:
        assert name not in text
    for title in ("Hạ tầng số", "Quy hoạch sử dụng đất", "Hồ sơ một cửa theo phường"):
        assert title not in text


def test_envelope_and_status_show(client, catalogue):
    r = call(client, "status_show")
    body = r.json()
    assert r.status_code == 200 and body["success"] is True
    assert body["help"].endswith("/api/3/action/help_show?name=status_show")
    assert body["result"]["ckan_version"].startswith("2.")
    assert call(client, "help_show", name="package_search").json()["result"].startswith("Search")
    # the unversioned path that the ckanapi client uses
    assert client.get("/api/action/package_list").json()["success"] is True


def test_package_list_and_show(client, catalogue):
    names = call(client, "package_list").json()["result"]
    assert len(names) == 10 and names == sorted(names)
    assert_no_private(names)
    assert call(client, "package_list", limit=2, offset=1).json()["result"] == names[1:3]
    pkg = call(client, "package_show", id="khu-cong-nghiep").json()["result"]
    assert pkg["name"] == "khu-cong-nghiep" and pkg["private"] is False
    assert pkg["organization"]["name"] == "74-sct"
    assert pkg["resources"][0]["datastore_active"] is True
    assert pkg["resources"][0]["hash"].startswith("sha256:")
    assert {t["name"] for t in pkg["tags"]} == {"khu công nghiệp", "đầu tư", "công nghiệp"}
    by_uuid = call(client, "package_show", id=pkg["id"]).json()["result"]
    assert by_uuid["name"] == "khu-cong-nghiep"


@pytest.mark.parametrize("name", PRIVATE)
def test_private_dataset_is_not_found_through_every_action(client, catalogue, name):
    ds = Dataset.objects.get(name=name)
    res = ds.resources.first()
    for action, params in (
        ("package_show", {"id": name}),
        ("package_show", {"id": str(ds.uuid)}),
        ("resource_show", {"id": str(res.uuid)}),
        ("datastore_search", {"resource_id": str(res.uuid)}),
    ):
        r = call(client, action, **params)
        body = r.json()
        assert r.status_code == 404, action
        assert body["success"] is False and body["error"]["__type"] == "Not Found Error"
        assert_no_private(body)
    search = call(client, "package_search", q=name.replace("-", " "), rows=1000).json()["result"]
    assert_no_private(search)
    search = call(client, "package_search", fq=f"name:{name}").json()["result"]
    assert search["count"] == 0
    assert_no_private(call(client, "tag_list").json())
    assert_no_private(call(client, "organization_list", all_fields=True).json())


def test_session_of_an_owner_does_not_open_the_ckan_api(client, catalogue, user_named):
    client.force_login(user_named("canbo.stttt"))
    assert call(client, "package_show", id="ha-tang-so").status_code == 404


def test_package_search_parameters(client, catalogue):
    res = call(client, "package_search", q="y te").json()["result"]
    assert [p["name"] for p in res["results"]] == ["co-so-y-te"] and res["count"] == 1
    assert res["facets"] == {} and res["search_facets"] == {}
    res = call(
        client,
        "package_search",
        **{"facet.field": '["organization","groups","res_format"]', "rows": 0},
    ).json()["result"]
    assert res["count"] == 10 and res["results"] == []
    assert res["facets"]["res_format"]["CSV"] == 8
    items = {i["name"]: i for i in res["search_facets"]["organization"]["items"]}
    assert items["74-syt"]["display_name"] == "Sở Y tế" and items["74-syt"]["count"] == 1
    # POST JSON with a list facet.field, sort, rows and start
    res = call(
        client,
        "package_search",
        method="post",
        sort="name asc",
        rows=3,
        start=3,
        **{"facet.field": ["tags"]},
    ).json()["result"]
    all_names = call(client, "package_list").json()["result"]
    assert [p["name"] for p in res["results"]] == all_names[3:6]
    assert "tags" in res["search_facets"]
    res = call(client, "package_search", fq="groups:health").json()["result"]
    assert [p["name"] for p in res["results"]] == ["co-so-y-te"]
    # rows above the maximum are capped as CKAN does
    res = call(client, "package_search", rows=5000).json()["result"]
    assert len(res["results"]) == 10


@pytest.mark.parametrize(
    "params, status, error_type",
    [
        ({"rows": "abc"}, 409, "Validation Error"),
        ({"start": "-1"}, 409, "Validation Error"),
        ({"fq": "password:x"}, 409, "Search Query Error"),
        ({"sort": "secret desc"}, 409, "Search Query Error"),
        ({"facet.field": "[not json"}, 409, "Validation Error"),
        ({"facet.field": '["nope"]'}, 409, "Search Query Error"),
    ],
)
def test_package_search_errors(client, catalogue, params, status, error_type):
    r = call(client, "package_search", **params)
    assert r.status_code == status
    assert r.json()["success"] is False and r.json()["error"]["__type"] == error_type


def test_other_errors(client, catalogue):
    r = call(client, "no_such_action")
    assert r.status_code == 400 and "Action name not known" in r.json()["error"]["message"]
    r = call(client, "package_create", method="post", name="x")
    assert r.status_code == 403 and r.json()["error"]["__type"] == "Authorization Error"
    r = call(client, "package_show")
    assert r.status_code == 409 and r.json()["error"]["id"] == ["Missing value"]
    r = client.post("/api/3/action/package_show", data="{broken", content_type="application/json")
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]
    assert client.delete("/api/3/action/package_list").status_code == 405
    assert call(client, "package_show", id="khong-co").status_code == 404


def test_organizations_groups_tags_resources(client, catalogue):
    orgs = call(client, "organization_list").json()["result"]
    assert "74-stttt" not in orgs  # publishes no open data
    assert "74-syt" in orgs and len(orgs) == 10
    full = call(client, "organization_list", all_fields="true").json()["result"]
    assert all(o["package_count"] == 1 for o in full)
    org = call(client, "organization_show", id="74-syt", include_datasets="true").json()["result"]
    assert org["title"] == "Sở Y tế" and [p["name"] for p in org["packages"]] == ["co-so-y-te"]
    assert call(client, "organization_show", id="74-stttt").status_code == 404
    groups = call(client, "group_list").json()["result"]
    assert "health" in groups and "planning" not in groups  # planning data is shared only
    assert call(client, "group_show", id="health").json()["result"]["package_count"] == 1
    tags = call(client, "tag_list", query="du lich").json()["result"]
    assert tags == ["du lịch"]
    assert "hạ tầng số" not in call(client, "tag_list").json()["result"]
    pkg = call(client, "package_show", id="co-so-y-te").json()["result"]
    res = call(client, "resource_show", id=pkg["resources"][0]["id"]).json()["result"]
    assert res["format"] == "CSV" and res["package_id"] == pkg["id"]
    assert call(client, "resource_show", id="not-a-uuid").status_code == 404


def test_datastore_search(client, catalogue):
    pkg = call(client, "package_show", id="khu-cong-nghiep").json()["result"]
    rid = pkg["resources"][0]["id"]
    r = call(client, "datastore_search", resource_id=rid, limit=3, sort="dien_tich_ha desc")
    body = r.json()["result"]
    assert r.status_code == 200 and body["total"] == 18
    assert [rec["dien_tich_ha"] for rec in body["records"]] == [1000, 978, 620]
    assert body["fields"][0] == {"id": "_id", "type": "int"}
    assert body["_links"]["next"].endswith("offset=3")
    body = call(
        client,
        "datastore_search",
        method="post",
        resource_id=rid,
        filters={"dia_ban": "Thành phố Dĩ An"},
        fields=["ten_khu_cong_nghiep"],
        include_total=False,
    ).json()["result"]
    assert len(body["records"]) == 4 and "total" not in body
    assert set(body["records"][0]) == {"_id", "ten_khu_cong_nghiep"}
    body = call(client, "datastore_search", resource_id=rid, q="song than", offset=1).json()[
        "result"
    ]
    assert body["total"] == 3 and len(body["records"]) == 2
    body = call(
        client, "datastore_search", resource_id=rid, filters='{"nam_thanh_lap": [1995, 1996]}'
    ).json()["result"]
    assert body["total"] == 5
    r = call(client, "datastore_search", resource_id=rid, filters='{"khong_co": 1}')
    assert r.status_code == 409 and r.json()["error"]["__type"] == "Validation Error"
    r = call(client, "datastore_search", resource_id=rid, sort="khong_co")
    assert r.status_code == 409
    geo = (
        Resource.objects.get(format="GeoJSON")
        if Resource.objects.filter(format="GeoJSON").exists()
        else None
    )
    if geo is not None:
        assert call(client, "datastore_search", resource_id=str(geo.uuid)).status_code == 404


def test_package_search_rows_1000_in_bounded_queries(
    client, catalogue, django_assert_max_num_queries
):
    from django.utils import timezone

    from tinhso.orgs.selectors import orgunit_get

    unit = orgunit_get(code="74.SYT")
    now = timezone.now()
    created = Dataset.objects.bulk_create(
        [
            Dataset(
                name=f"bo-{i:04d}",
                title=f"Bộ {i}",
                description="d",
                theme="health",
                org_unit=unit,
                contact_name="c",
                contact_email="c@example.vn",
                frequency="monthly",
                licence="cc-by-4.0",
                access_level="public",
                created_at=now,
                modified_at=now,
                search_text=f"bo {i}",
            )
            for i in range(300)
        ]
    )
    kws = Keyword.objects.bulk_create(
        [Keyword(name=f"tu khoa {i}", folded=f"tu khoa {i}") for i in range(5)]
    )
    Dataset.keywords.through.objects.bulk_create(
        [
            Dataset.keywords.through(dataset_id=d.pk, keyword_id=k.pk)
            for d in created
            for k in kws[:2]
        ]
    )
    Resource.objects.bulk_create(
        [
            Resource(dataset=d, name="r", format="CSV", created_at=now, modified_at=now)
            for d in created
        ]
    )
    with django_assert_max_num_queries(10):
        r = call(
            client,
            "package_search",
            rows=1000,
            **{"facet.field": '["organization","tags","res_format"]'},
        )
    result = r.json()["result"]
    assert result["count"] == 310 and len(result["results"]) == 310
    with django_assert_max_num_queries(5):
        call(client, "package_search", rows=1000, start=0)
