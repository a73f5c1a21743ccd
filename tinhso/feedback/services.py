"""Writes of the feedback app. Every step runs in one transaction that locks the feedback
row, checks the expected ``version``, appends a history event, writes the audit entry and
updates ``FeedbackMonthlyStat``; the sender's notification is sent after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F, Field
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.accounts.models import Membership, Role, User
from tinhso.audit.services import audit_record
from tinhso.feedback import permissions as perms
from tinhso.feedback.models import (
    FEEDBACK_COUNTERS,
    Category,
    Feedback,
    FeedbackCounter,
    FeedbackEvent,
    FeedbackFile,
    FeedbackMonthlyStat,
    FeedbackStatus,
    Outcome,
    Rating,
)
from tinhso.feedback.selectors import (
    feedback_can,
    feedback_due_at,
    feedback_due_for_reminder,
    feedback_office,
    feedback_route_suggest,
    tracking_hash,
)
from tinhso.files import StoredFiles, atomic_with_files
from tinhso.orgs.models import OrgUnit
from tinhso.services import deadlines
from tinhso.services.models import Dossier, Procedure
from tinhso.services.notifications import Notification, notification_send_all
from tinhso.uploads import CheckedUpload, upload_check

logger = logging.getLogger(__name__)

MAX_FILES = 3
ALLOWED_TYPES = ["pdf", "jpg", "png"]
SUBJECT_MAX = 255
TEXT_MAX = 10_000
REASON_MAX = 2_000


class FeedbackConflict(Exception):
    """The feedback changed since the user loaded it."""

    def __init__(self) -> None:
        super().__init__(
            _("Phản ánh vừa được người khác cập nhật. Vui lòng tải lại trang và kiểm tra.")
        )
        self.message = str(self.args[0])


class FeedbackThrottled(Exception):
    """Too many submissions from one client in the window."""

    def __init__(self) -> None:
        super().__init__(
            _("Bạn đã gửi quá nhiều phản ánh trong thời gian ngắn. Vui lòng thử lại sau.")
        )
        self.message = str(self.args[0])


# ---------------------------------------------------------------------------------------
# Counters (same transaction as the change)
# ---------------------------------------------------------------------------------------


def _month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, deadlines.TZ).date().replace(day=1)


def feedback_stats_bump(*, org_unit_id: int, moment: dt.datetime, **inc: int) -> None:
    row, _created = FeedbackMonthlyStat.objects.get_or_create(
        org_unit_id=org_unit_id, month=_month_of(moment)
    )
    FeedbackMonthlyStat.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in inc.items()})


def _handled_increments(outcome: str) -> dict[str, int]:
    return {
        "handled": 1,
        "handled_on_time": int(outcome == Outcome.ON_TIME),
        "handled_late": int(outcome == Outcome.LATE),
    }


def _first_complaint(feedback: Feedback) -> bool:
    """The first feedback about its dossier whose dossier was not already rated "not
    satisfied" (those are counted by the dossier ratings): one count per dossier."""
    if feedback.dossier_id is None or feedback.dossier is None:
        return False
    if feedback.dossier.rating == "unsatisfied":
        return False
    return not Feedback.objects.filter(dossier_id=feedback.dossier_id, pk__lt=feedback.pk).exists()


