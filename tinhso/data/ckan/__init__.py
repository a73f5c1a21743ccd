"""CKAN-compatible Action API (read-only) over the public catalogue.

``/api/3/action/<name>`` (and ``/api/action/<name>``, which the ``ckanapi`` client uses)
answer GET (query string) or POST (JSON body) with CKAN's envelope::

    {"help": "...", "success": true, "result": ...}
    {"help": "...", "success": false, "error": {"__type": "Not Found Error", "message": ...}}

Only public datasets exist for this API: a shared or internal dataset is answered exactly
like a missing one (404), so not even its existence leaks. The API is anonymous by design
(session cookies are ignored); agencies read shared data through the LGSP API with a key.
"""

from tinhso.data.ckan.actions import (
    datastore_search,
    group_list,
    group_show,
    help_show,
    organization_list,
    organization_show,
    package_list,
    package_search,
    package_show,
    resource_show,
    status_show,
    tag_list,
)
from tinhso.data.ckan.base import (
    ACTIONS,
    CKAN_VERSION,
    DATASTORE_ROWS_MAX,
    INT_MAX,
    ROWS_MAX,
    WRITE_ACTIONS,
    Action,
    CkanError,
    Invalid,
    NotAuthorized,
    NotFound,
    SearchError,
    action,
)
from tinhso.data.ckan.dicts import group_dict, organization_dict, package_dict, resource_dict
from tinhso.data.ckan.view import action_view

__all__ = [
    "ACTIONS",
    "CKAN_VERSION",
    "DATASTORE_ROWS_MAX",
    "INT_MAX",
    "ROWS_MAX",
    "WRITE_ACTIONS",
    "Action",
    "CkanError",
    "Invalid",
    "NotAuthorized",
    "NotFound",
    "SearchError",
    "action",
    "action_view",
    "datastore_search",
    "group_dict",
    "group_list",
    "group_show",
    "help_show",
    "organization_dict",
    "organization_list",
    "organization_show",
    "package_dict",
    "package_list",
    "package_search",
    "package_show",
    "resource_dict",
    "resource_show",
    "status_show",
    "tag_list",
]
