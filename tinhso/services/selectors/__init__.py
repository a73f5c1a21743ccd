"""Reads of the services app: catalogue search, dossiers for applicants and officers,
public tracking, figures for monitoring.

One module per topic, every public name re-exported here: ``catalogue`` (procedures, their
channels and agencies), ``dossiers`` (lists, queues, deadlines, history), ``tracking`` (the
public tracking answer and its cache) and ``fees_results`` (fees, results, what the applicant
has to do).
"""

from tinhso.services.selectors.catalogue import (
    channel_pick,
    channel_review_list,
    procedure_agency_units,
    procedure_channel,
    procedure_counts_by_agency,
    procedure_fields,
    procedure_get,
    procedure_get_for_submission,
    procedure_search,
)
from tinhso.services.selectors.dossiers import (
    OPEN_STATUSES,
    QUEUE_SORTS,
    DeadlineInfo,
    dossier_by_idempotency_key,
    dossier_deadline,
    dossier_events,
    dossier_get_for_user,
    dossier_list_for_applicant,
    dossier_queue,
    dossier_visible,
)
from tinhso.services.selectors.fees_results import (
    ApplicantTodo,
    FeeInfo,
    ResultInfo,
    dossier_applicant_todo,
    dossier_can_prepare_result,
    dossier_fee_info,
    dossier_files_for_user,
    dossier_is_official_view,
    dossier_result_info,
)
from tinhso.services.selectors.tracking import (
    TRACK_CACHE_TTL,
    TrackResult,
    TrackStep,
    dossier_track,
    dossier_track_throttled,
    logger,
    track_answer,
    track_cache_keys,
    track_number_normalize,
)

__all__ = [
    "OPEN_STATUSES",
    "QUEUE_SORTS",
    "TRACK_CACHE_TTL",
    "ApplicantTodo",
    "DeadlineInfo",
    "FeeInfo",
    "ResultInfo",
    "TrackResult",
    "TrackStep",
    "channel_pick",
    "channel_review_list",
    "dossier_applicant_todo",
    "dossier_by_idempotency_key",
    "dossier_can_prepare_result",
    "dossier_deadline",
    "dossier_events",
    "dossier_fee_info",
    "dossier_files_for_user",
    "dossier_get_for_user",
    "dossier_is_official_view",
    "dossier_list_for_applicant",
    "dossier_queue",
    "dossier_result_info",
    "dossier_track",
    "dossier_track_throttled",
    "dossier_visible",
    "logger",
    "procedure_agency_units",
    "procedure_channel",
    "procedure_counts_by_agency",
    "procedure_fields",
    "procedure_get",
    "procedure_get_for_submission",
    "procedure_search",
    "track_answer",
    "track_cache_keys",
    "track_number_normalize",
]
