"""Notifications to applicants through channels behind one interface.

A channel is ``(Notification) -> None`` registered under a name (``sender_register``);
``settings.TINHSO_NOTIFY_SENDERS`` (default email and sms) lists the ones in use, so Zalo or
a real SMS provider is one more registered adapter plus a setting. Messages are built inside
the transaction; each channel's delivery is its own background task (``tinhso.services.
tasks.notification_send``), retried with backoff, sent once per message (idempotency key)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from tinhso.jobs.channels import sms_send


@dataclass(frozen=True)
class Notification:
    email: str
    phone: str
    subject: str
    body: str
    dossier_number: str
    sms: str = ""
    # the account the message is about (its notification preferences apply); None for an
    # applicant without an account (a counter dossier) or a message to officials
    user_id: int | None = None


Sender = Callable[[Notification], None]
_SENDERS: dict[str, Sender] = {}


def sender_register(name: str, sender: Sender) -> None:
    _SENDERS[name] = sender


def sender_get(name: str) -> Sender | None:
    return _SENDERS.get(name)


def senders_active() -> list[str]:
    names = getattr(settings, "TINHSO_NOTIFY_SENDERS", ["email"])
    return [n for n in names if n in _SENDERS]


def senders_for(n: Notification, *, channels_off: set[str] | None = None) -> list[str]:
    """The active channels minus those the recipient turned off on their profile page
    (``channels_off`` when the caller has read them already)."""
    from tinhso.accounts.selectors import user_notify_channels_off

    active = senders_active()
    if n.user_id is None:
        return active
    off = user_notify_channels_off(user_id=n.user_id) if channels_off is None else channels_off
    return [c for c in active if c not in off]


def email_send(n: Notification) -> None:
    if n.email:
        send_mail(n.subject, n.body, None, [n.email], fail_silently=False)


def sms_channel_send(n: Notification) -> None:
    if n.phone:
        sms_send(phone=n.phone, text=n.sms or n.subject)


sender_register("email", email_send)
sender_register("sms", sms_channel_send)


def absolute_url(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '')}{path}"


def notify_status_change(
    *,
    number: str,
    email: str,
    phone: str,
    status_label: str | Promise,
    action_name: str,
    comment: str,
    user_id: int | None = None,
) -> None:
    """The applicant's news of a status change, written in the applicant's language (the
    account's preferred language; Vietnamese for a dossier without an account), whoever
    made the change. ``status_label`` is lazy (``Status.label``) and ``action_name`` the
    stored (Vietnamese) name: both are translated here, not in the actor's language."""
    from tinhso.accounts.selectors import user_notify_settings
    from tinhso.services.workflow import stored_label

    prefs = user_notify_settings(user_id=user_id) if user_id else None
    language = prefs.language if prefs else settings.LANGUAGE_CODE
    link = absolute_url(f"/dich-vu-cong/tra-cuu/?so={number}")
    with translation.override(language):
        status = str(status_label)
        action = stored_label(action_name)
        body = [
            _("Hồ sơ số %(number)s: %(action)s.") % {"number": number, "action": action},
            _("Trạng thái hiện tại: %(status)s.") % {"status": status},
        ]
        if comment:
            body.append(_("Ghi chú của cơ quan: %(comment)s") % {"comment": comment})
        body.append(_("Tra cứu: %(link)s") % {"link": link})
        subject = _("[Tỉnh Số] Hồ sơ %(number)s: %(status)s") % {
            "number": number,
            "status": status,
        }
        # Translators: a text message (SMS), written without diacritics
        sms = _("Ho so %(number)s: %(status)s. Tra cuu: %(link)s") % {
            "number": number,
            "status": status,
            "link": link,
        }
    n = Notification(
        email=email,
        phone=phone,
        subject=subject,
        body="\n".join(body),
        dossier_number=number,
        sms=sms,
        user_id=user_id,
    )
    notification_send_all(n, channels_off=prefs.channels_off if prefs else None)


def notification_send_all(n: Notification, *, channels_off: set[str] | None = None) -> None:
    """Queue ``n`` on every active channel the recipient accepts (one retried, idempotent
    task per channel); call inside the transaction of the change it reports."""
    from tinhso.jobs.engine import enqueue
    from tinhso.services.tasks import notification_send

    key = uuid.uuid4().hex
    for channel in senders_for(n, channels_off=channels_off):
        enqueue(notification_send, channel=channel, key=key, payload=asdict(n))
