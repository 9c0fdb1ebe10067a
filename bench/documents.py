"""Documents benchmark (issue 4): registration throughput and search latency at 1,000,000 documents.

One database per run: PostgreSQL when ``CONGSO_DATABASE_URL`` (or ``--database-url``) names one —
its name must contain "bench": the database is dropped and created afresh — else SQLite in a
temporary directory. The set-up follows bench/reporting.py (a worker process with its own data
directory: migrate, Hà Nội's units and agencies, ``--users`` official accounts as the seed makes
them), then:

  - generates ``--docs`` documents for Hà Nội's 633 agencies of 2024 (2021–2026): Vietnamese
    trích yếu from templates (the Decree 30 types, subjects, places), a number/notation unique per
    agency and year for outgoing documents, incoming documents carrying their sender's notation,
    urgency and secrecy marks, and the folded ``search_text`` exactly as the services compute it;
    loaded with COPY on PostgreSQL (GIN index rebuilt afterwards, then ANALYZE) and bulk_create on
    SQLite (the load rate is printed, but it is set-up, not the registration path);
  - registration throughput: ``services.document_receive`` (a clerk receives a small PDF with a
    text layer as a paper document's scan: validation, file store, arrival number under a row
    lock, trail, audit, and — in the embedded mode, where tasks run in-process — the text
    extraction after commit) for ``--register`` documents;
  - search p50/p95 through ``search.document_search`` (permission scope, facets, total, one page
    of 20) for ~50 accent-folded queries and for exact number/notation queries, as three
    officials: a specialist of one department, the leader of the largest district subtree and the
    leader of the city's People's Committee (the whole city);
  - the peer: a raw PostgreSQL full-text query over the same rows with no permission filter, no
    facets and no total (SQLite: the same shape with LIKE);
  - the memory peak (ru_maxrss).

    .venv/bin/python bench/documents.py --smoke        # 2,000 documents, SQLite, < 1 minute (CI)
    CONGSO_DATABASE_URL=postgres://congso@127.0.0.1:5432/congso_h4_bench .venv/bin/python bench/documents.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import bench_db  # bench/bench_db.py: the script's own folder is on sys.path

ROOT = Path(__file__).resolve().parent.parent
FULL_DOCS = 1_000_000
SMOKE_DOCS = 2_000
FULL_USERS = 31_345
SMOKE_USERS = 200

ACTIONS = [
    "phê duyệt", "triển khai", "tăng cường", "đôn đốc", "hướng dẫn", "kiểm tra", "tổng kết",
    "sơ kết", "ban hành", "sửa đổi, bổ sung", "thực hiện", "đẩy mạnh", "chấn chỉnh", "rà soát",
    "góp ý dự thảo", "tổ chức", "giao nhiệm vụ", "điều chỉnh",
]  # fmt: skip
SUBJECTS = [
    "chuyển đổi số", "cải cách hành chính", "phòng, chống thiên tai", "bảo vệ môi trường",
    "an toàn thông tin mạng", "xây dựng nông thôn mới", "phòng cháy, chữa cháy",
    "giải phóng mặt bằng", "quản lý trật tự xây dựng đô thị", "an toàn thực phẩm",
    "phổ biến, giáo dục pháp luật", "dịch vụ công trực tuyến", "kế hoạch đầu tư công trung hạn",
    "thu ngân sách nhà nước", "tiêm chủng mở rộng", "tuyển sinh đầu cấp", "chỉnh trang đô thị",
    "cấp giấy chứng nhận quyền sử dụng đất", "phòng, chống tham nhũng", "thực hành tiết kiệm",
    "công tác văn thư, lưu trữ", "bảo hiểm xã hội", "giảm nghèo bền vững", "phát triển du lịch",
    "quản lý chất thải rắn", "an toàn giao thông", "công tác dân vận", "thi đua, khen thưởng",
    "đào tạo, bồi dưỡng cán bộ", "sắp xếp đơn vị hành chính", "chính quyền địa phương hai cấp",
    "hộ tịch, chứng thực", "phòng, chống dịch bệnh", "ứng dụng trí tuệ nhân tạo",
    "cơ sở dữ liệu dân cư", "đề án 06", "kinh tế tư nhân", "hạ tầng giao thông",
    "nước sạch nông thôn", "chợ truyền thống",
]  # fmt: skip
PLACES = [
    "thành phố Hà Nội", "quận Ba Đình", "quận Hoàn Kiếm", "quận Đống Đa", "quận Cầu Giấy",
    "quận Hai Bà Trưng", "quận Long Biên", "huyện Sóc Sơn", "huyện Đông Anh", "thị xã Sơn Tây",
    "phường Ba Đình", "phường Hoàn Kiếm", "phường Cửa Nam", "xã Bát Tràng", "huyện Ba Vì",
    "huyện Thanh Trì", "quận Hà Đông", "huyện Gia Lâm", "huyện Mê Linh", "quận Tây Hồ",
]  # fmt: skip
PERIODS = ["tháng 6", "quý I", "quý II", "quý III", "6 tháng đầu năm", "9 tháng", "năm"]
POSITIONS = ["Chủ tịch UBND thành phố", "Phó Chủ tịch UBND", "Giám đốc Sở", "Chủ tịch UBND quận"]
SIGNERS = [
    "Nguyễn Văn An", "Trần Thị Bình", "Lê Minh Cường", "Phạm Thu Dung", "Hoàng Đức Giang",
    "Vũ Thị Hạnh", "Đặng Quốc Khánh", "Bùi Thanh Lâm", "Đỗ Hải Nam", "Ngô Phương Thảo",
]  # fmt: skip
EXTERNAL = [  # incoming documents from outside the city
    ("000.00.00.G01", "Chính phủ", "NĐ-CP"),
    ("000.00.00.G02", "Thủ tướng Chính phủ", "QĐ-TTg"),
    ("000.00.00.G12", "Bộ Khoa học và Công nghệ", "BKHCN-VP"),
    ("000.00.00.G13", "Bộ Nội vụ", "BNV-CCVC"),
    ("000.00.00.G09", "Bộ Tài chính", "BTC-NSNN"),
]

# Documents per agency by level (1 city, 2 district, 3 commune), relative.
LEVEL_WEIGHTS = {1: 8, 2: 4, 3: 1}

# Weighted document types (codes of doctypes.DOCUMENT_TYPES): công văn dominates.
TYPE_WEIGHTS = {
    "CV": 38, "QD": 12, "BC": 10, "KH": 8, "TB": 8, "GM": 8, "TTR": 4, "HD": 3, "CT": 1,
    "NQ": 1, "CTR": 1, "PA": 1, "BB": 1, "DA": 1, "QC": 0.5, "QYD": 0.5, "CD": 0.5, "GGT": 0.5,
}  # fmt: skip

QUERIES = [
    "quyet dinh phe duyet", "ke hoach chuyen doi so", "bao cao ha noi", "cai cach hanh chinh",
    "phong chong thien tai", "bao ve moi truong", "an toan thong tin", "giay moi hoi nghi",
    "thong bao ket luan", "to trinh", "ve viec tang cuong", "nong thon moi", "phong chay chua chay",
    "giai phong mat bang", "trat tu xay dung", "an toan thuc pham", "pho bien phap luat",
    "dich vu cong truc tuyen", "dau tu cong", "thu ngan sach", "tiem chung", "tuyen sinh",
    "chinh trang do thi", "quyen su dung dat", "tham nhung", "van thu luu tru", "bao hiem xa hoi",
    "giam ngheo", "du lich", "chat thai ran", "an toan giao thong", "thi dua khen thuong",
    "boi duong can bo", "sap xep don vi hanh chinh", "chinh quyen dia phuong hai cap",
    "ho tich chung thuc", "de an 06", "kinh te tu nhan", "ha tang giao thong", "nuoc sach",
    "bao cao quy ii", "ke hoach nam 2025", "quyet dinh ba dinh", "huong dan thuc hien",
    "chuyen doi s", "Quyết định phê duyệt", "Kế hoạch chuyển đổi số", "báo cáo Hà Nội",
    "hoan kiem", "tri tue nhan tao",
]  # fmt: skip


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


# --- Generating documents ------------------------------------------------------------------------


def _summary(rng: Any, doc_type: str, year: int) -> str:
    subject, place, action = rng.choice(SUBJECTS), rng.choice(PLACES), rng.choice(ACTIONS)
    if doc_type == "BC":
        return f"Báo cáo kết quả {subject} {rng.choice(PERIODS)} năm {year} trên địa bàn {place}"
    if doc_type == "KH":
        return f"Kế hoạch {action} {subject} trên địa bàn {place} năm {year}"
    if doc_type == "TB":
        return f"Thông báo kết luận của {rng.choice(POSITIONS)} tại cuộc họp về {subject}"
    if doc_type == "GM":
        return f"Mời dự hội nghị {action} {subject} tại {place}"
    if doc_type == "QD":
        return f"Quyết định {action} {subject} của {place} năm {year}"
    if doc_type == "TTR":
        return f"Tờ trình đề nghị {action} {subject} năm {year}"
    return f"Về việc {action} {subject} tại {place}"


def generate(n_docs: int, agencies: list[dict[str, Any]], seed: int = 20261124) -> Any:
    """Yields (row dict) for ``n_docs`` documents spread over ``agencies`` and 2021–2026, in time
    order; outgoing numbers run per agency and year, arrival numbers likewise."""
    import datetime as dt
    import itertools
    import random

    from django.utils import timezone

    from congso.core.search.text import fold
    from congso.modules.documents import doctypes

    rng = random.Random(seed)
    # A city department or the city writes far more than a commune: weights by level.
    cum_weights = list(itertools.accumulate(LEVEL_WEIGHTS.get(a["level"], 1) for a in agencies))
    types = list(TYPE_WEIGHTS)
    weights = list(TYPE_WEIGHTS.values())
    start = dt.datetime(2021, 1, 4, 8, 0, tzinfo=dt.UTC)
    end = timezone.now() - dt.timedelta(days=1)
    step = (end - start) / n_docs
    out_counter: dict[tuple[int, int], int] = {}
    in_counter: dict[tuple[int, int], int] = {}
    recent_out: list[tuple[str, str, str]] = []  # (notation, issuer code, issuer name)
    for i in range(n_docs):
        agency = rng.choices(agencies, cum_weights=cum_weights)[0]
        created = start + step * i
        year = created.year
        doc_type = rng.choices(types, weights)[0]
        kind = doctypes.BY_CODE[doc_type]
        summary = _summary(rng, doc_type, year)
        signer = rng.choice(SIGNERS)
        outgoing = rng.random() < 0.45
        urgency = rng.choices(["normal", "khan", "thuong_khan", "hoa_toc"], [85, 10, 4, 1])[0]
        secrecy = rng.choices(["normal", "mat", "toi_mat"], [97, 2.5, 0.5])[0]
        row: dict[str, Any] = {
            "agency_id": agency["pk"],
            "agency_path": agency["path"],
            "doc_type": doc_type,
            "year": year,
            "issued_on": created.date(),
            "summary": summary,
            "signer_name": signer,
            "signer_position": "",
            "pages": 1 + rng.randrange(6),
            "urgency": urgency,
            "secrecy": secrecy,
            "created_at": created,
            "updated_at": created,
            "recipients_text": "",
            "relation": "",
            "number": None,
            "arrival_number": None,
            "arrival_year": None,
            "received_at": None,
        }
        if outgoing:
            key = (agency["pk"], year)
            number = out_counter[key] = out_counter.get(key, 0) + 1
            notation, number_notation = doctypes.format_number_notation(number, doc_type, agency["abbr"])
            row.update(
                direction="out",
                status=rng.choices(
                    ["issued", "draft", "in_review", "approved", "signed", "recalled"], [88, 4, 3, 2, 2, 1]
                )[0],
                number=number,
                notation=notation,
                number_notation=number_notation,
                issuer_code=agency["code"],
                issuer_name=agency["name"],
                channel="",
            )
            if len(recent_out) < 5000:
                recent_out.append((number_notation, agency["code"], agency["name"]))
            else:
                recent_out[rng.randrange(5000)] = (number_notation, agency["code"], agency["name"])
        else:
            if recent_out and rng.random() < 0.8:
                number_notation, issuer_code, issuer_name = rng.choice(recent_out)
            else:
                issuer_code, issuer_name, suffix = rng.choice(EXTERNAL)
                number_notation = f"{rng.randrange(1, 400):02d}/{year}/{suffix}"
            key = (agency["pk"], year)
            arrival = in_counter[key] = in_counter.get(key, 0) + 1
            _, _, tail = number_notation.partition("/")
            row.update(
                direction="in",
                status=rng.choices(
                    ["completed", "received", "assigned", "in_progress", "pending", "rejected"],
                    [60, 10, 10, 15, 3, 2],
                )[0],
                number=None,
                notation=tail,
                number_notation=number_notation,
                issuer_code=issuer_code,
                issuer_name=issuer_name,
                arrival_number=arrival,
                arrival_year=year,
                received_at=created,
                channel=rng.choice(["platform", "edxml", "paper"]),
            )
        row["notation_key"] = doctypes.notation_key(row["number_notation"])
        # As services._search_text: type name, number/notation, trích yếu, issuer, signer.
        row["search_text"] = fold(
            " ".join(p for p in (kind.name, row["number_notation"], summary, row["issuer_name"], signer) if p)
        )
        yield row
    generate.counters = (out_counter, in_counter)  # type: ignore[attr-defined]


COLUMNS = [
    "agency_id", "direction", "status", "doc_type", "number", "notation", "number_notation",
    "notation_key", "year", "issued_on", "issuer_code", "issuer_name", "summary", "signer_name",
    "signer_position", "pages", "urgency", "secrecy", "arrival_number", "arrival_year", "received_at",
    "channel", "recipients_text", "relation", "search_text", "agency_path", "created_at", "updated_at",
]  # fmt: skip


def load(rows: Any, vendor: str) -> int:
    from django.db import connection, transaction

    from congso.modules.documents.models import Document

    n = 0
    if vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS documents_search_gin")  # before migration 0005
            cursor.execute("DROP INDEX IF EXISTS documents_search_keys_gin")
            raw = cursor.cursor  # the psycopg cursor
            with raw.copy(f"COPY documents_document ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in COLUMNS])
                    n += 1
        return n
    batch: list[Document] = []
    for row in rows:
        batch.append(Document(**row))
        n += 1
        if len(batch) >= 5000:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)
    return n


def rebuild_search_index() -> float:
    """The migrations' text index (year and words, documents 0005), built once after the load
    (faster than maintaining it row by row)."""
    import importlib

    from django.db import connection

    migration = importlib.import_module("congso.modules.documents.migrations.0006_search_keys")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(migration.EXTENSION)
        cursor.execute(migration.CREATE.replace(" CONCURRENTLY", ""))
        cursor.execute("ANALYZE documents_document")
    return time.perf_counter() - t0


# --- The worker ----------------------------------------------------------------------------------


def reuse_worker(n_docs: int, smoke: bool) -> dict[str, Any] | None:
    """--reuse: when the database already holds ``n_docs`` documents and the bench officials from an
    earlier run, migrate, ANALYZE and time the searches only (no load, no registration)."""
    from django.core.management import call_command
    from django.db import connection

    from congso.core.accounts.models import User
    from congso.modules.documents.models import Document

    call_command("migrate", verbosity=0)
    stored = Document.objects.count()
    names = ("bench.cv", "bench.ld.quan", "bench.ld.tp")
    users = {u.username: u for u in User.objects.filter(username__in=names).select_related("agency")}
    if stored < n_docs or len(users) < len(names):
        return None
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    actors = {
        "specialist": users["bench.cv"],
        "district": users["bench.ld.quan"],
        "city": users["bench.ld.tp"],
    }
    out: dict[str, Any] = {"vendor": connection.vendor, "docs": n_docs, "stored": stored, "reused": True}
    for name, actor in actors.items():
        out[f"{name}_agency"] = f"{actor.agency.name} (reused)"
    search_timings(out, actors, smoke)
    return out


def worker(n_docs: int, n_users: int, n_register: int, smoke: bool, reuse: bool = False) -> dict[str, Any]:
    import django

    django.setup()
    if reuse:
        reused = reuse_worker(n_docs, smoke)
        if reused is not None:
            return reused
    import datetime as dt
    import random
    import resource

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Max

    from congso.core.accounts.models import AccountKind, Role, RoleAssignment, RoleScope, User
    from congso.core.org.models import Agency, valid_on
    from congso.core.seed import demo
    from congso.modules.documents import doctypes, services
    from congso.modules.documents.models import Document, NumberCounter, Register

    out: dict[str, Any] = {"vendor": connection.vendor, "docs": n_docs, "users": n_users}
    call_command("migrate", verbosity=0)
    demo.seed_units()
    demo.seed_agencies()
    demo.seed_scale_accounts(n_users)
    out["accounts"] = User.objects.filter(kind=AccountKind.OFFICIAL).count()
    agencies = [
        {
            "pk": a.pk,
            "code": a.code,
            "name": a.name,
            "path": a.path,
            "level": a.level,
            "kind": a.kind,
            "abbr": doctypes.agency_abbreviation(a.name, a.short_name),
        }
        for a in Agency.objects.filter(valid_on(dt.date(2024, 12, 31))).order_by("path")
    ]
    out["agencies"] = len(agencies)

    # Load.
    t0 = time.perf_counter()
    rows = generate(n_docs, agencies)
    loaded = load(rows, connection.vendor)
    out["load_s"] = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        out["index_s"] = rebuild_search_index()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE documents_document")
            cursor.execute("ANALYZE")  # org_agency too: the permission join's estimates need it
    else:
        # bulk_create stamps created_at with now (auto_now_add): the order of ids is the time order,
        # so spread the generated times back by id.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE documents_document SET created_at = datetime('2021-01-04 08:00:00', "
                f"'+' || CAST((id - 1) * {int(5.8 * 365 * 86400 / max(1, n_docs))} AS TEXT) || ' seconds')"
            )
            cursor.execute("ANALYZE")
    out["load_docs_per_s"] = loaded / out["load_s"]
    out_counter, in_counter = generate.counters  # type: ignore[attr-defined]
    NumberCounter.objects.bulk_create(
        [
            NumberCounter(agency_id=a, year=y, register=Register.OUTGOING, last=n)
            for (a, y), n in out_counter.items()
        ]
        + [
            NumberCounter(agency_id=a, year=y, register=Register.INCOMING, last=n)
            for (a, y), n in in_counter.items()
        ],
        batch_size=5000,
    )
    out["stored"] = Document.objects.count()

    # The officials searching: a specialist of one department, the leader of the largest district
    # subtree, the leader of the city.
    by_agency = dict(
        Document.objects.values("agency_id").annotate(n=Count("id")).values_list("agency_id", "n")
    )
    department = next(a for a in agencies if a["code"] == "000.00.15.H26")  # Sở Khoa học và Công nghệ
    root = next(a for a in agencies if a["code"] == "000.00.00.H26")
    subtree_size = {
        a["pk"]: sum(by_agency.get(b["pk"], 0) for b in agencies if b["path"].startswith(a["path"]))
        for a in agencies
        if a["pk"] != root["pk"]
    }
    district = next(a for a in agencies if a["pk"] == max(subtree_size, key=lambda k: subtree_size[k]))

    def official(username: str, agency: dict[str, Any], role: str, scope: str) -> User:
        user = User.objects.create(
            username=username,
            kind=AccountKind.OFFICIAL,
            agency_id=agency["pk"],
            full_name=username,
            search_name=username,
        )
        RoleAssignment.objects.create(user=user, role=role, agency_id=agency["pk"], scope=scope)
        return user

    actors = {
        "specialist": official("bench.cv", department, Role.SPECIALIST, RoleScope.AGENCY),
        "district": official("bench.ld.quan", district, Role.LEADER, RoleScope.SUBTREE),
        "city": official("bench.ld.tp", root, Role.LEADER, RoleScope.SUBTREE),
    }
    clerk = official("bench.vt", department, Role.CLERK, RoleScope.AGENCY)
    out["specialist_agency"] = f"{department['name']} ({by_agency.get(department['pk'], 0):,} văn bản)"
    out["district_agency"] = f"{district['name']} ({subtree_size[district['pk']]:,} văn bản)"
    out["city_agency"] = f"{root['name']} (tất cả {out['stored']:,} văn bản)"

    # Registration through the real service.
    from congso.core.files.pdf import new_pdf

    pdfs = []
    for i in range(min(n_register, 50)):
        pdf, family, text = new_pdf(title=f"Văn bản {i}")
        pdf.add_page()
        pdf.set_font(family, size=12)
        pdf.multi_cell(0, 8, text(f"Văn bản số {i}: Về việc triển khai chuyển đổi số năm 2026."))
        pdfs.append(bytes(pdf.output()))
    rng = random.Random(7)
    agency_obj = Agency.objects.get(pk=department["pk"])
    t0 = time.perf_counter()
    for i in range(n_register):
        spec = services.IncomingSpec(
            doc_type="CV",
            number_notation=f"{i + 1:02d}/BKHCN-VP",
            issuer_name="Bộ Khoa học và Công nghệ",
            summary=_summary(rng, "CV", 2026),
            issued_on=dt.date(2026, 11, 20),
        )
        services.document_receive(
            actor=clerk,
            agency=agency_obj,
            spec=spec,
            file=services.Upload(f"scan-{i}.pdf", pdfs[i % len(pdfs)]),
            paper=True,
        )
    out["register_per_s"] = n_register / (time.perf_counter() - t0)
    out["registered"] = n_register
    search_timings(out, actors, smoke)
    out["max_notation_docs"] = (
        Document.objects.values("notation_key").annotate(n=Count("id")).aggregate(m=Max("n"))["m"]
    )
    out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def search_timings(out: dict[str, Any], actors: dict[str, Any], smoke: bool) -> None:
    """Search p50/p95 for each official, and the peer."""
    from django.db import connection

    from congso.modules.documents.search import document_search

    capped = 0
    queries = QUERIES if not smoke else QUERIES[:10]
    rounds = 1 if smoke else 2

    def notation_queries(actor: Any) -> list[str]:
        keys = list(
            document_search(actor=actor, doc_type="QD", page_size=100).items
        )  # recent decisions the actor may see
        picked = [d.number_notation for d in keys if d.number_notation][: 10 if smoke else 50]
        # As users type them: lower case, spaces around the slashes.
        return [p.lower() if i % 2 else p.replace("/", " / ") for i, p in enumerate(picked)]

    def timed(actor: Any, qs: list[str]) -> tuple[list[float], int]:
        nonlocal capped
        samples = []
        hits = 0
        for _ in range(rounds):
            for q in qs:
                actor.__dict__.pop("_policy_grants", None)  # each request loads the grants again
                t0 = time.perf_counter()
                result = document_search(actor=actor, q=q)
                samples.append((time.perf_counter() - t0) * 1000)
                hits += result.total
                capped += bool(result.total_capped)
        return samples, hits // rounds

    for name, actor in actors.items():
        timed(actor, queries[:5])  # warm-up
        capped = 0
        samples, hits = timed(actor, queries)
        out[f"{name}_text_capped"] = capped / rounds
        out[f"{name}_text_p50"], out[f"{name}_text_p95"] = _pct(samples, 50), _pct(samples, 95)
        out[f"{name}_text_max"] = max(samples)
        out[f"{name}_text_hits"] = hits / len(queries)
        notations = notation_queries(actor)
        samples, hits = timed(actor, notations)
        out[f"{name}_notation_p50"], out[f"{name}_notation_p95"] = _pct(samples, 50), _pct(samples, 95)
        out[f"{name}_notation_hits"] = hits / max(1, len(notations))
        out[f"{name}_notation_n"] = len(notations)

    # The peer: raw full text, no permission filter, no facets, no total.
    from congso.core.search.text import fold

    if connection.vendor == "postgresql":
        peer_sql = (
            "SELECT id FROM documents_document WHERE to_tsvector('simple', search_text) "
            "@@ plainto_tsquery('simple', %s) ORDER BY created_at DESC LIMIT 20"
        )
    else:
        peer_sql = ""
    samples = []
    with connection.cursor() as cursor:
        for round_ in range(rounds + 1):
            for q in queries:
                folded = fold(q)
                t0 = time.perf_counter()
                if peer_sql:
                    cursor.execute(peer_sql, [folded])
                else:
                    words = folded.split()
                    where = " AND ".join(["search_text LIKE %s"] * len(words))
                    cursor.execute(
                        f"SELECT id FROM documents_document WHERE {where} ORDER BY created_at DESC LIMIT 20",
                        [f"%{w}%" for w in words],
                    )
                cursor.fetchall()
                if round_:  # the first round warms up
                    samples.append((time.perf_counter() - t0) * 1000)
    out["peer_p50"], out["peer_p95"] = _pct(samples, 50), _pct(samples, 95)


# --- The driver ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--docs", type=int, default=None)
    parser.add_argument("--users", type=int, default=None)
    parser.add_argument("--register", type=int, default=None, help="documents through document_receive")
    parser.add_argument("--database-url", default=os.environ.get("CONGSO_DATABASE_URL", ""))
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="PostgreSQL: keep the database when it already holds --docs documents from an earlier run "
        "(migrate, ANALYZE, time the searches only)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n_docs = args.docs or (SMOKE_DOCS if args.smoke else FULL_DOCS)
    n_users = args.users or (SMOKE_USERS if args.smoke else FULL_USERS)
    n_register = args.register or (50 if args.smoke else 500)
    if args.worker:
        sys.path.insert(0, str(ROOT / "src"))
        print(json.dumps(worker(n_docs, n_users, n_register, args.smoke, args.reuse)))
        return 0
    env = {
        **os.environ,
        "CONGSO_DATA_DIR": tempfile.mkdtemp(prefix="congso-benchdoc-"),
        "CONGSO_LOG_LEVEL": "ERROR",
        "CONGSO_ORG_LOAD_PROVINCES": "01",
        "DJANGO_SETTINGS_MODULE": "congso.config.settings",
    }
    env.pop("CONGSO_DATABASE_URL", None)
    if args.database_url:
        if not (args.reuse and bench_db.holds(args.database_url, "documents_document", n_docs)):
            bench_db.reset_postgres(args.database_url)
        env["CONGSO_DATABASE_URL"] = args.database_url
    t0 = time.perf_counter()
    cmd = [sys.executable, __file__, "--worker", "--docs", str(n_docs), "--users", str(n_users)]
    cmd += ["--register", str(n_register)] + (["--smoke"] if args.smoke else [])
    cmd += ["--reuse"] if args.reuse else []
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr[-5000:], file=sys.stderr)
        return 1
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    r["wall_s"] = time.perf_counter() - t0
    print(
        f"\nDocuments bench — {'smoke' if args.smoke else 'full'} on {r['vendor']}: "
        f"{r['stored']:,} documents over {r.get('agencies', '?')} agencies (2024), "
        f"{r.get('accounts', 0):,} official accounts{' (reused database)' if r.get('reused') else ''}."
    )
    print(f"  specialist: {r['specialist_agency']}")
    print(f"  district leader: {r['district_agency']}")
    print(f"  city leader: {r['city_agency']}")
    lines = []
    if not r.get("reused"):
        lines += [
            ("load (COPY / bulk_create, set-up), documents/s", f"{r['load_docs_per_s']:,.0f}"),
            ("registration via services.document_receive, documents/s", f"{r['register_per_s']:,.1f}"),
        ]
    if "index_s" in r:
        lines.append(("GIN index build + ANALYZE (s)", f"{r['index_s']:.1f}"))
    for name, label in (
        ("specialist", "specialist"),
        ("district", "district leader"),
        ("city", "city leader"),
    ):
        lines += [
            (
                f"search, folded text, {label}: p50 / p95 / max (ms)",
                f"{r[f'{name}_text_p50']:.1f} / {r[f'{name}_text_p95']:.1f} / {r[f'{name}_text_max']:.0f}",
            ),
            (f"  mean total per query, {label}", f"{r[f'{name}_text_hits']:,.0f}"),
            (f"  queries over the count cap (total_capped), {label}", f"{r[f'{name}_text_capped']:.0f}"),
            (
                f"search, exact notation ({r[f'{name}_notation_n']}), {label}: p50 / p95 (ms)",
                f"{r[f'{name}_notation_p50']:.1f} / {r[f'{name}_notation_p95']:.1f}",
            ),
        ]
    lines += [
        (
            "peer: raw full text, no scope/facets/total: p50 / p95 (ms)",
            f"{r['peer_p50']:.1f} / {r['peer_p95']:.1f}",
        ),
        ("memory peak, ru_maxrss (MB)", f"{r.get('maxrss_mb', 0):.0f}"),
        ("wall time incl. set-up (s)", f"{r['wall_s']:.0f}"),
    ]
    for label, value in lines:
        print(f"{label:66}{value:>22}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
