"""Installing the reference data (``tinhso.monitoring.reference``): the indicator catalogue
with its targets, and the scoring methodologies. Idempotent: a row is written, and audited,
only when the file differs from it; installing the same files again changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction

from tinhso.audit.services import audit_record
from tinhso.monitoring.models import Component, Indicator, MainIndicator, Methodology, Target
from tinhso.monitoring.reference import (
    IndicatorCatalogue,
    IndicatorSpec,
    MethodologyCatalogue,
    MethodologySpec,
)
from tinhso.monitoring.selectors import reporting_units
from tinhso.monitoring.services.common import figures_changed
from tinhso.monitoring.services.targets import target_path_interpolate
from tinhso.monitoring.stored import (
    EVIDENCE_REPORT,
    EVIDENCE_STATS,
    SOURCE_CASCADED,
    VERIFIER,
    stored_text,
)
from tinhso.orgs.models import OrgUnit

M = TypeVar("M", bound=models.Model)


@dataclass
class InstallReport:
    """What an install wrote: ``created`` and ``updated`` name the rows (``Indicator X``,
    ``Target X/74/2025`` …); ``skipped`` the criteria whose indicator is not installed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and Decimal(a) == Decimal(b)
    return bool(a == b)


def _upsert(
    model: type[M],
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    label: str,
    report: InstallReport,
    org_unit: OrgUnit | None = None,
) -> M:
    """Create the row, or update the fields that differ; audit either, and nothing else."""
    obj = model._default_manager.select_for_update().filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        audit_record(
            actor=None,
            action="monitoring.reference.create",
            obj=obj,
            org_unit=org_unit,
            after=values,
        )
        report.created.append(label)
        return obj
    diff = {k: v for k, v in values.items() if not _same(getattr(obj, k), v)}
    if diff:
        before = {k: getattr(obj, k) for k in diff}
        for k, v in diff.items():
            setattr(obj, k, v)
        obj.save(update_fields=list(diff))
        audit_record(
            actor=None,
            action="monitoring.reference.update",
            obj=obj,
            org_unit=org_unit,
            before=before,
            after=diff,
        )
        report.updated.append(label)
    return obj


def _current_unit(code: str) -> OrgUnit | None:
    return OrgUnit.objects.filter(code=code, valid_to__isnull=True).order_by("-valid_from").first()


def _target(
    ind: Indicator,
    unit: OrgUnit,
    year: int,
    values: dict[str, Any],
    report: InstallReport,
) -> bool:
    before = len(report.created) + len(report.updated)
    _upsert(
        Target,
        lookup={"indicator": ind, "org_unit": unit, "year": year},
        values=values,
        label=f"Target {ind.code}/{unit.code}/{year}",
        report=report,
        org_unit=unit,
    )
    return len(report.created) + len(report.updated) > before


def _indicator_install(
    spec: IndicatorSpec,
    *,
    order: int,
    province: OrgUnit | None,
    reporters: list[OrgUnit],
    is_demo: bool,
    report: InstallReport,
) -> Indicator:
    is_pct = spec.unit == Indicator.Unit.PERCENT
    ind = _upsert(
        Indicator,
        lookup={"code": spec.code},
        values={
            "name": spec.name,
            "name_en": spec.name_en,
            "description": spec.description,
            "pillar": str(spec.pillar),
            "unit": str(spec.unit),
            "direction": str(spec.direction),
            "method": str(spec.method),
            "scope": str(spec.scope),
            "computation": spec.computation,
            "numerator_label": spec.numerator_label,
            "denominator_label": spec.denominator_label,
            "factor": Decimal(100) if is_pct and spec.numerator_label else Decimal(1),
            "period_type": str(spec.period_type),
            "jump_threshold": spec.jump_threshold,
            "legal_source": spec.legal_source,
            "order": spec.order if spec.order is not None else order,
            "is_demo": is_demo,
        },
        label=f"Indicator {spec.code}",
        report=report,
    )
    if spec.responsible == "units":
        wanted = reporters
    elif spec.responsible:
        wanted = [u for c in spec.responsible if (u := _current_unit(c)) is not None]
    else:
        wanted = None
    if wanted is not None:
        had = set(ind.responsible_units.values_list("pk", flat=True))
        if had != {u.pk for u in wanted}:
            ind.responsible_units.set(wanted)
            audit_record(
                actor=None,
                action="monitoring.reference.update",
                obj=ind,
                after={"responsible_units": sorted(u.code for u in wanted)},
            )
            report.updated.append(f"Indicator {spec.code} responsible units")
    if province is None:
        return ind
    changed = False
    if spec.baseline is not None:
        changed |= _target(
            ind,
            province,
            spec.baseline.year,
            {
                "value": spec.baseline.value,
                "kind": Target.Kind.BASELINE,
                "source": spec.baseline.source,
                "comparator": "<=" if spec.direction == Indicator.Direction.LOWER else ">=",
            },
            report,
        )
    for t in spec.targets:
        changed |= _target(
            ind,
            province,
            t.year,
            {
                "value": t.value,
                "kind": Target.Kind.ENTERED,
                "comparator": t.comparator,
                "source": t.source,
            },
            report,
        )
    has_path = Target.objects.filter(
        indicator=ind, org_unit=province, kind=Target.Kind.INTERPOLATED
    ).exists()
    if changed or not has_path:
        target_path_interpolate(actor=None, indicator=ind, org_unit=province)
    if spec.cascade:
        for unit in reporters:
            for t in spec.targets:
                _target(
                    ind,
                    unit,
                    t.year,
                    {
                        "value": t.value,
                        "kind": Target.Kind.ENTERED,
                        "comparator": t.comparator,
                        "source": stored_text(SOURCE_CASCADED, source=t.source),
                    },
                    report,
                )
    return ind


