"""Portal pages (catalogue, dataset, agency, access requests, client systems, usage) and the
DCAT-AP endpoints. Views only translate HTTP; rules live in services and selectors."""

from tinhso.data.views.loads import load_status
from tinhso.data.views.portal import (
    FACETS,
    PAGE_SIZE,
    PREVIEW_ROWS,
    agency_detail,
    catalog_rdf,
    dataset_detail,
    dataset_list,
    dataset_rdf,
    resource_download,
)
from tinhso.data.views.publishing import (
    dataset_archive_view,
    dataset_create_view,
    dataset_delete_view,
    dataset_edit_view,
    manage_datasets,
    resource_add_view,
    resource_delete_view,
    resource_replace_view,
)
from tinhso.data.views.sharing import (
    access_request_view,
    client_detail,
    grant_create_view,
    grant_revoke_view,
    manage_clients,
    manage_requests,
    request_decide,
    usage,
)

__all__ = [
    "FACETS",
    "PAGE_SIZE",
    "PREVIEW_ROWS",
    "access_request_view",
    "agency_detail",
    "catalog_rdf",
    "client_detail",
    "dataset_archive_view",
    "dataset_create_view",
    "dataset_delete_view",
    "dataset_detail",
    "dataset_edit_view",
    "dataset_list",
    "dataset_rdf",
    "grant_create_view",
    "grant_revoke_view",
    "load_status",
    "manage_clients",
    "manage_datasets",
    "manage_requests",
    "request_decide",
    "resource_add_view",
    "resource_delete_view",
    "resource_download",
    "resource_replace_view",
    "usage",
]
