"""Process library, fee adjustments and the result preview (issue 16, part E)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tinhso.audit.models import AuditEntry
from tinhso.services.models import FeeAdjustment
from tinhso.services.studio.library import (
    LIBRARY,
    fee_adjust,
    fee_for_unit,
    library_errors,
    process_from_library,
    result_preview_pdf,
)
from tinhso.services.tests.test_studio import _build
from tinhso.services.workflow import process_validate

pytestmark = pytest.mark.django_db


def test_library_processes_are_valid_graphs() -> None:
    for key in LIBRARY:
        assert library_errors(key) == [], key


def test_process_from_library(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    process = process_from_library(user=admin, procedure=birth, key="lien-thong")
    birth.refresh_from_db()
    assert birth.process == process and process.is_active
    assert process_validate(process=process) == []
    assert process.steps.filter(code="handover").exists()
    assert AuditEntry.objects.filter(action="services.studio_process_from_library").exists()
    with pytest.raises(ValidationError):
        process_from_library(user=admin, procedure=birth, key="khong-co")
    with pytest.raises(PermissionDenied):
        process_from_library(user=user_named("canbo.dian"), procedure=birth, key="mot-buoc")


def test_fee_adjust_audited_and_used(birth, user_named, ward_dian) -> None:
    admin = user_named("vanphong.cds")
    with pytest.raises(ValidationError) as exc:
        fee_adjust(user=admin, procedure=birth, org_unit=ward_dian, amount=-1, reason="")
    assert set(exc.value.message_dict) == {"amount", "reason"}
    assert not FeeAdjustment.objects.exists()
    fee_adjust(user=admin, procedure=birth, org_unit=ward_dian, amount=8000, reason="NQ 01")
    fee_adjust(user=admin, procedure=birth, org_unit=ward_dian, amount=9000, reason="NQ 02")
    entry = AuditEntry.objects.filter(action="services.fee_adjust").order_by("-pk").first()
    assert entry is not None
    assert entry.changes["before"] == {"amount": 8000, "reason": "NQ 01"}
    assert fee_for_unit(procedure_id=birth.pk, org_unit_id=ward_dian.pk, catalogue=5) == 9000
    with pytest.raises(PermissionDenied):
        fee_adjust(
            user=user_named("lanhdao.thuanan"),
            procedure=birth,
            org_unit=ward_dian,
            amount=1,
            reason="x",
        )


def test_received_dossier_owes_the_adjusted_fee(birth, user_named, ward_dian, submit_birth):
    from tinhso.services.services import dossier_act

    fee_adjust(
        user=user_named("vanphong.cds"),
        procedure=birth,
        org_unit=ward_dian,
        amount=12000,
        reason="NQ 03",
    )
    dossier = submit_birth()
    dossier = dossier_act(
        user=user_named("canbo.dian"),
        dossier_id=dossier.pk,
        action_code="receive",
        version=dossier.version,
    )
    assert dossier.fee_amount == 12000


def test_result_preview_pdf(birth, user_named) -> None:
    admin = user_named("vanphong.cds")
    draft = _build(admin, birth)
    pdf = result_preview_pdf(user=admin, procedure=birth, fields=draft.fields)
    assert pdf.startswith(b"%PDF")


def test_demo_levels(services_demo, ward_dian) -> None:
    from django.utils import timezone

    from tinhso.services.studio import demo
    from tinhso.services.studio.readiness import FULL, INFO, ONLINE, readiness_list

    demo.demo_load()
    demo.demo_load()  # idempotent
    levels = {
        r.code: r.level for r in readiness_list(on=timezone.localdate(), unit_ids=[ward_dian.pk])
    }
    assert levels["1.001193"] == FULL
    assert levels["1.000894"] == FULL
    assert levels["1.004873"] == ONLINE
    assert levels["1.010041"] == INFO
