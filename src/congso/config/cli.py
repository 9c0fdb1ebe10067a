"""The `congso` command: serve, worker, seed, audit verify, check, and a few operator helpers.

Each command sets Django up and calls services and selectors: the CLI goes through the same policy
and audit paths as the web and the API (it acts as the system, or as --as USER where it matters).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.config.settings")
    import django

    django.setup()


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if args.workers:
        # Production-style: several gunicorn processes, stateless behind a proxy.
        os.execvp(  # noqa: S606 - replacing this process with gunicorn is the point
            sys.executable,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "congso.config.wsgi",
                "--bind",
                f"{args.host}:{args.port}",
                "--workers",
                str(args.workers),
                "--access-logfile",
                "-",
            ],
        )
    print(f"congso đang chạy tại http://{args.host}:{args.port}/  (Ctrl+C để dừng)", flush=True)
    call_command("runserver", f"{args.host}:{args.port}", use_reloader=False, use_threading=True)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        print(
            "Chưa cấu hình CONGSO_BROKER_URL: ở chế độ nhúng, tác vụ chạy ngay trong tiến trình web, "
            "không cần worker.",
            file=sys.stderr,
        )
        return 2
    from congso.config.celery import app

    argv = ["worker", "--loglevel", args.loglevel, "--concurrency", str(args.concurrency)]
    if args.beat:
        argv.append("--beat")  # one process also runs the schedule (reminders); use one such worker
    app.worker_main(argv)
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from congso.core.seed import demo

    print("Nạp đơn vị hành chính (hai thời kỳ, trước và sau 01/07/2025)…", flush=True)
    report = demo.seed_units()
    print(f"  thêm {report.units_created} đơn vị, {report.links_created} liên kết sắp xếp.", flush=True)
    print("Nạp cơ quan của Hà Nội (hai thời kỳ)…", flush=True)
    print(f"  {demo.seed_agencies()} cơ quan.", flush=True)
    accounts = demo.seed_demo_accounts()
    from congso.modules.reporting.demo import seed_reporting

    print("Nạp kho chỉ tiêu, biểu mẫu và số liệu báo cáo mẫu…", flush=True)
    seed_reporting(scale=args.scale)
    from congso.modules.documents.demo import seed_documents

    print("Nạp văn bản mẫu (ký số, cấp số, gửi nhận giữa Sở KH&CN và phường Ba Đình)…", flush=True)
    print(f"  {seed_documents()} văn bản.", flush=True)
    from congso.modules.services.demo import seed_procedures

    print("Nạp danh mục thủ tục hành chính mẫu (cấp xã và cấp thành phố)…", flush=True)
    print(f"  {seed_procedures()} thủ tục mới.", flush=True)
    if args.scale == "hanoi":
        total = demo.HANOI_OFFICIAL_ACCOUNTS
        with tqdm(total=total, unit="tài khoản", desc="Tài khoản cán bộ", disable=args.quiet) as bar:
            created = demo.seed_scale_accounts(total, progress=bar.update)
        print(
            f"  tạo mới {created} tài khoản; tổng {demo.official_accounts_count()} tài khoản cán bộ.",
            flush=True,
        )
    if not args.quiet:
        _print_demo_accounts(accounts)
    return 0


def _print_demo_accounts(accounts: Sequence[object]) -> None:
    from congso.core.accounts.selectors import user_by_username
    from congso.core.accounts.services import totp_required

    print("\nTài khoản mẫu (đăng nhập tại http://127.0.0.1:8000/dang-nhap/):")
    for acc in accounts:
        user = user_by_username(acc.username)  # type: ignore[attr-defined]
        if user is None:
            continue
        line = f"  {acc.username:<20} mật khẩu {acc.password:<18} {acc.position}"  # type: ignore[attr-defined]
        if totp_required(user):
            line += f"\n  {'':<20} cần mã 6 số: chạy `.venv/bin/congso totp {acc.username}`"  # type: ignore[attr-defined]
            line += f" (hoặc thêm khoá {user.totp_secret} vào ứng dụng xác thực)"
        print(line)
    print("  Công dân: bấm 'Đăng nhập bằng VNeID' và chọn một danh tính mẫu.\n", flush=True)


def cmd_totp(args: argparse.Namespace) -> int:
    from congso.core.accounts.selectors import user_by_username
    from congso.core.accounts.services import totp_now
    from congso.core.errors import DomainError

    user = user_by_username(args.username)
    if user is None:
        print(f"Không có tài khoản {args.username}.", file=sys.stderr)
        return 1
    try:
        print(totp_now(user))
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from congso.core.audit.selectors import audit_verify_chain

    report = audit_verify_chain()
    if report.ok:
        print(f"Chuỗi nhật ký toàn vẹn: đã kiểm tra {report.checked} sự kiện.")
        return 0
    print(
        f"NHẬT KÝ BỊ THAY ĐỔI: {report.reason}. Hàng hỏng đầu tiên: #{report.first_bad_seq} "
        f"(đã kiểm tra đúng {report.checked} sự kiện trước đó).",
        file=sys.stderr,
    )
    return 1


def cmd_officials(args: argparse.Namespace) -> int:
    """List officials as USER would see them: the CLI reads through the same scoped selectors."""
    from congso.core.accounts.selectors import officials_visible, user_by_username

    actor = user_by_username(args.as_user)
    if actor is None or not actor.is_active:
        print(f"Không có tài khoản đang hoạt động '{args.as_user}'.", file=sys.stderr)
        return 1
    rows = officials_visible(actor=actor, q=args.q)
    total = rows.count()
    for user in rows[: args.limit]:
        agency = user.agency.code if user.agency else "-"
        print(f"{user.username:<32} {agency:<16} {user.full_name}")
    print(f"({min(total, args.limit)}/{total} tài khoản trong phạm vi của {actor.username})")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    """Issue an API token for a system or an official (the operator acts as the system here)."""
    import datetime as dt

    from django.utils import timezone

    from congso.core.accounts.selectors import user_by_username
    from congso.core.accounts.services import api_token_create
    from congso.core.errors import DomainError

    user = user_by_username(args.user)
    if user is None:
        print(f"Không có tài khoản '{args.user}'.", file=sys.stderr)
        return 1
    expires = timezone.now() + dt.timedelta(days=args.days) if args.days else None
    try:
        issued = api_token_create(actor=user, user=user, name=args.name, expires_at=expires)
    except DomainError as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    print(issued.secret)
    print("Token chỉ hiển thị một lần; gửi kèm tiêu đề 'Authorization: Bearer <token>'.", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("check", deploy=args.deploy)
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        print(f"Còn {len(pending)} migration chưa chạy: chạy `congso migrate`.", file=sys.stderr)
        return 1
    print(f"Cấu hình hợp lệ; cơ sở dữ liệu {connection.vendor} đã cập nhật.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="congso", description="Nền tảng chính quyền số congso")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="chạy máy chủ web")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=0, help="số tiến trình gunicorn (0: máy chủ phát triển)")
    p.add_argument("--migrate", action="store_true", help="chạy migration trước khi phục vụ")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="chạy worker Celery (khi có CONGSO_BROKER_URL)")
    p.add_argument("--concurrency", type=int, default=2)
    p.add_argument("--loglevel", default="info")
    p.add_argument("--beat", action="store_true", help="chạy cả lịch tác vụ định kỳ (nhắc hạn báo cáo)")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("migrate", help="tạo/cập nhật lược đồ cơ sở dữ liệu")
    p.add_argument("-v", "--verbose", action="store_true")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("seed", help="nạp dữ liệu thành phố mẫu (chạy lại không tạo trùng)")
    p.add_argument("--scale", choices=["demo", "hanoi"], default="demo")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_seed)

    p = sub.add_parser("totp", help="in mã xác thực hiện tại của một tài khoản mẫu")
    p.add_argument("username")
    p.set_defaults(func=cmd_totp)

    audit = sub.add_parser("audit", help="nhật ký kiểm toán").add_subparsers(
        dest="audit_command", required=True
    )
    p = audit.add_parser("verify", help="kiểm tra chuỗi băm của nhật ký")
    p.set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("officials", help="liệt kê cán bộ trong phạm vi một tài khoản được xem")
    p.add_argument("--as", dest="as_user", required=True, help="tên đăng nhập của người xem")
    p.add_argument("-q", default=None, help="tìm theo tên (không cần dấu)")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(func=cmd_officials)

    token = sub.add_parser("token", help="token API").add_subparsers(dest="token_command", required=True)
    p = token.add_parser("create", help="cấp token API cho một tài khoản (in ra một lần)")
    p.add_argument("--user", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--days", type=int, default=365, help="số ngày hiệu lực (0: không hết hạn)")
    p.set_defaults(func=cmd_token_create)

    p = sub.add_parser("check", help="kiểm tra cấu hình và migration")
    p.add_argument("--deploy", action="store_true")
    p.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup()
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
