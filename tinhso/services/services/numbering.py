"""Dossier numbers (per-agency daily counter) and tracking codes."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import cast

from django.db import connection
from django.db.models import Field

from tinhso.orgs.models import OrgUnit
from tinhso.services.models import (
    DossierCounter,
)
from tinhso.services.services.stats import _local_day

# ---------------------------------------------------------------------------------------
# Dossier numbering
# ---------------------------------------------------------------------------------------


def _counter_sql() -> str:
    qn = connection.ops.quote_name
    table = qn(DossierCounter._meta.db_table)
    code, day, last = (
        qn(cast(Field, DossierCounter._meta.get_field(f)).column)  # concrete columns
        for f in ("agency_code", "day", "last")
    )
    # identifiers come from the model, values are parameters
    return (
        f"INSERT INTO {table} ({code}, {day}, {last}) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT ({code}, {day}) DO UPDATE SET {last} = {table}.{last} + 1 "
        f"RETURNING {last}"
    )


TRACKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


def tracking_code_new() -> str:
    """A dossier's tracking code: 10 random characters (50 bits), printed on the receipt."""
    return "".join(secrets.choice(TRACKING_CODE_ALPHABET) for _ in range(10))


def dossier_number_next(*, org_unit: OrgUnit, at: dt.datetime) -> str:
    """``<agency code>-<YYMMDD>-<NNNN>``, from the per-agency daily counter. One statement
    creates or bumps the counter row (``INSERT … ON CONFLICT DO UPDATE … RETURNING``, on
    PostgreSQL and SQLite) and leaves it locked until the transaction ends, so concurrent
    submissions get distinct numbers and a rolled-back one gives its number back. Call it
    inside the transaction that stores the number."""
    day = _local_day(at)
    with connection.cursor() as cur:
        cur.execute(_counter_sql(), [org_unit.code, connection.ops.adapt_datefield_value(day)])
        last = cur.fetchone()[0]
    return f"{org_unit.code}-{day:%y%m%d}-{last:04d}"
