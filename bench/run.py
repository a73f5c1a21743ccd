"""Benchmark harness (``make bench``): a production-like server on PostgreSQL, measured with wrk.

Every throughput is also given as a ratio to a bare Django view (returns a constant) served by
the same server in the same run, so figures hold when the machine's speed drifts. Results go
to bench/RESULTS.md (median and p95/p99 over repeated runs).

    .venv/bin/python bench/run.py [--dossiers 100000] [--runs 3] [--duration 10] [--workers 2]

Scenarios whose endpoints do not exist yet are reported as "not measured" with the reason.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
LUA = ROOT / "bench" / "report.lua"
PORT = int(os.environ.get("BENCH_PORT", "8790"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=True
    )


def ensure_database(name: str) -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    raise SystemExit(f"server did not come up at {url}")


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError:
        return 0


def wrk(url: str, *, connections: int, duration: int, threads: int = 2) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "-s", str(LUA), url],
        check=True,
        text=True,
        capture_output=True,
    ).stdout
    line = [ln for ln in out.splitlines() if ln.startswith("{")][-1]
    return json.loads(line)


def worker_peak_rss_mb(master_pid: int) -> float:
    peaks = []
    for child in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        for ln in Path(f"/proc/{child}/status").read_text().splitlines():
            if ln.startswith("VmHWM:"):
                peaks.append(int(ln.split()[1]) / 1024)
    return max(peaks) if peaks else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dossiers", type=int, default=0, help="generate this many dossiers first")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--database", default="tinhso_bench")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")

    env = {
        **os.environ,
        "DATABASE_URL": ensure_database(args.database),
        "TINHSO_DEMO": "1",
        "TINHSO_BENCH": "1",
        "CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_demo")
    if args.dossiers:
        manage(env, "generate_province", "--dossiers", str(args.dossiers), "--seed", "1")

    server = subprocess.Popen(
        [PY, "manage.py", "serve", "--bind", f"127.0.0.1:{PORT}", "--workers", str(args.workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        wait_up(base + "/healthz")
        scenarios = [
            ("bare Django view", "/bench/bare", 32),
            ("home page", "/", 32),
            (
                "catalogue search (diacritics-insensitive)",
                "/api/v1/procedures?q=dang+ky+khai+sinh",
                16,
            ),
            (
                "public tracking",
                os.environ.get("BENCH_TRACK_PATH", "/api/v1/dossiers/track/NONE"),
                32,
            ),
            ("province dashboard", "/chuyen-doi-so/", 16),
            ("transparency page (index of all units)", "/chuyen-doi-so/minh-bach/", 16),
        ]
        results = []
        for name, path, conns in scenarios:
            code = status_of(base + path)
            if code not in (200, 404) or (code == 404 and "track" not in path):
                results.append({"name": name, "path": path, "skipped": f"HTTP {code}"})
                continue
            runs = [
                wrk(base + path, connections=conns, duration=args.duration)
                for _ in range(args.runs)
            ]
            results.append(
                {
                    "name": name,
                    "path": path,
                    "connections": conns,
                    "rps": statistics.median(r["rps"] for r in runs),
                    "p50": statistics.median(r["p50"] for r in runs),
                    "p95": statistics.median(r["p95"] for r in runs),
                    "p99": statistics.median(r["p99"] for r in runs),
                    "errors": sum(r["errors"] + r["non2xx"] for r in runs),
                }
            )
        peak = worker_peak_rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    write_results(args, results, peak)


def write_results(args: argparse.Namespace, results: list[dict], peak: float) -> None:
    bare = next((r["rps"] for r in results if r["name"] == "bare Django view" and "rps" in r), None)
    count = f"{args.dossiers:,}".replace(",", ".")
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now().strftime('%d/%m/%Y %H:%M')} · {platform.node()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · {pg} · "
        f"gunicorn {args.workers} workers · wrk, {args.runs} runs × {args.duration}s each "
        f"(medians) · dossiers generated: {count}",
        "",
        "| scenario | conns | req/s | × bare view | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "skipped" in r:
            lines.append(
                f"| {r['name']} (`{r['path']}`) | | not measured: {r['skipped']} | | | | | |"
            )
            continue
        ratio = f"{r['rps'] / bare:.2f}" if bare else "–"
        lines.append(
            f"| {r['name']} (`{r['path']}`) | {r['connections']} | {r['rps']:.0f} | {ratio} | "
            f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} |"
        )
    lines += ["", f"Peak resident memory of a worker: {peak:.0f} MB.", ""]
    out = ROOT / "bench" / "RESULTS.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
