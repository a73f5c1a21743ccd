"""Replacing earlier generated data."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import ForeignObjectRel, Model

from tinhso.services.generator.shares import GEN_PROCEDURE_PREFIX, GEN_USER_PREFIX
from tinhso.services.generator.writers import _is_pg
from tinhso.services.models import (
    Dossier,
    DossierCounter,
    DossierEvent,
    DossierFile,
    DossierPause,
    Procedure,
    ProcedureAgency,
    ServiceApplicantYear,
    StoredDocument,
)

# ---------------------------------------------------------------------------------------
# Replacing earlier generated data
# ---------------------------------------------------------------------------------------


def _referencing_models(models: Sequence[type[Model]]) -> set[type[Model]]:
    """Every other model whose rows point, directly or through another, at ``models``
    (including relations declared with ``related_name="+"``)."""
    found: set[type[Model]] = set()
    todo = list(models)
    while todo:
        m = todo.pop()
        for rel in m._meta.get_fields(include_hidden=True):
            other = rel.related_model if isinstance(rel, ForeignObjectRel) else None
            if isinstance(other, type) and other not in models and other not in found:
                found.add(other)
                todo.append(other)
    return found


def generated_delete() -> None:
    """Remove dossiers marked as demo (with their history), ``gen.`` applicants and ``GEN.``
    procedures; the aggregates are rebuilt by the next generation."""
    user_model = get_user_model()
    with transaction.atomic():
        truncated = (DossierEvent, DossierPause, DossierFile, DossierCounter, Dossier)
        # rows of other apps that point at dossiers or their history (the portal outbox,
        # feedback about a dossier, …): TRUNCATE only when none exist
        referencing = _referencing_models(truncated)
        if (
            _is_pg()
            and not Dossier.objects.filter(is_demo=False).exists()
            and not any(m._default_manager.exists() for m in referencing)
        ):
            tables = [m._meta.db_table for m in truncated] + [m._meta.db_table for m in referencing]
            with connection.cursor() as cur:
                cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
        else:
            ids = Dossier.objects.filter(is_demo=True).values("pk")
            # the demo's document stores hold items taken from generated history
            StoredDocument.objects.filter(dossier_id__in=ids).delete()
            DossierEvent.objects.filter(dossier_id__in=ids).delete()
            DossierPause.objects.filter(dossier_id__in=ids).delete()
            DossierFile.objects.filter(dossier_id__in=ids).delete()
            Dossier.objects.filter(is_demo=True).delete()
        ServiceApplicantYear.objects.filter(
            applicant__username__startswith=GEN_USER_PREFIX
        ).delete()
        user_model.objects.filter(username__startswith=GEN_USER_PREFIX).exclude(
            pk__in=Dossier.objects.exclude(applicant=None).values("applicant_id")
        ).delete()
        ProcedureAgency.objects.filter(procedure__code__startswith=GEN_PROCEDURE_PREFIX).delete()
        Procedure.objects.filter(code__startswith=GEN_PROCEDURE_PREFIX).delete()
