"""Services benchmark (issue 5): one-stop dossiers — submission, public tracking, deadlines.

With ``--dossiers`` dossiers in the database (1,000,000 by default) prints:

  - sustained submissions per second and p50/p95 latency at ``--clients`` (50) concurrent clients:
    real authenticated API calls ``POST /api/v1/services/dossiers`` (a citizen's bearer token, a
    unique ``Idempotency-Key``, a form valid for the procedure and one small PDF per required
    document the state does not hold), over HTTP to gunicorn on 127.0.0.1 with the product's
    settings (DEBUG off). Twice: *closed loop* (every client sends its next request as soon as the
    last one is answered: the saturation throughput; latency is then queueing, Little's law) and
    *open loop* at ``--rate`` submissions/s (Poisson arrivals shared by the 50 clients; latency
    counted from the scheduled send time, so a backlog shows up in the figures);
  - the peer: a bare Django view on the same server (``/_bench/bare``, mounted only when
    ``CONGSO_BENCH_URLS=1``: ``congso.config.urls_bench``), same clients, same two loops;
  - the public tracking lookup ``GET /api/v1/services/track/{code}?token=…`` for codes and tokens
    of the filled dossiers, both loops (open loop at ``--track-rate``);
  - the time to compute the deadline (``core.calendar.workdays.deadline``) of ``--deadlines``
    (100,000) dossiers read from the table, in-process; beside it, a bench-side memoised variant
    (there is no bulk variant in the product: this shows what one would gain);
  - where the CPU went in each phase (server workers, our PostgreSQL backends, the load generator,
    the rest of the machine — other sessions share it).

Set-up, as bench/documents.py: one database per run — PostgreSQL when ``CONGSO_DATABASE_URL`` (or
``--database-url``) names one (its name must contain "bench": it is dropped and created afresh
unless ``--reuse`` finds it filled), else SQLite in a fresh directory. A worker process migrates,
seeds Hà Nội's units and agencies (127 one-stop units valid today: 126 communes and wards and the
city's centre) and the demo catalogue (35 procedures), a pool of citizens, then generates the
dossiers from 1 July 2025 (the catalogue and today's units start then) to yesterday: codes
``<desk>-<yymmdd>-<nnnn>`` in time order per desk and day (counter rows written to match),
weighted procedures, 60 % online, valid form data, files for the required documents, the tracking
digest of a token derived from the code, ``due_at`` from the working-day calendar and a status by
age. PostgreSQL: COPY with the secondary indexes dropped and rebuilt, then VACUUM ANALYZE.
SQLite: bulk_create. No audit events are generated for the fill (the chain stays valid); the
submissions made by the bench are audited as usual.

    .venv/bin/python bench/services.py --smoke       # CI: 2,000 dossiers, SQLite by default, < 1 min
    CONGSO_DATABASE_URL=postgres://congso@127.0.0.1:5432/congso_bench_services \\
        .venv/bin/python bench/services.py [--dossiers 100000] [--reuse]
    … --reuse --rate 25,200                         # open loop at several rates
    … --sweep sync:2,sync:3,sync:4,gthread:2x4      # compare gunicorn configurations, then stop
    … --reuse --profile 200 --no-load               # cProfile of submissions in-process, no HTTP load
    … --broker redis://127.0.0.1:6379/13            # scaled mode: tasks on Redis, one Celery worker

The server is gunicorn with 3 sync workers by default (``--server``; docs/benchmarks.md says why).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import itertools
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import bench_db  # bench/bench_db.py: the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
FULL_DOSSIERS = 1_000_000
SMOKE_DOSSIERS = 2_000
FULL_DEADLINES = 100_000
SMOKE_DEADLINES = 2_000
CLIENTS = 50
SMOKE_CLIENTS = 10
TARGET_RATE = 200.0  # submissions/s (issue 5)
TARGET_SUBMIT_P95_MS = 150.0
TARGET_TRACK_P95_MS = 20.0
TRACK_SAMPLE = 5_000
DEFAULT_SERVER = "sync:3"  # see docs/benchmarks.md, "Services (issue 5)": chosen with --sweep
CITY_ONE_STOP = "000.00.29.H26"

# Relative volume per procedure (chứng thực and hộ tịch dominate a ward's desk); others weigh 1.
PROCEDURE_WEIGHTS = {
    "2.000815": 30, "2.000884": 25, "1.001193": 10, "1.004873": 6, "1.004746": 6, "1.000894": 4,
    "1.010046": 5, "1.004194": 4, "1.004222": 4, "1.004200": 3, "1.000656": 2, "2.000720": 3,
    "2.000505": 4, "2.001610": 2, "2.001914": 2, "2.001035": 3, "2.001019": 1,
}  # fmt: skip
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Hải", "Xuân", "Bảo"]
GIVEN = [
    "An", "Bình", "Cường", "Dung", "Giang", "Hà", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Linh",
    "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn",
]  # fmt: skip
STREETS = [
    "Phan Đình Phùng", "Hàng Bài", "Kim Mã", "Láng Hạ", "Nguyễn Trãi", "Giải Phóng", "Xuân Thủy",
    "Trần Duy Hưng", "Nguyễn Văn Cừ", "Lê Duẩn", "Hoàng Quốc Việt", "Minh Khai", "Tây Sơn",
]  # fmt: skip
TRADES = ["Dịch vụ ăn uống", "Bán lẻ tạp hóa", "Sửa chữa xe máy", "May mặc", "Cắt tóc, gội đầu"]
TEXTS = [
    "Đề nghị giải quyết theo quy định",
    "Sử dụng để bổ sung hồ sơ xin việc",
    "Làm thủ tục vay vốn ngân hàng",
    "Bổ sung hồ sơ nhập học cho con",
    "Hoàn thiện hồ sơ mua bán nhà đất",
]


def _pct(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def bench_token(code: str) -> str:
    """The tracking token of a generated dossier: derived from its code, shaped like
    ``secrets.token_urlsafe(18)`` (24 characters), so a reused database needs no token list."""
    return base64.urlsafe_b64encode(
        hashlib.sha256(f"congso-bench-track:{code}".encode()).digest()[:18]
    ).decode()


def person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def form_values(fields: list[dict[str, Any]], rng: random.Random, today: Any) -> dict[str, Any]:
    """Values valid for the procedure's form, already in their cleaned form (catalogue.validate_form)."""
    import datetime as dt

    out: dict[str, Any] = {}
    for f in fields:
        name, kind = f["name"], f["type"]
        if not f["required"] and rng.random() < 0.5:
            continue
        if kind == "choice":
            out[name] = rng.choice(f["choices"])
        elif kind == "date":
            out[name] = (today - dt.timedelta(days=rng.randrange(1, 20_000))).isoformat()
        elif kind == "number":
            if "von" in name:
                out[name] = rng.randrange(50, 5_000) * 1_000_000
            elif "dien_tich" in name:
                out[name] = rng.randrange(30, 500)
            elif name.startswith("nam_"):
                out[name] = rng.randrange(1980, 2026)
            else:
                out[name] = rng.randrange(1, 10)
        elif "ho_ten" in name:
            out[name] = person(rng)
        elif "dia_chi" in name or name.startswith("noi"):
            out[name] = f"Số {rng.randrange(1, 300)} {rng.choice(STREETS)}, Hà Nội"
        elif "nganh_nghe" in name:
            out[name] = rng.choice(TRADES)
        elif name.startswith("ten_"):
            out[name] = (
                f"{rng.choice(['Hộ kinh doanh', 'Công ty TNHH', 'Bằng tốt nghiệp'])} {rng.choice(GIVEN)}"
            )
        else:
            out[name] = rng.choice(TEXTS)
    return out


