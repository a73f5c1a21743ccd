"""Online public services: catalogue, dossiers, workflow, deadlines, statistics.

``ServiceDailyStat``, ``ServiceMonthlyStat`` (per unit and month, no procedure: what the
dashboards read) and ``ServiceApplicantYear`` are the running aggregates that the
monitoring app reads (it never scans dossiers). They are updated by the dossier service
functions in the same transaction as each dossier event, and can be rebuilt from scratch.

One module per topic; every model is imported here, so Django finds them all and
``from tinhso.services.models import Dossier`` keeps working.
"""

from tinhso.services.statcounters import STAT_COUNTERS

# isort: split
from tinhso.services.models.catalogue import (
    DocumentPart,
    FormField,
    Procedure,
    ProcedureAgency,
    ProcedureChannel,
    ProcedureField,
)
from tinhso.services.models.dossiers import (
    Dossier,
    DossierCounter,
    DossierEvent,
    DossierFile,
    DossierPause,
    PortalOutbox,
)
from tinhso.services.models.processes import (
    PAUSING_STATUSES,
    ActorRole,
    Channel,
    Process,
    ProcessAction,
    ProcessStep,
    Status,
)
from tinhso.services.models.stats import (
    ServiceApplicantScopeYear,
    ServiceApplicantYear,
    ServiceDailyStat,
    ServiceMonthlyStat,
    StatCounters,
)
from tinhso.services.models.store import StoredDocument
from tinhso.services.models.workcalendar import (
    CalendarDay,
)

# the procedure studio's models (services.studio), registered in this app
from tinhso.services.studio.models import FeeAdjustment, FormRevision, ResultTemplate

__all__ = [
    "PAUSING_STATUSES",
    "STAT_COUNTERS",
    "ActorRole",
    "CalendarDay",
    "Channel",
    "DocumentPart",
    "Dossier",
    "DossierCounter",
    "DossierEvent",
    "DossierFile",
    "DossierPause",
    "FeeAdjustment",
    "FormField",
    "FormRevision",
    "PortalOutbox",
    "Procedure",
    "ProcedureAgency",
    "ProcedureChannel",
    "ProcedureField",
    "Process",
    "ProcessAction",
    "ProcessStep",
    "ResultTemplate",
    "ServiceApplicantScopeYear",
    "ServiceApplicantYear",
    "ServiceDailyStat",
    "ServiceMonthlyStat",
    "StatCounters",
    "Status",
    "StoredDocument",
]