def feedback_stats_rebuild() -> int:
    """Recompute ``FeedbackMonthlyStat`` from the feedback rows (the live counters must
    equal this). Returns the number of rows written."""
    acc: dict[tuple[int, dt.date], dict[str, int]] = {}

    def add(unit_id: int, moment: dt.datetime, inc: dict[str, int]) -> None:
        row = acc.setdefault((unit_id, _month_of(moment)), dict.fromkeys(FEEDBACK_COUNTERS, 0))
        for k, v in inc.items():
            row[k] += v

    seen_dossiers: set[int] = set()
    for fb in Feedback.objects.select_related("dossier").order_by("pk").iterator(chunk_size=2000):
        add(fb.org_unit_id, fb.received_at, {"received": 1})
        done_at = fb.answered_at or fb.closed_at
        if done_at and fb.outcome:
            add(fb.org_unit_id, done_at, _handled_increments(fb.outcome))
        if fb.rated_at and fb.rating:
            add(fb.org_unit_id, fb.rated_at, {fb.rating: 1})
        if fb.dossier_id and fb.dossier_id not in seen_dossiers:
            seen_dossiers.add(fb.dossier_id)
            # what _first_complaint saw at submission cannot be known for old ratings;
            # the rule is applied with the dossier's current rating
            if fb.dossier is not None and fb.dossier.rating != "unsatisfied":
                add(fb.dossier.org_unit_id, fb.received_at, {"dossiers_complained": 1})
    with transaction.atomic():
        FeedbackMonthlyStat.objects.all().delete()
        FeedbackMonthlyStat.objects.bulk_create(
            [FeedbackMonthlyStat(org_unit_id=u, month=m, **v) for (u, m), v in acc.items()],
            batch_size=1000,
        )
        audit_record(actor=None, action="feedback.stats_rebuild", extra={"rows": len(acc)})
    return len(acc)


# ---------------------------------------------------------------------------------------
# Files: written inside the transaction, deleted again when it does not commit
# ---------------------------------------------------------------------------------------


def _check_files(files: Sequence[UploadedFile]) -> list[CheckedUpload]:
    if len(files) > MAX_FILES:
        raise ValidationError({"files": [_("Tối đa %(n)s tệp đính kèm.") % {"n": MAX_FILES}]})
    checked: list[CheckedUpload] = []
    errors: list[str] = []
    for up in files:
        try:
            checked.append(upload_check(upload=up, allowed=ALLOWED_TYPES))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def _store_files(
    *,
    feedback: Feedback,
    event: FeedbackEvent | None,
    checked: list[CheckedUpload],
    stored: StoredFiles,
) -> None:
    rows = []
    for c in checked:
        row = FeedbackFile(
            feedback=feedback,
            event=event,
            original_name=c.name,
            content_type=c.mime,
            size=c.size,
            sha256=c.sha256,
        )
        row.file.save(c.name, c.file, save=False)
        stored.append((row.file.storage, row.file.name))
        rows.append(row)
    FeedbackFile.objects.bulk_create(rows)


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _counter_sql() -> str:
    qn = connection.ops.quote_name
    table = qn(FeedbackCounter._meta.db_table)
    fields = [cast("Field[Any, Any]", FeedbackCounter._meta.get_field(f)) for f in ("day", "last")]
    day, last = (qn(f.column) for f in fields)
    return (
        f"INSERT INTO {table} ({day}, {last}) VALUES (%s, 1) "  # noqa: S608
        f"ON CONFLICT ({day}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}"
    )


def feedback_number_next(*, at: dt.datetime) -> str:
    """``PAKN-YYMMDD-NNNN`` from a daily counter (one statement, locked until commit)."""
    day = timezone.localtime(at, deadlines.TZ).date()
    with connection.cursor() as cur:
        cur.execute(_counter_sql(), [connection.ops.adapt_datefield_value(day)])
        last = cur.fetchone()[0]
    return f"PAKN-{day:%y%m%d}-{last:04d}"


def _event(
    *,
    feedback: Feedback,
    actor: User | None,
    action: str,
    action_name: str,
    comment: str = "",
    public: bool = True,
    at: dt.datetime | None = None,
) -> FeedbackEvent:
    return FeedbackEvent.objects.create(
        feedback=feedback,
        at=at or timezone.now(),
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=(getattr(actor, "display_name", "") or "")[:255] if actor else "",
        action=action,
        action_name=action_name,
        status=feedback.status,
        comment=comment,
        public=public,
    )


def _lock(pk: int, version: int | None) -> Feedback:
    fb = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("org_unit", "dossier", "procedure")
        .filter(pk=pk)
        .first()
    )
    if fb is None:
        raise PermissionDenied(_("Không tìm thấy phản ánh."))
    if version is not None and fb.version != version:
        raise FeedbackConflict()
    return fb


def _save(fb: Feedback, fields: list[str]) -> None:
    fb.version += 1
    fb.save(update_fields=[*fields, "version"])


