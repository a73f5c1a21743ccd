"""Actions of the monitoring app (registered with the one permission layer)."""

from __future__ import annotations

from tinhso.accounts.models import Role
from tinhso.accounts.permissions import permission_register

OFFICIALS = [Role.OFFICER, Role.HEAD, Role.DX_OFFICE, Role.ADMIN]

# Reading internal pages (reports, tasks, drill-down evidence) in one's subtree.
permission_register("monitoring.view", roles=OFFICIALS)
# A unit's officer (or head) enters values, uploads evidence, submits, opens a correction.
permission_register("monitoring.report_enter", roles=[Role.OFFICER, Role.HEAD, Role.ADMIN])
# The unit head approves or returns what the officer submitted.
permission_register("monitoring.report_approve", roles=[Role.HEAD, Role.ADMIN])
# The provincial DX office accepts (locks) or returns what a head approved.
permission_register("monitoring.report_accept", roles=[Role.DX_OFFICE, Role.ADMIN])
# Targets, the plan's tasks, the index: managed by the provincial DX office.
permission_register("monitoring.plan_manage", roles=[Role.DX_OFFICE, Role.ADMIN])
# A unit updates the progress of its own tasks.
permission_register("monitoring.task_update", roles=[Role.OFFICER, Role.HEAD, Role.ADMIN])
