"""Actions of the signing app (see tinhso.accounts.permissions)."""

from tinhso.accounts.models import Role
from tinhso.accounts.permissions import permission_register

# Sign with the unit's certificate: the unit head (within the head's subtree).
permission_register("signing.sign", roles=[Role.HEAD])
# See the register of signed documents.
permission_register("signing.view", roles=[Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN])
