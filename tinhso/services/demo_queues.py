# ruff: noqa: S311  (demo data, not secrets)
"""Demo: open dossiers in every demo unit's queue, at every stage (issue 15).

The generated history (``demo_history``) ends at midnight, so only the last day's dossiers
are still open and a unit's queue holds a handful. This adds, per demo city (Dĩ An, Thuận
An), a few dozen dossiers made through the platform's own services as officials and
applicants would: just submitted online, received, being processed, waiting for a
supplement, waiting for the fee, waiting for the head's approval and signature. They are
demo rows (``is_demo``) and their applicants are ``gen.`` accounts, so the generator's
``generated_delete`` removes them with the rest. Idempotent: a city whose queue already
holds enough open dossiers gets none.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tinhso.accounts.models import Membership, Role, User
from tinhso.orgs.models import OrgUnit
from tinhso.services.models import Channel, Dossier, FormField, Procedure, ProcedureAgency, Status

CITIES = ("724", "725")
# the scanned document each demo upload stands for (a minimal, valid PDF)
DEMO_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# per city: how many dossiers end at each stage
PLAN = (
    ("new", 6),
    ("received", 5),
    ("processing", 6),
    ("supplement", 3),
    ("financial", 3),
    ("approval", 5),
)
ENOUGH = 25
APPLICANTS = 24
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Hoàng", "Thanh", "Hữu", "Thu")
GIVEN = ("An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Khang", "Lan", "Mai", "Nam", "Phúc")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _applicants(rng: random.Random) -> list[User]:
    have = list(User.objects.filter(username__startswith="gen.q", kind=User.Kind.CITIZEN))
    for i in range(len(have), APPLICANTS):
        have.append(
            User.objects.create(
                username=f"gen.q{i:03d}",
                kind=User.Kind.CITIZEN,
                full_name=_name(rng),
                citizen_id=f"0749{rng.randrange(10**8):08d}",
                phone=f"09{rng.randrange(10**8):08d}",
            )
        )
        have[-1].set_unusable_password()  # no login
        have[-1].save(update_fields=["password"])
    return have


def _form(procedure: Procedure, rng: random.Random) -> dict[str, str]:
    data: dict[str, str] = {}
    for f in procedure.form_fields.all():
        kind = f.kind
        if kind == FormField.Kind.DATE:
            data[f.name] = (
                timezone.localdate() - dt.timedelta(days=rng.randrange(3, 60))
            ).isoformat()
        elif kind == FormField.Kind.CHOICE and f.choices:
            data[f.name] = rng.choice(f.choices)
        elif kind in (FormField.Kind.COPIES, FormField.Kind.NUMBER):
            data[f.name] = str(rng.randrange(1, 4))
        elif kind == FormField.Kind.CITIZEN_ID:
            data[f.name] = f"0749{rng.randrange(10**8):08d}"
        elif kind == FormField.Kind.PHONE:
            data[f.name] = f"09{rng.randrange(10**8):08d}"
        elif kind == FormField.Kind.EMAIL:
            data[f.name] = "nguoinop@example.vn"
        elif kind == FormField.Kind.TEXTAREA:
            data[f.name] = "Đề nghị cơ quan xem xét giải quyết."
        else:
            data[f.name] = _name(rng) if "ten" in f.name else "Khu phố 1, phường Dĩ An"
    if not data:
        data["noi_dung"] = "Đề nghị cơ quan xem xét giải quyết."
    return data


def _online_open(procedure: Procedure) -> bool:
    from tinhso.services.selectors import procedure_channel

    online = procedure_channel(procedure=procedure, channel=Channel.ONLINE)
    return online is not None and not online.needs_review


def _staff(city: OrgUnit, role: str) -> User | None:
    m = (
        Membership.objects.filter(org_unit=city, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _open_in(city: OrgUnit) -> int:
    return Dossier.objects.filter(
        org_unit__path__startswith=city.path,
        status__in=(
            Status.NEW,
            Status.RECEIVED,
            Status.PROCESSING,
            Status.SUPPLEMENT,
            Status.FINANCIAL,
        ),
    ).count()


def demo_open_queues(*, stdout: TextIO | None = None, seed: int = 15) -> int:
    """Add the open dossiers; returns how many were made."""
    from tinhso.services.services import (
        ApplicantInfo,
        dossier_act,
        dossier_create_and_submit,
        dossier_register_in_person,
        dossier_result_prepare,
    )

    rng = random.Random(seed)
    made: list[int] = []
    # procedures that take online dossiers (their time and fee settled), for citizens
    no_fee = [
        p
        for p in Procedure.objects.filter(is_demo=True, is_active=True, form_fields__isnull=False)
        .exclude(channels__fee_amount__gt=0)
        .filter(applicants__icontains="Công dân")
        .distinct()
        .order_by("code")
        if _online_open(p)
    ]
    with_fee = list(
        Procedure.objects.filter(
            is_demo=True, is_active=True, channels__fee_amount__gt=0, fee_timing="before"
        )
        .distinct()
        .order_by("code")
    )
    if not no_fee:
        return 0
    people = _applicants(rng)
    for code in CITIES:
        city = OrgUnit.objects.filter(code=code, valid_to__isnull=True).first()
        if city is None or _open_in(city) >= ENOUGH:
            continue
        officer, head = _staff(city, Role.OFFICER), _staff(city, Role.HEAD)
        if officer is None or head is None:
            continue
        wards = list(
            OrgUnit.objects.filter(
                path__startswith=city.path, level=OrgUnit.Level.COMMUNE, valid_to__isnull=True
            ).order_by("code")
        )
        for stage, count in PLAN:
            for _i in range(count):
                pool = with_fee if stage == "financial" and with_fee else no_fee
                procedure = rng.choice(pool)
                receiving = [
                    u
                    for u in wards
                    if ProcedureAgency.objects.filter(procedure=procedure, org_unit=u).exists()
                ]
                if not receiving:
                    continue
                unit = rng.choice(receiving)
                person = rng.choice(people)
                pk = _one(
                    stage=stage,
                    procedure=procedure,
                    unit=unit,
                    person=person,
                    officer=officer,
                    form=_form(procedure, rng),
                    rng=rng,
                    services=(
                        ApplicantInfo,
                        dossier_act,
                        dossier_create_and_submit,
                        dossier_register_in_person,
                        dossier_result_prepare,
                    ),
                )
                if pk is not None:
                    made.append(pk)
    Dossier.objects.filter(pk__in=made).update(is_demo=True)
    if stdout and made:
        stdout.write(f"  hồ sơ đang giải quyết trong hàng đợi (minh họa): {len(made)}\n")
    return len(made)


def _one(
    *,
    stage: str,
    procedure: Procedure,
    unit: OrgUnit,
    person: User,
    officer: User,
    form: dict[str, str],
    rng: random.Random,
    services: tuple[Any, ...],
) -> int | None:
    """One dossier taken to ``stage``; None when the procedure cannot reach it (e.g. its
    online channel waits for an official's review)."""
    try:
        return _take(stage, procedure, unit, person, officer, form, rng, services)
    except (PermissionDenied, ValidationError):
        return None


def _take(  # noqa: PLR0917
    stage: str,
    procedure: Procedure,
    unit: OrgUnit,
    person: User,
    officer: User,
    form: dict[str, str],
    rng: random.Random,
    services: tuple[Any, ...],
) -> int:
    applicant_info, act, submit_online, register, prepare = services

    def step(d: Dossier, code: str, comment: str = "") -> Dossier:
        return act(
            user=officer, dossier_id=d.pk, action_code=code, version=d.version, comment=comment
        )

    if stage in ("new", "financial") or rng.random() < 0.6:
        d = submit_online(
            user=person,
            procedure=procedure,
            org_unit=unit,
            form_data=form,
            files={
                part.pk: [SimpleUploadedFile("giay-to.pdf", DEMO_PDF, "application/pdf")]
                for part in procedure.parts.filter(required=True)
            },
        )
        if stage == "new":
            return int(d.pk)
        d = step(d, "receive")
    else:  # handed in at the desk: received at once
        d = register(
            officer=officer,
            procedure=procedure,
            org_unit=unit,
            applicant=applicant_info(
                kind=person.kind,
                name=person.full_name,
                id_number=person.citizen_id or "",
                email="",
                phone=person.phone,
            ),
            form_data=form,
            files={},
        )
    if stage in ("received", "financial"):
        return int(d.pk)
    d = step(d, "assign")
    if stage == "supplement":
        d = step(d, "request_supplement", "Đề nghị bổ sung bản sao giấy tờ tùy thân còn hiệu lực.")
    elif stage == "approval":
        prepare(user=officer, dossier_id=d.pk, generate=True)
        d = step(Dossier.objects.get(pk=d.pk), "forward")
    return int(d.pk)
