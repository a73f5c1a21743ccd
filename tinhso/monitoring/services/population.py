"""Population figures (written through the orgs service; permission checked here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tinhso.monitoring.services.common import _require, figures_changed
from tinhso.monitoring.services.targets import _year
from tinhso.orgs.models import Population
from tinhso.orgs.services import population_set

# --- population (written through the orgs service; permission checked here) ----------------


@transaction.atomic
def population_save(
    *, actor: Any, year: Any, rows: Sequence[dict[str, Any]], is_demo: bool = False
) -> list[Population]:
    """Save the population of several units for one year, all or nothing.

    ``rows``: dicts with ``org_unit``, ``total``, ``adults`` and optional ``source``. Rows
    with both figures blank are skipped. A ``ValidationError`` lists every bad row (keyed
    ``"<unit code>"``) and nothing is stored."""
    figures_changed()
    year = _year(year)
    for row in rows:
        _require(
            actor,
            "monitoring.population_manage",
            row["org_unit"],
            _("Bạn không có quyền nhập dân số của đơn vị này."),
        )
    saved: list[Population] = []
    errors: dict[str, list[str]] = {}
    for row in rows:
        unit = row["org_unit"]
        total, adults = row.get("total"), row.get("adults")
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in (total, adults)):
            continue
        try:
            with transaction.atomic():
                saved.append(
                    population_set(
                        actor=actor,
                        org_unit=unit,
                        year=year,
                        total=total,
                        adults=adults,
                        source=row.get("source") or "",
                        is_demo=is_demo,
                    )
                )
        except ValidationError as exc:
            errors[unit.code] = [
                f"{unit.agency_name}: {m}" for msgs in exc.message_dict.values() for m in msgs
            ]
    if errors:
        raise ValidationError(errors)
    return saved
