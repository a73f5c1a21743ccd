"""The replica router, tested with two databases."""

import pytest

from tinhso.dbrouter import ReplicaRouter, replica_reads
from tinhso.orgs.models import OrgUnit

pytestmark = pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")


def test_router_without_replica_reads_default(settings):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(OrgUnit) == "default"
    assert router.db_for_write(OrgUnit) == "default"


def test_router_with_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    router = ReplicaRouter()
    assert router.db_for_read(OrgUnit) == "default"  # outside a read-only view
    with replica_reads():
        assert router.db_for_read(OrgUnit) == "replica"
        assert router.db_for_write(OrgUnit) == "default"  # writes never go to the replica
    assert router.db_for_read(OrgUnit) == "default"
    assert router.allow_migrate("replica", "orgs") is False
    assert router.allow_migrate("default", "orgs") is True


def test_querysets_inside_block_target_the_replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    with replica_reads():
        assert OrgUnit.objects.all().db == "replica"
    assert OrgUnit.objects.all().db == "default"