def _notify(fb: Feedback, *, subject: str, body: str) -> None:
    if not (fb.sender_email or fb.sender_phone):
        return
    n = Notification(
        email=fb.sender_email,
        phone=fb.sender_phone,
        subject=subject,
        body=body,
        dossier_number=fb.number,
    )
    notification_send_all(n)


def _clean_text(value: str, *, field: str, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("Vui lòng nhập %s.") % label]})
    if len(value) > limit:
        raise ValidationError(
            {
                field: [
                    _("%(label)s tối đa %(n)s ký tự.") % {"label": label.capitalize(), "n": limit}
                ]
            }
        )
    return value


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DIGITS = re.compile(r"(?<!\w)(\+?84|0)?[\d .-]{8,14}\d(?!\w)")


def redact(text: str, *, names: Sequence[str] = ()) -> str:
    """The text without personal data: e-mail addresses, phone and ID numbers, the
    sender's name. The unit may edit the result before publishing."""
    out = _EMAIL.sub("[…]", text)
    out = _DIGITS.sub(
        lambda m: "[…]" if sum(ch.isdigit() for ch in m.group()) >= 9 else m.group(), out
    )
    for raw_name in names:
        name = raw_name.strip()
        if len(name) >= 3:
            out = re.sub(re.escape(name), "[…]", out, flags=re.IGNORECASE)
    return out


# ---------------------------------------------------------------------------------------
# Submitting
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackInput:
    category: str
    subject: str
    text: str
    name: str = ""
    email: str = ""
    phone: str = ""
    publish_consent: bool = False
    procedure: Procedure | None = None
    org_unit: OrgUnit | None = None  # the unit it is about
    dossier: Dossier | None = None


def _throttle(client_key: str, *, authenticated: bool) -> None:
    """At most N submissions per client per hour (anonymous clients fewer), counted in
    the cache; a submission that fails validation still counts (a flood is a flood)."""
    if authenticated:
        limit = int(getattr(settings, "TINHSO_FEEDBACK_USER_LIMIT", 20))
    else:
        limit = int(getattr(settings, "TINHSO_FEEDBACK_ANON_LIMIT", 5))
    key = f"feedback:throttle:{client_key}"
    try:
        cache.add(key, 0, 3600)
        count = cache.incr(key)
    except Exception:  # the cache is shared infrastructure: without it, do not refuse people
        logger.warning("feedback throttle cache unavailable", exc_info=True)
        return
    if count > limit:
        raise FeedbackThrottled()


