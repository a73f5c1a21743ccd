"""Writes of the services app: dossiers (submission, workflow actions, hooks for payments,
signing and ratings), the running statistics, and the working calendar.

Every state change runs in one transaction that locks the dossier row, checks the expected
``version`` (two officers acting at once: one wins, the other gets a clear message), appends
a history event, writes the audit entry and updates the statistics; the applicant's
notification is sent after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Field, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import User
from tinhso.accounts.permissions import (
    identity_required_level,
    user_can,
    user_identity_sufficient,
)
from tinhso.accounts.usertypes import AnyUser
from tinhso.audit.services import audit_record
from tinhso.files import StoredFiles, atomic_with_files
from tinhso.orgs.models import OrgUnit
from tinhso.orgs.selectors import valid_on_q
from tinhso.services import deadlines
from tinhso.services.eform import eform_revision, eform_validate
from tinhso.services.models import (
    PAUSING_STATUSES,
    STAT_COUNTERS,
    Channel,
    DocumentPart,
    Dossier,
    DossierCounter,
    DossierEvent,
    DossierFile,
    DossierPause,
    FormRevision,
    PortalOutbox,
    Procedure,
    ProcedureAgency,
    ProcedureChannel,
    ProcessAction,
    ProcessStep,
    ResultTemplate,
    ServiceApplicantScopeYear,
    ServiceApplicantYear,
    ServiceDailyStat,
    ServiceMonthlyStat,
    Status,
)
from tinhso.services.notifications import notify_status_change
from tinhso.services.selectors import (
    dossier_visible,
    procedure_channel,
    track_cache_keys,
)
from tinhso.services.studio.library import fee_for_unit, result_template_lines
from tinhso.services.uploads import CheckedUpload, upload_check
from tinhso.services.workflow import action_allowed, process_ensure_default

RATINGS = ("satisfied", "normal", "unsatisfied")
logger = logging.getLogger(__name__)


class DossierConflict(Exception):
    """The dossier changed since the user loaded it (another officer acted first)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or _("Hồ sơ vừa được người khác cập nhật. Vui lòng tải lại trang và kiểm tra.")
        )
        self.message = str(self.args[0])


# ---------------------------------------------------------------------------------------
# Statistics (ServiceDailyStat / ServiceMonthlyStat / ServiceApplicantYear), same
# transaction as the event
# ---------------------------------------------------------------------------------------


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, deadlines.TZ).date()


def stats_bump(*, org_unit_id: int, procedure_code: str, day: dt.date, **inc: int) -> None:
    row, _created = ServiceDailyStat.objects.get_or_create(
        org_unit_id=org_unit_id, procedure_code=procedure_code, day=day
    )
    ServiceDailyStat.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in inc.items()})
    month, _created = ServiceMonthlyStat.objects.get_or_create(
        org_unit_id=org_unit_id, month=day.replace(day=1)
    )
    ServiceMonthlyStat.objects.filter(pk=month.pk).update(**{k: F(k) + v for k, v in inc.items()})


def stats_monthly_from_daily() -> int:
    """Recompute ``ServiceMonthlyStat`` as the sum of the daily rows of each month (one
    GROUP BY; for rebuilds and bulk loads). Call inside a transaction. Returns the rows."""
    rows = (
        ServiceDailyStat.objects.annotate(m=TruncMonth("day"))
        .values("org_unit_id", "m")
        .annotate(**{f"s_{k}": Sum(k) for k in STAT_COUNTERS})
        .order_by()
    )
    objs = []
    for r in rows.iterator(chunk_size=5000):
        month = r["m"]
        if isinstance(month, dt.datetime):
            month = month.date()
        objs.append(
            ServiceMonthlyStat(
                org_unit_id=r["org_unit_id"],
                month=month,
                **{k: r[f"s_{k}"] or 0 for k in STAT_COUNTERS},
            )
        )
    ServiceMonthlyStat.objects.all().delete()
    ServiceMonthlyStat.objects.bulk_create(objs, batch_size=1000)
    return len(objs)


def _stats_for(dossier: Dossier, moment: dt.datetime, **inc: int) -> None:
    stats_bump(
        org_unit_id=dossier.org_unit_id,
        procedure_code=dossier.procedure.code,
        day=_local_day(moment),
        **inc,
    )


def _received_increments(dossier: Dossier) -> dict[str, int]:
    inc = {"received_total": 1}
    inc[
        {
            Channel.ONLINE: "received_online",
            Channel.IN_PERSON: "received_in_person",
            Channel.POST: "received_post",
        }[Channel(dossier.channel)]
    ] = 1
    if dossier.received_digitised:
        inc["received_digitised"] = 1
    return inc


def _finished_increments(dossier: Dossier, supplements: int) -> dict[str, int]:
    """``supplements``: how many times a supplement was requested (status 5 pauses)."""
    inc = {"finished_total": 1, f"finished_{dossier.outcome}": 1}
    if dossier.result_digital:
        inc["results_digital"] = 1
    if supplements > 1 and dossier.outcome in (deadlines.EARLY, deadlines.ON_TIME):
        inc["finished_resupplied"] = 1
    return inc


def _supplement_requests(dossier: Dossier) -> int:
    return dossier.pauses.filter(status=Status.SUPPLEMENT).count()


def stats_record_fee_paid(*, dossier: Dossier, online: bool) -> None:
    """For the payments integration: a fee for ``dossier`` was paid (call inside the
    transaction that records the payment)."""
    inc = {"fees_total": 1}
    if online:
        inc["fees_online"] = 1
    _stats_for(dossier, dossier.fee_paid_at or timezone.now(), **inc)


def stats_record_rating(*, dossier: Dossier, rating: str) -> None:
    """For the ratings integration: ``rating`` is satisfied / normal / unsatisfied."""
    if rating not in RATINGS:
        raise ValidationError(_("Mức đánh giá không hợp lệ."))
    _stats_for(
        dossier, dossier.rated_at or timezone.now(), ratings_total=1, **{f"ratings_{rating}": 1}
    )


