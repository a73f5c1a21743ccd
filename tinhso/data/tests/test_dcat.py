"""DCAT-AP 3 output: valid against the SEMIC SHACL shapes, Hydra paging, no private data."""

import pytest
from django.conf import settings
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib import namespace as rns

pytestmark = pytest.mark.django_db
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SHAPES_PATH = settings.SHARED_DIR / "data" / "dcat-ap" / "dcat-ap-3.0.0-SHACL.ttl"


@pytest.fixture(scope="module")
def shapes():
    if not SHAPES_PATH.exists():
        from tinhso.testing import cannot_run

        cannot_run(f"SHACL shapes not found at {SHAPES_PATH}")
    return Graph().parse(SHAPES_PATH)


def shacl_results(data: Graph, shapes: Graph) -> list[tuple[str, str, str]]:
    conforms, report, _text = validate(data, shacl_graph=shapes, inference="none")
    results = []
    for result in report.subjects(rns.RDF.type, rns.SH.ValidationResult):
        results.append(
            (
                str(report.value(result, rns.SH.resultSeverity)).rsplit("#", 1)[-1],
                str(report.value(result, rns.SH.focusNode)),
                str(report.value(result, rns.SH.resultMessage)),
            )
        )
    assert conforms is (not results)
    return results


def test_catalog_ttl_is_valid_dcat_ap(client, catalogue, shapes):
    r = client.get("/catalog.ttl")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=r.content, format="turtle")
    datasets = set(g.subjects(rns.RDF.type, rns.DCAT.Dataset))
    assert len(datasets) == 10
    assert not any("ha-tang-so" in str(d) or "ho-so-mot-cua" in str(d) for d in datasets)
    assert "Hạ tầng số" not in r.content.decode()
    assert len(set(g.subjects(rns.RDF.type, rns.DCAT.Distribution))) == 11
    results = shacl_results(g, shapes)
    assert [r for r in results if r[0] == "Violation"] == []
    assert results == []  # no warnings either


def test_catalog_jsonld_and_dataset_ttl_are_valid(client, catalogue, shapes):
    r = client.get("/catalog.jsonld")
    assert r.status_code == 200 and r["Content-Type"] == "application/ld+json"
    g = Graph().parse(data=r.content, format="json-ld")
    assert len(set(g.subjects(rns.RDF.type, rns.DCAT.Dataset))) == 10
    assert shacl_results(g, shapes) == []
    r = client.get("/dataset/khu-cong-nghiep.ttl")
    assert r.status_code == 200
    g = Graph().parse(data=r.content, format="turtle")
    node = URIRef("http://testserver/dataset/khu-cong-nghiep")
    assert (node, rns.RDF.type, rns.DCAT.Dataset) in g
    assert shacl_results(g, shapes) == []
    assert client.get("/dataset/khu-cong-nghiep.rdf").status_code == 200


def test_private_datasets_have_no_dcat(client, catalogue):
    for name in ("ha-tang-so", "ho-so-mot-cua-di-an", "khong-co"):
        assert client.get(f"/dataset/{name}.ttl").status_code == 404
    assert client.get("/dataset/khu-cong-nghiep.exe").status_code == 404


def test_hydra_paging(client, catalogue, settings, shapes):
    settings.DATA_DCAT_PAGE_SIZE = 4
    g = Graph().parse(data=client.get("/catalog.ttl").content, format="turtle")
    page = URIRef("http://testserver/catalog.ttl?page=1")
    assert (page, rns.RDF.type, HYDRA.PagedCollection) in g
    assert int(g.value(page, HYDRA.totalItems)) == 10
    assert int(g.value(page, HYDRA.itemsPerPage)) == 4
    assert str(g.value(page, HYDRA.nextPage)).endswith("page=2")
    assert str(g.value(page, HYDRA.lastPage)).endswith("page=3")
    assert g.value(page, HYDRA.previousPage) is None
    assert len(set(g.subjects(rns.RDF.type, rns.DCAT.Dataset))) == 4
    g3 = Graph().parse(data=client.get("/catalog.ttl?page=3").content, format="turtle")
    page3 = URIRef("http://testserver/catalog.ttl?page=3")
    assert len(set(g3.subjects(rns.RDF.type, rns.DCAT.Dataset))) == 2
    assert g3.value(page3, HYDRA.nextPage) is None
    assert str(g3.value(page3, HYDRA.previousPage)).endswith("page=2")
    assert shacl_results(g3, shapes) == []
    assert client.get("/catalog.ttl?page=4").status_code == 404
    assert client.get("/catalog.ttl?page=0").status_code == 400
    assert client.get("/catalog.ttl?page=x").status_code == 400