# --- Filling the database (worker side) -------------------------------------------------------------


def _catalogue(today: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The one-stop units valid today and the procedures with their version in force today."""
    from congso.core.org.models import Agency, valid_on
    from congso.modules.services.models import Procedure, ProcedureVersion

    desks = [
        {
            "pk": a.pk,
            "code": a.code,
            "name": a.name,
            "parent_pk": a.parent_id,
            "city": a.code == CITY_ONE_STOP,
        }
        for a in Agency.objects.filter(valid_on(today), kind="mot_cua").order_by("code")
    ]
    procedures = []
    for p in Procedure.objects.filter(is_active=True).order_by("code"):
        v = (
            ProcedureVersion.objects.filter(procedure=p, valid_from__lte=today)
            .order_by("-valid_from")
            .first()
        )
        if v is None:
            continue
        competent = None
        if p.level == "tinh":
            agency = Agency.objects.filter(valid_on(today), code=p.competent_agency_code).first()
            competent = agency.pk if agency else None
        procedures.append(
            {
                "pk": p.pk,
                "code": p.code,
                "level": p.level,
                "version_pk": v.pk,
                "version_from": v.valid_from.isoformat(),
                "days": v.processing_days,
                "competent_pk": competent,
                "documents": [d["name"] for d in v.documents if d["required"] and not d["state_held"]],
                "form": v.form_fields,
                "weight": PROCEDURE_WEIGHTS.get(p.code, 1),
            }
        )
    return desks, procedures


def make_citizens(n: int) -> list[tuple[int, str, str, str, str]]:
    """``n`` citizen accounts (no password, as if from e-ID): (pk, name, national id, phone, e-mail)."""
    from congso.core.accounts.models import AccountKind, User
    from congso.core.search.text import fold

    rng = random.Random(11)
    existing = User.objects.filter(username__startswith="cd001").count()
    batch = []
    for i in range(existing, n):
        national_id = f"001{rng.choice('0123')}{rng.randrange(40, 100):02d}{i:06d}"[:12]
        name = person(rng)
        batch.append(
            User(
                username=f"cd{national_id}",
                kind=AccountKind.CITIZEN,
                national_id=national_id,
                full_name=name,
                search_name=fold(name),
                email=f"{national_id}@example.vn",
                phone=f"09{rng.randrange(10**7, 10**8)}",
                password="!",
            )
        )
    User.objects.bulk_create(batch, batch_size=5000)
    return list(
        User.objects.filter(username__startswith="cd001")
        .order_by("pk")
        .values_list("pk", "full_name", "national_id", "phone", "email")[:n]
    )


def generate(
    n: int,
    desks: list[dict[str, Any]],
    procedures: list[dict[str, Any]],
    citizens: list[tuple[int, str, str, str, str]],
    first_id: int,
    seed: int = 5,
) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """``n`` dossiers from 1 July 2025 to yesterday, in time order; yields (dossier row, file rows).
    Sets ``generate.counters`` to {(desk pk, day): last sequence}."""
    import datetime as dt

    from django.utils import timezone

    from congso.core.calendar.workdays import VN_TZ, deadline

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    first = dt.date(2025, 7, 1)
    for year in range(first.year, today.year + 2):  # the calendar reads each year's overrides once, now
        deadline(dt.datetime(year, 6, 1, tzinfo=VN_TZ), 0)
    days = [first + dt.timedelta(days=k) for k in range((today - first).days)]
    # Weekdays carry the load; Saturday mornings some desks and the online portal; Sundays online only.
    day_weights = [{5: 0.25, 6: 0.1}.get(d.weekday(), 1.0) for d in days]
    total_w = sum(day_weights)
    quotas = [int(n * w / total_w) for w in day_weights]
    for k in range(n - sum(quotas)):
        quotas[k % len(quotas)] += 1
    communes = [d for d in desks if not d["city"]]
    city = next(d for d in desks if d["city"])
    desk_weights = [rng.lognormvariate(0, 0.6) for _ in communes]
    commune_procs = [p for p in procedures if p["level"] == "xa"]
    province_procs = [p for p in procedures if p["level"] == "tinh"]
    share_province = sum(p["weight"] for p in province_procs) / sum(p["weight"] for p in procedures)
    forms = {
        p["code"]: [json.dumps(form_values(p["form"], rng, today), ensure_ascii=False) for _ in range(16)]
        for p in procedures
    }
    counters: dict[tuple[int, dt.date], int] = {}
    next_id = first_id
    for day, quota in zip(days, quotas, strict=True):
        batch = []
        for _ in range(quota):
            online = rng.random() < 0.6
            if rng.random() < share_province:
                proc = rng.choices(province_procs, weights=[p["weight"] for p in province_procs])[0]
                desk = city
                competent = proc["competent_pk"]
            else:
                proc = rng.choices(commune_procs, weights=[p["weight"] for p in commune_procs])[0]
                desk = rng.choices(communes, weights=desk_weights)[0]
                competent = desk["parent_pk"]
            if online and rng.random() < 0.3:
                seconds = rng.randrange(86_400)  # online: any time of day
            else:
                seconds = rng.randrange(7 * 3600 + 1800, 17 * 3600)  # office hours
            received = dt.datetime.combine(day, dt.time(), tzinfo=VN_TZ) + dt.timedelta(seconds=seconds)
            batch.append((received, online, proc, desk, competent))
        batch.sort(key=lambda b: b[0])
        for received, online, proc, desk, competent in batch:
            key = (desk["pk"], day)
            sequence = counters[key] = counters.get(key, 0) + 1
            code = f"{desk['code']}-{day:%y%m%d}-{sequence:04d}"
            due = deadline(received, proc["days"])
            age = (now - received).days
            if due < now:
                status = rng.choices(
                    ["returned", "done", "refused", "withdrawn", "in_progress"], [80, 8, 3, 2, 7]
                )[0]
            elif age < 1 and online:
                status = "submitted"
            else:
                status = rng.choices(["accepted", "in_progress", "supplement_requested"], [30, 60, 10])[0]
            current = competent if status in ("in_progress", "done", "supplement_requested") else desk["pk"]
            citizen = rng.choice(citizens) if online or rng.random() < 0.5 else None
            if citizen is not None:
                applicant, name, id_number, phone, email = citizen
            else:
                applicant, name = None, person(rng)
                id_number = f"001{rng.choice('0123')}{rng.randrange(40, 100):02d}{rng.randrange(10**6):06d}"
                phone, email = f"09{rng.randrange(10**7, 10**8)}", ""
            row = {
                "id": next_id,
                "code": code,
                "procedure_id": proc["pk"],
                "version_id": proc["version_pk"],
                "channel": "online" if online else "desk",
                "status": status,
                "applicant_id": applicant,
                "applicant_name": name,
                "applicant_id_number": id_number,
                "applicant_phone": phone,
                "applicant_email": email,
                "receiving_agency_id": desk["pk"],
                "competent_agency_id": competent,
                "current_agency_id": current,
                "form_data": rng.choice(forms[proc["code"]]),
                "received_at": received,
                "due_at": due,
                "paused_days": 0,
                "tracking_digest": hashlib.sha256(bench_token(code).encode()).hexdigest(),
                "submitted_by_id": applicant if online else None,
                "created_at": received,
                "updated_at": received,
            }
            files = (
                [
                    {
                        "dossier_id": next_id,
                        "document": document,
                        "name": f"tep-{k + 1}.pdf",
                        "content_type": "application/pdf",
                        "size": rng.randrange(40_000, 2_000_000),
                        "sha256": f"{rng.getrandbits(256):064x}",
                        "created_at": received,
                    }
                    for k, document in enumerate(proc["documents"])
                ]
                if online
                else []
            )
            next_id += 1
            yield row, files
    generate.counters = counters  # type: ignore[attr-defined]


def _other_columns(model: Any, given: list[str]) -> dict[str, Any]:
    """Columns the generator does not know (added to the model later) with their defaults."""
    from django.db import connection

    out = {}
    for f in model._meta.concrete_fields:
        if f.column not in given and not f.primary_key:
            out[f.column] = f.get_db_prep_save(f.get_default(), connection)
    return out


def load(rows: Iterator[tuple[dict[str, Any], list[dict[str, Any]]]], vendor: str) -> tuple[int, float]:
    """Store the generated rows; returns (dossiers, seconds spent rebuilding indexes)."""
    from django.db import connection, transaction

    from congso.modules.services.models import Dossier, DossierFile

    n = 0
    first, files_first = next(rows)
    dossier_cols = list(first)
    file_cols = ["dossier_id", "document", "name", "content_type", "size", "sha256", "created_at"]
    if vendor != "postgresql":
        batch: list[Any] = []
        file_batch: list[Any] = []

        def flush() -> None:
            Dossier.objects.bulk_create(batch)
            DossierFile.objects.bulk_create(file_batch)
            batch.clear()
            file_batch.clear()

        for row, files in _chain(first, files_first, rows):
            batch.append(Dossier(**{**row, "form_data": json.loads(row["form_data"])}))
            file_batch.extend(DossierFile(**f) for f in files)
            n += 1
            if len(batch) >= 2000:
                flush()
        flush()
        return n, 0.0
    extra_d = _other_columns(Dossier, dossier_cols)
    extra_f = _other_columns(DossierFile, [*file_cols, "id"])
    tables = ("services_dossier", "services_dossier_file")
    with transaction.atomic(), connection.cursor() as cursor:
        # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: checked at the end of each COPY
        # instead, so that the indexes can be built in the same transaction.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Secondary indexes (not the primary key or the unique code) are rebuilt after the load.
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        raw = cursor.cursor
        d_cols = [*dossier_cols, *extra_d]
        f_cols = [*file_cols, *extra_f]
        d_tail, f_tail = list(extra_d.values()), list(extra_f.values())
        chunk: list[list[Any]] = []
        chunk_files: list[list[Any]] = []

        def flush_pg() -> None:
            # Rows are generated between COPYs, never during one: a backend waiting for COPY data
            # does not answer other sessions' ProcSignalBarrier (their DROP DATABASE would hang),
            # and the generator may query the database (the calendar reads its overrides).
            with raw.copy(f"COPY services_dossier ({', '.join(d_cols)}) FROM STDIN") as copy:
                for r in chunk:
                    copy.write_row(r)
            with raw.copy(f"COPY services_dossier_file ({', '.join(f_cols)}) FROM STDIN") as copy:
                for f in chunk_files:
                    copy.write_row(f)
            chunk.clear()
            chunk_files.clear()

        for row, files in _chain(first, files_first, rows):
            chunk.append([*row.values(), *d_tail])
            chunk_files.extend([*f.values(), *f_tail] for f in files)
            n += 1
            if len(chunk) >= 20_000:
                flush_pg()
        flush_pg()
        t0 = time.perf_counter()
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
        index_s = time.perf_counter() - t0
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    return n, index_s


def _chain(first: Any, first_files: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first, first_files
    yield from rest


def bench_accounts(n: int) -> list[str]:
    """``n`` citizen accounts for the load generator, each with a new API token (secrets)."""
    from congso.core.accounts.models import AccountKind, User
    from congso.core.accounts.services import api_token_create

    secrets_ = []
    for k in range(n):
        national_id = f"0999{k:08d}"
        user, _ = User.objects.get_or_create(
            username=f"bench.cd.{k:03d}",
            defaults={
                "kind": AccountKind.CITIZEN,
                "national_id": national_id,
                "full_name": f"Công dân thử tải {k:03d}",
                "search_name": f"cong dan thu tai {k:03d}",
                "email": f"{national_id}@example.vn",
                "phone": "0912345678",
                "password": "!",
            },
        )
        secrets_.append(api_token_create(actor=user, user=user, name="bench").secret)
    return secrets_


def deadline_timings(n: int) -> dict[str, Any]:
    """Deadlines of ``n`` dossiers spread over the table: the read, ``workdays.deadline`` per dossier,
    a memoised variant."""
    from django.db.models.functions import Mod
    from django.utils import timezone

    from congso.core.calendar.workdays import DEFAULT_CUTOFF_HOUR, VN_TZ, deadline
    from congso.modules.services.models import Dossier

    # Every k-th dossier, so that the sample spans the whole period (ids follow receipt time).
    step = max(1, Dossier.objects.count() // n)
    t0 = time.perf_counter()
    rows = list(
        Dossier.objects.alias(r=Mod("id", step))
        .filter(r=0)
        .order_by("id")
        .values_list("received_at", "version__processing_days", "due_at")[:n]
    )
    read_s = time.perf_counter() - t0
    import datetime as dt

    for year in range(2025, timezone.localdate().year + 2):  # the calendar builds a year once per process
        deadline(dt.datetime(year, 6, 1, tzinfo=VN_TZ), 0)
    t0 = time.perf_counter()
    computed = [deadline(received, days) for received, days, _ in rows]
    compute_s = time.perf_counter() - t0
    mismatches = sum(1 for c, (_, _, due) in zip(computed, rows, strict=True) if c != due)

    # Bench-side memoised variant: the deadline depends only on the local receipt date, whether the
    # dossier came before the cut-off, and the number of working days.
    cutoff = dt.time(DEFAULT_CUTOFF_HOUR)
    t0 = time.perf_counter()
    memo: dict[tuple[Any, bool, int], Any] = {}
    memoised = []
    for received, days, _ in rows:
        local = received.astimezone(VN_TZ)
        key = (local.date(), local.time() <= cutoff, days)
        due = memo.get(key)
        if due is None:
            due = memo[key] = deadline(received, days)
        memoised.append(due)
    memo_s = time.perf_counter() - t0
    assert memoised == computed
    return {
        "deadline_n": len(rows),
        "deadline_read_s": read_s,
        "deadline_s": compute_s,
        "deadline_memo_s": memo_s,
        "deadline_memo_keys": len(memo),
        "deadline_mismatches": mismatches,
    }


def setup_worker(n: int, n_clients: int, n_deadlines: int, reuse: bool) -> dict[str, Any]:
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from congso.modules.services.models import Dossier, DossierCounter

    out: dict[str, Any] = {"vendor": connection.vendor}
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    reused = reuse and Dossier.objects.count() >= n
    if not reused:
        from congso.core.seed import demo
        from congso.modules.services.demo import seed_procedures

        t0 = time.perf_counter()
        demo.seed_units()
        demo.seed_agencies()
        seed_procedures()
        out["seed_s"] = time.perf_counter() - t0
        desks, procedures = _catalogue(today)
        citizens = make_citizens(max(200, min(20_000, n // 50)))
        out["citizens"] = len(citizens)
        t0 = time.perf_counter()
        first_id = (Dossier.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        loaded, index_s = load(generate(n, desks, procedures, citizens, first_id), connection.vendor)
        counters = generate.counters  # type: ignore[attr-defined]
        DossierCounter.objects.bulk_create(
            [DossierCounter(agency_id=a, day=d, last=last) for (a, d), last in counters.items()],
            batch_size=5000,
        )
        out["load_s"] = time.perf_counter() - t0
        out["index_s"] = index_s
        out["loaded"] = loaded
        out["counters"] = len(counters)
    else:
        desks, procedures = _catalogue(today)
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not reused:
            cursor.execute("VACUUM ANALYZE services_dossier")
            cursor.execute("VACUUM ANALYZE services_dossier_file")
        cursor.execute("ANALYZE")
    out["analyze_s"] = time.perf_counter() - t0
    out["reused"] = reused
    out["stored"] = Dossier.objects.count()
    span = Dossier.objects.order_by("received_at").values_list("received_at", flat=True)
    first_at, last_at = span.first(), span.last()
    out["span"] = [timezone.localdate(first_at).isoformat(), timezone.localdate(last_at).isoformat()]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_total_relation_size('services_dossier'), "
                "pg_total_relation_size('services_dossier_file')"
            )
            out["table_bytes"], out["files_bytes"] = cursor.fetchone()
            cursor.execute("SELECT version()")
            out["pg_version"] = cursor.fetchone()[0].split(" on ")[0]

    # Tracking pairs: generated dossiers only (their token is derived from their code).
    rng = random.Random(3)
    lo = Dossier.objects.order_by("id").values_list("id", flat=True).first() or 1
    ids = rng.sample(range(lo, lo + n), min(TRACK_SAMPLE, n))
    codes = list(Dossier.objects.filter(pk__in=ids).values_list("code", "tracking_digest"))
    out["track"] = [
        [code, bench_token(code)]
        for code, digest in codes
        if hashlib.sha256(bench_token(code).encode()).hexdigest() == digest
    ]
    out.update(deadline_timings(n_deadlines))
    out["tokens"] = bench_accounts(n_clients)
    out["desks"] = [d["code"] for d in desks if not d["city"]]
    out["city_desk"] = CITY_ONE_STOP
    out["procedures"] = [
        {k: p[k] for k in ("code", "level", "documents", "form", "weight", "days")} for p in procedures
    ]
    out["today"] = dt.date.today().isoformat()
    return out


def count_worker() -> dict[str, Any]:
    import django

    django.setup()
    from congso.modules.services.models import Dossier, IdempotencyKey

    return {"dossiers": Dossier.objects.count(), "keys": IdempotencyKey.objects.count()}


def profile_worker(n: int, token: str, body: dict[str, Any]) -> dict[str, Any]:
    """cProfile of ``n`` submissions through Django's full stack in-process (test client, no
    gunicorn), after 20 warm-up submissions; the SQL statements of one submission; the CPU time
    (this thread's, so other processes' load counts less) of the parts of a submission and of a
    tracking lookup, ``n`` calls each."""
    import django

    django.setup()
    import cProfile
    import io
    import pstats

    from django.db import connection
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    def submit() -> None:
        r = client.post(
            "/api/v1/services/dossiers",
            json.dumps(body),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
        assert r.status_code == 201, r.content[:500]

    for _ in range(20):
        submit()
    queries: list[tuple[float, str]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - t0, sql))

    t0 = time.perf_counter()
    with connection.execute_wrapper(record):
        submit()
    one = time.perf_counter() - t0
    # CPU time of this thread, not wall time: the machine is shared, and waits on PostgreSQL
    # would otherwise dominate every line.
    profiler = cProfile.Profile(time.thread_time)
    t0 = time.perf_counter()
    profiler.enable()
    for _ in range(n):
        submit()
    profiler.disable()
    wall = time.perf_counter() - t0
    buf = io.StringIO()
    buf.write(f"{n} submissions in-process: {wall / n * 1000:.2f} ms each (under cProfile, CPU time)\n")
    buf.write(
        f"One submission without the profiler: {one * 1000:.2f} ms, of which {len(queries)} SQL statements "
        f"{sum(q[0] for q in queries) * 1000:.2f} ms (round trips included):\n"
    )
    for seconds, sql in queries:
        buf.write(f"  {seconds * 1000:6.2f} ms  {sql[:150]}\n")
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("cumulative").print_stats("congso|ninja|pydantic|whitenoise|auth", 40)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    created = 21 + n
    buf.write(parts(n, token, body, submit))
    return {"text": buf.getvalue(), "created": created + 2 * (n + 10) + 1}


def parts(n: int, token: str, body: dict[str, Any], submit: Callable[[], None]) -> str:
    """Thread CPU and wall time per call of the parts of a submission (each ``n`` times)."""
    from django.db import transaction
    from django.test import Client

    from congso.core.accounts.services import api_token_authenticate
    from congso.modules.services import api, notifications, selectors, services
    from congso.modules.services.models import Procedure

    user = api_token_authenticate(token)
    last: dict[str, Any] = {}

    def spec() -> Any:
        return services.SubmissionSpec(
            procedure_code=body["procedure"],
            form=body["form"],
            agency_code=body["agency"],
            attachments=[
                services.Attachment(
                    document=a["document"],
                    name=a["name"],
                    content=base64.b64decode(a["content_base64"]) + uuid.uuid4().bytes,
                )
                for a in body["attachments"]
            ],
        )

    def service() -> None:
        result = services.dossier_submit(actor=user, spec=spec(), idempotency_key=str(uuid.uuid4()))
        last["code"], last["token"] = result.dossier.code, result.tracking_token

    def reread() -> None:
        api._dossier_out(selectors.dossier_get(actor=user, code=last["code"]))

    dossier = None

    def notify() -> None:
        nonlocal dossier
        dossier = dossier or selectors.dossier_get(actor=user, code=last["code"])
        with transaction.atomic():  # the tasks run in-process when it commits
            notifications.notify_submitted(dossier, tracking_token=last["token"])

    anonymous = Client()

    def track() -> None:
        r = anonymous.get(f"/api/v1/services/track/{last['code']}?token={last['token']}")
        assert r.status_code == 200

    def one_query() -> None:
        Procedure.objects.filter(code=body["procedure"]).first()

    def track_selector() -> None:
        selectors.dossier_track(code=last["code"], token=last["token"])

    cases = [
        ("POST /api/v1/services/dossiers, the whole request", submit),
        ("  services.dossier_submit (the filing, notifications included)", service),
        ("  notifications.notify_submitted (e-mail + SMS tasks, in-process)", notify),
        ("  re-reading the new dossier for the response (dossier_get + _dossier_out)", reread),
        ("  bearer token look-up (api_token_authenticate)", lambda: api_token_authenticate(token)),
        ("  one ORM query: Procedure.objects.filter(code=…).first()", one_query),
        ("GET /api/v1/services/track/{code}, the whole request", track),
        ("  selectors.dossier_track", track_selector),
        ("GET /_bench/bare (the peer), the whole request", lambda: anonymous.get("/_bench/bare")),
    ]
    out = [f"\nParts, {n} calls each after 10 warm-up calls: CPU of this thread / wall, ms per call"]
    service()
    for label, fn in cases:
        for _ in range(10):
            fn()
        c0, w0 = time.thread_time(), time.perf_counter()
        for _ in range(n):
            fn()
        cpu, wall = (time.thread_time() - c0) / n * 1000, (time.perf_counter() - w0) / n * 1000
        out.append(f"  {label:78}{cpu:7.2f} / {wall:6.2f}")
    return "\n".join(out) + "\n"


# --- Load generation (driver side) ---------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def _children(pid: int) -> list[int]:
    out = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                out.append(int(entry.name))
    return out


def _machine() -> tuple[float, float]:
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return (sum(parts) - idle) / CLK_TCK, sum(parts) / CLK_TCK


class Cpu:
    """CPU seconds of the machine, the server's processes, our PostgreSQL backends and this process."""

    def __init__(
        self, server_pids: list[int], pg_url: str | None, task_pids: list[int] | None = None
    ) -> None:
        self.server_pids = server_pids  # gunicorn's master, with its workers
        self.task_pids = task_pids or []  # the Celery worker (--broker), with its pool
        self.pg_url = pg_url
        self.last_pg: list[int] = []

    def _pg_pids(self) -> list[int]:
        if not self.pg_url:
            return []
        import psycopg

        name = self.pg_url.rsplit("/", 1)[1].split("?")[0]
        try:
            with psycopg.connect(self.pg_url, autocommit=True, connect_timeout=5) as conn:
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
                ).fetchall()
        except psycopg.Error:
            return self.last_pg
        self.last_pg = [r[0] for r in rows]
        return self.last_pg

    def snap(self) -> dict[str, Any]:
        pg = self._pg_pids()
        busy, total = _machine()
        return {
            "t": time.perf_counter(),
            "busy": busy,
            "total": total,
            "server": {p: _ticks(p) for root in self.server_pids for p in _children(root)},
            "tasks": {p: _ticks(p) for root in self.task_pids for p in _children(root)},
            "pg": {p: _ticks(p) for p in pg},
            "me": time.process_time(),
            "load": os.getloadavg()[0],
        }

    @staticmethod
    def delta(snaps: list[dict[str, Any]]) -> dict[str, float]:
        """From snapshots taken every second: PostgreSQL backends come and go (CONN_MAX_AGE), so a
        process's CPU is summed between consecutive snapshots, from 0 for one that just started."""
        a, b = snaps[0], snaps[-1]
        dt_ = b["t"] - a["t"]
        ncpu = (b["total"] - a["total"]) / dt_ if dt_ else 1

        def procs(key: str) -> float:
            total = 0.0
            for x, y in itertools.pairwise(snaps):
                total += sum(v - x[key].get(p, 0.0) for p, v in y[key].items())
            return total / dt_

        server, tasks, pg = procs("server"), procs("tasks"), procs("pg")
        me = (b["me"] - a["me"]) / dt_
        machine = (b["busy"] - a["busy"]) / dt_
        return {
            "cores": ncpu,
            "machine": machine,
            "server": server,
            "tasks": tasks,
            "pg": pg,
            "generator": me,
            "others": max(0.0, machine - server - tasks - pg - me),
            "load": b["load"],
        }