def stats_rebuild() -> int:
    """Recompute every counter from the dossiers (e.g. after a data repair): the daily rows,
    the monthly rows (their sums) and the applicant-years. Returns the number of daily rows
    written."""
    rows: dict[tuple[int, str, dt.date], dict[str, int]] = {}

    def add(d: Dossier, moment: dt.datetime | None, inc: Mapping[str, int]) -> None:
        if moment is None:
            return
        key = (d.org_unit_id, d.procedure.code, _local_day(moment))
        bucket = rows.setdefault(key, {})
        for k, v in inc.items():
            bucket[k] = bucket.get(k, 0) + v

    applicants: set[tuple[int, int, int]] = set()
    qs = (
        Dossier.objects.exclude(status=Status.DRAFT)
        .select_related("procedure")
        .annotate(supplements=Count("pauses", filter=Q(pauses__status=Status.SUPPLEMENT)))
    )
    for d in qs.iterator(chunk_size=2000):
        if d.received_at:
            add(d, d.received_at, _received_increments(d))
        add(d, d.refused_at, {"refused": 1})
        add(d, d.withdrawn_at, {"withdrawn": 1})
        if d.finished_at and d.outcome:
            add(d, d.finished_at, _finished_increments(d, d.supplements))
        if d.fee_paid_at:
            add(d, d.fee_paid_at, {"fees_total": 1, "fees_online": int(d.fee_paid_online)})
        if d.rated_at and d.rating in RATINGS:
            add(d, d.rated_at, {"ratings_total": 1, f"ratings_{d.rating}": 1})
        if d.channel == Channel.ONLINE and d.submitted_at and d.applicant_id:
            applicants.add((d.org_unit_id, _local_day(d.submitted_at).year, d.applicant_id))
    with transaction.atomic():
        ServiceDailyStat.objects.all().delete()
        ServiceApplicantYear.objects.all().delete()
        ServiceDailyStat.objects.bulk_create(
            [
                ServiceDailyStat(org_unit_id=u, procedure_code=c, day=day, **inc)
                for (u, c, day), inc in rows.items()
            ],
            batch_size=1000,
        )
        months = stats_monthly_from_daily()
        ServiceApplicantYear.objects.bulk_create(
            [ServiceApplicantYear(org_unit_id=u, year=y, applicant_id=a) for u, y, a in applicants],
            batch_size=1000,
        )
        paths = dict(OrgUnit.objects.values_list("pk", "path"))
        scopes = _applicant_scope_counts(
            (a, y, paths.get(u, "")) for u, y, a in sorted(applicants, key=lambda r: (r[2], r[1]))
        )
        ServiceApplicantScopeYear.objects.all().delete()
        ServiceApplicantScopeYear.objects.bulk_create(
            [
                ServiceApplicantScopeYear(scope_id=s, year=y, applicants=n)
                for (s, y), n in scopes.items()
            ],
            batch_size=1000,
        )
        audit_record(
            actor=None,
            action="services.stats_rebuild",
            object_type="services.servicedailystat",
            extra={"rows": len(rows), "months": months, "applicants": len(applicants)},
        )
    return len(rows)


# ---------------------------------------------------------------------------------------
# Dossier numbering
# ---------------------------------------------------------------------------------------


def _counter_sql() -> str:
    qn = connection.ops.quote_name
    table = qn(DossierCounter._meta.db_table)
    code, day, last = (
        qn(cast(Field, DossierCounter._meta.get_field(f)).column)  # concrete columns
        for f in ("agency_code", "day", "last")
    )
    # identifiers come from the model, values are parameters
    return (
        f"INSERT INTO {table} ({code}, {day}, {last}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({code}, {day}) DO UPDATE SET {last} = {table}.{last} + 1 "
        f"RETURNING {last}"
    )


TRACKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


def tracking_code_new() -> str:
    """A dossier's tracking code: 10 random characters (50 bits), printed on the receipt."""
    return "".join(secrets.choice(TRACKING_CODE_ALPHABET) for _ in range(10))


def dossier_number_next(*, org_unit: OrgUnit, at: dt.datetime) -> str:
    """``<agency code>-<YYMMDD>-<NNNN>``, from the per-agency daily counter. One statement
    creates or bumps the counter row (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on
    PostgreSQL and SQLite) and leaves it locked until the transaction ends, so concurrent
    submissions get distinct numbers and a rolled-back one gives its number back. Call it
    inside the transaction that stores the number."""
    day = _local_day(at)
    with connection.cursor() as cur:
        cur.execute(_counter_sql(), [org_unit.code, connection.ops.adapt_datefield_value(day)])
        last = cur.fetchone()[0]
    return f"{org_unit.code}-{day:%y%m%d}-{last:04d}"


# ---------------------------------------------------------------------------------------
# Creating and submitting dossiers
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantInfo:
    name: str
    id_number: str = ""
    email: str = ""
    phone: str = ""


def _check_uploads(
    *, procedure: Procedure, files: Mapping[int, Iterable[Any]], require_all: bool = True
) -> list[tuple[DocumentPart, CheckedUpload]]:
    parts = {p.pk: p for p in procedure.parts.all()}
    errors: dict[str, list[str]] = {}
    checked: list[tuple[DocumentPart, CheckedUpload]] = []
    for part_id, uploads in files.items():
        part = parts.get(int(part_id))
        if part is None:
            errors.setdefault("files", []).append(_("Thành phần hồ sơ không thuộc thủ tục này."))
            continue
        for up in uploads:
            try:
                checked.append((part, upload_check(upload=up, allowed=part.type_list)))
            except ValidationError as exc:
                errors.setdefault(f"part_{part.pk}", []).extend(exc.messages)
    if require_all:
        given = {p.pk for p, _c in checked}
        for part in parts.values():
            if part.required and part.pk not in given and f"part_{part.pk}" not in errors:
                errors.setdefault(f"part_{part.pk}", []).append(
                    _("Thiếu thành phần hồ sơ bắt buộc: %s") % part.name[:120]
                )
    if errors:
        raise ValidationError(errors)
    return checked


def _store_files(
    *,
    dossier: Dossier,
    checked: list[tuple[DocumentPart, CheckedUpload]],
    user: AnyUser | None,
    kind: str,
    stored: StoredFiles,
) -> list[DossierFile]:
    """Write the uploads to storage (each recorded in ``stored`` as soon as it is written,
    for ``atomic_with_files``), then insert their rows in one statement."""
    rows = []
    for part, c in checked:
        row = DossierFile(
            dossier=dossier,
            part=part,
            kind=kind,
            original_name=c.name,
            content_type=c.mime,
            size=c.size,
            sha256=c.sha256,
            uploaded_by=user if isinstance(user, User) else None,
        )
        row.file.save(c.name, c.file, save=False)
        stored.append((row.file.storage, row.file.name))
        rows.append(row)
    return DossierFile.objects.bulk_create(rows)


def _event(
    *,
    dossier: Dossier,
    actor: Any,
    action: str,
    action_name: str,
    from_status: int | None,
    from_step: str,
    comment: str = "",
    at: dt.datetime,
) -> DossierEvent:
    _track_cache_forget(dossier.number)
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=at,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=(getattr(actor, "display_name", "") or "")[:255] if actor else "",
        action=action,
        action_name=action_name,
        from_status=from_status,
        to_status=dossier.status,
        from_step=from_step,
        to_step=dossier.step.name,
        comment=comment,
    )
    if dossier.status != Status.DRAFT:
        # the national portal's copy, in this transaction (delivered by tinhso.portal)
        PortalOutbox.objects.create(
            dossier=dossier,
            event=event,
            kind=PortalOutbox.Kind.CREATE
            if from_status in (None, Status.DRAFT)
            else PortalOutbox.Kind.STATUS,
            created_at=at,
        )
    return event


def _notify(dossier: Dossier, action_name: str, comment: str) -> None:
    if dossier.applicant_email or dossier.applicant_phone:
        notify_status_change(
            number=dossier.number or "",
            email=dossier.applicant_email,
            phone=dossier.applicant_phone,
            status_label=str(Status(dossier.status).label),
            action_name=action_name,
            comment=comment,
        )


def _validate_agency(procedure: Procedure, org_unit: OrgUnit, on: dt.date) -> None:
    """The procedure is active and ``org_unit`` receives it on ``on``: the unit and its
    agency link are both valid that day (one ``EXISTS`` query for the link)."""
    if not procedure.is_active:
        raise ValidationError(_("Thủ tục này hiện không tiếp nhận hồ sơ."))
    receives = (
        org_unit.is_valid_on(on)
        and ProcedureAgency.objects.filter(
            valid_on_q(on), procedure=procedure, org_unit=org_unit
        ).exists()
    )
    if not receives:
        raise ValidationError(
            {"org_unit": [_("Cơ quan này không tiếp nhận hồ sơ của thủ tục đã chọn.")]}
        )


_DEFAULT_PROCESS_CHECKED: set[int] = set()


