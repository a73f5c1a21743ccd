"""Reads of the data app: who sees which dataset, catalogue search with facets, datastore
queries, usage of one's data, and verification of the signed access log."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, TextField
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.permissions import scope_paths, user_can, user_units, visible_q
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.chain import ChainProblem, chain_verify
from tinhso.data import permissions as _permissions  # noqa: F401
from tinhso.data.models import (
    AccessLevel,
    AccessLog,
    AccessLogHead,
    AccessRequest,
    ClientSystem,
    Dataset,
    DatastoreLoad,
    DatastoreRow,
    DatastoreTable,
    Grant,
    Keyword,
    Resource,
)
from tinhso.data.services import accesslog_digest_of, accesslog_sign
from tinhso.data.text import fold, fold_terms

# --- visibility -----------------------------------------------------------------------------


def dataset_visible_q(*, user: AnyUser) -> Q:
    """Catalogue visibility. Anonymous and applicants: public only. Officials: also shared
    datasets (metadata only, so they can ask for access) and internal ones in their scope."""
    cond = Q(access_level=AccessLevel.PUBLIC)
    if user is None or not getattr(user, "is_authenticated", False):
        return cond & Q(archived_at__isnull=True)
    if getattr(user, "is_official", False) or getattr(user, "is_superuser", False):
        cond |= Q(access_level=AccessLevel.SHARED)
        cond |= Q(access_level=AccessLevel.INTERNAL) & visible_q(user, "data.view")
        # archived datasets stay visible to the officials who maintain them
        return (cond & Q(archived_at__isnull=True)) | (
            Q(archived_at__isnull=False) & visible_q(user, "data.manage")
        )
    return cond & Q(archived_at__isnull=True)


def dataset_data_readable(*, user: AnyUser, dataset: Dataset) -> bool:
    """May ``user`` read the rows and files (not only the metadata) of ``dataset``?"""
    if dataset.archived_at is not None:
        return dataset_manageable(user=user, dataset=dataset)
    if dataset.access_level == AccessLevel.PUBLIC:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user_can(user=user, action="data.view", obj=dataset):
        return True
    if dataset.access_level == AccessLevel.SHARED:
        shared_paths = [u.path for u in dataset.shared_with.all()]
        return any(unit.path.startswith(p) for unit in user_units(user) for p in shared_paths)
    return False


def dataset_get_visible(*, user: AnyUser, name: str) -> Dataset:
    return (
        Dataset.objects.filter(dataset_visible_q(user=user))
        .select_related("org_unit", "spatial_unit")
        .prefetch_related("keywords", "resources", "shared_with")
        .get(name=name)
    )


def public_datasets() -> QuerySet[Dataset]:
    return Dataset.objects.filter(access_level=AccessLevel.PUBLIC, archived_at__isnull=True)


def dataset_manageable(*, user: AnyUser, dataset: Dataset) -> bool:
    """May ``user`` edit ``dataset`` and its resources (``data.manage`` on the owner unit)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user_can(user=user, action="data.manage", org_unit=dataset.org_unit)


