"""Reporting benchmarks: SQLite and PostgreSQL side by side, DuckDB as the peer.

At the seed's scale — 134 forms, 2,136 indicators, Hà Nội's agencies of 2024 (≈633 with a unit),
36 monthly periods (2022M01–2024M12) — prints, per database:
  - import throughput (values/s), end to end from the file's bytes: CSV through the module's own
    parser (``parsers.rows_from_csv``, as the API does) and ``services.datavalues_import`` (all
    checks, all or nothing, audited; one file of ``--batch`` values per import); Excel through
    openpyxl (read-only) -> ValueRow and the same service (capped by ``--xlsx-values``: openpyxl,
    not the import, bounds it, at ~4,000 values/s whatever the scale);
  - p50/p95 of a city-wide roll-up of one indicator for a year (``selectors.rollup``, hierarchy of
    today, level 1 — 2024 ward data followed through the 2025 reorganisation);
  - the time of a full pivot (every indicator with values × top-level units × 12 months);
  - the memory peak of the process (ru_maxrss);
  - the peer: DuckDB over the same values (exported to a DuckDB table, with the unit -> target
    mapping as a table), the same roll-up and pivot, and the ratio.

    .venv/bin/python bench/reporting.py --smoke          # small, < 1 minute
    .venv/bin/python bench/reporting.py                  # default full size (see --values)
    .venv/bin/python bench/reporting.py --only postgresql --grid --periods 24  # every cell:
        # 2,136 indicators × 633 agencies × 24 months (BENCH_REP_PG_URL picks the database)

Values are generated in (indicator, month, agency) order, one CSV file per batch, written just
before it is imported (generation is not timed); the DuckDB peer reads the same values back
(PostgreSQL: COPY … TO, streamed to a CSV file).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("BENCH_REP_PG_URL", "postgres://congso@127.0.0.1:5432/congso_bench_rep")
PG_DB = PG_URL.rsplit("/", 1)[-1].split("?")[0]
FULL_VALUES = 200_000
SMOKE_VALUES = 20_000
BATCH = 200_000  # values per imported file (the service takes up to 2,000,000)
XLSX_CAP = 100_000


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
                f'DROP DATABASE IF EXISTS "{PG_DB}"',
                "-c",
                f'CREATE DATABASE "{PG_DB}" OWNER congso',
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return True
    except (OSError, subprocess.SubprocessError):
        return False


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


# --- The worker: runs inside one Django process per database -------------------------------------


def worker(
    values: int, smoke: bool, batch: int, xlsx_cap: int, n_periods: int, grid: bool
) -> dict[str, float | int | str]:
    import django

    django.setup()
    import csv
    import datetime as dt
    import io
    import resource

    from django.core.management import call_command
    from django.db import connection

    from congso.core.accounts.models import AccountKind, RoleAssignment, User
    from congso.core.org.models import Agency, valid_on
    from congso.core.search.text import fold
    from congso.core.seed import demo
    from congso.modules.reporting import parsers, selectors, services
    from congso.modules.reporting.hierarchy import unit_mapper
    from congso.modules.reporting.models import DataValue, Form, Indicator
    from congso.modules.reporting.periods import periods_of_year
    from congso.modules.reporting.services import SectionSpec, ValueRow

    out: dict[str, float | int | str] = {}
    call_command("migrate", verbosity=0)
    demo.seed_units()
    demo.seed_agencies()
    root = Agency.objects.get(code="000.00.00.H26", valid_to=None)
    admin = User.objects.create(
        username="bench.admin", kind=AccountKind.OFFICIAL, agency=root, full_name="Bench", search_name="bench"
    )
    RoleAssignment.objects.create(user=admin, role="admin", agency=root, scope="subtree")

    # Repositories at the seed's scale (bulk: the catalogue is not what is measured).
    combo = services.default_combo()
    n_ind = 2136 if not smoke else 60
    Indicator.objects.bulk_create(
        [
            Indicator(
                code=f"B{i:04d}",
                name=f"Chỉ tiêu {i}",
                search_name=fold(f"Chỉ tiêu {i}"),
                unit_of_measure="người",
                combo=combo,
            )
            for i in range(n_ind)
        ],
        batch_size=1000,
    )
    codes = [f"B{i:04d}" for i in range(n_ind)]
    n_forms = 134 if not smoke else 5
    per_form = max(1, n_ind // n_forms)
    for f in range(n_forms):
        services.form_create(
            actor=None,
            code=f"BF{f:03d}",
            name=f"Biểu {f}",
            sections=[SectionSpec("A", "A", codes[f * per_form : (f + 1) * per_form] or codes[:1])],
        )
    start, end = dt.date(2022, 1, 1), dt.date(2024, 12, 31)
    agencies = list(
        Agency.objects.filter(valid_on(start))
        .filter(valid_on(end))
        .exclude(unit=None)
        .order_by("code")
        .values_list("code", flat=True)
    )
    # The last n_periods months of 2022M01–2024M12: 2024 (the roll-up's year) is always there.
    periods = [p.code for y in (2022, 2023, 2024) for p in periods_of_year(y, "M")][-n_periods:]
    if grid:  # every cell: all indicators × agencies × periods
        values = n_ind * len(agencies) * len(periods)
    out.update(
        indicators=Indicator.objects.count(),
        forms=Form.objects.count(),
        agencies=len(agencies),
        periods=len(periods),
        values=values,
    )

    def rows(offset: int, count: int):
        """Values in (indicator, period, agency) order, so each indicator is complete."""
        per_ind = len(periods) * len(agencies)
        for k in range(offset, offset + count):
            i, rest = divmod(k, per_ind)
            p, a = divmod(rest, len(agencies))
            yield codes[i % n_ind], agencies[a], periods[p], (k * 7919) % 100_000

    def csv_file(offset: int, count: int) -> bytes:
        """One CSV file as an agency would upload it (codes need no quoting)."""
        lines = ["indicator,agency,period,value\n"]
        lines.extend(f"{i},{a},{p},{v}\n" for i, a, p, v in rows(offset, count))
        return "".join(lines).encode()

    # CSV: most of the values; Excel: 20 % up to xlsx_cap (openpyxl is the slow part of Excel).
    n_xlsx = min(values - int(values * 0.8), xlsx_cap)
    n_csv = values - n_xlsx

    def backend_cpu() -> float | None:
        """CPU seconds of this connection's PostgreSQL backend (a local server, /proc readable)."""
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    # Figures under load are judged with these: the CPU the import took in this process and in the
    # database backend, per value, and the machine's load average while it ran.
    csv_seconds = csv_cpu = 0.0
    loads: list[float] = []
    backend_before = backend_cpu()
    for offset in range(0, n_csv, batch):
        count = min(batch, n_csv - offset)
        data = csv_file(offset, count)
        t0, c0 = time.perf_counter(), time.process_time()
        parsed = parsers.rows_from_csv(data)
        services.datavalues_import(actor=admin, rows=parsed, source="bench-csv")
        csv_seconds += time.perf_counter() - t0
        csv_cpu += time.process_time() - c0
        loads.append(os.getloadavg()[0])
        del parsed, data
        if values >= 5_000_000 and (offset // batch) % 25 == 0:
            done = offset + count
            print(f"… {done:,} CSV values, {done / csv_seconds:,.0f}/s", file=sys.stderr, flush=True)
    out["csv_values_per_s"] = n_csv / csv_seconds if csv_seconds else 0.0
    out["csv_cpu_python_us"] = csv_cpu / max(n_csv, 1) * 1e6
    backend_after = backend_cpu()
    if backend_before is not None and backend_after is not None:
        out["csv_cpu_db_us"] = (backend_after - backend_before) / max(n_csv, 1) * 1e6
    out["csv_load"] = sum(loads) / len(loads) if loads else 0.0
    out["csv_values"] = n_csv

    from openpyxl import Workbook, load_workbook

    xlsx_seconds = 0.0
    for offset in range(n_csv, values, batch):
        count = min(batch, values - offset)
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Số liệu")
        sheet.append(["indicator", "agency", "period", "value"])
        for row in rows(offset, count):
            sheet.append(list(row))
        stream = io.BytesIO()
        book.save(stream)
        t0 = time.perf_counter()
        loaded = load_workbook(io.BytesIO(stream.getvalue()), read_only=True)
        parsed = [
            ValueRow(str(r[0]), str(r[1]), str(r[2]), r[3], ref=f"ô D{n + 2}")
            for n, r in enumerate(loaded.active.iter_rows(min_row=2, values_only=True))
        ]
        services.datavalues_import(actor=admin, rows=parsed, source="bench-xlsx")
        xlsx_seconds += time.perf_counter() - t0
    out["xlsx_values_per_s"] = n_xlsx / xlsx_seconds if xlsx_seconds else 0.0
    out["xlsx_values"] = n_xlsx
    out["stored"] = DataValue.objects.count()
    if connection.vendor == "postgresql":
        # What autovacuum does on its own within a minute of a bulk load; the roll-up's plan
        # depends on the statistics (a hash aggregate instead of a sort).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE reporting_data_value")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('reporting_data_value')")
            out["table_mb"] = cursor.fetchone()[0] / 1024 / 1024

    # Roll-up: one indicator, 12 months of 2024, today's hierarchy, level 1.
    today = dt.date.today()
    months = [p.code for p in periods_of_year(2024, "M")]
    target = codes[0]
    expected = None
    samples = []
    for i in range(40 if not smoke else 15):
        t0 = time.perf_counter()
        result = selectors.rollup(
            actor=admin, indicator_code=target, period_codes=months, hierarchy_as_of=today, level=1
        )
        elapsed = (time.perf_counter() - t0) * 1000
        if i >= 3:
            samples.append(elapsed)
        expected = sum(result.total.values())
    out["rollup_p50_ms"], out["rollup_p95_ms"] = _pct(samples, 50), _pct(samples, 95)
    with_values = list(
        Indicator.objects.filter(
            code__in=codes[: (values // (len(periods) * len(agencies))) + 1]
        ).values_list("code", flat=True)
    )
    t0 = time.perf_counter()
    for code in with_values:
        selectors.rollup(
            actor=admin, indicator_code=code, period_codes=months, hierarchy_as_of=today, level=1
        )
    out["pivot_s"] = time.perf_counter() - t0
    out["pivot_indicators"] = len(with_values)
    # Zero lag: a saved value is in the very next roll-up.
    services.datavalues_import(actor=admin, rows=[ValueRow(target, agencies[0], "2024M06", "123456789")])
    after = sum(
        selectors.rollup(
            actor=admin, indicator_code=target, period_codes=months, hierarchy_as_of=today, level=1
        ).total.values()
    )
    out["zero_lag"] = "yes" if after != expected else "NO"

    # The peer: DuckDB over the same values.
    import duckdb

    mapper = unit_mapper(today, 1)
    ind_ids = dict(Indicator.objects.values_list("code", "pk"))
    folder = Path(tempfile.mkdtemp(prefix="congso-duck-"))
    t0 = time.perf_counter()
    dump = folder / "values.csv"
    if connection.vendor == "postgresql":
        # Tens of millions of rows: stream them out with COPY, not through the ORM.
        with (
            connection.cursor() as cursor,
            dump.open("wb") as fh,
            cursor.cursor.copy(
                "COPY (SELECT indicator_id, unit_id, period, value FROM reporting_data_value)"
                " TO STDOUT WITH (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            for block in copy:
                fh.write(block)
    else:
        with dump.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["indicator_id", "unit_id", "period", "value"])
            writer.writerows(
                DataValue.objects.values_list("indicator_id", "unit_id", "period", "value").iterator(
                    chunk_size=50_000
                )
            )
    duck = duckdb.connect(str(folder / "peer.duckdb"))
    duck.execute(
        f"CREATE TABLE dv AS SELECT * FROM read_csv('{dump}', header=true, "
        "columns={'indicator_id':'INTEGER','unit_id':'INTEGER','period':'VARCHAR','value':'DOUBLE'})"
    )
    units = [u for (u,) in duck.execute("SELECT DISTINCT unit_id FROM dv").fetchall()]
    duck.execute("CREATE TABLE map (unit_id INTEGER, target INTEGER, weight DOUBLE)")
    duck.executemany(
        "INSERT INTO map VALUES (?, ?, ?)", [(u, t, float(w)) for u in units for t, w in mapper.targets(u)]
    )
    out["duck_load_s"] = time.perf_counter() - t0
    query = (
        "SELECT m.target, d.period, sum(d.value * m.weight) FROM dv d JOIN map m USING (unit_id) "
        "WHERE d.indicator_id = ? AND d.period IN (SELECT unnest(?)) GROUP BY 1, 2"
    )
    duck_samples = []
    for i in range(40 if not smoke else 15):
        t0 = time.perf_counter()
        duck.execute(query, [ind_ids[target], months]).fetchall()
        if i >= 3:
            duck_samples.append((time.perf_counter() - t0) * 1000)
    out["duck_p50_ms"], out["duck_p95_ms"] = _pct(duck_samples, 50), _pct(duck_samples, 95)
    t0 = time.perf_counter()
    duck.execute(
        "SELECT d.indicator_id, m.target, d.period, sum(d.value * m.weight) FROM dv d JOIN map m "
        "USING (unit_id) WHERE d.period IN (SELECT unnest(?)) GROUP BY 1, 2, 3",
        [months],
    ).fetchall()
    out["duck_pivot_s"] = time.perf_counter() - t0
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["vendor"] = connection.vendor
    duck.close()
    shutil.rmtree(folder, ignore_errors=True)
    return out


# --- The driver ----------------------------------------------------------------------------------


def run_backend(
    name: str,
    db_url: str | None,
    values: int,
    smoke: bool,
    batch: int,
    xlsx_cap: int,
    n_periods: int = 36,
    grid: bool = False,
) -> dict[str, float | int | str]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"congso-benchrep-{name}-"))
    env = {
        **os.environ,
        "CONGSO_DATA_DIR": str(data_dir),
        "CONGSO_LOG_LEVEL": "ERROR",
        "CONGSO_ORG_LOAD_PROVINCES": "01",
        "DJANGO_SETTINGS_MODULE": "congso.config.settings",
    }
    if db_url:
        env["CONGSO_DATABASE_URL"] = db_url
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", "--values", str(values)]
        + ["--batch", str(batch), "--xlsx-values", str(xlsx_cap), "--periods", str(n_periods)]
        + (["--grid"] if grid else [])
        + (["--smoke"] if smoke else []),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE if smoke else None,  # progress of long runs shows as it goes
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{name}: {(proc.stderr or '')[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - t0
    shutil.rmtree(data_dir, ignore_errors=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--values", type=int, default=None)
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--batch", type=int, default=BATCH, help="values per imported file")
    parser.add_argument("--periods", type=int, default=36, choices=range(12, 37), metavar="12..36")
    parser.add_argument("--grid", action="store_true", help="every indicator × agency × period")
    parser.add_argument("--xlsx-values", type=int, default=XLSX_CAP, help="cap on the Excel share")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    values = args.values or (SMOKE_VALUES if args.smoke else FULL_VALUES)
    if args.worker:
        sys.path.insert(0, str(ROOT / "src"))
        print(json.dumps(worker(values, args.smoke, args.batch, args.xlsx_values, args.periods, args.grid)))
        return 0
    backends: list[tuple[str, str | None]] = []
    if args.only in (None, "sqlite"):
        backends.append(("sqlite", None))
    if args.only in (None, "postgresql"):
        if _pg_available():
            backends.append(("postgresql", PG_URL))
        else:
            print("PostgreSQL không sẵn sàng (psql -h 127.0.0.1 -U postgres): bỏ qua.", file=sys.stderr)
    results = {
        name: run_backend(
            name, url, values, args.smoke, args.batch, args.xlsx_values, args.periods, args.grid
        )
        for name, url in backends
    }
    first = next(iter(results.values()))
    print(
        f"\nReporting bench — {'smoke' if args.smoke else 'full'}: {first['indicators']} indicators, "
        f"{first['forms']} forms, {first['agencies']} agencies (2024, with a unit), "
        f"{first['periods']} monthly periods, {first['values']:,} values imported "
        f"({first['csv_values']:,} from CSV, {first['xlsx_values']:,} from Excel, "
        f"{args.batch:,} a file), units of Hà Nội (province 01)."
    )
    rows = [
        ("import CSV (values/s)", "csv_values_per_s", "{:,.0f}"),
        ("  CPU a value, this process (µs)", "csv_cpu_python_us", "{:.2f}"),
        ("  CPU a value, PostgreSQL backend (µs)", "csv_cpu_db_us", "{:.2f}"),
        ("  load average (1 min) during the import", "csv_load", "{:.1f}"),
        ("import Excel (values/s)", "xlsx_values_per_s", "{:,.0f}"),
        ("roll-up 1 indicator × year, p50 (ms)", "rollup_p50_ms", "{:.1f}"),
        ("roll-up 1 indicator × year, p95 (ms)", "rollup_p95_ms", "{:.1f}"),
        ("  DuckDB peer p50 (ms)", "duck_p50_ms", "{:.2f}"),
        ("  DuckDB peer p95 (ms)", "duck_p95_ms", "{:.2f}"),
        ("  ratio p95 (congso / DuckDB)", None, None),
        ("full pivot (s)", "pivot_s", "{:.2f}"),
        ("  indicators in the pivot", "pivot_indicators", "{}"),
        ("  DuckDB pivot (s)", "duck_pivot_s", "{:.3f}"),
        ("  ratio pivot (congso / DuckDB)", None, None),
        ("DuckDB load (s)", "duck_load_s", "{:.1f}"),
        ("zero lag (saved value in next roll-up)", "zero_lag", "{}"),
        ("memory peak, ru_maxrss (MB)", "maxrss_mb", "{:.0f}"),
        ("values stored", "stored", "{:,}"),
        ("table with its indexes (MB)", "table_mb", "{:,.0f}"),
        ("wall time incl. seeding (s)", "wall_s", "{:.0f}"),
    ]
    names = list(results)
    print(f"{'':44}" + "".join(f"{n:>16}" for n in names))
    for label, key, fmt in rows:
        cells = []
        for n in names:
            r = results[n]
            if key is None and "p95" in label:
                cells.append(f"{r['rollup_p95_ms'] / max(r['duck_p95_ms'], 1e-9):.1f}×")
            elif key is None:
                cells.append(f"{r['pivot_s'] / max(r['duck_pivot_s'], 1e-9):.1f}×")
            elif key not in r:
                cells.append("—")
            else:
                cells.append(fmt.format(r[key]))
        print(f"{label:44}" + "".join(f"{c:>16}" for c in cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
