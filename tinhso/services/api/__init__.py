"""JSON API of the services app (mounted by tinhso.api at /api/v1).

One module per topic, all adding their operations to the one ``router`` (``base``), imported
here in the order the operations are matched and documented: ``catalogue``, ``tracking``,
``dossiers`` (the applicant's and the officers'), ``fees_results`` (fees, results,
verification, ratings); the schemas are in ``schemas``.
"""

# The operations are added to the router in this order (matching and documentation order).
from tinhso.services.api.base import (
    router,
)

# isort: split
from tinhso.services.api.schemas import (
    ActionIn,
    AgencyOut,
    ChannelOut,
    DossierDuplicateOut,
    DossierOut,
    DossierSubmittedOut,
    DossierWarningOut,
    FeeOut,
    FieldOut,
    PartOut,
    PaymentBrief,
    PayStartOut,
    ProcedureDetailOut,
    ProcedureOut,
    ProcedurePage,
    RatingIn,
    RatingOut,
    ResultVerifyOut,
    TrackOut,
    TrackStepOut,
)

# isort: split
from tinhso.services.api.catalogue import (
    procedure,
    procedures,
)

# isort: split
from tinhso.services.api.tracking import (
    track,
)

# isort: split
from tinhso.services.api.dossiers import (
    act,
    dossier,
    my_dossiers,
    queue,
    submit,
)

# isort: split
from tinhso.services.api.fees_results import (
    dossier_payment,
    dossier_payment_start,
    dossier_rating,
    dossier_result,
    result_verify,
)

__all__ = [
    "ActionIn",
    "AgencyOut",
    "ChannelOut",
    "DossierDuplicateOut",
    "DossierOut",
    "DossierSubmittedOut",
    "DossierWarningOut",
    "FeeOut",
    "FieldOut",
    "PartOut",
    "PayStartOut",
    "PaymentBrief",
    "ProcedureDetailOut",
    "ProcedureOut",
    "ProcedurePage",
    "RatingIn",
    "RatingOut",
    "ResultVerifyOut",
    "TrackOut",
    "TrackStepOut",
    "act",
    "dossier",
    "dossier_payment",
    "dossier_payment_start",
    "dossier_rating",
    "dossier_result",
    "my_dossiers",
    "procedure",
    "procedures",
    "queue",
    "result_verify",
    "router",
    "submit",
    "track",
]
