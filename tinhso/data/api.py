"""JSON API of the data app (mounted by tinhso.api at /api/v1/data).

The inter-agency sharing API (LGSP) lives under ``/api/v1/data/lgsp/``: a client system
authenticates with its API key (``X-API-Key: tsk_…`` or ``Authorization: Bearer tsk_…``),
or with an OAuth2 client-credentials access token from ``/lgsp/token``. Every request is
rate-limited per client, authorised against the owner's grants and written to the signed
access log (who, what, when, how many rows), refused requests included.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import Field

from tinhso.apierrors import ApiError, Offset
from tinhso.data.models import ClientSystem, Dataset, Grant, Resource
from tinhso.data.oauth import lgsp_token_response
from tinhso.data.selectors import (
    DatastoreQueryError,
    datastore_query,
    datastore_table,
    grants_for_client,
)
from tinhso.data.services import (
    SharingError,
    accesslog_append,
    lgsp_authenticate,
    lgsp_authorise,
    lgsp_rate_check,
    lgsp_token_scopes,
)
from tinhso.http import client_address

router = Router(tags=["data"])
MAX_ROWS = 10_000


def _ip(request: HttpRequest) -> str:
    return client_address(request)


def _raw_key(request: HttpRequest) -> str:
    key = request.headers.get("X-API-Key", "")
    if key:
        return key
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return ""


def _refusal(exc: SharingError) -> JsonResponse:
    response = JsonResponse(
        {"code": exc.code, "message": exc.message},
        status=exc.status,
        json_dumps_params={"ensure_ascii": False},
    )
    if exc.status == 429:
        response["Retry-After"] = "60"
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="lgsp"'
    return response


def _sharing(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a ``SharingError`` into its JSON answer (with Retry-After on 429)."""

    @functools.wraps(fn)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(request, *args, **kwargs)
        except SharingError as exc:
            return _refusal(exc)

    return wrapper


def _enter(
    request: HttpRequest,
    action: str,
    *,
    params: dict[str, Any],
    dataset: Dataset | None = None,
    resource: Resource | None = None,
    authorise: bool = True,
) -> tuple[ClientSystem, str, Grant | None]:
    """Authenticate, rate-limit and authorise; log and re-raise any refusal."""
    try:
        client, key = lgsp_authenticate(raw_key=_raw_key(request))
    except SharingError as exc:
        if exc.client is not None:
            accesslog_append(
                client=exc.client,
                key_prefix=exc.key_prefix,
                action=action,
                outcome=exc.code,
                status=exc.status,
                dataset=dataset,
                resource=resource,
                params=params,
                ip=_ip(request),
            )
        raise
    grant = None
    try:
        lgsp_rate_check(client=client)
        if authorise:
            if dataset is None:
                raise SharingError("not_found", _("Không tìm thấy dữ liệu được yêu cầu."), 404)
            grant = lgsp_authorise(
                client=client,
                dataset=dataset,
                resource=resource,
                scopes=lgsp_token_scopes(raw_key=_raw_key(request)),
            )
    except SharingError as exc:
        accesslog_append(
            client=client,
            key_prefix=key.prefix,
            action=action,
            outcome=exc.code,
            status=exc.status,
            dataset=dataset,
            resource=resource,
            params=params,
            ip=_ip(request),
        )
        raise
    return client, key.prefix, grant


@router.post("/lgsp/token", auth=None, summary="OAuth2 client credentials")
def lgsp_token(request: HttpRequest) -> Any:
    """``grant_type=client_credentials``, ``client_id`` (the system's code) and
    ``client_secret`` (an API key), in the form body or HTTP Basic auth; optional ``scope``
    (``lgsp`` and ``dataset:<name>`` of the datasets granted). Answered by
    django-oauth-toolkit (``tinhso.data.oauth``)."""
    return lgsp_token_response(request)


def _dataset_summary(ds: Dataset, resources: list[Resource]) -> dict[str, Any]:
    return {
        "id": str(ds.uuid),
        "name": ds.name,
        "title": ds.title,
        "description": ds.description,
        "owner": {"code": ds.org_unit.code, "name": ds.org_unit.name},
        "access_level": ds.access_level,
        "modified": ds.modified_at.isoformat(),
        "is_demo": ds.is_demo,
        "resources": [
            {
                "id": str(r.uuid),
                "name": r.name,
                "format": r.format,
                "schema": r.schema,
                "size": r.size,
                "hash": r.hash,
                "datastore_active": r.datastore_active,
                "records_url": f"/api/v1/data/lgsp/resources/{r.uuid}/records",
            }
            for r in resources
        ],
    }


