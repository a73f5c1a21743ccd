"""The service statistics' counters are defined once (``tinhso.services.statcounters``): the
live increments, the Python rebuild and the generator's SQL rebuild agree on every counter,
on the same dossiers."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F

from tinhso.services import statcounters
from tinhso.services.generator import province_generate, stats_rebuild_sql, stats_snapshot
from tinhso.services.models import (
    STAT_COUNTERS,
    Dossier,
    DossierPause,
    ServiceDailyStat,
    ServiceMonthlyStat,
    Status,
)
from tinhso.services.services import stats_rebuild
from tinhso.services.services.stats import _supplement_requests, stats_record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def province(services_demo):
    """Generated dossiers (every channel, outcome, fee, result and rating), and a few
    finished in time after two supplement requests (the generator asks at most once)."""
    province_generate(dossiers=800, seed=5, years=2, end=dt.date(2026, 6, 30), progress=False)
    finished = Dossier.objects.filter(
        outcome__in=(statcounters.EARLY, statcounters.ON_TIME), received_at__isnull=False
    ).order_by("pk")[:3]
    for d in finished:
        for _ in range(2):
            DossierPause.objects.create(
                dossier=d,
                status=Status.SUPPLEMENT,
                started_at=d.received_at,
                ended_at=d.received_at,
            )
    # the generator draws the document parts received and reused from the store, and paper
    # dossiers scanned at the counter after their receipt: the data hold both
    assert Dossier.objects.filter(parts_reused__gt=0).exists()
    assert Dossier.objects.filter(digitised_at__gt=F("received_at")).exists()


def _live_replay() -> None:
    """The increments the services add at each event, for every dossier as it stands."""
    ServiceDailyStat.objects.all().delete()
    ServiceMonthlyStat.objects.all().delete()
    for d in Dossier.objects.exclude(status=Status.DRAFT).select_related("procedure"):
        supplements = _supplement_requests(d)
        for moment in statcounters.MOMENTS:
            at = getattr(d, moment)
            if at is not None:
                stats_record(dossier=d, moment=moment, at=at, supplements=supplements)


def _by_counter(snapshot) -> dict[str, tuple[dict, dict]]:
    """Each counter's values per daily row and per monthly row (zeros left out)."""
    daily, _years, monthly, _scopes = snapshot
    out = {}
    for i, name in enumerate(STAT_COUNTERS):
        out[name] = (
            {k: v[i] for k, v in daily.items() if v[i]},
            {k: v[i] for k, v in monthly.items() if v[i]},
        )
    return out


def _assert_same(got, expected, what: str) -> None:
    for name in STAT_COUNTERS:
        assert got[name] == expected[name], f"{what}: counter {name} differs"


def test_every_counter_has_one_definition():
    assert tuple(dict.fromkeys(c.name for c in statcounters.COUNTERS)) == STAT_COUNTERS
    pairs = [(c.name, c.moment) for c in statcounters.COUNTERS]
    assert len(pairs) == len(set(pairs))  # one definition per counter and moment
    assert [f.name for f in ServiceDailyStat._meta.fields if f.name in STAT_COUNTERS] == list(
        STAT_COUNTERS
    )
    assert {c.moment for c in statcounters.COUNTERS} == set(statcounters.MOMENTS)


def test_live_increments_and_the_rebuild_agree_on_every_counter(province):
    stats_rebuild()
    rebuilt = _by_counter(stats_snapshot())
    for name in STAT_COUNTERS:  # the data exercise every counter
        assert sum(rebuilt[name][0].values()) > 0, name
    _live_replay()
    _assert_same(_by_counter(stats_snapshot()), rebuilt, "live increments vs rebuild")


@pytest.mark.postgres
def test_the_generator_sql_and_the_rebuild_agree_on_every_counter(province):
    assert connection.vendor == "postgresql"
    stats_rebuild()
    rebuilt = _by_counter(stats_snapshot())
    for name in STAT_COUNTERS:
        assert sum(rebuilt[name][0].values()) > 0, name
    ServiceDailyStat.objects.all().delete()
    stats_rebuild_sql()
    _assert_same(_by_counter(stats_snapshot()), rebuilt, "generator SQL vs rebuild")
