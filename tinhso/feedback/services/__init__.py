"""Writes of the feedback app. Every step runs in one transaction that locks the feedback
row, checks the expected ``version``, appends a history event, writes the audit entry and
updates ``FeedbackMonthlyStat``; the sender's notification is sent after commit.
"""

from tinhso.feedback.services.common import (
    ALLOWED_TYPES,
    MAX_FILES,
    REASON_MAX,
    SUBJECT_MAX,
    TEXT_MAX,
    FeedbackConflict,
    FeedbackThrottled,
    feedback_number_next,
    logger,
    redact,
)
from tinhso.feedback.services.counters import feedback_stats_bump, feedback_stats_rebuild
from tinhso.feedback.services.handling import (
    feedback_approve,
    feedback_close,
    feedback_draft_answer,
    feedback_forward,
    feedback_return,
)
from tinhso.feedback.services.rating import feedback_rate
from tinhso.feedback.services.reminders import feedback_reminders_send
from tinhso.feedback.services.submit import FeedbackInput, feedback_add_info, feedback_submit

__all__ = [
    "ALLOWED_TYPES",
    "MAX_FILES",
    "REASON_MAX",
    "SUBJECT_MAX",
    "TEXT_MAX",
    "FeedbackConflict",
    "FeedbackInput",
    "FeedbackThrottled",
    "feedback_add_info",
    "feedback_approve",
    "feedback_close",
    "feedback_draft_answer",
    "feedback_forward",
    "feedback_number_next",
    "feedback_rate",
    "feedback_reminders_send",
    "feedback_return",
    "feedback_stats_bump",
    "feedback_stats_rebuild",
    "feedback_submit",
    "logger",
    "redact",
]
