"""The unmodified ckanapi client (library and CLI) against a live server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ckanapi import NotFound, RemoteCKAN, ValidationError

pytestmark = pytest.mark.django_db(transaction=True)
CKANAPI = Path(sys.executable).parent / "ckanapi"


@pytest.fixture
def site(live_server, demo_users):
    from tinhso.data.demo import demo_load

    demo_load()
    return live_server.url


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{CKANAPI.parent}:{os.environ.get('PATH', '')}"}
    return subprocess.run(
        [str(CKANAPI), *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_remote_ckan_library(site):
    ckan = RemoteCKAN(site)
    result = ckan.action.package_search(
        q="cong nghiep", rows=5, **{"facet.field": ["organization"]}
    )
    assert result["count"] >= 1
    assert result["results"][0]["name"] == "khu-cong-nghiep"
    assert "organization" in result["search_facets"]
    assert ckan.action.package_show(id="co-so-y-te")["organization"]["title"] == "Sở Y tế"
    with pytest.raises(NotFound):
        ckan.action.package_show(id="ha-tang-so")  # shared, not public
    with pytest.raises(ValidationError):
        ckan.action.package_search(rows="nhieu")
    rid = ckan.action.package_show(id="truong-hoc")["resources"][0]["id"]
    rows = ckan.action.datastore_search(resource_id=rid, filters={"cap_hoc": "Tiểu học"}, limit=3)
    assert rows["total"] == 9 and len(rows["records"]) == 3
    get_only = RemoteCKAN(site, get_only=True)
    assert get_only.action.package_search(fq="res_format:JSON")["count"] == 1


def test_ckanapi_search_datasets_cli(site):
    proc = run_cli("search", "datasets", "q=du lich", "-r", site)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert [d["name"] for d in lines] == ["diem-du-lich"]
    proc = run_cli("search", "datasets", "-r", site)
    names = [json.loads(line)["name"] for line in proc.stdout.splitlines() if line.strip()]
    assert len(names) == 10 and "ha-tang-so" not in names


def test_ckanapi_dump_datasets_cli(site, tmp_path):
    out = tmp_path / "dump.jsonl"
    proc = run_cli("dump", "datasets", "--all", "-q", "-O", str(out), "-r", site)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    names = sorted(r["name"] for r in records)
    assert len(names) == 10 and "ho-so-mot-cua-di-an" not in names
    assert all(r["resources"] for r in records)
