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
# The index (computing results, methodologies): the provincial DX office.
permission_register("monitoring.plan_manage", roles=[Role.DX_OFFICE, Role.ADMIN])
# Targets per indicator × year × unit: the DX office for the province and every unit, a unit
# head for their own unit's share (their subtree).
permission_register("monitoring.target_manage", roles=[Role.HEAD, Role.DX_OFFICE, Role.ADMIN])
# Tasks of the yearly plan: create, assign (unit, head, deadline, indicators) — same scope.
permission_register("monitoring.task_manage", roles=[Role.HEAD, Role.DX_OFFICE, Role.ADMIN])
# Population per unit and year (denominator of "adults using online public services").
permission_register("monitoring.population_manage", roles=[Role.DX_OFFICE, Role.ADMIN])
# A unit updates the progress of its own tasks.
permission_register("monitoring.task_update", roles=[Role.OFFICER, Role.HEAD, Role.ADMIN])
