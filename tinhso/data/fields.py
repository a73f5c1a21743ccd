"""One definition of a dataset's catalogue fields: the fields its owner unit maintains (the
form, the edit page and ``dataset_update`` accept exactly these) and, for each, its name in
the CKAN API (``ckan``: a package key, or ``extras:<key>``) and its property in the DCAT-AP
export (``dcat``: a property path from the ``dcat:Dataset``). An empty name means the field is
not published there (the steward is a person; free-text provenance has no DCAT-AP property).
The owner unit, the name (fixed at creation), keywords and shared units are set apart."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DatasetField:
    name: str  # the model field
    ckan: str = ""
    dcat: str = ""


DATASET_FIELDS: tuple[DatasetField, ...] = (
    DatasetField("title", ckan="title", dcat="dct:title"),
    DatasetField("title_en", ckan="extras:title_en", dcat="dct:title"),
    DatasetField("description", ckan="notes", dcat="dct:description"),
    DatasetField("description_en", ckan="extras:description_en", dcat="dct:description"),
    DatasetField("theme", ckan="groups", dcat="dcat:theme"),
    DatasetField("contact_name", ckan="maintainer", dcat="dcat:contactPoint/vcard:fn"),
    DatasetField("contact_email", ckan="maintainer_email", dcat="dcat:contactPoint/vcard:hasEmail"),
    DatasetField("frequency", ckan="extras:frequency", dcat="dct:accrualPeriodicity"),
    DatasetField("licence", ckan="license_id", dcat="dcat:distribution/dct:license"),
    DatasetField("access_level", ckan="extras:access_level", dcat="dct:accessRights"),
    DatasetField("spatial_unit", dcat="dct:spatial"),
    DatasetField("spatial_label", ckan="extras:spatial_text", dcat="dct:spatial/skos:prefLabel"),
    DatasetField(
        "temporal_start", ckan="extras:temporal_start", dcat="dct:temporal/dcat:startDate"
    ),
    DatasetField("temporal_end", ckan="extras:temporal_end", dcat="dct:temporal/dcat:endDate"),
    DatasetField("source", ckan="extras:source"),
    DatasetField("steward"),
)

DATASET_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in DATASET_FIELDS)
# the fields that are foreign keys (forms and snapshots use their ``<name>_id``)
DATASET_FK_FIELDS = frozenset({"spatial_unit", "steward"})


def ckan_extra_value(value: Any) -> str:
    """A field's value as a CKAN extra (always a string)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
