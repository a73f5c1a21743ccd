"""Actions of the data app, registered with the one permission layer (``unit``: the path
to the org unit the officials' scope is matched on, for ``visible_q``)."""

from __future__ import annotations

from tinhso.accounts.models import Role
from tinhso.accounts.permissions import permission_register

# Publish and maintain datasets of one's units (metadata, resources, datastore loads).
permission_register("data.manage", roles=[Role.OFFICER, Role.HEAD, Role.ADMIN])
# See internal datasets and their data within one's units.
permission_register("data.view", roles=[Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN])
# Grant or revoke a client system's access to one's data; approve access requests.
permission_register("data.grant", roles=[Role.HEAD, Role.ADMIN], unit="dataset__org_unit")
# Register client systems of one's units; issue, rotate and revoke their API keys.
permission_register("data.client", roles=[Role.OFFICER, Role.HEAD, Role.ADMIN])
# Ask another unit for access to a shared dataset on behalf of one's unit.
permission_register(
    "data.request", roles=[Role.OFFICER, Role.HEAD, Role.ADMIN], unit="requesting_unit"
)
# See who uses one's units' data (the access log).
permission_register(
    "data.usage", roles=[Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN], unit="owner_unit"
)
