"""Writes of the services app: dossiers (submission, workflow actions, hooks for payments,
signing and ratings), the running statistics, and the working calendar.

Every state change runs in one transaction that locks the dossier row, checks the expected
``version`` (two officers acting at once: one wins, the other gets a clear message), appends
a history event, writes the audit entry and updates the statistics; the applicant's
notification is sent after commit.

One module per topic, every public name re-exported here (``from tinhso.services.services
import dossier_act``): ``changes`` (the plumbing every dossier change shares),
``attachments``, ``stats``, ``numbering``, ``submission``, ``actions`` (workflow), ``hooks``
(payments, signing, ratings), ``fees``, ``results`` and ``catalogue`` (review of the
imported catalogue).
"""

from tinhso.services.services.actions import (
    dossier_act,
)
from tinhso.services.services.attachments import (
    result_draft_get,
)
from tinhso.services.services.catalogue import (
    procedure_channel_settle,
)
from tinhso.services.services.changes import (
    DossierConflict,
)
from tinhso.services.services.fees import (
    FEE_PURPOSE,
    RESULT_PURPOSE,
    dossier_fee_collect_at_counter,
    dossier_fee_pay_start,
    on_fee_paid,
)
from tinhso.services.services.hooks import (
    dossier_payment_confirmed,
    dossier_rate,
    dossier_result_attach,
)
from tinhso.services.services.numbering import (
    TRACKING_CODE_ALPHABET,
    dossier_number_next,
    tracking_code_new,
)
from tinhso.services.services.results import (
    RESULT_PREPARE_STATUSES,
    ResultFile,
    dossier_approve_sign,
    dossier_result_download,
    dossier_result_post,
    dossier_result_prepare,
    result_template_fields,
)
from tinhso.services.services.stats import (
    _applicant_year_note,
    stats_bump,
    stats_monthly_from_daily,
    stats_rebuild,
    stats_record,
    stats_record_fee_paid,
    stats_record_rating,
)
from tinhso.services.services.submission import (
    ApplicantInfo,
    dossier_create_and_submit,
    dossier_draft_create,
    dossier_register_in_person,
    dossier_submit,
)
from tinhso.services.statcounters import RATINGS

__all__ = [
    "FEE_PURPOSE",
    "RATINGS",
    "RESULT_PREPARE_STATUSES",
    "RESULT_PURPOSE",
    "TRACKING_CODE_ALPHABET",
    "ApplicantInfo",
    "DossierConflict",
    "ResultFile",
    "_applicant_year_note",
    "dossier_act",
    "dossier_approve_sign",
    "dossier_create_and_submit",
    "dossier_draft_create",
    "dossier_fee_collect_at_counter",
    "dossier_fee_pay_start",
    "dossier_number_next",
    "dossier_payment_confirmed",
    "dossier_rate",
    "dossier_register_in_person",
    "dossier_result_attach",
    "dossier_result_download",
    "dossier_result_post",
    "dossier_result_prepare",
    "dossier_submit",
    "on_fee_paid",
    "procedure_channel_settle",
    "result_draft_get",
    "result_template_fields",
    "stats_bump",
    "stats_monthly_from_daily",
    "stats_rebuild",
    "stats_record",
    "stats_record_fee_paid",
    "stats_record_rating",
    "tracking_code_new",
]