def _validate_input(user: User | None, data: FeedbackInput) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if data.category not in Category.values:
        errors["category"] = [_("Vui lòng chọn loại phản ánh.")]
    values: dict[str, Any] = {}
    for fname, label, limit, value in (
        ("subject", _("tiêu đề"), SUBJECT_MAX, data.subject),
        ("text", _("nội dung"), TEXT_MAX, data.text),
    ):
        try:
            values[fname] = _clean_text(value, field=fname, label=label, limit=limit)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    logged_in = user is not None and getattr(user, "is_authenticated", False)
    email = (data.email or (user.email if logged_in and user else "") or "").strip()
    phone = (data.phone or (getattr(user, "phone", "") if logged_in else "") or "").strip()
    name = (data.name or (getattr(user, "display_name", "") if logged_in else "") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Địa chỉ thư điện tử không hợp lệ.")]
    if phone and not re.fullmatch(r"\+?[0-9 .-]{8,20}", phone):
        errors["phone"] = [_("Số điện thoại không hợp lệ.")]
    if not logged_in:
        if not name:
            errors["name"] = [_("Vui lòng nhập họ tên.")]
        if not email and not phone:
            errors["email"] = [_("Vui lòng để lại thư điện tử hoặc số điện thoại để nhận trả lời.")]
    if data.dossier is not None and (not logged_in or data.dossier.applicant_id != user.pk):  # type: ignore[union-attr]
        errors["dossier"] = [_("Chỉ phản ánh được về hồ sơ của chính bạn.")]
    if errors:
        raise ValidationError(errors)
    values.update(name=name[:255] or _("Người gửi"), email=email, phone=phone[:20])
    return values


def feedback_submit(
    *,
    user: User | None,
    data: FeedbackInput,
    files: Sequence[UploadedFile] = (),
    client_key: str,
    now: dt.datetime | None = None,
) -> tuple[Feedback, str]:
    """Receive a feedback or petition. Returns it and its secret tracking code (shown to
    the sender once and sent by e-mail; only its hash is stored). On any error nothing is
    stored: no row, no file."""
    logged_in = user is not None and getattr(user, "is_authenticated", False)
    _throttle(
        f"user:{user.pk}" if logged_in and user else f"ip:{client_key}", authenticated=logged_in
    )
    values = _validate_input(user, data)
    checked = _check_files(files)
    now = now or timezone.now()
    office = feedback_office()
    code = secrets.token_urlsafe(12)
    procedure = data.procedure or (data.dossier.procedure if data.dossier else None)
    with atomic_with_files() as stored:
        fb = Feedback.objects.create(
            number=feedback_number_next(at=now),
            tracking_hash=tracking_hash(code),
            category=data.category,
            subject=values["subject"],
            text=values["text"],
            sender=user if logged_in else None,
            sender_name=values["name"],
            sender_email=values["email"],
            sender_phone=values["phone"],
            publish_consent=data.publish_consent,
            procedure=procedure,
            dossier=data.dossier,
            about_unit=data.org_unit or (data.dossier.org_unit if data.dossier else None),
            org_unit=office,
            received_at=now,
            due_at=feedback_due_at(received_at=now),
        )
        event = _event(
            feedback=fb,
            actor=user if logged_in else None,
            action="submit",
            action_name=_("Tiếp nhận phản ánh, kiến nghị"),
            at=now,
        )
        _store_files(feedback=fb, event=event, checked=checked, stored=stored)
        feedback_stats_bump(org_unit_id=office.pk, moment=now, received=1)
        if _first_complaint(fb) and fb.dossier is not None:
            feedback_stats_bump(
                org_unit_id=fb.dossier.org_unit_id, moment=now, dossiers_complained=1
            )
        audit_record(
            actor=user if logged_in else None,
            action="feedback.submit",
            obj=fb,
            org_unit=office,
            after={"category": fb.category, "files": len(checked), "dossier": fb.dossier_id},
        )
        _notify(
            fb,
            subject=_("[Tỉnh Số] Đã tiếp nhận phản ánh %s") % fb.number,
            body=_(
                "Phản ánh, kiến nghị của bạn đã được tiếp nhận với số %(number)s.\n"
                "Mã tra cứu: %(code)s\nHạn xử lý: %(due)s.\n"
                "Tra cứu: /phan-anh/tra-cuu/?so=%(number)s"
            )
            % {
                "number": fb.number,
                "code": code,
                "due": timezone.localtime(fb.due_at, deadlines.TZ).strftime("%d/%m/%Y"),
            },
        )
    return fb, code


def feedback_add_info(
    *,
    feedback_id: int,
    user: User | None,
    code: str = "",
    text: str,
    files: Sequence[UploadedFile] = (),
) -> Feedback:
    """The sender adds information (text, files) while the feedback is open. The sender
    is recognised by login or by the tracking code."""
    text = _clean_text(text, field="text", label=_("nội dung bổ sung"), limit=TEXT_MAX)
    checked = _check_files(files)
    with atomic_with_files() as stored:
        fb = _lock(feedback_id, None)
        _check_sender(fb, user, code)
        if not fb.is_open:
            raise ValidationError(_("Phản ánh đã được xử lý xong, không bổ sung được nữa."))
        event = _event(
            feedback=fb,
            actor=user,
            action="add_info",
            action_name=_("Người gửi bổ sung thông tin"),
            comment=text,
            public=False,
        )
        _store_files(feedback=fb, event=event, checked=checked, stored=stored)
        _save(fb, [])
        audit_record(
            actor=user,
            action="feedback.add_info",
            obj=fb,
            org_unit=fb.org_unit,
            after={"files": len(checked)},
        )
    return fb


def _check_sender(fb: Feedback, user: User | None, code: str) -> None:
    if user is not None and getattr(user, "is_authenticated", False) and fb.sender_id == user.pk:
        return
    if code and fb.tracking_hash == tracking_hash(code):
        return
    raise PermissionDenied(_("Chỉ người gửi phản ánh mới thực hiện được thao tác này."))


# ---------------------------------------------------------------------------------------
# Handling: the receiving office forwards or closes; the unit drafts, the head approves
# ---------------------------------------------------------------------------------------


def _require(user: User, action: str, fb: Feedback, status: str) -> None:
    if fb.status != status:
        raise ValidationError(_("Thao tác không phù hợp với trạng thái hiện tại của phản ánh."))
    if not feedback_can(user=user, action=action, feedback=fb):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


def feedback_forward(
    *,
    user: User,
    feedback_id: int,
    version: int,
    org_unit: OrgUnit | None = None,
    category: str = "",
    comment: str = "",
    now: dt.datetime | None = None,
) -> Feedback:
    """Classify and forward to the responsible unit (default: the suggested route). The
    received counter moves with the feedback to the unit (month of receipt)."""
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.ROUTE, fb, FeedbackStatus.RECEIVED)
        if category:
            if category not in Category.values:
                raise ValidationError({"category": [_("Loại phản ánh không hợp lệ.")]})
            fb.category = category
        target = org_unit or feedback_route_suggest(feedback=fb)
        if target is None:
            raise ValidationError({"org_unit": [_("Vui lòng chọn đơn vị xử lý.")]})
        if not target.is_valid_on(timezone.localdate()):
            raise ValidationError({"org_unit": [_("Đơn vị này không còn hoạt động.")]})
        before = {"org_unit": fb.org_unit_id, "category": fb.category}
        if target.pk != fb.org_unit_id:
            feedback_stats_bump(org_unit_id=fb.org_unit_id, moment=fb.received_at, received=-1)
            feedback_stats_bump(org_unit_id=target.pk, moment=fb.received_at, received=1)
        fb.org_unit, fb.status, fb.forwarded_at = target, FeedbackStatus.PROCESSING, now
        _save(fb, ["org_unit", "status", "forwarded_at", "category"])
        _event(
            feedback=fb,
            actor=user,
            action="forward",
            action_name=_("Chuyển %s xử lý") % target.agency_name,
            comment=comment.strip(),
            at=now,
        )
        audit_record(
            actor=user,
            action="feedback.forward",
            obj=fb,
            org_unit=target,
            before=before,
            after={"org_unit": target.pk, "category": fb.category},
        )
    return fb


