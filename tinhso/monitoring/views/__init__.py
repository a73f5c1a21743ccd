""""""

from tinhso.monitoring.views.common import S
from tinhso.monitoring.views.dashboard import (
    index_detail,
    indicator_detail,
    overview,
    ranking,
    transparency,
    unit_page,
)
from tinhso.monitoring.views.exports import export_pdf, export_xlsx, import_xlsx
from tinhso.monitoring.views.management import (
    population,
    target_edit,
    targets,
    task_detail,
    task_new,
    task_update,
    tasks,
)
from tinhso.monitoring.views.reports import (
    ACTIONS,
    evidence_download,
    late,
    report_action,
    report_detail,
    report_new,
    reports,
)

__all__ = [
    "ACTIONS",
    "S",
    "evidence_download",
    "export_pdf",
    "export_xlsx",
    "import_xlsx",
    "index_detail",
    "indicator_detail",
    "late",
    "overview",
    "population",
    "ranking",
    "report_action",
    "report_detail",
    "report_new",
    "reports",
    "target_edit",
    "targets",
    "task_detail",
    "task_new",
    "task_update",
    "tasks",
    "transparency",
    "unit_page",
]
