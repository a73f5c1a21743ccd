"""Writes of the monitoring app: reported values and their approval workflow, evidence,
targets and their yearly path, plan tasks, index computation, the reference data.

Every function runs in one transaction, checks permission through
``tinhso.accounts.permissions`` and writes an audit entry.
"""

from tinhso.monitoring.services.common import S, figures_changed, logger, subject_for
from tinhso.monitoring.services.index import index_compute
from tinhso.monitoring.services.plan_tasks import task_create, task_edit, task_update
from tinhso.monitoring.services.population import population_save
from tinhso.monitoring.services.reference import (
    InstallReport,
    indicators_install,
    methodologies_install_from,
    reference_install,
)
from tinhso.monitoring.services.targets import (
    COMPARATORS,
    TARGET_YEARS,
    target_path_interpolate,
    target_set,
)
from tinhso.monitoring.services.values import (
    ALLOWED_EVIDENCE,
    evidence_add,
    evidence_validate,
    value_accept,
    value_approve,
    value_correct,
    value_return,
    value_save,
    value_submit,
    value_validate,
)

__all__ = [
    "ALLOWED_EVIDENCE",
    "COMPARATORS",
    "TARGET_YEARS",
    "InstallReport",
    "S",
    "evidence_add",
    "evidence_validate",
    "figures_changed",
    "index_compute",
    "indicators_install",
    "logger",
    "methodologies_install_from",
    "population_save",
    "reference_install",
    "subject_for",
    "target_path_interpolate",
    "target_set",
    "task_create",
    "task_edit",
    "task_update",
    "value_accept",
    "value_approve",
    "value_correct",
    "value_return",
    "value_save",
    "value_submit",
    "value_validate",
]