def _finish(fb: Feedback, now: dt.datetime) -> None:
    fb.outcome = Outcome.LATE if now > fb.due_at else Outcome.ON_TIME
    feedback_stats_bump(org_unit_id=fb.org_unit_id, moment=now, **_handled_increments(fb.outcome))


def feedback_close(
    *, user: User, feedback_id: int, version: int, reason: str, now: dt.datetime | None = None
) -> Feedback:
    """Close a feedback outside the province's competence, with the reason sent to the
    sender (it counts as handled, on time or late)."""
    reason = _clean_text(reason, field="reason", label=_("lý do"), limit=REASON_MAX)
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.ROUTE, fb, FeedbackStatus.RECEIVED)
        fb.status, fb.close_reason, fb.closed_at = FeedbackStatus.CLOSED, reason, now
        _finish(fb, now)
        _save(fb, ["status", "close_reason", "closed_at", "outcome"])
        _event(
            feedback=fb,
            actor=user,
            action="close",
            action_name=_("Đóng: ngoài thẩm quyền giải quyết"),
            comment=reason,
            at=now,
        )
        audit_record(
            actor=user,
            action="feedback.close",
            obj=fb,
            org_unit=fb.org_unit,
            after={"outcome": fb.outcome},
        )
        _notify(
            fb,
            subject=_("[Tỉnh Số] Phản ánh %s đã đóng") % fb.number,
            body=_(
                "Phản ánh %(number)s không thuộc thẩm quyền giải quyết của tỉnh.\nLý do: %(reason)s"
            )
            % {"number": fb.number, "reason": reason},
        )
    return fb


