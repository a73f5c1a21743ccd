"""Scoring methodologies shipped as data (versioned): Decision 766/2022 service index,
DTI 922/2022 (a department/district variant) and DTI 405/2025 (registered, components to
be entered). Group and main-indicator points follow FACTS.md §3 and §5; the components
are the platform's own measurable approximations, named as such.

The methodologies themselves, with their criteria, are reference data in
``tinhso/monitoring/reference/methodologies.json`` (``manage.py install_reference_data``
installs them); here are their codes and the installer the demo and tests call."""

from __future__ import annotations

from collections.abc import Sequence

from tinhso.monitoring.models import Methodology
from tinhso.monitoring.reference import methodologies_load
from tinhso.monitoring.services.reference import methodologies_install_from

QD766_2022 = "QD766-2022"  # version 1: the platform's own approximations (kept to reproduce)
QD766 = "QD766-2024"  # version 2: the criteria the national portal computes (FACTS §5)
DTI922 = "DTI922-2022"
DTI405 = "DTI405-2025"


def methodologies_install(*, codes: Sequence[str] | None = None) -> list[Methodology]:
    """Create or update the shipped methodologies (idempotent): those of the reference file,
    only ``codes`` if given."""
    catalogue = methodologies_load()
    installed, _report = methodologies_install_from(catalogue=catalogue, codes=codes)
    return installed