def datasets_managed(*, user: AnyUser) -> QuerySet[Dataset]:
    """Datasets the user maintains (owner unit in the ``data.manage`` scope), archived too."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Dataset.objects.none()
    if scope_paths(user, "data.manage") == []:
        return Dataset.objects.none()
    return (
        Dataset.objects.filter(visible_q(user, "data.manage"))
        .select_related("org_unit")
        .annotate(resource_count=Count("resources"))
        .order_by("archived_at", "title")
    )


def units_managed(*, user: AnyUser) -> QuerySet[Any]:
    """Org units valid today where the user may publish datasets."""
    from tinhso.orgs.selectors import orgunit_list

    paths = scope_paths(user, "data.manage")
    units = orgunit_list().order_by("path")
    if paths is None:
        return units
    cond = Q(pk__in=[])
    for path in paths:
        cond |= Q(path__startswith=path)
    return units.filter(cond)


# --- catalogue search -----------------------------------------------------------------------

FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id", "access_level")
_FACET_PATHS = {
    "organization": "org_unit__code",
    "groups": "theme",
    "tags": "keywords__name",
    "res_format": "resources__format",
    "license_id": "licence",
    "access_level": "access_level",
}
SORT_FIELDS = {
    "name": "name",
    "title": "title",
    "title_string": "title",
    "metadata_modified": "modified_at",
    "metadata_created": "created_at",
}
_FQ = re.compile(r'(?P<neg>[-+]?)(?P<field>[a-z_]+):(?:"(?P<quoted>[^"]*)"|(?P<bare>[^\s"]+))')


class SearchQueryError(ValueError):
    pass


def org_code_from_name(name: str) -> str:
    """CKAN organisation names are lowercase slugs: "74-stttt" ↔ unit code "74.STTTT"."""
    return name.replace("-", ".").upper()


def org_name(code: str) -> str:
    return code.lower().replace(".", "-")


def _field_q(fieldname: str, value: str) -> Q:
    if fieldname in ("organization", "owner_org"):
        if fieldname == "owner_org" and value.isdigit():
            return Q(org_unit_id=int(value))
        return Q(org_unit__code=org_code_from_name(value))
    if fieldname in ("groups", "theme"):
        return Q(theme=value)
    if fieldname == "tags":
        return Q(keywords__name=value)
    if fieldname == "res_format":
        return Q(resources__format__iexact=value)
    if fieldname == "license_id":
        return Q(licence=value)
    if fieldname == "name":
        return Q(name=value)
    if fieldname == "id":
        return Q(uuid=value) if re.fullmatch(r"[0-9a-f-]{36}", value) else Q(name=value)
    if fieldname == "access_level":
        return Q(access_level=value)
    if fieldname in ("dataset_type", "type"):
        return Q() if value == "dataset" else Q(pk__in=[])
    if fieldname == "capacity":
        return Q() if value == "public" else Q(pk__in=[])
    if fieldname == "text":
        return _text_q(value)
    raise SearchQueryError(_("Trường lọc không được hỗ trợ: %(field)s") % {"field": fieldname})


def _text_q(text: str) -> Q:
    cond = Q()
    for term in fold_terms(text):
        cond &= Q(search_text__contains=f" {term}")  # a word starting with the term
    return cond


def parse_fq(fq: str) -> Q:
    """A subset of Solr's syntax: ``field:value``, ``field:"quoted value"``, ``-field:value``,
    joined by spaces or AND."""
    cond = Q()
    rest = _FQ.sub(" ", fq)
    if rest.replace("AND", " ").strip():
        raise SearchQueryError(_("Không hiểu điều kiện lọc: %(text)s") % {"text": rest.strip()})
    for m in _FQ.finditer(fq):
        value = m["quoted"] if m["quoted"] is not None else m["bare"]
        q = _field_q(m["field"], value)
        cond &= ~q if m["neg"] == "-" else q
    return cond


def parse_q(q: str) -> Q:
    q = (q or "").strip()
    if not q or q == "*:*":
        return Q()
    if _FQ.search(q):
        # "tags:economy" style queries, as CKAN passes them to Solr; plain words are text
        fielded = Q()
        for m in _FQ.finditer(q):
            if m["field"] in _FACET_PATHS or m["field"] in ("name", "id", "text", "owner_org"):
                value = m["quoted"] if m["quoted"] is not None else m["bare"]
                fielded &= _field_q(m["field"], value)
                q = q.replace(m.group(0), " ")
        return fielded & _text_q(q)
    return _text_q(q)


def parse_sort(sort: str) -> list[str]:
    order: list[str] = []
    for part in (sort or "").split(","):
        bits = part.split()
        if not bits:
            continue
        name = bits[0]
        direction = bits[1].lower() if len(bits) > 1 else "asc"
        if direction not in ("asc", "desc") or len(bits) > 2:
            raise SearchQueryError(
                _("Thứ tự sắp xếp không hợp lệ: %(text)s") % {"text": part.strip()}
            )
        if name == "score":
            continue
        if name not in SORT_FIELDS:
            raise SearchQueryError(_("Không sắp xếp được theo trường: %(field)s") % {"field": name})
        order.append(("-" if direction == "desc" else "") + SORT_FIELDS[name])
    return order or ["-modified_at"]


@dataclass
class SearchResult:
    count: int
    results: list[Dataset]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def dataset_search(
    *,
    base: QuerySet[Dataset],
    q: str = "",
    fq: str = "",
    filters: dict[str, list[str]] | None = None,
    sort: str = "",
    rows: int = 10,
    start: int = 0,
    facet_fields: list[str] | tuple[str, ...] = (),
    facet_limit: int = 50,
) -> SearchResult:
    """Search ``base`` (already narrowed to what the viewer may see). A bounded number of
    queries whatever ``rows`` is: count, page, two prefetches, one per facet."""
    cond = parse_q(q) & parse_fq(fq)
    for fieldname, values in (filters or {}).items():
        for value in values:
            cond &= _field_q(fieldname, value)
    order = parse_sort(sort)
    matched = base.filter(cond)
    ids = matched.values("pk")
    qs = Dataset.objects.filter(pk__in=ids)
    count = qs.count()
    results = list(
        qs.select_related("org_unit")
        .prefetch_related(
            "keywords",
            Prefetch("resources", queryset=Resource.objects.order_by("position", "pk")),
        )
        .order_by(*order, "pk")[start : start + rows]
    )
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in facet_fields:
        if name not in _FACET_PATHS:
            raise SearchQueryError(
                _("Không lập được nhóm (facet) theo trường: %(field)s") % {"field": name}
            )
        path = _FACET_PATHS[name]
        rows_ = (
            qs.exclude(**{f"{path}__isnull": True})
            .values(path)
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n", path)[:facet_limit]
        )
        facets[name] = [
            (org_name(r[path]) if name == "organization" else r[path], r["n"]) for r in rows_
        ]
    return SearchResult(count=count, results=results, facets=facets)


def organizations_publishing() -> QuerySet[Any]:
    """Org units owning at least one public dataset (CKAN organisations)."""
    from tinhso.orgs.models import OrgUnit

    return OrgUnit.objects.filter(
        Exists(public_datasets().filter(org_unit=OuterRef("pk")))
    ).annotate(
        package_count=Count(
            "datasets",
            filter=Q(datasets__access_level=AccessLevel.PUBLIC, datasets__archived_at__isnull=True),
        )
    )


def tags_public(*, query: str = "") -> QuerySet[Keyword]:
    qs = Keyword.objects.filter(
        datasets__access_level=AccessLevel.PUBLIC, datasets__archived_at__isnull=True
    ).distinct()
    if query:
        qs = qs.filter(folded__contains=fold(query))
    return qs.order_by("name")


# --- datastore ------------------------------------------------------------------------------


class DatastoreQueryError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass
class DatastoreResult:
    columns: list[dict[str, str]]
    records: list[dict[str, Any]]
    total: int | None
    limit: int
    offset: int


def datastore_table(*, resource: Resource) -> DatastoreTable | None:
    return DatastoreTable.objects.filter(resource=resource, is_current=True).first()


def _typed(value: Any, kind: str, name: str) -> Any:
    from tinhso.data.tabular import convert

    if value is None:
        return None
    try:
        return convert(str(value), kind)
    except ValueError:
        raise DatastoreQueryError(
            name,
            _("Giá trị lọc không hợp lệ cho cột %(column)s: %(value)s")
            % {"column": name, "value": value},
        ) from None


def datastore_query(
    *,
    table: DatastoreTable,
    filters: dict[str, Any] | None = None,
    q: str | dict[str, str] = "",
    sort: str = "",
    limit: int = 100,
    offset: int = 0,
    fields: list[str] | None = None,
    include_total: bool = True,
) -> DatastoreResult:
    """Filter (exact values, or a list = any of), full-text ``q`` (diacritics-insensitive; a
    dict searches per column), ``sort`` ("col desc, col2"), paging and column selection."""
    columns = table.columns
    by_id = {c["id"]: c for c in columns}
    qs = DatastoreRow.objects.filter(table=table)
    for name, value in (filters or {}).items():
        if name not in by_id:
            raise DatastoreQueryError("filters", _("Không có cột: %(column)s") % {"column": name})
        kind = by_id[name]["type"]
        alias = f"f_{len(qs.query.annotations)}"
        qs = qs.alias(**{alias: KeyTransform(name, "data")})
        if isinstance(value, list):
            qs = qs.filter(**{f"{alias}__in": [_typed(v, kind, name) for v in value]})
        else:
            qs = qs.filter(**{alias: _typed(value, kind, name)})
    if isinstance(q, dict):
        for name, text in q.items():
            if name not in by_id:
                raise DatastoreQueryError("q", _("Không có cột: %(column)s") % {"column": name})
            alias = f"t_{len(qs.query.annotations)}"
            if by_id[name]["type"] == "text":
                # folded copies of text columns: diacritics- and case-insensitive everywhere
                qs = qs.alias(**{alias: KeyTextTransform(name, "folded")})
                for term in fold_terms(str(text)):
                    qs = qs.filter(**{f"{alias}__contains": term})
            else:
                qs = qs.alias(**{alias: Cast(KeyTextTransform(name, "data"), TextField())})
                qs = qs.filter(**{f"{alias}__contains": str(text).strip()})
    elif q:
        for term in fold_terms(str(q)):
            qs = qs.filter(search__contains=f" {term}")
    order: list[Any] = []
    for part in (sort or "").split(","):
        bits = part.split()
        if not bits:
            continue
        name = bits[0].strip('"')
        desc = len(bits) > 1 and bits[1].lower() == "desc"
        if len(bits) > 1 and bits[1].lower() not in ("asc", "desc"):
            raise DatastoreQueryError(
                "sort", _("Thứ tự sắp xếp không hợp lệ: %(text)s") % {"text": part.strip()}
            )
        if name == "_id":
            order.append("-row_no" if desc else "row_no")
            continue
        if name not in by_id:
            raise DatastoreQueryError("sort", _("Không có cột: %(column)s") % {"column": name})
        expr = KeyTransform(name, "data")
        order.append(expr.desc(nulls_last=True) if desc else expr.asc(nulls_last=True))
    order.append("row_no")
    if fields:
        unknown = [f for f in fields if f != "_id" and f not in by_id]
        if unknown:
            raise DatastoreQueryError(
                "fields", _("Không có cột: %(column)s") % {"column": ", ".join(unknown)}
            )
        selected = [c for c in columns if c["id"] in fields]
    else:
        selected = list(columns)
    total = qs.count() if include_total else None
    page = qs.order_by(*order).values_list("row_no", "data")[offset : offset + limit]
    records = [
        {"_id": row_no, **{c["id"]: data.get(c["id"]) for c in selected}} for row_no, data in page
    ]
    return DatastoreResult(
        columns=selected, records=records, total=total, limit=limit, offset=offset
    )


def numeric_columns(*, table: DatastoreTable) -> list[dict[str, str]]:
    return [c for c in table.columns if c["type"] in ("int", "numeric")]


# --- sharing --------------------------------------------------------------------------------


def clients_for(*, user: AnyUser) -> QuerySet[ClientSystem]:
    return ClientSystem.objects.filter(visible_q(user, "data.client")).select_related("org_unit")


def grants_for_owner(*, user: AnyUser) -> QuerySet[Grant]:
    return (
        Grant.objects.filter(visible_q(user, "data.grant"))
        .select_related("client__org_unit", "dataset", "resource")
        .order_by("-created_at")
    )


def grants_for_client(*, client: ClientSystem, on: dt.date | None = None) -> QuerySet[Grant]:
    day = on or timezone.localdate()
    return Grant.objects.filter(
        client=client,
        revoked_at__isnull=True,
        valid_from__lte=day,
        valid_until__gte=day,
        dataset__archived_at__isnull=True,
    ).select_related("dataset__org_unit", "resource")


def requests_to_decide(*, user: AnyUser) -> QuerySet[AccessRequest]:
    return (
        AccessRequest.objects.filter(visible_q(user, "data.grant"))
        .select_related("dataset", "requesting_unit", "requested_by", "client")
        .order_by("status", "-created_at")
    )


def requests_made(*, user: AnyUser) -> QuerySet[AccessRequest]:
    return (
        AccessRequest.objects.filter(visible_q(user, "data.request"))
        .select_related("dataset", "requesting_unit", "client")
        .order_by("-created_at")
    )


def usage_for_owner(*, user: AnyUser) -> QuerySet[Any]:
    """Who used the data of the user's units: per client and dataset, requests and rows."""
    return (
        AccessLog.objects.filter(visible_q(user, "data.usage"))
        .values("client_code", "dataset_name")
        .annotate(
            requests=Count("pk"),
            rows=Sum("rows"),
            refused=Count("pk", filter=~Q(outcome="ok")),
        )
        .order_by("dataset_name", "client_code")
    )