def _start_step(procedure: Procedure) -> ProcessStep:
    """The start step (with its process) of the process a new dossier of ``procedure``
    follows: its own process if active, else the default one (``workflow.procedure_process``).
    One query: ``process_ensure_default`` (which creates the default process or adds the
    steps it gained) runs only the first time in this process or when no default is found."""
    step: ProcessStep | None
    own = procedure.process
    if own is not None and own.is_active:
        step = own.steps.get(is_start=True)
        step.process = own
        return step
    step = (
        ProcessStep.objects.select_related("process")
        .filter(process__is_default=True, is_start=True)
        .first()
    )
    if step is None or step.process_id not in _DEFAULT_PROCESS_CHECKED:
        process = process_ensure_default()
        _DEFAULT_PROCESS_CHECKED.add(process.pk)
        step = process.steps.get(is_start=True)
        step.process = process
    return step


def _online_checks(
    *,
    user: AnyUser,
    procedure: Procedure,
    org_unit: OrgUnit,
    form_data: dict[str, Any],
    files: Mapping[int, Iterable[Any]],
    on: dt.date,
) -> tuple[dict[str, Any], list[tuple[DocumentPart, CheckedUpload]], FormRevision | None]:
    """Every check of an online dossier before anything is written: an applicant's account,
    the receiving agency, the e-form, the required parts and each upload (type by content,
    size). All problems are reported at once. Returns (cleaned form, checked uploads, the
    studio revision the form was validated against)."""
    if not isinstance(user, User) or not user.is_applicant:
        raise PermissionDenied(_("Chỉ công dân, doanh nghiệp mới nộp hồ sơ trực tuyến."))
    if not user_identity_sufficient(user):
        raise PermissionDenied(
            _("Cần định danh điện tử mức %(n)s (đăng nhập bằng VNeID) để nộp hồ sơ trực tuyến.")
            % {"n": identity_required_level()}
        )
    errors: dict[str, list[str]] = {}
    online = procedure_channel(procedure=procedure, channel=Channel.ONLINE)
    if online is not None and online.needs_review:
        errors["__all__"] = [
            _(
                "Thời hạn giải quyết hoặc phí của thủ tục này chưa rõ (%(t)s): cơ quan đang rà "
                "soát nên chưa nhận hồ sơ trực tuyến. Vui lòng nộp trực tiếp hoặc quay lại sau."
            )
            % {"t": online.time_label}
        ]
    try:
        _validate_agency(procedure, org_unit, on)
    except ValidationError as exc:
        errors.update(
            exc.message_dict if hasattr(exc, "error_dict") else {"org_unit": exc.messages}
        )
    revision = eform_revision(procedure=procedure)
    try:
        cleaned = eform_validate(procedure=procedure, data=form_data, revision=revision)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = {}
    try:
        checked = _check_uploads(procedure=procedure, files=files)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        checked = []
    if errors:
        raise ValidationError(errors)
    return cleaned, checked, revision


def _online_dossier(
    *,
    user: User,
    procedure: Procedure,
    org_unit: OrgUnit,
    start: ProcessStep,
    cleaned: dict[str, Any],
    **fields: Any,
) -> Dossier:
    return Dossier.objects.create(
        procedure=procedure,
        process=start.process,
        step=start,
        channel=Channel.ONLINE,
        org_unit=org_unit,
        applicant=user,
        applicant_name=user.display_name,
        applicant_id_number=user.citizen_id or user.tax_code or "",
        applicant_email=user.email or "",
        applicant_phone=user.phone or "",
        identity_source=user.identity_source if user.identity_verified else "",
        identity_level=user.identity_level if user.identity_verified else None,
        form_data=cleaned,
        received_digitised=True,
        **fields,
    )


def dossier_draft_create(
    *,
    user: AnyUser,
    procedure: Procedure,
    org_unit: OrgUnit,
    form_data: dict[str, Any],
    files: Mapping[int, Iterable[Any]],
    idempotency_key: str | None = None,
) -> Dossier:
    """Step 1 of online submission on the site: a validated draft (not yet sent, no number)
    that the applicant reviews before ``dossier_submit``. ``idempotency_key`` (the form's
    one-time token): a resent form returns the draft (or dossier) the first one created."""
    if idempotency_key:
        existing = Dossier.objects.filter(
            applicant=cast(User, user), idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    now = timezone.now()
    cleaned, checked, revision = _online_checks(
        user=user,
        procedure=procedure,
        org_unit=org_unit,
        form_data=form_data,
        files=files,
        on=_local_day(now),
    )
    user = cast(User, user)  # _online_checks admitted only an applicant's account
    start = _start_step(procedure)
    with atomic_with_files() as stored:
        dossier = _online_dossier(
            user=user,
            procedure=procedure,
            org_unit=org_unit,
            start=start,
            cleaned=cleaned,
            form_revision=revision,
            status=Status.DRAFT,
            idempotency_key=idempotency_key or None,
        )
        _store_files(
            dossier=dossier,
            checked=checked,
            user=user,
            kind=DossierFile.Kind.APPLICATION,
            stored=stored,
        )
        audit_record(actor=user, action="services.dossier_draft", obj=dossier, org_unit=org_unit)
    return dossier


def _applicant_year_sql() -> tuple[str, str, str]:
    qn = connection.ops.quote_name
    ay, unit = ServiceApplicantYear._meta.db_table, OrgUnit._meta.db_table
    scopes = ServiceApplicantScopeYear._meta.db_table
    # identifiers come from the models, values are parameters
    insert = (
        f"INSERT INTO {qn(ay)} (org_unit_id, year, applicant_id) VALUES (%s, %s, %s) "  # noqa: S608
        "ON CONFLICT (org_unit_id, year, applicant_id) DO NOTHING RETURNING id"
    )
    paths = (
        f"SELECT y.org_unit_id, u.path FROM {qn(ay)} y "  # noqa: S608
        f"JOIN {qn(unit)} u ON u.id = y.org_unit_id WHERE y.applicant_id = %s AND y.year = %s"
    )
    bump = (
        f"INSERT INTO {qn(scopes)} (scope_id, year, applicants) VALUES {{values}} "  # noqa: S608
        f"ON CONFLICT (scope_id, year) DO UPDATE SET applicants = {qn(scopes)}.applicants + 1"
    )
    return insert, paths, bump


def _path_ids(path: str) -> list[int]:
    """The ids of a unit and its ancestors, from its materialised path ``/1/5/23/``."""
    return [int(p) for p in (path or "").strip("/").split("/") if p]


def _applicant_year_note(*, org_unit_id: int, applicant_id: int, at: dt.datetime) -> None:
    """The applicant submitted online to the unit this year. A no-op (one statement) when
    already noted; else the applicant also counts, once, for every unit above whose subtree
    had not seen them this year (``ServiceApplicantScopeYear``, the distinct count that the
    dashboards read in one row)."""
    year = _local_day(at).year
    insert, paths, bump = _applicant_year_sql()
    with connection.cursor() as cur:
        cur.execute(insert, [org_unit_id, year, applicant_id])
        if cur.fetchone() is None:
            return
        if connection.vendor == "postgresql":
            # one applicant-year at a time, so two first submissions to units of the same
            # district in parallel count the district once (SQLite serialises writers)
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [applicant_id * 10_000 + year])
        cur.execute(paths, [applicant_id, year])
        rows = cur.fetchall()
        mine = next((p for uid, p in rows if uid == org_unit_id), "")
        seen = {s for uid, p in rows if uid != org_unit_id for s in _path_ids(p)}
        new = [s for s in _path_ids(mine) if s not in seen]
        if new:
            cur.execute(
                bump.format(values=", ".join(["(%s, %s, 1)"] * len(new))),
                [v for s in new for v in (s, year)],
            )


