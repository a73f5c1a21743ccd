"""DCAT-AP 3 output (rdflib) of the public catalogue, paged with Hydra as ckanext-dcat does.

Controlled vocabularies are the EU Publications Office authority tables (data themes, file
types, frequencies, access rights, languages), as DCAT-AP recommends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from tinhso.data.models import Dataset, Frequency, Licence, Resource, Theme
from tinhso.orgs.models import OrgUnit

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
EU = "http://publications.europa.eu/resource/authority/"

THEME_URIS: dict[str, str] = {
    Theme.PLANNING: "REGI",
    Theme.INDUSTRY: "ECON",
    Theme.ENVIRONMENT: "ENVI",
    Theme.TRANSPORT: "TRAN",
    Theme.AGRICULTURE: "AGRI",
    Theme.HEALTH: "HEAL",
    Theme.EDUCATION: "EDUC",
    Theme.CULTURE: "EDUC",
    Theme.GOVERNMENT: "GOVE",
}
FREQUENCY_URIS: dict[str, str] = {
    Frequency.DAILY: "DAILY",
    Frequency.WEEKLY: "WEEKLY",
    Frequency.MONTHLY: "MONTHLY",
    Frequency.QUARTERLY: "QUARTERLY",
    Frequency.ANNUAL: "ANNUAL",
    Frequency.IRREGULAR: "IRREG",
    Frequency.NEVER: "NEVER",
}
LICENCE_URIS: dict[str, str] = {
    Licence.CC_BY: "http://creativecommons.org/licenses/by/4.0/",
    Licence.CC0: "http://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODC_BY: "http://opendatacommons.org/licenses/by/1-0/",
    Licence.RESTRICTED: EU + "licence/COM_REUSE",
}
FILE_TYPES = {"CSV": "CSV", "XLSX": "XLSX", "JSON": "JSON", "GeoJSON": "GEOJSON"}


def page_size() -> int:
    """Datasets per catalogue page (ckanext-dcat's default is 100)."""
    return int(getattr(settings, "DATA_DCAT_PAGE_SIZE", 100))


def _dt(value: dt.datetime) -> Literal:
    return Literal(
        value.astimezone(dt.UTC).replace(microsecond=0).isoformat(), datatype=XSD.dateTime
    )


def _bind(g: Graph) -> None:
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("skos", SKOS),
        ("vcard", VCARD),
        ("spdx", SPDX),
        ("hydra", HYDRA),
        ("xsd", XSD),
    ):
        g.bind(prefix, ns)