def feedback_draft_answer(
    *,
    user: User,
    feedback_id: int,
    version: int,
    answer: str,
    publish: bool = False,
    public_question: str = "",
) -> Feedback:
    """The unit's officer drafts the answer and proposes publishing it (only possible when
    the sender agreed); it goes to the unit head."""
    answer = _clean_text(answer, field="answer", label=_("nội dung trả lời"), limit=TEXT_MAX)
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.DRAFT, fb, FeedbackStatus.PROCESSING)
        if publish and not fb.publish_consent:
            raise ValidationError(
                {"publish": [_("Người gửi không đồng ý công khai phản ánh này.")]}
            )
        fb.answer_draft, fb.drafted_by, fb.publish_proposed = answer, user, publish
        fb.public_question = (
            (
                _clean_text(
                    public_question,
                    field="public_question",
                    label=_("nội dung công khai"),
                    limit=TEXT_MAX,
                    required=False,
                )
                or redact(f"{fb.text}", names=[fb.sender_name])
            )
            if publish
            else ""
        )
        fb.status = FeedbackStatus.APPROVAL
        _save(fb, ["answer_draft", "drafted_by", "publish_proposed", "public_question", "status"])
        _event(
            feedback=fb,
            actor=user,
            action="draft",
            action_name=_("Dự thảo trả lời, trình lãnh đạo duyệt"),
            public=True,
        )
        audit_record(
            actor=user,
            action="feedback.draft",
            obj=fb,
            org_unit=fb.org_unit,
            after={"publish": publish},
        )
    return fb


def feedback_return(*, user: User, feedback_id: int, version: int, comment: str) -> Feedback:
    """The head sends the draft back to the officer with a comment."""
    comment = _clean_text(comment, field="comment", label=_("ý kiến"), limit=REASON_MAX)
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.APPROVE, fb, FeedbackStatus.APPROVAL)
        fb.status = FeedbackStatus.PROCESSING
        _save(fb, ["status"])
        _event(
            feedback=fb,
            actor=user,
            action="return",
            action_name=_("Lãnh đạo trả lại dự thảo"),
            comment=comment,
            public=False,
        )
        audit_record(actor=user, action="feedback.return", obj=fb, org_unit=fb.org_unit)
    return fb


def feedback_approve(
    *,
    user: User,
    feedback_id: int,
    version: int,
    answer: str = "",
    publish: bool | None = None,
    now: dt.datetime | None = None,
) -> Feedback:
    """The unit head approves (possibly editing) the answer: it is sent to the sender and,
    when the sender agreed and the unit decides (``publish``, default: the officer's
    proposal), published without personal data."""
    now = now or timezone.now()
    with transaction.atomic():
        fb = _lock(feedback_id, version)
        _require(user, perms.APPROVE, fb, FeedbackStatus.APPROVAL)
        text = _clean_text(
            answer or fb.answer_draft, field="answer", label=_("nội dung trả lời"), limit=TEXT_MAX
        )
        do_publish = fb.publish_proposed if publish is None else publish
        if do_publish and not fb.publish_consent:
            raise ValidationError(
                {"publish": [_("Người gửi không đồng ý công khai phản ánh này.")]}
            )
        fb.answer, fb.answered_by, fb.answered_at = text, user, now
        fb.status = FeedbackStatus.ANSWERED
        if do_publish:
            fb.published_at = now
            fb.public_question = fb.public_question or redact(fb.text, names=[fb.sender_name])
            fb.public_subject = redact(fb.subject, names=[fb.sender_name])
        _finish(fb, now)
        _save(
            fb,
            [
                "answer",
                "answered_by",
                "answered_at",
                "status",
                "published_at",
                "public_subject",
                "public_question",
                "outcome",
            ],
        )
        _event(
            feedback=fb, actor=user, action="answer", action_name=_("Đã trả lời người gửi"), at=now
        )
        if do_publish:
            _event(
                feedback=fb,
                actor=user,
                action="publish",
                action_name=_("Công khai câu trả lời"),
                at=now,
            )
        audit_record(
            actor=user,
            action="feedback.answer",
            obj=fb,
            org_unit=fb.org_unit,
            after={"outcome": fb.outcome, "published": bool(do_publish)},
        )
        _notify(
            fb,
            subject=_("[Tỉnh Số] Trả lời phản ánh %s") % fb.number,
            body=_(
                "%(unit)s trả lời phản ánh %(number)s:\n\n%(answer)s\n\n"
                "Vui lòng đánh giá mức độ hài lòng tại trang tra cứu."
            )
            % {"unit": fb.org_unit.agency_name, "number": fb.number, "answer": text},
        )
    return fb