def _applicant_scope_counts(rows: Iterable[tuple[int, int, str]]) -> dict[tuple[int, int], int]:
    """(applicant, year, unit path) rows ordered by applicant and year → the number of
    distinct applicants per (unit subtree, year)."""
    counts: dict[tuple[int, int], int] = {}
    for (_applicant, year), group in itertools.groupby(rows, key=lambda r: (r[0], r[1])):
        for scope in {s for _a, _y, path in group for s in _path_ids(path)}:
            counts[(scope, year)] = counts.get((scope, year), 0) + 1
    return counts


def dossier_create_and_submit(
    *,
    user: AnyUser,
    procedure: Procedure,
    org_unit: OrgUnit,
    form_data: dict[str, Any],
    files: Mapping[int, Iterable[Any]],
    idempotency_key: str | None = None,
) -> Dossier:
    """Create and send an online dossier in one transaction (the API's one-step submission):
    the same checks as ``dossier_draft_create``, then number, files, history event,
    applicant-year and audit entry are written together; a failure anywhere leaves no row
    and no stored file. The applicant is notified after commit.

    The audit log gets one ``services.dossier_submit`` entry (what ``dossier_submit``
    writes, with the creation details): the dossier was never visible as a draft, so
    "created and sent" is one change of state, not two.

    ``idempotency_key`` (the client's ``Idempotency-Key``): stored with the dossier in the
    same transaction; a retry with the same key by the same applicant gets the first dossier
    back and nothing new is written (a concurrent duplicate fails the unique constraint)."""
    if idempotency_key:
        existing = Dossier.objects.filter(
            applicant=cast(User, user), idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return existing
    now = timezone.now()
    cleaned, checked, revision = _online_checks(
        user=user,
        procedure=procedure,
        org_unit=org_unit,
        form_data=form_data,
        files=files,
        on=_local_day(now),
    )
    user = cast(User, user)  # _online_checks admitted only an applicant's account
    start = _start_step(procedure)
    with atomic_with_files() as stored:
        # row locks held until commit, taken as late as possible: the applicant-year row
        # (per applicant), the agency's daily counter, then the audit chain head
        _applicant_year_note(org_unit_id=org_unit.pk, applicant_id=user.pk, at=now)
        dossier = _online_dossier(
            user=user,
            procedure=procedure,
            org_unit=org_unit,
            start=start,
            cleaned=cleaned,
            form_revision=revision,
            number=dossier_number_next(org_unit=org_unit, at=now),
            tracking_code=tracking_code_new(),
            idempotency_key=idempotency_key or None,
            status=Status.NEW,
            submitted_at=now,
            step_entered_at=now,
            version=1,  # as a draft sent by dossier_submit
        )
        rows = _store_files(
            dossier=dossier,
            checked=checked,
            user=user,
            kind=DossierFile.Kind.APPLICATION,
            stored=stored,
        )
        _event(
            dossier=dossier,
            actor=user,
            action="submit",
            action_name=_("Nộp hồ sơ trực tuyến"),
            from_status=Status.DRAFT,
            from_step="",
            at=now,
        )
        audit_record(
            actor=user,
            action="services.dossier_submit",
            obj=dossier,
            org_unit=org_unit,
            after={
                "number": dossier.number,
                "status": dossier.status,
                "channel": dossier.channel,
                "procedure": procedure.code,
                "files": [r.sha256 for r in rows],
            },
        )
        _notify(dossier, _("Đã nộp hồ sơ"), "")
    return dossier


def _track_cache_forget(number: str | None) -> None:
    """The dossier changes in this transaction: drop its cached public tracking answer once
    the transaction commits (before, a reader would cache the old state again)."""
    if number:
        keys = track_cache_keys(number)
        # robust: a cache outage must not turn a committed write into an error (the TTL
        # then bounds the stale answer)
        transaction.on_commit(lambda: cache.delete_many(keys), robust=True)


def _lock_dossier(pk: int) -> Dossier | None:
    """Lock the dossier row, then read it with its relations. The lock query has no joins:
    on PostgreSQL a joined ``FOR UPDATE`` re-checked after a concurrent update can return
    no row at all (the re-check uses the old joined step). Every write to an existing
    dossier goes through here, so this is where its tracking cache is invalidated."""
    if not list(Dossier.objects.select_for_update().filter(pk=pk).values_list("pk", flat=True)):
        return None
    dossier = Dossier.objects.select_related("procedure", "org_unit", "step").filter(pk=pk).first()
    if dossier is not None:
        _track_cache_forget(dossier.number)
    return dossier


def dossier_submit(*, user: AnyUser, dossier_id: int) -> Dossier:
    """Step 2: send the draft. A second submit of the same draft changes nothing."""
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        if dossier is None or dossier.applicant_id != getattr(user, "pk", None):
            raise PermissionDenied(_("Không tìm thấy hồ sơ của bạn."))
        user = cast(User, user)  # the draft's applicant
        if dossier.status != Status.DRAFT:
            raise DossierConflict(_("Hồ sơ này đã được nộp (số %s).") % dossier.number)
        now = timezone.now()
        # the same lock order as dossier_create_and_submit: applicant-year, then counter
        _applicant_year_note(org_unit_id=dossier.org_unit_id, applicant_id=user.pk, at=now)
        dossier.number = dossier_number_next(org_unit=dossier.org_unit, at=now)
        dossier.tracking_code = tracking_code_new()
        dossier.status = Status.NEW
        dossier.submitted_at = now
        dossier.step_entered_at = now
        dossier.version += 1
        dossier.save()
        _event(
            dossier=dossier,
            actor=user,
            action="submit",
            action_name=_("Nộp hồ sơ trực tuyến"),
            from_status=Status.DRAFT,
            from_step="",
            at=now,
        )
        audit_record(
            actor=user,
            action="services.dossier_submit",
            obj=dossier,
            org_unit=dossier.org_unit,
            after={"number": dossier.number, "status": dossier.status},
        )
        _notify(dossier, _("Đã nộp hồ sơ"), "")
    return dossier


def dossier_register_in_person(
    *,
    officer: Any,
    procedure: Procedure,
    org_unit: OrgUnit,
    applicant: ApplicantInfo,
    form_data: dict[str, Any],
    files: Mapping[int, Iterable[Any]],
    channel: int = Channel.IN_PERSON,
) -> Dossier:
    """An officer registers a dossier handed in at the desk (or by post): numbered and
    received at once. Paper parts may be scanned later, so uploads are optional."""
    if not user_can(user=officer, action="services.register_in_person", org_unit=org_unit):
        raise PermissionDenied(_("Bạn không có quyền tiếp nhận hồ sơ tại đơn vị này."))
    if channel not in (Channel.IN_PERSON, Channel.POST):
        raise ValidationError(_("Kênh tiếp nhận không hợp lệ."))
    if not applicant.name.strip():
        raise ValidationError({"applicant_name": [_("Vui lòng nhập họ tên người nộp.")]})
    now = timezone.now()
    _validate_agency(procedure, org_unit, _local_day(now))
    revision = eform_revision(procedure=procedure)
    cleaned = eform_validate(procedure=procedure, data=form_data, revision=revision)
    checked = _check_uploads(procedure=procedure, files=files, require_all=False)
    start = _start_step(procedure)
    with atomic_with_files() as stored:
        dossier = Dossier.objects.create(
            procedure=procedure,
            process=start.process,
            step=start,
            status=Status.NEW,
            channel=channel,
            org_unit=org_unit,
            applicant_name=applicant.name.strip()[:255],
            applicant_id_number=applicant.id_number.strip()[:20],
            applicant_email=applicant.email.strip(),
            applicant_phone=applicant.phone.strip()[:20],
            form_data=cleaned,
            form_revision=revision,
            registered_by=officer,
            submitted_at=now,
            received_digitised=bool(checked)
            and {p.pk for p, _c in checked} >= {p.pk for p in procedure.parts.all() if p.required},
        )
        dossier.number = dossier_number_next(org_unit=org_unit, at=now)
        dossier.tracking_code = tracking_code_new()
        dossier.save(update_fields=["number", "tracking_code"])
        _store_files(
            dossier=dossier,
            checked=checked,
            user=officer,
            kind=DossierFile.Kind.APPLICATION,
            stored=stored,
        )
        _event(
            dossier=dossier,
            actor=officer,
            action="register",
            action_name=_("Đăng ký hồ sơ nộp trực tiếp"),
            from_status=None,
            from_step="",
            at=now,
        )
        audit_record(
            actor=officer,
            action="services.dossier_register",
            obj=dossier,
            org_unit=org_unit,
            after={"number": dossier.number, "channel": channel},
        )
        return dossier_act(
            user=officer, dossier_id=dossier.pk, action_code="receive", version=dossier.version
        )


# ---------------------------------------------------------------------------------------
# Workflow actions
# ---------------------------------------------------------------------------------------


def _pauses(dossier: Dossier) -> list[deadlines.Pause]:
    return [(p.started_at, p.ended_at) for p in dossier.pauses.all()]


def _recompute_due(dossier: Dossier, cal: deadlines.WorkCalendar, now: dt.datetime) -> None:
    duration = dossier.duration
    if dossier.received_at is None or duration is None:
        dossier.due_at = None
        return
    dossier.due_at = deadlines.due_at(
        received_at=dossier.received_at,
        duration=duration,
        pauses=_pauses(dossier),
        now=now,
        cal=cal,
    )


def _set_duration(
    dossier: Dossier, duration: deadlines.Duration | None, cal: deadlines.WorkCalendar
) -> None:
    """Fix the legal time at receipt. ``budget_minutes`` is its length in working minutes
    (for a calendar period: from the clock start to the due moment), which the per-step
    shares divide."""
    if duration is None or dossier.received_at is None:
        dossier.duration_value, dossier.duration_unit, dossier.budget_minutes = None, "", None
        return
    dossier.duration_value, dossier.duration_unit = duration.value, duration.unit
    if duration.is_calendar:
        start = deadlines.clock_start(dossier.received_at, cal)
        due = deadlines.due_at(received_at=dossier.received_at, duration=duration, cal=cal)
        dossier.budget_minutes = deadlines.working_minutes_between(start, due, cal)
    else:
        dossier.budget_minutes = duration.working_minutes()


def _enter_step(
    dossier: Dossier, step: ProcessStep, now: dt.datetime, cal: deadlines.WorkCalendar
) -> None:
    dossier.step = step
    dossier.status = step.status
    dossier.step_entered_at = now
    dossier.step_due_at = None


def _step_due(dossier: Dossier, now: dt.datetime, cal: deadlines.WorkCalendar) -> None:
    share = dossier.step.time_share
    if share and dossier.budget_minutes and dossier.paused_since is None:
        dossier.step_due_at = deadlines.add_working_minutes(
            now, dossier.budget_minutes * share // 100, cal
        )


def _apply_effects(
    *,
    dossier: Dossier,
    action: ProcessAction,
    from_status: int,
    now: dt.datetime,
    cal: deadlines.WorkCalendar,
    user: AnyUser | None,
    assignee: Any | None,
) -> None:
    to = action.to_step.status
    if action.code == "assign":
        dossier.assignee = assignee or (user if isinstance(user, User) else None)
    if from_status == Status.NEW and to == Status.RECEIVED:
        dossier.received_at = now
        channel = procedure_channel(procedure=dossier.procedure, channel=dossier.channel)
        _set_duration(dossier, channel.duration if channel else None, cal)
        fee = channel.fee_amount if channel and channel.fee_currency == "VND" else None
        # the receiving unit's adjusted fee, if any (procedure studio)
        fee = fee_for_unit(
            procedure_id=dossier.procedure_id, org_unit_id=dossier.org_unit_id, catalogue=fee
        )
        dossier.fee_amount = dossier.fee_amount or fee
        _recompute_due(dossier, cal, now)
        _stats_for(dossier, now, **_received_increments(dossier))
    if to == Status.NOT_ACCEPTED:
        dossier.refused_at = now
        _stats_for(dossier, now, refused=1)
    if to == Status.WITHDRAWN:
        dossier.withdrawn_at = now
        _stats_for(dossier, now, withdrawn=1)
    if from_status in PAUSING_STATUSES and to not in PAUSING_STATUSES:
        dossier.pauses.filter(ended_at__isnull=True).update(ended_at=now)
        dossier.paused_since = None
        _recompute_due(dossier, cal, now)
    if to in PAUSING_STATUSES and from_status not in PAUSING_STATUSES:
        DossierPause.objects.create(dossier=dossier, status=to, started_at=now)
        dossier.paused_since = now
    if to == Status.PROCESSED:
        dossier.finished_at = now
        if dossier.due_at is not None:
            dossier.outcome = deadlines.classify(now, dossier.due_at)
            _stats_for(dossier, now, **_finished_increments(dossier, _supplement_requests(dossier)))
    if to == Status.RETURNED:
        dossier.returned_at = now


def dossier_act(
    *,
    user: AnyUser | None,
    dossier_id: int,
    action_code: str,
    version: int,
    comment: str = "",
    files: Mapping[int, Iterable[Any]] | None = None,
    assignee: Any | None = None,
    system: bool = False,
    post_ref: str = "",
) -> Dossier:
    """Take a process action on a dossier. ``version`` is the version the user saw;
    if the dossier changed since, nothing happens and ``DossierConflict`` is raised.

    When the action lands where the procedure's fee timing asks for the fee (receipt, or
    the officer forwarding for approval) and the fee is unpaid, the system's
    ``request_fee`` action follows in the same transaction (status 6, clock paused).
    ``post_ref``: the tracking reference for ``send_post``."""
    comment = (comment or "").strip()
    with atomic_with_files() as stored:
        dossier = _lock_dossier(dossier_id)
        if (
            dossier is None
            or dossier.status == Status.DRAFT
            or (not system and not dossier_visible(user=user, dossier=dossier))
        ):
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        if version != dossier.version:
            raise DossierConflict()
        action = (
            ProcessAction.objects.select_related("to_step")
            .filter(from_step_id=dossier.step_id, code=action_code)
            .first()
        )
        allowed = action is not None and (
            (system and action.role == "system")
            or (not system and action_allowed(user=user, action=action, dossier=dossier))
        )
        if action is None:
            raise ValidationError(
                _("Không thể thực hiện thao tác này khi hồ sơ đang ở trạng thái “%s”.")
                % Status(dossier.status).label
            )
        if not allowed:
            raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này với hồ sơ."))
        if action.comment_required and not comment:
            raise ValidationError({"comment": [_("Vui lòng ghi rõ lý do.")]})
        if action.code == "approve" and not dossier.result_ref and result_draft_get(dossier):
            raise ValidationError(
                _(
                    "Hồ sơ có dự thảo kết quả điện tử: vui lòng dùng “Phê duyệt và ký số” để "
                    "ký kết quả trước khi trả."
                )
            )
        if action.code == "send_post":
            post_ref = _post_ref_clean(post_ref)
            dossier.result_post_ref = post_ref
            comment = comment or _("Mã bưu gửi: %s") % post_ref
        checked: list[tuple[DocumentPart, CheckedUpload]] = []
        if action.code == "supplement":
            checked = _check_uploads(
                procedure=dossier.procedure, files=files or {}, require_all=False
            )
            if not checked and not comment:
                raise ValidationError(
                    {"files": [_("Vui lòng đính kèm giấy tờ bổ sung hoặc ghi nội dung bổ sung.")]}
                )
        now = timezone.now()
        cal = deadlines.calendar_load()
        from_status, from_step = dossier.status, dossier.step.name
        before = {"status": from_status, "step": dossier.step.code}
        _enter_step(dossier, action.to_step, now, cal)
        _apply_effects(
            dossier=dossier,
            action=action,
            from_status=from_status,
            now=now,
            cal=cal,
            user=user,
            assignee=assignee,
        )
        _step_due(dossier, now, cal)
        if checked:
            _store_files(
                dossier=dossier,
                checked=checked,
                user=user,
                kind=DossierFile.Kind.SUPPLEMENT,
                stored=stored,
            )
        dossier.version += 1
        dossier.save()
        _event(
            dossier=dossier,
            actor=user,
            action=action.code,
            action_name=action.name,
            from_status=from_status,
            from_step=from_step,
            comment=comment,
            at=now,
        )
        audit_record(
            actor=user,
            action=f"services.dossier_{action.code}",
            obj=dossier,
            org_unit=dossier.org_unit,
            before=before,
            after={"status": dossier.status, "step": dossier.step.code},
            extra={"comment": comment} if comment else None,
        )
        if dossier.status != from_status:
            _notify(dossier, action.name, comment)
        if _fee_request_due(dossier, action.code):
            return dossier_act(
                user=None,
                dossier_id=dossier.pk,
                action_code="request_fee",
                version=dossier.version,
                system=True,
            )
    return dossier


# Hooks for the payment, signing and rating integrations (those apps never import
# services: services calls them, then calls these).


def dossier_payment_confirmed(
    *, dossier_id: int, online: bool, paid_at: dt.datetime, payment_ref: str = ""
) -> Dossier:
    """The fee was paid: record it and resume processing if the dossier waited for it."""
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        if dossier is None:
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        if dossier.fee_paid_at is not None:
            return dossier  # idempotent (a payment notice may arrive twice)
        Dossier.objects.filter(pk=dossier.pk).update(fee_paid_at=paid_at, fee_paid_online=online)
        dossier.fee_paid_at, dossier.fee_paid_online = paid_at, online
        stats_record_fee_paid(dossier=dossier, online=online)
        audit_record(
            actor=None,
            action="services.dossier_fee_paid",
            obj=dossier,
            org_unit=dossier.org_unit,
            after={"fee_amount": dossier.fee_amount, "online": online, "payment": payment_ref},
        )
        if dossier.status == Status.FINANCIAL:
            return dossier_act(
                user=None,
                dossier_id=dossier.pk,
                action_code="paid",
                version=dossier.version,
                system=True,
            )
    return dossier


def dossier_result_attach(*, dossier_id: int, digital: bool, ref: str) -> None:
    """The signed (or paper) result is ready; call before ``approve`` finishes it."""
    with transaction.atomic():
        Dossier.objects.filter(pk=dossier_id).update(result_digital=digital, result_ref=ref[:120])
        _track_cache_forget(
            Dossier.objects.filter(pk=dossier_id).values_list("number", flat=True).first()
        )
        audit_record(
            actor=None,
            action="services.dossier_result_attach",
            object_type="services.dossier",
            object_id=str(dossier_id),
            after={"digital": digital, "ref": ref[:120]},
        )


def dossier_rate(*, user: AnyUser, dossier_id: int, rating: str, comment: str = "") -> Dossier:
    """The applicant rates the service once, after the result was returned."""
    if rating not in RATINGS:
        raise ValidationError(_("Mức đánh giá không hợp lệ."))
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationError({"comment": [_("Góp ý tối đa 1.000 ký tự.")]})
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        if dossier is None:
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        if dossier.applicant_id != getattr(user, "pk", None):
            raise PermissionDenied(_("Chỉ người nộp hồ sơ mới được đánh giá."))
        if dossier.rated_at:
            raise ValidationError(_("Bạn đã đánh giá hồ sơ này."))
        if dossier.status != Status.RETURNED:
            raise ValidationError(_("Chỉ đánh giá được sau khi đã nhận kết quả."))
        dossier.rating, dossier.rated_at = rating, timezone.now()
        dossier.rating_comment = comment
        dossier.save(update_fields=["rating", "rating_comment", "rated_at"])
        stats_record_rating(dossier=dossier, rating=rating)
        audit_record(
            actor=user,
            action="services.dossier_rate",
            obj=dossier,
            org_unit=dossier.org_unit,
            after={"rating": rating, "comment": bool(comment)},
        )
    return dossier


# ---------------------------------------------------------------------------------------
# Fees: online payment (payments app) and cash at the counter
# ---------------------------------------------------------------------------------------

FEE_PURPOSE = "dossier_fee"
RESULT_PURPOSE = "dossier_result"
_POST_REF = re.compile(r"^[A-Z0-9][A-Z0-9\-]{5,39}$")


def _fee_request_due(dossier: Dossier, action_code: str) -> bool:
    """Does the procedure's fee timing ask for the (unpaid) fee now?"""
    if not dossier.fee_amount or dossier.fee_paid_at is not None:
        return False
    timing = dossier.procedure.fee_timing
    due = (timing == Procedure.FeeTiming.BEFORE and dossier.status == Status.RECEIVED) or (
        timing == Procedure.FeeTiming.AFTER and action_code == "forward"
    )
    return (
        due
        and ProcessAction.objects.filter(from_step_id=dossier.step_id, code="request_fee").exists()
    )


def _fee_description(dossier: Dossier) -> str:
    return _("Phí, lệ phí hồ sơ %(number)s — %(procedure)s") % {
        "number": dossier.number,
        "procedure": dossier.procedure.name[:120],
    }


def _fee_check_payable(dossier: Dossier | None) -> Dossier:
    if dossier is None:
        raise PermissionDenied(_("Không tìm thấy hồ sơ."))
    if dossier.status != Status.FINANCIAL or not dossier.fee_amount:
        raise ValidationError(_("Hồ sơ này hiện không có khoản phí, lệ phí cần nộp."))
    if dossier.fee_paid_at is not None:
        raise ValidationError(_("Phí, lệ phí của hồ sơ này đã được nộp."))
    return dossier


def dossier_fee_pay_start(*, user: AnyUser, dossier_id: int, client_ip: str | None = None) -> Any:
    """The applicant opens (or resumes) the online payment of the fee; returns the
    ``Payment`` (send the browser to ``payments:start``)."""
    from tinhso.payments.services import payment_create

    dossier = Dossier.objects.select_related("procedure", "org_unit").filter(pk=dossier_id).first()
    if dossier is None or dossier.applicant_id is None or dossier.applicant_id != user.pk:
        raise PermissionDenied(_("Không tìm thấy hồ sơ của bạn."))
    _fee_check_payable(dossier)
    return payment_create(
        payer=user,
        org_unit=dossier.org_unit,
        amount=int(dossier.fee_amount or 0),
        purpose=FEE_PURPOSE,
        object_ref=str(dossier.pk),
        description=_fee_description(dossier),
        next_url=reverse("services:dossier", args=[dossier.pk]),
        client_ip=client_ip,
    )


def dossier_fee_collect_at_counter(*, officer: Any, dossier_id: int) -> Any:
    """An officer of the receiving unit takes the fee in cash at the counter (gateway
    "counter"): the payment is recorded and the dossier resumes, in one transaction."""
    from tinhso.payments.services import payment_counter_confirm, payment_create

    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        # permission first: whether a dossier exists or awaits a fee is not told to others
        if dossier is None or not user_can(
            user=officer, action="services.act.officer", org_unit=dossier.org_unit
        ):
            raise PermissionDenied(_("Bạn không có quyền thu phí cho hồ sơ này."))
        dossier = _fee_check_payable(dossier)
        payment = payment_create(
            payer=dossier.applicant or officer,
            org_unit=dossier.org_unit,
            amount=int(dossier.fee_amount or 0),
            purpose=FEE_PURPOSE,
            object_ref=str(dossier.pk),
            description=_fee_description(dossier),
            gateway="counter",
            next_url=reverse("services:dossier", args=[dossier.pk]),
        )
        return payment_counter_confirm(actor=officer, payment=payment)


def on_fee_paid(payment: Any) -> None:
    """payments' success callback for "dossier_fee" (inside the payment's transaction;
    raising rolls the payment back, so only a missing dossier raises)."""
    try:
        dossier_id = int(payment.object_ref)
    except ValueError as exc:
        raise ValidationError(f"bad dossier reference {payment.object_ref!r}") from exc
    dossier = Dossier.objects.filter(pk=dossier_id).only("fee_amount").first()
    if dossier is not None and dossier.fee_amount != payment.amount:
        audit_record(
            actor=None,
            action="services.dossier_fee_amount_mismatch",
            obj=dossier,
            extra={"payment": payment.txn_ref, "paid": payment.amount, "due": dossier.fee_amount},
        )
    dossier_payment_confirmed(
        dossier_id=dossier_id,
        online=payment.gateway != "counter",
        paid_at=payment.paid_at or timezone.now(),
        payment_ref=payment.txn_ref,
    )


# ---------------------------------------------------------------------------------------
# Results: draft (uploaded or generated), approval with a digital signature, delivery
# ---------------------------------------------------------------------------------------

RESULT_PREPARE_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.FINANCIAL)