@transaction.atomic
def indicators_install(
    *,
    catalogue: IndicatorCatalogue,
    is_demo: bool = False,
    report: InstallReport | None = None,
) -> tuple[dict[str, Indicator], InstallReport]:
    """Create or update the catalogue's indicators, their responsible units and the province's
    baselines and targets (cascaded to its departments and districts where the file says so);
    the years between targets are interpolated when a target changed."""
    report = report if report is not None else InstallReport()
    province = _current_unit(catalogue.province)
    if province is None:
        report.skipped.append(f"targets (no current unit {catalogue.province})")
    reporters = reporting_units(province=province)
    out: dict[str, Indicator] = {}
    for order, spec in enumerate(catalogue.indicators):
        out[spec.code] = _indicator_install(
            spec,
            order=order,
            province=province,
            reporters=reporters,
            is_demo=is_demo,
            report=report,
        )
    if report.changed:
        figures_changed()
    return out, report


def _methodology_install(
    spec: MethodologySpec, *, indicators: dict[str, Indicator], report: InstallReport
) -> Methodology:
    m = _upsert(
        Methodology,
        lookup={"code": spec.code},
        values={
            "name": spec.name,
            "legal_source": spec.legal_source,
            "subjects": str(spec.subjects),
            "max_points": spec.max_points,
            "status": str(spec.status),
            "note": spec.note,
        },
        label=f"Methodology {spec.code}",
        report=report,
    )
    for order, main_spec in enumerate(spec.mains):
        main = _upsert(
            MainIndicator,
            lookup={"methodology": m, "code": main_spec.code},
            values={
                "name": main_spec.name,
                "pillar": str(main_spec.pillar),
                "max_points": main_spec.max_points,
                "order": order,
            },
            label=f"Main {spec.code}/{main_spec.code}",
            report=report,
        )
        for corder, c in enumerate(main_spec.components):
            indicator = indicators.get(c.indicator) if c.indicator else None
            if c.indicator and indicator is None:
                # scored on an indicator that is not installed (e.g. a demo indicator)
                report.skipped.append(f"{spec.code}/{c.code} ({c.indicator})")
                continue
            evidence = c.evidence
            if evidence is None:
                evidence = EVIDENCE_STATS if c.metric else EVIDENCE_REPORT
            _upsert(
                Component,
                lookup={"main": main, "code": c.code},
                values={
                    "name": c.name,
                    "max_points": c.max_points,
                    "rule": str(c.rule),
                    "params": c.params,
                    "metric": c.metric,
                    "indicator": indicator,
                    "order": corder,
                    "evidence": evidence,
                    "verifier": VERIFIER if c.verifier is None else c.verifier,
                    "basis": str(c.basis),
                    "definition": c.definition,
                    "source": c.source,
                },
                label=f"Component {spec.code}/{main_spec.code}/{c.code}",
                report=report,
            )
    return m


@transaction.atomic
def methodologies_install_from(
    *,
    catalogue: MethodologyCatalogue,
    codes: Sequence[str] | None = None,
    report: InstallReport | None = None,
) -> tuple[list[Methodology], InstallReport]:
    """Create or update the catalogue's methodologies (only ``codes`` if given), their main
    indicators and criteria. A criterion scored on an indicator that is not installed is
    skipped (and reported)."""
    report = report if report is not None else InstallReport()
    indicators = {i.code: i for i in Indicator.objects.all()}
    out = [
        _methodology_install(spec, indicators=indicators, report=report)
        for spec in catalogue.methodologies
        if not codes or spec.code in codes
    ]
    if report.changed:
        figures_changed()
    return out, report


@transaction.atomic
def reference_install(
    *, indicators: IndicatorCatalogue, methodologies: MethodologyCatalogue
) -> InstallReport:
    """Install both catalogues in one transaction: all of it, or nothing."""
    report = InstallReport()
    indicators_install(catalogue=indicators, report=report)
    methodologies_install_from(catalogue=methodologies, report=report)
    return report