Request = tuple[str, str, dict[str, str], bytes | None, int]


async def _http(
    port: int, method: str, path: str, headers: dict[str, str], data: bytes | None
) -> tuple[int, bytes]:
    """One HTTP/1.1 request on its own connection (gunicorn's sync workers close every connection
    anyway): the request written as bytes, the status line parsed, the body read to the end. The
    generator shares the machine's 2 cores with the server; aiohttp cost it ≈ 0.9 ms a submission,
    this ≈ 0.2."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if data is not None:
            head.append(f"Content-Length: {len(data)}")
        writer.write("\r\n".join(head).encode() + b"\r\n\r\n" + (data or b""))
        status_line = await reader.readline()
        parts = status_line.split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/"):
            raise ValueError(f"not an HTTP response: {status_line[:80]!r}")
        response = await reader.read()  # headers and body, to the end of the connection
        return int(parts[1]), response.partition(b"\r\n\r\n")[2]
    finally:
        writer.close()


async def _phase(
    port: int,
    clients: int,
    duration: float,
    warmup: float,
    make: Callable[[int], Request],
    cpu: Cpu | None,
    rate: float | None = None,
    seed: int = 1,
) -> dict[str, Any]:
    """``clients`` concurrent clients for ``warmup`` + ``duration`` seconds. Closed loop when ``rate``
    is None; else open loop: Poisson arrivals at ``rate``/s dealt round-robin to the clients, latency
    counted from the scheduled time."""
    samples: list[float] = []
    statuses: Counter[int] = Counter()
    errors: list[str] = []
    done_in_window = 0
    snaps: list[dict[str, Any]] = []
    skipped = 0
    start = time.perf_counter()
    measure, end = start + warmup, start + warmup + duration
    arrivals: list[float] = []
    if rate:
        rng = random.Random(seed)
        t = start
        while t < end:
            t += rng.expovariate(rate)
            arrivals.append(t)

    async def send(k: int, t0: float) -> None:
        nonlocal done_in_window
        method, path, headers, data, expect = make(k)
        try:
            status, body = await asyncio.wait_for(_http(port, method, path, headers, data), 120)
        except (OSError, ValueError, TimeoutError) as exc:
            status, body = 0, repr(exc).encode()
        t1 = time.perf_counter()
        statuses[status] += 1
        if status != expect and len(errors) < 3:
            errors.append(f"{method} {path} -> {status}: {body[:300]!r}")
        if measure <= t0 < end:
            samples.append((t1 - t0) * 1000)
        if measure <= t1 <= end:
            done_in_window += 1

    async def client(k: int) -> None:
        nonlocal skipped
        if rate:
            mine = [at for at in arrivals[k::clients] if at < end]
            for i, at in enumerate(mine):
                if time.perf_counter() >= end:  # overloaded: the backlog is not sent after the end
                    skipped += len(mine) - i
                    break
                delay = at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                await send(k, at)
        else:
            while (t0 := time.perf_counter()) < end:
                await send(k, t0)

    async def sampler() -> None:
        if cpu is None:
            return
        await asyncio.sleep(max(0.0, measure - time.perf_counter()))
        while True:
            snaps.append(await asyncio.to_thread(cpu.snap))
            if time.perf_counter() >= end:
                break
            await asyncio.sleep(max(0.0, min(1.0, end - time.perf_counter())))

    await asyncio.gather(sampler(), *(client(k) for k in range(clients)))
    out: dict[str, Any] = {
        "n": len(samples),
        "rate": done_in_window / duration,
        "p50": _pct(samples, 50),
        "p95": _pct(samples, 95),
        "p99": _pct(samples, 99),
        "max": max(samples) if samples else float("nan"),
        "statuses": dict(statuses),
        "errors": errors,
        "skipped": skipped,
    }
    if len(snaps) >= 2:
        out["cpu"] = Cpu.delta(snaps)
    return out


class Load:
    """Requests of each kind: the bare peer, a submission, a tracking lookup."""

    def __init__(self, setup: dict[str, Any]) -> None:
        import datetime as dt

        self.tokens = setup["tokens"]
        self.track = setup["track"]
        self.desks = setup["desks"]
        self.city = setup["city_desk"]
        self.procs = setup["procedures"]
        self.weights = [p["weight"] for p in self.procs]
        self.rng = random.Random(17)
        self.today = dt.date.fromisoformat(setup["today"])
        # An attachment of a few kB (a one-page scan is larger; a few kB keeps the network and the
        # generator's base64 from dominating), made unique per request by a nonce.
        self.filler = random.Random(1).randbytes(3000)
        self.created = 0
        self.last: tuple[int, str, bytes] | None = None
        self.pool: list[bytes] = []

    def bare(self, k: int) -> Request:
        return ("GET", "/_bench/bare", {}, None, 200)

    def track_lookup(self, k: int) -> Request:
        code, token = self.track[self.rng.randrange(len(self.track))]
        return ("GET", f"/api/v1/services/track/{code}?token={token}", {}, None, 200)

    def body(self) -> dict[str, Any]:
        rng = self.rng
        proc = rng.choices(self.procs, weights=self.weights)[0]
        pdf = b"%PDF-1.4\n%" + uuid.uuid4().bytes + self.filler + b"\n%%EOF\n"
        content = base64.b64encode(pdf).decode()
        return {
            "procedure": proc["code"],
            "agency": self.city if proc["level"] == "tinh" else rng.choice(self.desks),
            "form": form_values(proc["form"], rng, self.today),
            "attachments": [
                {
                    "document": document,
                    "name": f"tep-{i + 1}.pdf",
                    "content_type": "application/pdf",
                    "content_base64": content,
                }
                for i, document in enumerate(proc["documents"])
            ],
        }

    def prepare(self, seconds: float, rate: float = 300.0) -> None:
        """Encode the bodies of ``seconds`` of submissions at up to ``rate``/s before a phase: the
        generator shares the 2 cores with the server, and building a body (form values, a PDF with
        a nonce, base64, JSON) in the timed window would take ≈ 0.5 ms of those cores a request. A
        phase that sends more builds the rest as it goes."""
        self.pool = [json.dumps(self.body(), ensure_ascii=False).encode() for _ in range(int(seconds * rate))]

    def submit(self, k: int) -> Request:
        key = str(uuid.uuid4())
        data = self.pool.pop() if self.pool else json.dumps(self.body(), ensure_ascii=False).encode()
        self.last = (k, key, data)
        headers = {
            "Authorization": f"Bearer {self.tokens[k % len(self.tokens)]}",
            "Idempotency-Key": key,
            "Content-Type": "application/json",
        }
        return ("POST", "/api/v1/services/dossiers", headers, data, 201)


def _wait_port(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """gunicorn on 127.0.0.1: ``sync:N`` (N sync workers) or ``gthread:NxT``."""

    def __init__(self, spec: str, env: dict[str, str], data_dir: Path) -> None:
        kind, _, size = spec.partition(":")
        workers, _, threads = size.partition("x")
        self.spec = spec
        self.port = _free_port()
        self.log = data_dir / f"gunicorn-{spec.replace(':', '-')}.log"
        args = [
            str(BIN / "python"), "-m", "gunicorn", "congso.config.wsgi",
            "--bind", f"127.0.0.1:{self.port}", "--workers", workers or "2",
            "--worker-class", kind, "--log-level", "warning", "--backlog", "2048",
        ]  # fmt: skip
        if kind == "gthread":
            args += ["--threads", threads or "4"]
        self.proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=self.log.open("wb")
        )
        self.tasks: subprocess.Popen[bytes] | None = None
        if env.get("CONGSO_BROKER_URL"):
            # Scaled mode: notifications are queued on the broker; one Celery worker sends them.
            self.tasks = subprocess.Popen(
                [str(BIN / "congso"), "worker", "--concurrency", "1", "--loglevel", "warning"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=(data_dir / "celery.log").open("wb"),
            )
        _wait_port(self.port, self.proc, self.log)

    def cpu(self, pg_url: str | None) -> Cpu:
        return Cpu([self.proc.pid], pg_url, [self.tasks.pid] if self.tasks else [])

    def stop(self) -> None:
        for proc in (self.proc, self.tasks):
            if proc is None:
                continue
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


def warm_up(server: Server, load: Load, clients: int, seconds: float) -> int:
    """Every worker imports the URLconf, the API and the modules on its first requests (a second or
    more each): a few seconds of every kind of request before anything is measured. Returns the
    dossiers it created."""
    created = 0
    for make in (load.bare, load.track_lookup, load.submit):
        r = asyncio.run(_phase(server.port, clients, seconds / 2, seconds / 2, make, None))
        created += r["statuses"].get(201, 0)
    return created


def _worker(args: list[str], env: dict[str, str], stdin: str | None = None) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
    )
    if proc.returncode != 0:
        print(proc.stderr[-6000:], file=sys.stderr)
        raise SystemExit(f"worker {args[0]} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine_line() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in ln
        ),
        "?",
    )
    mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, Python {sys.version.split()[0]}"


def _fmt(r: dict[str, Any]) -> str:
    if not r["n"]:
        return (
            f"{r['rate']:8.1f}/s  latency unbounded: the backlog grew, none scheduled in the window was sent"
        )
    return (
        f"{r['rate']:8.1f}/s  p50 {r['p50']:7.1f}  p95 {r['p95']:7.1f}  p99 {r['p99']:7.1f}  "
        f"max {r['max']:7.0f} ms"
    )


def _cpu_line(r: dict[str, Any]) -> str:
    c = r.get("cpu")
    if not c:
        return ""
    tasks = f" + Celery worker {c['tasks']:.2f}" if c["tasks"] else ""
    per = ""
    if r["rate"] > 0:
        ms = {k: c[k] / r["rate"] * 1000 for k in ("server", "tasks", "pg", "generator")}
        per = (
            f"\n      CPU per request (ms): server {ms['server']:.2f}"
            + (f" + Celery worker {ms['tasks']:.2f}" if c["tasks"] else "")
            + f" + PostgreSQL {ms['pg']:.2f} + generator {ms['generator']:.2f}"
        )
    return (
        f"      CPU (cores of {c['cores']:.0f}): machine {c['machine']:.2f} = "
        f"server {c['server']:.2f}{tasks} + our PostgreSQL {c['pg']:.2f} + "
        f"load generator {c['generator']:.2f} + others {c['others']:.2f}; load avg {c['load']:.1f}{per}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny size, short phases (CI), < 1 minute")
    parser.add_argument("--dossiers", type=int, default=None)
    parser.add_argument("--clients", type=int, default=None)
    parser.add_argument("--duration", type=float, default=None, help="seconds measured per phase")
    parser.add_argument("--warmup", type=float, default=None, help="seconds of warm-up per phase")
    parser.add_argument("--rate", default=None, help="open-loop submissions/s; a comma list tries several")
    parser.add_argument("--track-rate", type=float, default=None, help="open-loop tracking lookups/s")
    parser.add_argument("--deadlines", type=int, default=None)
    parser.add_argument("--server", default=DEFAULT_SERVER, help="gunicorn: sync:N or gthread:NxT")
    parser.add_argument("--sweep", default="", help="comma list of --server values to compare, then stop")
    parser.add_argument("--profile", type=int, default=0, help="profile N submissions in-process first")
    parser.add_argument("--no-load", action="store_true", help="set-up, deadlines (and --profile) only")
    parser.add_argument("--database-url", default=os.environ.get("CONGSO_DATABASE_URL", ""))
    parser.add_argument(
        "--broker",
        default="",
        help="scaled mode: CONGSO_BROKER_URL for the server (e.g. redis://127.0.0.1:6379/13, a database "
        "of its own), and the bench starts one Celery worker; default: tasks in-process (embedded)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: keep the database when it already holds --dossiers dossiers (no fill)",
    )
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.dossiers or (SMOKE_DOSSIERS if args.smoke else FULL_DOSSIERS)
    clients = args.clients or (SMOKE_CLIENTS if args.smoke else CLIENTS)
    n_deadlines = args.deadlines or (SMOKE_DEADLINES if args.smoke else FULL_DEADLINES)
    duration = args.duration or (1.5 if args.smoke else 30.0)
    warmup = args.warmup if args.warmup is not None else (0.5 if args.smoke else 5.0)
    rates = [float(r) for r in (args.rate or ("20" if args.smoke else str(TARGET_RATE))).split(",")]
    track_rate = args.track_rate or (20.0 if args.smoke else TARGET_RATE)

    if args.worker:
        sys.path.insert(0, str(ROOT / "src"))
        if args.worker == "setup":
            out: Any = setup_worker(n, clients, n_deadlines, args.reuse)
        elif args.worker == "count":
            out = count_worker()
        else:  # profile
            given = json.loads(sys.stdin.read())
            out = profile_worker(args.profile, given["token"], given["body"])
        print(json.dumps(out, default=str))
        return 0

    parent = os.environ.get("CONGSO_DATA_DIR")
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    data_dir = Path(tempfile.mkdtemp(prefix="congso-benchsvc-", dir=parent or None))
    env = {
        **os.environ,
        "CONGSO_DATA_DIR": str(data_dir),
        "CONGSO_LOG_LEVEL": "ERROR",
        "CONGSO_ORG_LOAD_PROVINCES": "01",
        "CONGSO_BENCH_URLS": "1",
        "CONGSO_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "congso.config.settings",
    }
    env.pop("CONGSO_DATABASE_URL", None)
    env.pop("CONGSO_BROKER_URL", None)
    if args.broker:
        env["CONGSO_BROKER_URL"] = args.broker
    pg_url = args.database_url or None
    if pg_url:
        if not (args.reuse and bench_db.holds(pg_url, "services_dossier", n)):
            bench_db.reset_postgres(pg_url)
        env["CONGSO_DATABASE_URL"] = pg_url
    try:
        return run(args, env, data_dir, pg_url, n, clients, n_deadlines, duration, warmup, rates, track_rate)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(
    args: argparse.Namespace,
    env: dict[str, str],
    data_dir: Path,
    pg_url: str | None,
    n: int,
    clients: int,
    n_deadlines: int,
    duration: float,
    warmup: float,
    rates: list[float],
    track_rate: float,
) -> int:
    t_start = time.perf_counter()
    load_start = os.getloadavg()
    wargs = ["setup", "--dossiers", str(n), "--clients", str(clients), "--deadlines", str(n_deadlines)]
    setup = _worker(wargs + (["--reuse"] if args.reuse else []), env)
    print(
        f"\nServices bench — {'smoke' if args.smoke else 'full'} on {setup['vendor']}"
        f"{' (' + setup['pg_version'] + ')' if 'pg_version' in setup else ''}: {setup['stored']:,} dossiers "
        f"received {setup['span'][0]} … {setup['span'][1]}{' (reused database)' if setup['reused'] else ''}."
    )
    print(f"Machine: {_machine_line()}; load average at start {load_start[0]:.1f} / {load_start[1]:.1f}.")
    lines: list[tuple[str, str]] = []
    if not setup["reused"]:
        lines.append(
            (
                "fill (generate + store, set-up only), dossiers/s",
                f"{setup['loaded'] / setup['load_s']:,.0f} ({setup['load_s']:.0f} s)",
            )
        )
        if setup.get("index_s"):
            lines.append(("  secondary indexes rebuilt after COPY (s)", f"{setup['index_s']:.1f}"))
    lines.append(("ANALYZE after the fill (s)", f"{setup['analyze_s']:.1f}"))
    if "table_bytes" in setup:
        lines.append(
            (
                "services_dossier with indexes / dossier files (MB)",
                f"{setup['table_bytes'] / 1e6:,.0f} / {setup['files_bytes'] / 1e6:,.0f}",
            )
        )
    lines += [
        (
            f"deadlines of {setup['deadline_n']:,} dossiers, workdays.deadline each (s)",
            f"{setup['deadline_s']:.3f} ({setup['deadline_s'] / setup['deadline_n'] * 1e6:.1f} µs each)",
        ),
        (
            "  reading them (received_at, processing days) from the table (s)",
            f"{setup['deadline_read_s']:.3f}",
        ),
        (
            f"  bench-side memoised variant ({setup['deadline_memo_keys']:,} distinct keys) (s)",
            f"{setup['deadline_memo_s']:.3f}",
        ),
        ("  differences from the stored due_at", f"{setup['deadline_mismatches']}"),
    ]
    for label, value in lines:
        print(f"{label:72}{value:>26}")

    load = Load(setup)
    if args.profile:
        # In-process, before the server starts: where one submission's time goes.
        profile = _worker(
            ["profile", "--profile", str(args.profile)],
            env,
            stdin=json.dumps({"token": load.tokens[0], "body": load.body()}),
        )
        print("\n" + profile["text"])
        setup["stored"] += profile["created"]
    if args.no_load:
        return 0
    if args.sweep:
        print(f"\ngunicorn sweep: {clients} clients, closed loop, {duration:g} s each after {warmup:g} s")
        for spec in args.sweep.split(","):
            server = Server(spec, env, data_dir)
            try:
                cpu = server.cpu(pg_url)
                warm_up(server, load, clients, 3.0)
                load.prepare(duration + warmup)
                sub = asyncio.run(_phase(server.port, clients, duration, warmup, load.submit, cpu))
                bare = asyncio.run(_phase(server.port, clients, duration / 2, warmup / 2, load.bare, cpu))
                trk = asyncio.run(
                    _phase(server.port, clients, duration / 2, warmup / 2, load.track_lookup, cpu)
                )
            finally:
                server.stop()
            for name, r in (("submit", sub), ("bare", bare), ("track", trk)):
                print(f"  {spec:12} {name:7} {_fmt(r)}  {r['statuses']}")
                print(_cpu_line(r))
        return 0

    server = Server(args.server, env, data_dir)
    results: dict[str, dict[str, Any]] = {}
    try:
        cpu = server.cpu(pg_url)
        seq_d, seq_w = (1.0, 0.3) if args.smoke else (10.0, 2.0)

        def phase(
            make: Callable[[int], Request], n_clients: int, d: float, w: float, rate: float | None = None
        ):
            if make == load.submit:
                load.prepare(d + w, rate or 300.0)
            return asyncio.run(_phase(server.port, n_clients, d, w, make, cpu, rate))

        warmed = warm_up(server, load, clients, 1.0 if args.smoke else 4.0)
        results["bare_1"] = phase(load.bare, 1, seq_d, seq_w)
        results["track_1"] = phase(load.track_lookup, 1, seq_d, seq_w)
        results["submit_1"] = phase(load.submit, 1, seq_d, seq_w)
        results["bare_closed"] = phase(load.bare, clients, duration, warmup)
        results["submit_closed"] = phase(load.submit, clients, duration, warmup)
        for rate in rates:
            results[f"submit_open_{rate:g}"] = phase(load.submit, clients, duration, warmup, rate)
        results["bare_open"] = phase(load.bare, clients, duration, warmup, rates[-1])
        results["track_closed"] = phase(load.track_lookup, clients, duration, warmup)
        results["track_open"] = phase(load.track_lookup, clients, duration, warmup, track_rate)
        # A retry of the last submission: the same dossier back, 200 and Idempotent-Replayed.
        assert load.last is not None
        k, key, data = load.last
        import urllib.request

        request = urllib.request.Request(
            f"http://127.0.0.1:{server.port}/api/v1/services/dossiers",
            data=data,
            method="POST",
            headers={
                "Authorization": f"Bearer {load.tokens[k % len(load.tokens)]}",
                "Idempotency-Key": key,
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as resp:
            replay_ok = resp.status == 200 and resp.headers.get("Idempotent-Replayed") == "true"
    finally:
        server.stop()
    created = warmed + sum(
        r["statuses"].get(201, 0) for key, r in results.items() if key.startswith("submit")
    )
    counts = _worker(["count"], env)

    print(
        f"\ngunicorn {args.server} on 127.0.0.1 (DEBUG off, CONN_MAX_AGE 60); tasks "
        f"{'on ' + args.broker + ', 1 Celery worker' if args.broker else 'in-process (embedded default)'}; "
        f"load generator: asyncio, one process on the same {os.cpu_count()} cores; {clients} clients; "
        f"{duration:g} s measured per phase after {warmup:g} s warm-up (1 client: {seq_d:g} s)."
    )
    table = [
        ("peer: bare Django view, 1 client", "bare_1"),
        ("tracking lookup, 1 client", "track_1"),
        ("submission, 1 client", "submit_1"),
        (f"peer: bare Django view, {clients} clients closed loop", "bare_closed"),
        (f"submissions, {clients} clients closed loop (saturation)", "submit_closed"),
        *((f"submissions, open loop at {rate:g}/s", f"submit_open_{rate:g}") for rate in rates),
        (f"peer: bare Django view, open loop at {rates[-1]:g}/s", "bare_open"),
        (f"tracking, {clients} clients closed loop", "track_closed"),
        (f"tracking, open loop at {track_rate:g}/s", "track_open"),
    ]
    failed = False
    for label, key in table:
        r = results[key]
        bad = {s: c for s, c in r["statuses"].items() if s not in (200, 201)}
        print(f"{label:52} {_fmt(r)}" + (f"  errors {bad}" if bad else ""))
        if r["skipped"]:
            print(f"      overloaded: {r['skipped']:,} scheduled requests still waiting at the end, not sent")
        print(_cpu_line(r))
        for e in r["errors"]:
            print(f"      e.g. {e}")
        failed |= bool(bad)
    new_rows = counts["dossiers"] - setup["stored"]
    print(
        f"\nDossiers created over HTTP (201): {created:,}; new rows {new_rows:,}; retry of the last one "
        f"replayed: {'yes' if replay_ok else 'NO'}; idempotency keys stored {counts['keys']:,}."
    )
    failed |= new_rows != created or not replay_ok

    target = results.get(f"submit_open_{TARGET_RATE:g}")
    if target is not None and not args.smoke:
        ok_rate = target["rate"] >= TARGET_RATE * 0.97 and target["p95"] <= TARGET_SUBMIT_P95_MS
        print(
            f"Target ≥ {TARGET_RATE:g} submissions/s with p95 ≤ {TARGET_SUBMIT_P95_MS:g} ms: "
            f"{'met' if ok_rate else 'NOT met'} (open loop: {target['rate']:.0f}/s, "
            f"p95 {target['p95']:.0f} ms; "
            f"closed-loop saturation {results['submit_closed']['rate']:.0f}/s)"
        )
    for key, what in (("submit_closed", "submission"), ("track_closed", "tracking lookup")):
        c = results[key].get("cpu")
        if c and results[key]["rate"] > 0:
            cost = (c["server"] + c["tasks"] + c["pg"]) / results[key]["rate"] * 1000
            print(
                f"CPU per {what} (server{' + Celery' if c['tasks'] else ''} + our PostgreSQL, closed loop): "
                f"{cost:.1f} ms: at most "
                f"{c['cores'] * 1000 / cost:.0f}/s on {c['cores']:.0f} cores given to the server alone"
            )
    if not args.smoke:
        trk = results["track_open"]
        verdict = "met" if trk["p95"] <= TARGET_TRACK_P95_MS else "NOT met"
        print(
            f"Target tracking p95 ≤ {TARGET_TRACK_P95_MS:g} ms: {verdict}"
            f" (open loop at {track_rate:g}/s: p95 {trk['p95']:.1f} ms; closed loop {clients} clients: "
            f"p95 {results['track_closed']['p95']:.1f} ms at {results['track_closed']['rate']:.0f}/s)"
        )
    print(f"Load average at end {os.getloadavg()[0]:.1f}; wall time {time.perf_counter() - t_start:.0f} s.")

    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