def result_draft_get(dossier: Dossier) -> DossierFile | None:
    """The current (unsigned) draft result of the dossier, if any."""
    return dossier.files.filter(kind=DossierFile.Kind.RESULT).order_by("-pk").first()


def result_template_fields(dossier: Dossier) -> list[tuple[str, str]]:
    """The applicant's data printed on a result generated from the procedure's template."""
    from tinhso.services.eform import eform_display

    fields = [(_("Số hồ sơ"), dossier.number or ""), (_("Người nộp"), dossier.applicant_name)]
    if dossier.applicant_id_number:
        fields.append((_("Số định danh cá nhân"), dossier.applicant_id_number))
    fields += [
        (label, value)
        for label, value in eform_display(
            procedure=dossier.procedure, data=dossier.form_data, revision=dossier.form_revision
        )
        if value
    ]
    fields += result_template_lines(dossier=dossier)  # the procedure's result template
    fields.append((_("Thủ tục"), dossier.procedure.name))
    return fields


def _result_title(procedure: Procedure) -> str:
    template = ResultTemplate.objects.filter(procedure=procedure).first()
    if template is not None:
        return template.title[:150]
    # the catalogue's text runs several results together ("…Mã: KQ.G01.000064…"): keep
    # the first one's name
    first = re.split(r"Mã:|\n", procedure.result_name or "", maxsplit=1)[0]
    text = first.strip(" -+•.:")
    return (text or _("Kết quả giải quyết thủ tục hành chính"))[:150]


