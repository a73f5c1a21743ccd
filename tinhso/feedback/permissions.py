"""Actions on feedback, answered through ``tinhso.accounts.permissions`` like dossiers.

The scope is the feedback's current ``org_unit``: the receiving office while it is being
classified, then the responsible unit."""

from __future__ import annotations

from tinhso.accounts.models import Role
from tinhso.accounts.permissions import permission_register

VIEW = "feedback.view"
ROUTE = "feedback.route"  # classify and forward, or close outside competence (receiving office)
DRAFT = "feedback.draft"  # the unit's officer drafts the answer
APPROVE = "feedback.approve"  # the unit head approves and sends it

permission_register(VIEW, roles=[Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN])
permission_register(ROUTE, roles=[Role.DX_OFFICE, Role.OFFICER, Role.HEAD, Role.ADMIN])
permission_register(DRAFT, roles=[Role.OFFICER, Role.HEAD])
permission_register(APPROVE, roles=[Role.HEAD])
