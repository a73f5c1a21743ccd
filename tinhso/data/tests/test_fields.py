"""One definition of a dataset's fields (``tinhso.data.fields``): the form, the edit page,
the services, the CKAN API and the DCAT-AP export all follow it."""

import datetime as dt

import pytest
from django.test import RequestFactory
from rdflib import URIRef

from tinhso.accounts.models import User
from tinhso.data.ckan import package_dict
from tinhso.data.dcat import dataset_graph
from tinhso.data.fields import DATASET_FIELD_NAMES, DATASET_FIELDS, DATASET_FK_FIELDS
from tinhso.data.forms import DatasetForm
from tinhso.data.models import Dataset
from tinhso.data.services import dataset_update
from tinhso.data.tests.conftest import make_dataset, make_resource
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import orgunit_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(demo_users, tmp_path):
    """A public dataset with every catalogue field filled, and one resource."""
    dataset = make_dataset("day-du-truong")
    dataset = dataset_update(
        actor=None,
        dataset=dataset,
        title_en="Complete dataset",
        description_en="Every field filled.",
        spatial_unit=orgunit_get(code="74"),
        spatial_label="Toàn tỉnh",
        temporal_start=dt.date(2024, 1, 1),
        temporal_end=dt.date(2024, 12, 31),
        source="Sở Thông tin và Truyền thông",
    )
    make_resource(dataset, tmp_path, b"a,b\n1,2\n")
    return Dataset.objects.select_related("org_unit").get(pk=dataset.pk)


def test_the_form_and_the_edit_page_have_every_field(full):
    form = DatasetForm(
        owner_units=OrgUnit.objects.none(),
        all_units=OrgUnit.objects.all(),
        stewards=User.objects.none(),
        editing=True,
    )
    assert set(DATASET_FIELD_NAMES) <= set(form.fields)
    initial = DatasetForm.initial_for(full)
    for name in DATASET_FIELD_NAMES:
        expected = getattr(full, f"{name}_id" if name in DATASET_FK_FIELDS else name)
        assert initial[name] == expected, name


def test_the_services_accept_exactly_the_fields(full):
    dataset_update(actor=None, dataset=full, **{n: getattr(full, n) for n in DATASET_FIELD_NAMES})
    with pytest.raises(TypeError, match="uuid"):
        dataset_update(actor=None, dataset=full, uuid="x")


def test_the_ckan_api_publishes_each_field_under_its_name(full):
    package = package_dict(RequestFactory().get("/"), full)
    extras = {e["key"]: e["value"] for e in package["extras"]}
    for f in DATASET_FIELDS:
        if f.ckan.startswith("extras:"):
            value = getattr(full, f.name)
            shown = value.isoformat() if isinstance(value, dt.date) else str(value)
            assert extras[f.ckan.removeprefix("extras:")] == shown, f.name
        elif f.ckan:
            assert package[f.ckan], f.name
    assert package["maintainer_email"] == full.contact_email
    assert package["groups"][0]["name"] == full.theme


def test_the_dcat_export_has_each_field_at_its_property(full):
    from rdflib.namespace import DCAT, DCTERMS, SKOS

    from tinhso.data.dcat import VCARD

    prefixes = {"dct": DCTERMS, "dcat": DCAT, "vcard": VCARD, "skos": SKOS}
    graph = dataset_graph(base_url="https://dulieu.example.vn", dataset=full)
    node = URIRef(f"https://dulieu.example.vn/dataset/{full.name}")
    for f in DATASET_FIELDS:
        if not f.dcat:
            continue
        steps = [prefixes[p.split(":")[0]][p.split(":")[1]] for p in f.dcat.split("/")]
        path = steps[0]
        for step in steps[1:]:
            path = path / step
        assert list(graph.objects(node, path)), f"{f.name}: {f.dcat}"
