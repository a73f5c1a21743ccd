"""Writes of the data app: catalogue, datastore loads, client systems, keys, grants, access
requests and the signed access log. Every state change runs in one transaction with an
``audit_record``; permissions go through ``tinhso.accounts.permissions``."""

from tinhso.data.services.accesslog import (
    LOG_CHAIN,
    accesslog_append,
    accesslog_digest,
    accesslog_digest_of,
    accesslog_key,
    accesslog_sign,
)
from tinhso.data.services.catalogue import (
    dataset_archive,
    dataset_create,
    dataset_delete,
    dataset_update,
    keywords_get_or_create,
    resource_add,
    resource_delete,
)
from tinhso.data.services.datastore import (
    BATCH,
    TABULAR_FORMATS,
    DatastoreLoadError,
    LoadReport,
    datastore_load,
    datastore_load_upload,
)
from tinhso.data.services.gateway import (
    SharingError,
    lgsp_authenticate,
    lgsp_authorise,
    lgsp_rate_check,
    lgsp_token_scopes,
    rate_limit,
)
from tinhso.data.services.loads import (
    datastore_load_execute,
    datastore_load_request,
    upload_is_tabular,
)
from tinhso.data.services.sharing import (
    KEY_PREFIX,
    access_request_create,
    access_request_decide,
    apikey_hash,
    apikey_issue,
    apikey_revoke,
    apikey_rotate,
    client_register,
    grant_create,
    grant_revoke,
)
from tinhso.data.services.uploads import resource_add_upload, resource_replace_upload

__all__ = [
    "BATCH",
    "KEY_PREFIX",
    "LOG_CHAIN",
    "TABULAR_FORMATS",
    "DatastoreLoadError",
    "LoadReport",
    "SharingError",
    "access_request_create",
    "access_request_decide",
    "accesslog_append",
    "accesslog_digest",
    "accesslog_digest_of",
    "accesslog_key",
    "accesslog_sign",
    "apikey_hash",
    "apikey_issue",
    "apikey_revoke",
    "apikey_rotate",
    "client_register",
    "dataset_archive",
    "dataset_create",
    "dataset_delete",
    "dataset_update",
    "datastore_load",
    "datastore_load_execute",
    "datastore_load_request",
    "datastore_load_upload",
    "grant_create",
    "grant_revoke",
    "keywords_get_or_create",
    "lgsp_authenticate",
    "lgsp_authorise",
    "lgsp_rate_check",
    "lgsp_token_scopes",
    "rate_limit",
    "resource_add",
    "resource_add_upload",
    "resource_delete",
    "resource_replace_upload",
    "upload_is_tabular",
]