class DcatBuilder:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.g = Graph()
        _bind(self.g)

    def uri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def agent(self, unit: OrgUnit) -> URIRef:
        node = self.uri(f"/don-vi/{unit.pk}/")
        g = self.g
        if (node, RDF.type, FOAF.Agent) not in g:
            g.add((node, RDF.type, FOAF.Agent))
            g.add((node, FOAF.name, Literal(unit.name, lang="vi")))
            if unit.name_en:
                g.add((node, FOAF.name, Literal(unit.name_en, lang="en")))
        return node

    def concept(self, uri: str, label: str, scheme: str) -> URIRef:
        node = URIRef(uri)
        self.g.add((node, RDF.type, SKOS.Concept))
        self.g.add((node, SKOS.prefLabel, Literal(label, lang="vi")))
        self.g.add((node, SKOS.inScheme, URIRef(scheme)))
        return node

    def typed(self, uri: str, cls: URIRef) -> URIRef:
        node = URIRef(uri)
        self.g.add((node, RDF.type, cls))
        return node

    def dataset(self, ds: Dataset) -> URIRef:
        g = self.g
        node = self.uri(f"/dataset/{ds.name}")
        g.add((node, RDF.type, DCAT.Dataset))
        g.add((node, DCTERMS.identifier, Literal(str(ds.uuid))))
        g.add((node, DCTERMS.title, Literal(ds.title, lang="vi")))
        if ds.title_en:
            g.add((node, DCTERMS.title, Literal(ds.title_en, lang="en")))
        g.add((node, DCTERMS.description, Literal(ds.description, lang="vi")))
        if ds.description_en:
            g.add((node, DCTERMS.description, Literal(ds.description_en, lang="en")))
        for kw in ds.keywords.all():
            g.add((node, DCAT.keyword, Literal(kw.name, lang="vi")))
        g.add(
            (
                node,
                DCAT.theme,
                self.concept(
                    EU + "data-theme/" + THEME_URIS[ds.theme],
                    str(Theme(ds.theme).label),
                    EU + "data-theme",
                ),
            )
        )
        g.add((node, DCTERMS.publisher, self.agent(ds.org_unit)))
        contact = BNode()
        g.add((contact, RDF.type, VCARD.Kind))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, VCARD.fn, Literal(ds.contact_name)))
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{ds.contact_email}")))
        g.add((node, DCAT.contactPoint, contact))
        g.add(
            (
                node,
                DCTERMS.accrualPeriodicity,
                self.typed(EU + "frequency/" + FREQUENCY_URIS[ds.frequency], DCTERMS.Frequency),
            )
        )
        g.add(
            (
                node,
                DCTERMS.accessRights,
                self.typed(EU + "access-right/PUBLIC", DCTERMS.RightsStatement),
            )
        )
        g.add((node, DCTERMS.issued, _dt(ds.created_at)))
        g.add((node, DCTERMS.modified, _dt(ds.modified_at)))
        g.add(
            (node, DCAT.landingPage, self.typed(self.base + f"/du-lieu/{ds.name}/", FOAF.Document))
        )
        g.add((node, DCTERMS.language, self.typed(EU + "language/VIE", DCTERMS.LinguisticSystem)))
        if ds.spatial_unit_id or ds.spatial_label:
            place = (
                self.uri(f"/don-vi/{ds.spatial_unit_id}/#place") if ds.spatial_unit_id else BNode()
            )
            g.add((place, RDF.type, DCTERMS.Location))
            g.add(
                (
                    place,
                    SKOS.prefLabel,
                    Literal(ds.spatial_label or str(ds.spatial_unit), lang="vi"),
                )
            )
            g.add((node, DCTERMS.spatial, place))
        if ds.temporal_start or ds.temporal_end:
            period = BNode()
            g.add((period, RDF.type, DCTERMS.PeriodOfTime))
            if ds.temporal_start:
                g.add((period, DCAT.startDate, Literal(ds.temporal_start, datatype=XSD.date)))
            if ds.temporal_end:
                g.add((period, DCAT.endDate, Literal(ds.temporal_end, datatype=XSD.date)))
            g.add((node, DCTERMS.temporal, period))
        if ds.is_demo:
            g.add(
                (node, SKOS.note, Literal("Số liệu minh họa (demo), không chính thức.", lang="vi"))
            )
        for res in ds.resources.all():
            g.add((node, DCAT.distribution, self.distribution(ds, res)))
        return node

    def distribution(self, ds: Dataset, res: Resource) -> URIRef:
        g = self.g
        node = self.uri(f"/dataset/{ds.name}/resource/{res.uuid}")
        download = self.base + f"/du-lieu/{ds.name}/tai-nguyen/{res.uuid}/tai-ve/"
        g.add((node, RDF.type, DCAT.Distribution))
        g.add((node, DCTERMS.title, Literal(res.name, lang="vi")))
        if res.description:
            g.add((node, DCTERMS.description, Literal(res.description, lang="vi")))
        url = self.typed(download, RDFS.Resource)
        g.add((node, DCAT.accessURL, url))
        g.add((node, DCAT.downloadURL, url))
        g.add(
            (
                node,
                DCTERMS.format,
                self.typed(EU + "file-type/" + FILE_TYPES[res.format], DCTERMS.MediaTypeOrExtent),
            )
        )
        g.add(
            (
                node,
                DCAT.mediaType,
                self.typed(
                    "https://www.iana.org/assignments/media-types/" + res.mimetype,
                    DCTERMS.MediaType,
                ),
            )
        )
        g.add(
            (node, DCTERMS.license, self.typed(LICENCE_URIS[ds.licence], DCTERMS.LicenseDocument))
        )
        g.add((node, DCTERMS.issued, _dt(res.created_at)))
        g.add((node, DCTERMS.modified, _dt(res.modified_at)))
        if res.size is not None:
            g.add((node, DCAT.byteSize, Literal(res.size, datatype=XSD.nonNegativeInteger)))
        if res.hash:
            checksum = BNode()
            algorithm = self.typed(str(SPDX.checksumAlgorithm_sha256), SPDX.ChecksumAlgorithm)
            g.add((checksum, RDF.type, SPDX.Checksum))
            g.add((checksum, SPDX.algorithm, algorithm))
            g.add((checksum, SPDX.checksumValue, Literal(res.hash, datatype=XSD.hexBinary)))
            g.add((node, SPDX.checksum, checksum))
        return node

    def catalog(
        self, datasets: Iterable[Dataset], *, total: int, page: int, page_size: int, path: str
    ) -> URIRef:
        g = self.g
        node = self.uri("/")
        g.add((node, RDF.type, DCAT.Catalog))
        g.add((node, DCTERMS.title, Literal("Danh mục dữ liệu mở Tỉnh Số", lang="vi")))
        g.add((node, DCTERMS.title, Literal("Tỉnh Số open data catalogue", lang="en")))
        g.add(
            (
                node,
                DCTERMS.description,
                Literal(
                    "Cơ sở dữ liệu dùng chung và dữ liệu mở của các cơ quan trong tỉnh.", lang="vi"
                ),
            )
        )
        g.add((node, DCTERMS.language, self.typed(EU + "language/VIE", DCTERMS.LinguisticSystem)))
        g.add((node, FOAF.homepage, self.typed(self.base + "/du-lieu/", FOAF.Document)))
        g.add((node, DCTERMS.publisher, self._platform_agent()))
        g.add((node, DCTERMS.modified, _dt(timezone.now())))
        for ds in datasets:
            g.add((node, DCAT.dataset, self.dataset(ds)))
        last = max(1, -(-total // page_size))

        def page_url(n: int) -> str:
            return f"{self.base}{path}?{urlencode({'page': n})}"

        paging = URIRef(page_url(page))
        g.add((paging, RDF.type, HYDRA.PagedCollection))
        g.add((paging, HYDRA.totalItems, Literal(total)))
        g.add((paging, HYDRA.itemsPerPage, Literal(page_size)))
        g.add((paging, HYDRA.firstPage, Literal(page_url(1))))
        g.add((paging, HYDRA.lastPage, Literal(page_url(last))))
        if page < last:
            g.add((paging, HYDRA.nextPage, Literal(page_url(page + 1))))
        if page > 1:
            g.add((paging, HYDRA.previousPage, Literal(page_url(page - 1))))
        return node

    def _platform_agent(self) -> URIRef:
        node = self.uri("/#publisher")
        self.g.add((node, RDF.type, FOAF.Agent))
        self.g.add((node, FOAF.name, Literal("Tỉnh Số", lang="vi")))
        return node


def _prefetched(qs: QuerySet[Dataset]) -> QuerySet[Dataset]:
    return qs.select_related("org_unit", "spatial_unit").prefetch_related("keywords", "resources")


def catalog_graph(*, base_url: str, datasets: QuerySet[Dataset], page: int, path: str) -> Graph:
    size = page_size()
    total = datasets.count()
    start = (page - 1) * size
    builder = DcatBuilder(base_url)
    page_items = _prefetched(datasets.order_by("-modified_at", "pk"))[start : start + size]
    builder.catalog(page_items, total=total, page=page, page_size=size, path=path)
    return builder.g


def dataset_graph(*, base_url: str, dataset: Dataset) -> Graph:
    builder = DcatBuilder(base_url)
    builder.dataset(dataset)
    return builder.g


SERIALISATIONS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
    "rdf": ("xml", "application/rdf+xml"),
}