@router.get("/lgsp/datasets", auth=None, summary="Datasets this client system may read")
@_sharing
def lgsp_datasets(request: HttpRequest) -> Any:
    client, prefix, _grant = _enter(request, "dataset.list", params={}, authorise=False)
    grants = list(grants_for_client(client=client))
    by_dataset: dict[int, tuple[Dataset, set[int] | None]] = {}
    for g in grants:
        ds, res_ids = by_dataset.get(g.dataset_id, (g.dataset, set()))
        if g.resource_id is None or res_ids is None:
            res_ids = None
        else:
            res_ids.add(g.resource_id)
        by_dataset[g.dataset_id] = (ds, res_ids)
    items = []
    for ds, res_ids in by_dataset.values():
        resources = [r for r in ds.resources.all() if res_ids is None or r.pk in res_ids]
        items.append(_dataset_summary(ds, resources))
    accesslog_append(
        client=client,
        key_prefix=prefix,
        action="dataset.list",
        outcome="ok",
        status=200,
        rows=len(items),
        ip=_ip(request),
    )
    return {"count": len(items), "results": items}


@router.get("/lgsp/datasets/{name}", auth=None, summary="A dataset's metadata")
@_sharing
def lgsp_dataset(request: HttpRequest, name: str) -> Any:
    ds = Dataset.objects.select_related("org_unit").filter(name=name).first()
    client, prefix, grant = _enter(request, "dataset.show", params={"name": name}, dataset=ds)
    assert grant is not None and ds is not None
    resources = [
        r for r in ds.resources.all() if grant.resource_id is None or r.pk == grant.resource_id
    ]
    accesslog_append(
        client=client,
        key_prefix=prefix,
        action="dataset.show",
        outcome="ok",
        status=200,
        dataset=ds,
        grant=grant,
        params={"name": name},
        ip=_ip(request),
    )
    return _dataset_summary(ds, resources) | {
        "grant": {
            "id": str(grant.uuid),
            "purpose": grant.purpose,
            "valid_from": grant.valid_from.isoformat(),
            "valid_until": grant.valid_until.isoformat(),
        }
    }


@router.get("/lgsp/resources/{rid}/records", auth=None, summary="Rows of a resource")
@_sharing
def lgsp_records(
    request: HttpRequest,
    rid: str,
    q: str = "",
    filters: str = "",
    sort: str = "",
    limit: Annotated[int, Field(ge=0, le=MAX_ROWS)] = 100,
    offset: Offset = 0,
) -> Any:
    params = {"q": q, "filters": filters, "sort": sort, "limit": limit, "offset": offset}
    try:
        res = Resource.objects.select_related("dataset__org_unit").filter(uuid=rid).first()
    except Exception:
        res = None
    client, prefix, grant = _enter(
        request,
        "datastore.search",
        params=params,
        dataset=res.dataset if res else None,
        resource=res,
    )
    assert res is not None
    table = datastore_table(resource=res)
    if table is None:
        raise ApiError("not_loaded", _("Tài nguyên chưa được nạp vào kho dữ liệu."), status=404)
    if limit < 0 or offset < 0 or limit > MAX_ROWS:
        raise ApiError(
            "invalid",
            _("limit phải từ 0 đến %(max)s, offset không âm.") % {"max": MAX_ROWS},
            status=422,
        )
    try:
        parsed_filters = json.loads(filters) if filters else {}
        if not isinstance(parsed_filters, dict):
            raise ValueError
    except ValueError:
        raise ApiError("invalid", _("filters phải là một đối tượng JSON."), status=422) from None
    try:
        result = datastore_query(
            table=table, filters=parsed_filters, q=q, sort=sort, limit=limit, offset=offset
        )
    except DatastoreQueryError as exc:
        raise ApiError("invalid", exc.message, status=422) from exc
    accesslog_append(
        client=client,
        key_prefix=prefix,
        action="datastore.search",
        outcome="ok",
        status=200,
        dataset=res.dataset,
        resource=res,
        grant=grant,
        rows=len(result.records),
        params=params,
        ip=_ip(request),
    )
    return {
        "resource_id": str(res.uuid),
        "fields": result.columns,
        "records": result.records,
        "total": result.total,
        "limit": limit,
        "offset": offset,
    }
