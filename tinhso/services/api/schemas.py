"""The schemas of the services API (answers and inputs)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field


class ChannelOut(Schema):
    channel: int
    channel_label: str
    time_value: float | None
    time_unit: str
    fee_amount: int | None
    fee_currency: str
    fee_is_free: bool
    fee_per_copy: bool
    time_label: str


class PartOut(Schema):
    id: int
    name: str
    required: bool
    copies: int | None
    accepted_types: list[str]


class FieldOut(Schema):
    name: str
    label: str
    kind: str
    required: bool
    choices: list[str]


class AgencyOut(Schema):
    id: int
    code: str
    name: str


class ProcedureOut(Schema):
    code: str
    name: str
    field: str | None
    levels: list[str]
    service_class: str


class LegalDocumentOut(Schema):
    name: str
    code: str


class ProcedureDetailOut(ProcedureOut):
    applicants: str
    applicant_kinds: list[str]
    result: str
    legal_basis: str
    legal_documents: list[LegalDocumentOut]
    channels: list[ChannelOut]
    parts: list[PartOut]
    form: list[FieldOut]
    agencies: list[AgencyOut]


class ProcedurePage(Schema):
    count: int
    items: list[ProcedureOut]


class TrackStepOut(Schema):
    at: dt.datetime
    action: str
    status: str


class TrackOut(Schema):
    number: str
    procedure_code: str
    procedure_name: str
    agency: str
    status: int
    status_label: str
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    deadline: str
    steps: list[TrackStepOut]
    applicant_name: str | None = None


class DossierOut(Schema):
    id: int
    number: str | None
    # the applicant's own dossiers only: the secret for public tracking with personal details
    tracking_code: str | None = None
    procedure_code: str
    procedure_name: str
    agency: str
    status: int
    status_label: str
    step: str
    channel: int
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    deadline: str
    deadline_flag: str
    version: int
    actions: list[str] = []


class DossierDuplicateOut(Schema):
    id: int
    number: str | None = Field(None, description="Số hồ sơ (trống khi còn là bản nháp)")
    status: int
    created_at: dt.datetime


class DossierWarningOut(Schema):
    code: str = Field(description="Mã cảnh báo, ví dụ duplicate_same_day")
    message: str
    dossiers: list[DossierDuplicateOut] = []


class DossierSubmittedOut(DossierOut):
    """The dossier just sent, with warnings that did not stop it (never a refusal)."""

    warnings: list[DossierWarningOut] = Field(
        [],
        description=(
            "Cảnh báo không chặn việc nộp. duplicate_same_day: hôm nay người nộp đã nộp (hoặc "
            "đang soạn) hồ sơ cùng thủ tục cho cùng đối tượng; dossiers liệt kê các hồ sơ đó."
        ),
    )


class ActionIn(Schema):
    action: str
    version: int
    comment: str = ""


# ---------------------------------------------------------------------------------------
# Fees, results, verification, ratings
# ---------------------------------------------------------------------------------------


class PaymentBrief(Schema):
    txn_ref: str
    status: str
    status_label: str
    gateway: str
    amount: int
    paid_at: dt.datetime | None
    receipt_number: str | None


class FeeOut(Schema):
    dossier_id: int
    number: str | None
    fee_amount: int | None
    currency: str = "VND"
    fee_timing: str
    owed: bool
    paid: bool
    paid_at: dt.datetime | None
    paid_online: bool
    payment: PaymentBrief | None
    pay_url: str | None
    receipt_url: str | None


class PayStartOut(Schema):
    txn_ref: str
    amount: int
    pay_url: str


class RatingIn(Schema):
    rating: str
    comment: str = ""


class RatingOut(Schema):
    dossier_id: int
    rating: str
    rated_at: dt.datetime


class ResultVerifyOut(Schema):
    ok: bool
    reason: str
    signer_name: str
    unit_name: str
    signing_time: dt.datetime | None
    matches_issued_document: bool
    dossier_number: str | None
    procedure_name: str | None
