"""Notifications to applicants through pluggable senders (email now; SMS, Zalo later).

A sender is ``(Notification) -> None`` registered under a name; ``settings.
TINHSO_NOTIFY_SENDERS`` (default ``["email"]``) lists the ones in use. Messages are built
inside the transaction and sent after it commits, as a background task."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import send_mail

from tinhso.services.tasks import task_enqueue


@dataclass(frozen=True)
class Notification:
    email: str
    phone: str
    subject: str
    body: str
    dossier_number: str


Sender = Callable[[Notification], None]
_SENDERS: dict[str, Sender] = {}


def sender_register(name: str, sender: Sender) -> None:
    _SENDERS[name] = sender


def senders_active() -> list[Sender]:
    names = getattr(settings, "TINHSO_NOTIFY_SENDERS", ["email"])
    return [_SENDERS[n] for n in names if n in _SENDERS]


def email_send(n: Notification) -> None:
    if n.email:
        send_mail(n.subject, n.body, None, [n.email], fail_silently=False)


sender_register("email", email_send)


def notification_deliver(payload: dict[str, str]) -> None:
    n = Notification(**payload)
    for sender in senders_active():
        sender(n)


def notify_status_change(
    *, number: str, email: str, phone: str, status_label: str, action_name: str, comment: str
) -> None:
    body = [
        f"Hồ sơ số {number}: {action_name}.",
        f"Trạng thái hiện tại: {status_label}.",
    ]
    if comment:
        body.append(f"Ghi chú của cơ quan: {comment}")
    body.append(f"Tra cứu: /dich-vu-cong/tra-cuu/?so={number}")
    n = Notification(
        email=email,
        phone=phone,
        subject=f"[Tỉnh Số] Hồ sơ {number}: {status_label}",
        body="\n".join(body),
        dossier_number=number,
    )
    task_enqueue(notification_deliver, asdict(n))