def dossier_result_prepare(
    *, user: AnyUser, dossier_id: int, upload: Any = None, generate: bool = False
) -> DossierFile:
    """The officer attaches the result PDF (checked by content) or generates it from the
    procedure's template with the applicant's data. It stays a draft, visible to the
    unit's officials only, until the head approves and signs it."""
    from django.core.files.base import ContentFile

    from tinhso.signing.documents import pdf_certificate_render
    from tinhso.signing.services import pdf_check

    if (upload is None) == (not generate):
        raise ValidationError(_("Hãy chọn tệp kết quả (PDF) hoặc tạo kết quả từ mẫu."))
    with atomic_with_files() as stored:
        dossier = _lock_dossier(dossier_id)
        if dossier is None or not dossier_visible(user=user, dossier=dossier):
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        if not user_can(user=user, action="services.act.officer", org_unit=dossier.org_unit):
            raise PermissionDenied(_("Bạn không có quyền chuẩn bị kết quả của hồ sơ này."))
        if dossier.status not in RESULT_PREPARE_STATUSES or dossier.result_ref:
            raise ValidationError(
                _("Không thể chuẩn bị kết quả khi hồ sơ đang ở trạng thái “%s”.")
                % Status(dossier.status).label
            )
        if upload is not None:
            checked = upload_check(upload=upload, allowed=["pdf"])
            upload.seek(0)
            data = upload.read()
            upload.seek(0)
            pdf_check(pdf_bytes=data)
            name, source = checked.name, "upload"
        else:
            data = pdf_certificate_render(
                title=_result_title(dossier.procedure),
                fields=result_template_fields(dossier),
                org_unit=dossier.org_unit,
                number=f"{dossier.number}/KQ",
            )
            name, source = f"ket-qua-{dossier.number}.pdf", "template"
        dossier.files.filter(kind=DossierFile.Kind.RESULT).delete()
        draft = DossierFile(
            dossier=dossier,
            kind=DossierFile.Kind.RESULT,
            original_name=name,
            content_type="application/pdf",
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=cast(User, user),  # an official: user_can above
        )
        draft.file.save(name, ContentFile(data), save=False)
        stored.append((draft.file.storage, draft.file.name))
        draft.save()
        now = timezone.now()
        dossier.version += 1
        dossier.save(update_fields=["version"])
        _event(
            dossier=dossier,
            actor=user,
            action="result_prepare",
            action_name=_("Chuẩn bị dự thảo kết quả")
            if source == "upload"
            else _("Tạo dự thảo kết quả từ mẫu"),
            from_status=dossier.status,
            from_step=dossier.step.name,
            at=now,
        )
        audit_record(
            actor=user,
            action="services.dossier_result_prepare",
            obj=dossier,
            org_unit=dossier.org_unit,
            after={"source": source, "sha256": draft.sha256, "size": draft.size},
        )
    return draft