# ---------------------------------------------------------------------------------------
# Satisfaction
# ---------------------------------------------------------------------------------------


def feedback_rate(
    *,
    feedback_id: int,
    user: User | None,
    code: str = "",
    rating: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Feedback:
    """The sender rates the answer once: satisfied, or not satisfied with a reason."""
    if rating not in Rating.values:
        raise ValidationError({"rating": [_("Mức đánh giá không hợp lệ.")]})
    reason = _clean_text(
        reason,
        field="reason",
        label=_("lý do"),
        limit=REASON_MAX,
        required=rating == Rating.UNSATISFIED,
    )
    with transaction.atomic():
        fb = _lock(feedback_id, None)
        _check_sender(fb, user, code)
        if fb.status != FeedbackStatus.ANSWERED:
            raise ValidationError(_("Chỉ đánh giá được sau khi đã có trả lời."))
        if fb.rated_at:
            raise ValidationError(_("Bạn đã đánh giá trả lời này."))
        now = now or timezone.now()
        fb.rating, fb.rating_reason, fb.rated_at = rating, reason, now
        _save(fb, ["rating", "rating_reason", "rated_at"])
        feedback_stats_bump(org_unit_id=fb.org_unit_id, moment=now, **{rating: 1})
        _event(
            feedback=fb,
            actor=user,
            action="rate",
            action_name=_("Người gửi đánh giá: %s") % Rating(rating).label,
            public=True,
            at=now,
        )
        audit_record(
            actor=user,
            action="feedback.rate",
            obj=fb,
            org_unit=fb.org_unit,
            after={"rating": rating},
        )
    return fb


# ---------------------------------------------------------------------------------------
# Reminders (scheduled by the background worker)
# ---------------------------------------------------------------------------------------


def feedback_reminders_send(*, now: dt.datetime) -> int:
    """E-mail the officers and heads of each unit holding open feedback that is due within
    one working day or overdue; each feedback at most once a day. Returns how many
    feedback items were reminded of."""
    due = feedback_due_for_reminder(now=now)
    if not due:
        return 0
    day = timezone.localtime(now, deadlines.TZ).date()
    by_unit: dict[int, list[Feedback]] = {}
    for fb in due:
        by_unit.setdefault(fb.org_unit_id, []).append(fb)
    with transaction.atomic():
        for unit_id, items in by_unit.items():
            roles = [Role.OFFICER, Role.HEAD, Role.DX_OFFICE]
            emails = sorted(
                {
                    e
                    for e in Membership.objects.filter(org_unit_id=unit_id, role__in=roles)
                    .filter(user__is_active=True)
                    .values_list("user__email", flat=True)
                    if e
                }
            )
            lines = [
                f"{fb.number}: {fb.subject[:80]} — "
                + (_("quá hạn") if fb.due_at < now else _("sắp đến hạn"))
                + f" ({timezone.localtime(fb.due_at, deadlines.TZ):%d/%m/%Y %H:%M})"
                for fb in items
            ]
            for email in emails:
                n = Notification(
                    email=email,
                    phone="",
                    subject=_("[Tỉnh Số] %s phản ánh sắp đến hạn hoặc quá hạn") % len(items),
                    body="\n".join([*lines, "", "/phan-anh/xu-ly/"]),
                    dossier_number="",
                )
                notification_send_all(n)
            Feedback.objects.filter(pk__in=[fb.pk for fb in items]).update(reminded_on=day)
            audit_record(
                actor=None,
                action="feedback.remind",
                object_type="orgs.orgunit",
                object_id=str(unit_id),
                extra={"feedback": [fb.number for fb in items]},
            )
    return len(due)