def accesslog_for_owner(*, user: AnyUser, limit: int = 100) -> QuerySet[AccessLog]:
    # newest first across the chains (seq counts within one chain only)
    return AccessLog.objects.filter(visible_q(user, "data.usage")).order_by("-created_at", "-id")[
        :limit
    ]


LogProblem = ChainProblem  # the access log's problems are the audit log's


def _signed(entry: AccessLog, previous: AccessLog | None) -> list[str]:
    if not hmac.compare_digest(accesslog_sign(entry.hash), entry.signature):
        return [_("chữ ký HMAC không hợp lệ")]
    return []


def accesslog_verify(*, batch_size: int = 2000) -> list[ChainProblem]:
    """Walk every chain of the access log (the audit log's verifier): sequence, links,
    hashes, heads, and each entry's HMAC signature."""
    return chain_verify(
        entries=AccessLog.objects.all(),
        heads=AccessLogHead.objects.all(),
        digest_of=accesslog_digest_of,
        check=_signed,
        batch_size=batch_size,
    )


def datastore_load_get(*, dataset: Dataset, load_uuid: Any) -> DatastoreLoad | None:
    """A dataset's load by its public id (for the progress page)."""
    return (
        DatastoreLoad.objects.select_related("resource")
        .filter(dataset=dataset, uuid=load_uuid)
        .first()
    )