def _approve_checks(*, user: AnyUser, dossier: Dossier | None, version: int) -> DossierFile:
    if dossier is None or not dossier_visible(user=user, dossier=dossier):
        raise PermissionDenied(_("Không tìm thấy hồ sơ."))
    if version != dossier.version:
        raise DossierConflict()
    action = ProcessAction.objects.filter(from_step_id=dossier.step_id, code="approve").first()
    if action is None:
        raise ValidationError(
            _("Không thể phê duyệt khi hồ sơ đang ở trạng thái “%s”.")
            % Status(dossier.status).label
        )
    if not action_allowed(user=user, action=action, dossier=dossier):
        raise PermissionDenied(_("Bạn không có quyền phê duyệt hồ sơ này."))
    draft = result_draft_get(dossier)
    if draft is None:
        raise ValidationError(_("Hồ sơ chưa có dự thảo kết quả để ký."))
    return draft


def dossier_approve_sign(
    *, user: AnyUser, dossier_id: int, version: int, comment: str = ""
) -> Dossier:
    """The unit head approves the dossier and signs its draft result (PAdES, the unit's
    certificate, visible stamp): the signed result is registered, attached (electronic
    result) and the dossier is processed — all or nothing.

    The signature (and its call to the timestamping authority) is made first, with no
    transaction open and no row locked; then, under the dossier's lock, the checks run again
    and the signature is kept only if the dossier and its draft did not change meanwhile
    (otherwise ``DossierConflict`` and nothing is written)."""
    from tinhso.signing.services import document_register, signature_prepare

    dossier = Dossier.objects.select_related("org_unit").filter(pk=dossier_id).first()
    draft = _approve_checks(user=user, dossier=dossier, version=version)
    assert dossier is not None
    with draft.file.open("rb") as fh:
        data = fh.read()
    prepared = signature_prepare(
        pdf_bytes=data,
        org_unit=dossier.org_unit,
        signer_user=cast(User, user),  # the unit head: _approve_checks above
        reason=_("Phê duyệt kết quả giải quyết TTHC, hồ sơ %s") % dossier.number,
        location=dossier.org_unit.agency_name,
        filename=f"ket-qua-{dossier.number}.pdf",
    )
    with transaction.atomic():
        locked = _lock_dossier(dossier_id)
        again = _approve_checks(user=user, dossier=locked, version=version)
        if again.pk != draft.pk or again.sha256 != draft.sha256:
            raise DossierConflict()
        doc = document_register(
            prepared=prepared, purpose=RESULT_PURPOSE, object_ref=str(dossier.pk)
        )
        dossier_result_attach(dossier_id=dossier.pk, digital=True, ref=doc.sha256)
        return dossier_act(
            user=user,
            dossier_id=dossier.pk,
            action_code="approve",
            version=version,
            comment=comment,
        )


