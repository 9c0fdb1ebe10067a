"""The console script and the demo seeds."""

from __future__ import annotations

import pytest

from congso.config.cli import main as cli
from congso.core.accounts.models import AccountKind, User
from congso.core.audit.selectors import audit_verify_chain
from congso.core.seed import demo
from congso.modules.services.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_accounts_and_is_rerunnable(capsys) -> None:
    assert cli(["seed", "--scale", "demo"]) == 0
    out = capsys.readouterr().out
    assert "quantri" in out and "QuanTri@2025!" in out and "congso totp quantri" in out
    assert "  6 văn bản." in out
    assert "  35 thủ tục mới." in out
    users = User.objects.count()
    documents = _documents()
    assert documents == [
        ("in", "000.00.15.H26", "06/KH-BCĐ", "received"),
        ("in", "000.00.15.H26", "4098/QĐ-UBND", "received"),
        ("in", "000.00.15.H26", "749/QĐ-TTg", "received"),
        ("in", "001.00.90.H26", "01/BC-SKHCN", "pending"),
        ("out", "000.00.15.H26", "", "in_review"),
        ("out", "000.00.15.H26", "01/BC-SKHCN", "issued"),
    ]
    assert cli(["seed", "--scale", "demo", "--quiet"]) == 0
    assert User.objects.count() == users
    assert _documents() == documents
    assert "  0 thủ tục mới." in capsys.readouterr().out
    assert Procedure.objects.count() == 35 and ProcedureVersion.objects.count() == 35
    assert audit_verify_chain().ok


def _documents() -> list[tuple[str, str, str, str]]:
    from congso.modules.documents.models import Document

    return sorted(Document.objects.values_list("direction", "agency__code", "number_notation", "status"))


def test_scale_seed_is_exact_and_rerunnable() -> None:
    # The real run makes 31,345 accounts; the same code at a small total keeps the suite fast.
    demo.seed_demo_accounts()
    created = demo.seed_scale_accounts(total=1_000)
    assert created == 1_000
    assert User.objects.filter(username__startswith="cb.", kind=AccountKind.OFFICIAL).count() == 1_000
    assert demo.seed_scale_accounts(total=1_000) == 0
    # Spread over the 633 agencies of 2024, every one of them with at least one account.
    assert User.objects.filter(username__startswith="cb.").values("agency").distinct().count() == 633


def test_totp_command(capsys) -> None:
    demo.seed_demo_accounts()
    assert cli(["totp", "quantri"]) == 0
    code = capsys.readouterr().out.strip()
    assert len(code) == 6 and code.isdigit()
    assert cli(["totp", "khong.ton.tai"]) == 1


def test_check_command(capsys) -> None:
    assert cli(["check"]) == 0
    assert "đã cập nhật" in capsys.readouterr().out


def test_worker_without_broker_explains(capsys, settings) -> None:
    settings.CELERY_BROKER_URL = ""
    assert cli(["worker"]) == 2
    assert "CONGSO_BROKER_URL" in capsys.readouterr().err


def test_officials_command_goes_through_the_policy_layer(capsys, make_official) -> None:
    from tests.conftest import BA_DINH, SO_TU_PHAP

    make_official("cv.tp.cli", SO_TU_PHAP, ("specialist", "agency"))
    make_official("cv.bd.cli", BA_DINH, ("specialist", "agency"))
    assert cli(["officials", "--as", "cv.bd.cli"]) == 0
    out = capsys.readouterr().out
    assert "cv.bd.cli" in out and "cv.tp.cli" not in out
    assert "(1/1 tài khoản trong phạm vi của cv.bd.cli)" in out
    assert cli(["officials", "--as", "khong.co"]) == 1


def test_token_create_command(capsys, make_official, client) -> None:
    make_official("he.thong.bc", "000.00.00.H26", ("specialist", "agency"))
    assert cli(["token", "create", "--user", "he.thong.bc", "--name", "Hệ thống báo cáo quốc gia"]) == 0
    secret = capsys.readouterr().out.strip()
    me = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert me["username"] == "he.thong.bc"
    assert cli(["token", "create", "--user", "khong.co", "--name", "x"]) == 1
