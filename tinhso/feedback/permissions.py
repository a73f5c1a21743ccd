"""Actions on feedback, answered through ``tinhso.accounts.permissions`` like dossiers.

The officials' scope is the feedback's current ``org_unit``: the receiving office while it
is being classified, then the responsible unit (a prefix of the effective-dated org tree,
through memberships valid today). The sender's own steps (see their feedback, add
information, rate, download its files) are ``SENDER``: the owner alone, whatever their
roles. A sender without an account proves it with the tracking code instead."""

from __future__ import annotations

from tinhso.accounts.models import Role
from tinhso.accounts.permissions import permission_register

VIEW = "feedback.view"
ROUTE = "feedback.route"  # classify and forward, or close outside competence (receiving office)
DRAFT = "feedback.draft"  # the unit's officer drafts the answer
APPROVE = "feedback.approve"  # the unit head approves and sends it
SENDER = "feedback.sender"  # the logged-in sender: see, add information, rate

permission_register(VIEW, roles=[Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN])
permission_register(ROUTE, roles=[Role.DX_OFFICE, Role.OFFICER, Role.HEAD, Role.ADMIN])
permission_register(DRAFT, roles=[Role.OFFICER, Role.HEAD])
permission_register(APPROVE, roles=[Role.HEAD])
permission_register(SENDER, roles=[], owner="sender")
