"""Core benchmarks: SQLite and PostgreSQL side by side.

Prints, for each database: the time to seed Hà Nội at the seed's scale (633 agencies of 2024,
31,345 official accounts, plus both eras of Vietnam's units), and p50/p95 latency over HTTP of
  - the as-of hierarchy query  GET /api/v1/org/units?as_of=2024-06-30&parent=01,
  - an authenticated API call   GET /api/v1/org/agencies?as_of=…  with a bearer token,
  - the peer: a bare Django view on the same server (same middleware, no database).
The server is gunicorn with 2 workers (this machine has 2 cores); requests go one at a time from
one client, so the figures are latencies, not throughput.

    .venv/bin/python bench/run.py            # full scale
    .venv/bin/python bench/run.py --smoke    # small and quick, for CI
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://congso@127.0.0.1:5432/congso_bench")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _pg_available() -> bool:
    try:
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-q",
                "-c",
                "DROP DATABASE IF EXISTS congso_bench",
                "-c",
                "CREATE DATABASE congso_bench OWNER congso",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return True
    except (OSError, subprocess.SubprocessError):
        return False


def _token(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup()\n"
        "from congso.core.accounts.models import User\n"
        "from congso.core.accounts.services import api_token_create\n"
        "u = User.objects.get(username='chuyenvien.sokhcn')\n"
        "print(api_token_create(actor=u, user=u, name='bench').secret)\n"
    )
    out = subprocess.run(
        [str(BIN / "python"), "-c", code], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def _latencies(port: int, path: str, n: int, headers: dict[str, str]) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    samples = []
    for i in range(n + 20):
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        elapsed = time.perf_counter() - start
        if resp.status != 200:
            raise RuntimeError(f"{path} -> {resp.status}: {body[:300]!r}")
        if i >= 20:  # warm-up
            samples.append(elapsed * 1000)
    conn.close()
    return samples


def _pct(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(q) - 1]


def bench_backend(name: str, db_url: str | None, smoke: bool, n: int) -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"congso-bench-{name}-"))
    env = {
        **os.environ,
        "CONGSO_DATA_DIR": str(data_dir),
        "CONGSO_BENCH_URLS": "1",
        "CONGSO_LOG_LEVEL": "ERROR",
        "CONGSO_LOGIN_RATE_PER_MINUTE": "100000",
        "DJANGO_SETTINGS_MODULE": "congso.config.settings",
    }
    if db_url:
        env["CONGSO_DATABASE_URL"] = db_url
    congso = str(BIN / "congso")
    results: dict[str, float] = {}
    try:
        _run([congso, "migrate"], env)
        if smoke:
            env["CONGSO_ORG_LOAD_PROVINCES"] = "01"
            results["seed_s"] = _run([congso, "seed", "--scale", "demo", "--quiet"], env)
        else:
            results["seed_s"] = _run([congso, "seed", "--scale", "hanoi", "--quiet"], env)
            results["reseed_s"] = _run([congso, "seed", "--scale", "hanoi", "--quiet"], env)
        token = _token(env)
        port = _free_port()
        server = subprocess.Popen(
            [
                str(BIN / "python"),
                "-m",
                "gunicorn",
                "congso.config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--log-level",
                "error",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            auth = {"Authorization": f"Bearer {token}"}
            cases = {
                "bare": ("/_bench/bare", {}),
                "units_as_of": ("/api/v1/org/units?as_of=2024-06-30&parent=01", {}),
                "agencies_auth": ("/api/v1/org/agencies?as_of=2024-06-30&page_size=20", auth),
            }
            for case, (path, headers) in cases.items():
                samples = _latencies(port, path, n, headers)
                results[f"{case}_p50"] = _pct(samples, 50)
                results[f"{case}_p95"] = _pct(samples, 95)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--smoke", action="store_true", help="small data, few requests (CI)")
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    n = args.requests or (30 if args.smoke else 1000)
    backends: list[tuple[str, str | None]] = []
    if args.only in (None, "sqlite"):
        backends.append(("sqlite", None))
    if args.only in (None, "postgresql"):
        if _pg_available():
            backends.append(("postgresql", PG_URL))
        else:
            print("PostgreSQL không có ở 127.0.0.1:5432: bỏ qua cột PostgreSQL.", file=sys.stderr)
    table = {name: bench_backend(name, url, args.smoke, n) for name, url in backends}

    rows = [
        ("seed_s", "seed --scale " + ("demo (Hà Nội units only)" if args.smoke else "hanoi") + " (s)"),
        ("reseed_s", "re-run of the same seed, nothing new (s)"),
        ("units_as_of_p50", "as-of hierarchy query p50 (ms)"),
        ("units_as_of_p95", "as-of hierarchy query p95 (ms)"),
        ("agencies_auth_p50", "authenticated API call p50 (ms)"),
        ("agencies_auth_p95", "authenticated API call p95 (ms)"),
        ("bare_p50", "peer: bare Django view p50 (ms)"),
        ("bare_p95", "peer: bare Django view p95 (ms)"),
    ]
    names = list(table)
    print(
        f"\ncongso core bench — {'smoke' if args.smoke else 'full'}; {n} requests per case, 1 client, "
        "gunicorn 2 workers"
    )
    print(f"| {'figure':<44} | " + " | ".join(f"{name:>10}" for name in names) + " |")
    print(f"|{'-' * 46}|" + "|".join("-" * 12 for _ in names) + "|")
    for key, label in rows:
        if all(key not in table[name] for name in names):
            continue
        cells = " | ".join(f"{table[name].get(key, float('nan')):>10.2f}" for name in names)
        print(f"| {label:<44} | {cells} |")
    for name in names:
        t = table[name]
        print(
            f"{name}: as-of query p95 is {t['units_as_of_p95'] / t['bare_p95']:.1f}× the bare view's; "
            f"authenticated call p95 is {t['agencies_auth_p95'] / t['bare_p95']:.1f}×"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
