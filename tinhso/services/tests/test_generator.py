"""The synthetic-province generator: consistent, deterministic, aggregates equal to
``stats_rebuild`` (on PostgreSQL this compares the SQL GROUP BY with the Python rebuild)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from tinhso.services import deadlines
from tinhso.services.generator import (
    GEN_PROCEDURE_PREFIX,
    GeneratorError,
    province_generate,
    stats_snapshot,
)
from tinhso.services.models import (
    Dossier,
    DossierCounter,
    DossierEvent,
    DossierPause,
    Procedure,
    ServiceDailyStat,
    Status,
    StoredDocument,
)
from tinhso.services.selectors import procedure_search
from tinhso.services.services import dossier_number_next, stats_rebuild

pytestmark = pytest.mark.django_db(transaction=True)

END = dt.date(2026, 6, 30)


def _gen(n: int = 400, **kw):
    return province_generate(
        dossiers=n, seed=kw.pop("seed", 3), years=2, end=END, progress=False, **kw
    )


def _signature() -> list[tuple]:
    return list(
        Dossier.objects.order_by("number").values_list(
            "number", "status", "channel", "outcome", "rating", "fee_paid_online"
        )
    )


def test_generated_dossiers_are_consistent(services_demo):
    report = _gen(300, procedures=20)
    assert report.dossiers == Dossier.objects.count() == 300
    assert report.events == DossierEvent.objects.count() > 300 * 3
    assert report.procedures_added == 20
    numbers = set()
    required = dict(
        Procedure.objects.annotate(n=Count("parts", filter=Q(parts__required=True))).values_list(
            "pk", "n"
        )
    )
    for d in Dossier.objects.select_related("org_unit").prefetch_related("events"):
        local = deadlines.to_local(d.submitted_at)
        assert re.fullmatch(rf"{re.escape(d.org_unit.code)}-{local:%y%m%d}-\d{{4}}", d.number)
        numbers.add(d.number)
        assert 1 <= d.status <= 10 and d.is_demo
        events = list(d.events.all())
        assert events[0].to_status == Status.NEW and events[-1].to_status == d.status
        assert all(a.at <= b.at for a, b in itertools.pairwise(events))
        assert d.submitted_at < dt.datetime(2026, 6, 30, tzinfo=deadlines.TZ)
        if d.status in (Status.PROCESSED, Status.RETURNED) and d.due_at is None:
            assert d.outcome == "" and d.duration is None  # no legal time: no outcome
        elif d.status in (Status.PROCESSED, Status.RETURNED):
            assert d.outcome == deadlines.classify(d.finished_at, d.due_at)
        else:
            assert d.outcome == "" and d.finished_at is None
        if d.channel == 2:
            assert d.applicant_id and d.version == len(events)
        else:
            assert d.applicant_id is None and d.version == len(events) - 1
        if d.rating:
            assert d.status == Status.RETURNED and d.rated_at >= d.returned_at
        if d.paused_since:
            assert d.status in (Status.SUPPLEMENT, Status.FINANCIAL)
            assert d.pauses.filter(ended_at=None).count() == 1
        _assert_parts_as_the_live_code_counts(d, required)
    assert len(numbers) == 300
    assert DossierPause.objects.exists()
    # realistic shares (wide bands: 300 dossiers)
    total = Dossier.objects.count()
    online = Dossier.objects.filter(channel=2).count() / total
    finished = Dossier.objects.exclude(outcome="")
    late = finished.filter(outcome="late").count() / finished.count()
    assert 0.3 < online < 0.75 and 0.0 < late < 0.25
    assert Dossier.objects.exclude(rating="").exists()
    assert Dossier.objects.filter(fee_paid_at__isnull=False).exists()
    # the aggregates are what the reference rebuild computes
    before = stats_snapshot()
    assert before[0] and before[1] and before[2]
    # distinct applicants per unit subtree and year = the distinct count over the rows
    from .test_applicant_scopes import _exact

    assert before[3] == _exact()
    # monthly rows = the daily rows summed per unit and month
    monthly: dict = {}
    for (u, _code, day), counts in before[0].items():
        acc = monthly.setdefault((u, day.replace(day=1)), [0] * len(counts))
        for i, c in enumerate(counts):
            acc[i] += c
    assert {k: tuple(v) for k, v in monthly.items()} == before[2]
    stats_rebuild()
    assert stats_snapshot() == before
    # numbering continues after the generated numbers
    last = Dossier.objects.order_by("-submitted_at").select_related("org_unit").first()
    counter = DossierCounter.objects.get(
        agency_code=last.org_unit.code, day=deadlines.to_local(last.submitted_at).date()
    )
    assert counter.last == int(last.number.rsplit("-", 1)[1])
    with transaction.atomic():
        assert dossier_number_next(org_unit=last.org_unit, at=last.submitted_at) not in numbers


def _assert_parts_as_the_live_code_counts(d: Dossier, required: dict[int, int]) -> None:
    """Parts are counted at receipt (``store.store_on_receipt``): the required ones at least,
    reused only by an online applicant (from the store); an electronic dossier is so from
    its receipt, or from a later scan at the counter (``store.dossier_digitise``: a paper
    dossier, by an official, while it is still in hand)."""
    if d.received_at is None:
        assert (d.parts_total, d.parts_reused, d.digitised_at) == (0, 0, None)
        return
    assert d.parts_total >= required[d.procedure_id] and d.parts_reused <= d.parts_total
    if d.channel != 2:
        assert d.parts_reused == 0
    assert d.received_digitised == (d.digitised_at is not None)
    if d.digitised_at is not None and d.digitised_at != d.received_at:
        assert d.channel != 2 and d.digitised_by_id and d.digitised_at > d.received_at
        assert d.parts_total == required[d.procedure_id]  # counted before the scan
        assert d.finished_at is None or d.digitised_at < d.finished_at


def test_the_766_digitisation_group_has_history(services_demo):
    """After generation the Decision 766 digitisation criteria (C2: digitised dossiers, C3:
    reused parts) have values for the past years, growing as the store fills."""
    from tinhso.monitoring.rollup import metric_value
    from tinhso.orgs.selectors import orgunit_roots

    province_generate(dossiers=1500, seed=3, years=3, end=END, progress=False)
    stats_rebuild()
    (root,) = orgunit_roots()
    values = {}
    for year in (2024, 2025):
        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        reuse = metric_value(key="reuse_766", unit=root, start=start, end=end)
        digitised = metric_value(key="digitised_766", unit=root, start=start, end=end)
        assert reuse is not None and reuse.denominator > 0 and reuse.numerator > 0, year
        assert digitised is not None and digitised.numerator > 0, year
        assert 0 < reuse.value < 40  # a plausible share, not every part
        values[year] = reuse.value
    assert values[2024] < values[2025]
    assert Dossier.objects.filter(digitised_at__gt=F("received_at")).exists()  # later scans


def test_deterministic_for_a_seed_and_replace(services_demo):
    _gen(300)
    first = _signature()
    stats = stats_snapshot()[0]
    with pytest.raises(GeneratorError):
        _gen(300)  # without replace: refused, nothing changed
    assert _signature() == first
    _gen(300, replace=True)
    assert _signature() == first
    assert stats_snapshot()[0] == stats
    _gen(300, replace=True, seed=4)
    assert _signature() != first
    assert Dossier.objects.count() == 300


def test_replace_takes_the_demo_store_items_of_generated_history(services_demo):
    """``load_demo`` fills document stores from generated dossiers (their accepted files), so
    regenerating (``make bench`` on a fresh machine) must take those items with the history."""
    _gen(40)
    d = Dossier.objects.exclude(applicant=None).order_by("number").first()
    StoredDocument.objects.create(
        owner=d.applicant,
        doc_type="can-cuoc",
        title="Căn cước",
        source=StoredDocument.Source.ATTACHMENT,
        dossier=d,
        file="demo/cccd.pdf",
        original_name="cccd.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        accepted_at=d.submitted_at,
    )
    _gen(40, replace=True)
    assert Dossier.objects.count() == 40
    assert not StoredDocument.objects.exists()


def test_synthetic_procedures_are_searchable_without_diacritics(services_demo):
    _gen(0, procedures=200)
    gen = Procedure.objects.filter(code__startswith=GEN_PROCEDURE_PREFIX)
    assert gen.count() == 200
    name = gen.order_by("code").first().name
    words = " ".join(name.split()[:2])  # e.g. "Cấp lại"
    from tinhso.services.text import search_normalize

    found = procedure_search(q=search_normalize(words))
    assert name in set(found.values_list("name", flat=True))


def test_command(services_demo):
    out = io.StringIO()
    call_command(
        "generate_province", "--dossiers", "50", "--years", "1", "--no-progress", stdout=out
    )
    assert "50 hồ sơ" in out.getvalue()
    assert ServiceDailyStat.objects.exists()
    with pytest.raises(CommandError):
        call_command("generate_province", "--dossiers", "50", "--no-progress", stdout=out)
    with pytest.raises(CommandError):
        call_command("generate_province", "--dossiers", "-1", "--no-progress", stdout=out)


def test_due_dates_and_outcomes_follow_the_law(services_demo):
    """Every generated due date and outcome is what ``deadlines.due_at`` gives for the
    procedure's stated unit, holidays and the pauses closed so far (issue 11)."""
    from decimal import Decimal

    from tinhso.services.models import ProcedureChannel
    from tinhso.services.selectors import procedure_channel

    procs = list(Procedure.objects.filter(channels__isnull=False).distinct().order_by("code"))
    assert len(procs) >= 3
    # calendar periods as well as working time: one procedure in days, one in months
    ProcedureChannel.objects.filter(procedure=procs[0]).update(
        time_value=Decimal(15), time_value_max=None, time_unit="day", review=""
    )
    ProcedureChannel.objects.filter(procedure=procs[1]).update(
        time_value=Decimal(1), time_value_max=None, time_unit="month", review=""
    )
    _gen(600)
    cal = deadlines.calendar_load()
    units: set[str] = set()
    checked = 0
    for d in (
        Dossier.objects.filter(received_at__isnull=False)
        .select_related("procedure")
        .prefetch_related("pauses", "procedure__channels")
    ):
        channel = procedure_channel(procedure=d.procedure, channel=d.channel)
        duration = channel.duration if channel else None
        assert d.duration == duration, d.number
        if duration is None:
            assert d.due_at is None and d.outcome == ""
            continue
        units.add(duration.unit)
        closed = [(p.started_at, p.ended_at) for p in d.pauses.all() if p.ended_at]
        due = deadlines.due_at(received_at=d.received_at, duration=duration, pauses=closed, cal=cal)
        assert d.due_at == due, d.number
        local = deadlines.to_local(due)
        assert cal.is_working_day(local.date()), d.number  # never a weekend or Tết
        if duration.is_calendar:
            assert local.time() == dt.time(17, 0)
        if d.finished_at is not None:
            assert d.outcome == deadlines.classify(d.finished_at, due), d.number
        checked += 1
    assert checked > 300
    assert {"day", "month", "working_day"} <= units
