"""Actions of the payments app (see tinhso.accounts.permissions). A payer always sees
their own payments; these roles reach the payments of their units' subtrees."""

from tinhso.accounts.models import Role
from tinhso.accounts.permissions import permission_register

permission_register(
    "payments.view", roles=[Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN], owner="payer"
)
permission_register("payments.counter_confirm", roles=[Role.OFFICER, Role.HEAD, Role.ADMIN])
permission_register("payments.manage", roles=[Role.HEAD, Role.ADMIN])
# a pending payment is cancelled by its payer or by the unit's head
permission_register("payments.cancel", roles=[Role.HEAD, Role.ADMIN], owner="payer")
permission_register("payments.reconcile", roles=[Role.ADMIN])
