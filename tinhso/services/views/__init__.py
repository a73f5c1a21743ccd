"""Pages of the services app (thin: rules live in services/selectors).

One module per topic, every view re-exported here for ``urls.py``: ``catalogue``,
``submission`` (online and at the counter), ``dossiers`` (the applicant's and the officers'
pages of a dossier), ``tracking`` and ``fees_results`` (fees, results, delivery, ratings).
"""

from tinhso.services.views.catalogue import (
    catalogue,
    catalogue_review,
    procedure_detail,
)
from tinhso.services.views.dossiers import (
    dossier_action,
    dossier_detail,
    dossier_file,
    dossier_receipt,
    my_dossiers,
    queue,
)
from tinhso.services.views.fees_results import (
    dossier_approve_sign_view,
    dossier_fee_counter,
    dossier_pay,
    dossier_post_view,
    dossier_rate_view,
    dossier_result_file,
    dossier_result_prepare_view,
)
from tinhso.services.views.submission import (
    register_in_person,
    review,
    submit_start,
)
from tinhso.services.views.tracking import (
    track,
)

__all__ = [
    "catalogue",
    "catalogue_review",
    "dossier_action",
    "dossier_approve_sign_view",
    "dossier_detail",
    "dossier_fee_counter",
    "dossier_file",
    "dossier_pay",
    "dossier_post_view",
    "dossier_rate_view",
    "dossier_receipt",
    "dossier_result_file",
    "dossier_result_prepare_view",
    "my_dossiers",
    "procedure_detail",
    "queue",
    "register_in_person",
    "review",
    "submit_start",
    "track",
]
