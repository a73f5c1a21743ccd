"""Catalogue: validation, diacritics-insensitive search with facets, visibility."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.data.models import Dataset
from tinhso.data.selectors import (
    SearchQueryError,
    dataset_data_readable,
    dataset_search,
    dataset_visible_q,
)
from tinhso.data.services import dataset_create, dataset_update
from tinhso.data.tests.conftest import make_dataset
from tinhso.data.text import column_id, fold

pytestmark = pytest.mark.django_db


def test_fold_handles_vietnamese():
    assert fold("  Đường Nguyễn Văn Tiết ") == "duong nguyen van tiet"
    assert column_id("Tỷ lệ lấp đầy (%)") == "ty_le_lap_day"
    assert column_id("2024") == "c_2024"


def test_dataset_validation_errors_are_clear(demo_orgs):
    with pytest.raises(ValidationError) as err:
        make_dataset("Tên Có Dấu", title=" ", licence="other-closed")
    errors = err.value.message_dict
    assert "name" in errors and "title" in errors
    assert "giấy phép mở" in errors["licence"][0]
    make_dataset("mot")
    with pytest.raises(ValidationError, match="đã tồn tại"):
        make_dataset("mot")
    with pytest.raises(ValidationError):
        make_dataset(
            "hai",
            temporal_start=__import__("datetime").date(2024, 5, 1),
            temporal_end=__import__("datetime").date(2024, 1, 1),
        )
    assert not Dataset.objects.filter(name="hai").exists()


def test_only_the_owner_scope_may_create_or_edit(demo_users, user_named):
    from tinhso.orgs.selectors import orgunit_get

    kwargs = {
        "name": "x",
        "title": "X",
        "description": "d",
        "theme": "health",
        "org_unit": orgunit_get(code="74.STTTT"),
        "contact_name": "c",
        "contact_email": "c@example.vn",
        "frequency": "monthly",
        "licence": "cc-by-4.0",
        "access_level": "public",
    }
    with pytest.raises(PermissionDenied):
        dataset_create(actor=user_named("canbo.dian"), **kwargs)
    ds = dataset_create(actor=user_named("canbo.stttt"), **kwargs)
    with pytest.raises(PermissionDenied):
        dataset_update(actor=user_named("canbo.thuanan"), dataset=ds, title="Y")
    dataset_update(
        actor=user_named("lanhdao.stttt"), dataset=ds, title="Dữ liệu Y", keywords=["ý tế"]
    )
    assert Dataset.objects.get(pk=ds.pk).search_text.startswith(" x du lieu y ")


def test_search_is_diacritics_insensitive_with_facets(catalogue):
    base = Dataset.objects.filter(access_level="public")
    for query in ("khu cong nghiep", "KHU CÔNG NGHIỆP", "công nghiep"):
        found = dataset_search(base=base, q=query)
        assert [d.name for d in found.results] == ["khu-cong-nghiep"], query
    found = dataset_search(
        base=base, q="thu tuc", facet_fields=["organization", "res_format", "groups", "tags"]
    )
    assert {d.name for d in found.results} == {
        "thu-tuc-hanh-chinh-tong-hop",
        "thong-ke-ho-so-theo-thang",
    }
    assert dict(found.facets["organization"]) == {"74-vpub": 1, "74-ttpvhcc": 1}
    assert dict(found.facets["groups"]) == {"government": 2}
    assert dict(found.facets["tags"])["thủ tục hành chính"] == 2
    everything = dataset_search(base=base, facet_fields=["res_format", "access_level"], rows=100)
    assert everything.count == 10
    assert dict(everything.facets["res_format"]) == {"CSV": 8, "JSON": 1, "XLSX": 1, "GeoJSON": 1}
    assert dict(everything.facets["access_level"]) == {"public": 10}


def test_search_fq_sort_and_errors(catalogue):
    base = Dataset.objects.filter(access_level="public")
    found = dataset_search(base=base, fq="organization:74-syt", rows=5)
    assert [d.name for d in found.results] == ["co-so-y-te"]
    found = dataset_search(base=base, fq='tags:"du lịch" -res_format:CSV')
    assert [d.name for d in found.results] == ["diem-du-lich"]
    found = dataset_search(base=base, q="tags:giao", sort="name asc")
    assert found.count == 0
    names = [d.name for d in dataset_search(base=base, sort="name desc", rows=3).results]
    assert names == sorted(names, reverse=True)
    for bad in (
        {"fq": "secret:1"},
        {"sort": "password asc"},
        {"fq": "garbage ("},
        {"sort": "name up"},
    ):
        with pytest.raises(SearchQueryError):
            dataset_search(base=base, **bad)


def test_visibility_by_user(catalogue, user_named):
    def names(user):
        return set(
            Dataset.objects.filter(dataset_visible_q(user=user)).values_list("name", flat=True)
        )

    anonymous = names(None)
    assert "ha-tang-so" not in anonymous and "ho-so-mot-cua-di-an" not in anonymous
    assert len(anonymous) == 10
    assert names(user_named("congdan")) == anonymous
    dian = names(user_named("canbo.dian"))
    assert {"ha-tang-so", "quy-hoach-su-dung-dat", "ho-so-mot-cua-di-an"} <= dian
    assert "ho-so-mot-cua-di-an" not in names(user_named("canbo.thuanan"))
    assert "ho-so-mot-cua-di-an" in names(user_named("vanphong.cds"))


def test_data_readable(catalogue, user_named, ds):
    shared = ds("ha-tang-so")  # shared with Dĩ An (724) only
    assert dataset_data_readable(user=user_named("canbo.dian"), dataset=shared)
    assert not dataset_data_readable(user=user_named("canbo.thuanan"), dataset=shared)
    assert dataset_data_readable(user=user_named("canbo.stttt"), dataset=shared)  # owner
    assert not dataset_data_readable(user=None, dataset=shared)
    assert dataset_data_readable(user=None, dataset=ds("khu-cong-nghiep"))
    internal = ds("ho-so-mot-cua-di-an")
    assert not dataset_data_readable(user=user_named("canbo.stttt"), dataset=internal)