def _post_ref_clean(post_ref: str) -> str:
    ref = (post_ref or "").strip().upper().replace(" ", "")
    if not _POST_REF.match(ref):
        raise ValidationError(
            {"post_ref": [_("Mã bưu gửi gồm 6–40 chữ cái không dấu, chữ số hoặc dấu gạch.")]}
        )
    return ref


@dataclass(frozen=True)
class ResultFile:
    content: bytes
    filename: str
    sha256: str


def dossier_result_download(
    *, user: AnyUser, dossier_id: int, remote_ip: str | None = None
) -> ResultFile:
    """The signed result, for the applicant or an official of the unit. The applicant's
    first download returns the result (status 10); every download is audited."""
    from tinhso.signing.selectors import signed_document_get

    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        if dossier is None or not dossier_visible(user=user, dossier=dossier):
            raise PermissionDenied(_("Không tìm thấy hồ sơ."))
        doc = signed_document_get(sha256=dossier.result_ref) if dossier.result_digital else None
        if doc is None or dossier.status not in (Status.PROCESSED, Status.RETURNED):
            raise ValidationError(_("Hồ sơ chưa có kết quả điện tử để tải về."))
        is_applicant = dossier.applicant_id is not None and dossier.applicant_id == user.pk
        first = is_applicant and dossier.result_downloaded_at is None
        if first:
            Dossier.objects.filter(pk=dossier.pk).update(result_downloaded_at=timezone.now())
            if dossier.status == Status.PROCESSED:
                dossier_act(
                    user=user,
                    dossier_id=dossier.pk,
                    action_code="deliver_online",
                    version=dossier.version,
                    system=True,
                )
        audit_record(
            actor=user,
            action="services.dossier_result_download",
            obj=dossier,
            org_unit=dossier.org_unit,
            extra={
                "sha256": doc.sha256,
                "by": "applicant" if is_applicant else "official",
                "first": first,
            },
            ip=remote_ip,
        )
        return ResultFile(doc.read_bytes(), f"ket-qua-{dossier.number}.pdf", doc.sha256)


def dossier_result_post(
    *, user: AnyUser, dossier_id: int, version: int, post_ref: str, comment: str = ""
) -> Dossier:
    """The officer sent the result by public post (tracking reference): status 10."""
    return dossier_act(
        user=user,
        dossier_id=dossier_id,
        action_code="send_post",
        version=version,
        comment=comment,
        post_ref=post_ref,
    )


# ---------------------------------------------------------------------------------------
# Catalogue review: an official settles what the imported source left unclear
# ---------------------------------------------------------------------------------------


def procedure_channel_settle(
    *,
    user: Any,
    channel_id: int,
    time_value: Decimal | None,
    time_unit: str,
    time_value_max: Decimal | None = None,
    fee_amount: int | None = None,
    fee_is_free: bool = False,
    note: str = "",
) -> ProcedureChannel:
    """Confirm a channel's processing time (with its unit) and, for glued records, its fee.
    Audited, with the source's raw text and the official's note; the channel can then take
    online dossiers. A channel that needs no review can be corrected the same way."""
    if not user_can(user=user, action="services.catalogue_review"):
        raise PermissionDenied(_("Bạn không có quyền rà soát danh mục thủ tục."))
    errors: dict[str, list[str]] = {}
    units = {u for u in ProcedureChannel.TimeUnit.values if u}
    if time_unit not in units:
        errors["time_unit"] = [_("Vui lòng chọn đơn vị thời hạn.")]
    if time_value is None or time_value <= 0 or time_value >= 10000:
        errors["time_value"] = [_("Thời hạn phải là số dương (nhỏ hơn 10 000).")]
    elif time_value_max is not None and time_value_max < time_value:
        errors["time_value_max"] = [_("Thời hạn tối đa không được nhỏ hơn thời hạn.")]
    if fee_amount is not None and fee_amount < 0:
        errors["fee_amount"] = [_("Phí không được âm.")]
    if fee_is_free and fee_amount:
        errors["fee_amount"] = [_("Thủ tục miễn phí không có mức phí.")]
    if not (note or "").strip():
        errors["note"] = [_("Vui lòng ghi căn cứ xác nhận (văn bản, trang, điều khoản).")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        channel = (
            ProcedureChannel.objects.select_for_update()
            .select_related("procedure")
            .filter(pk=channel_id)
            .first()
        )
        if channel is None:
            raise ValidationError(_("Không tìm thấy cách thức thực hiện."))
        fields = ("time_value", "time_value_max", "time_unit", "fee_amount", "fee_is_free")
        before = {f: str(getattr(channel, f)) for f in (*fields, "review")}
        channel.time_value, channel.time_value_max = time_value, time_value_max
        channel.time_unit = time_unit
        if channel.review == ProcedureChannel.Review.AMBIGUOUS or fee_amount is not None:
            channel.fee_amount = None if fee_is_free else fee_amount
            channel.fee_is_free = fee_is_free
            channel.fee_currency = "" if fee_is_free or fee_amount is None else "VND"
        channel.review = ProcedureChannel.Review.NONE
        channel.time_source = "official"
        channel.save()
        audit_record(
            actor=user,
            action="services.channel_settle",
            obj=channel.procedure,
            before=before,
            after={
                **{f: str(getattr(channel, f)) for f in fields},
                "channel": channel.channel,
                "raw": channel.raw[:500],
                "note": note.strip()[:500],
            },
        )
    return channel
