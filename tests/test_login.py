"""Officials' login: password plus TOTP for leaders and administrators, rate limit and lockout."""

from __future__ import annotations

import pyotp
import pytest

from congso.core.accounts.models import User
from congso.core.accounts.services import official_login
from congso.core.audit.models import AuditEvent
from congso.core.errors import Forbidden, TooManyRequests, Unauthenticated
from tests.conftest import CITY, SO_KHCN, clear_cache

pytestmark = pytest.mark.django_db
PASSWORD = "MatKhau@123456"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


def test_specialist_logs_in_with_password_only(make_official) -> None:
    make_official("cv.login", SO_KHCN, ("specialist", "agency"))
    user = official_login(username="CV.Login ", password=PASSWORD, client_ip="10.0.0.1")
    assert user.username == "cv.login"
    assert AuditEvent.objects.filter(action="accounts.login", target_id=str(user.pk)).count() == 1


def test_admin_needs_a_totp_code(make_official) -> None:
    admin = make_official("qt.login", CITY, ("admin", "subtree"))
    with pytest.raises(Unauthenticated, match="mã xác thực không đúng"):
        official_login(username="qt.login", password=PASSWORD, client_ip="10.0.0.2")
    with pytest.raises(Unauthenticated):
        official_login(username="qt.login", password=PASSWORD, totp_code="000000", client_ip="10.0.0.2")
    code = pyotp.TOTP(admin.totp_secret).now()
    assert (
        official_login(username="qt.login", password=PASSWORD, totp_code=code, client_ip="10.0.0.2") == admin
    )
    assert User.objects.get(pk=admin.pk).failed_logins == 0


def test_unknown_account_gets_the_same_message(make_official) -> None:
    with pytest.raises(Unauthenticated) as unknown:
        official_login(username="khong.co", password="x", client_ip="10.0.0.3")
    make_official("cv.known", SO_KHCN, ("specialist", "agency"))
    with pytest.raises(Unauthenticated) as wrong:
        official_login(username="cv.known", password="sai", client_ip="10.0.0.3")
    assert str(unknown.value) == str(wrong.value) == "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng."


def test_five_failures_lock_the_account(make_official, settings, django_capture_on_commit_callbacks) -> None:
    settings.LOGIN_MAX_FAILURES = 5
    user = make_official("cv.lock", SO_KHCN, ("specialist", "agency"))
    user.email = "cv.lock@hanoi.gov.vn"
    user.save()
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(5):
            with pytest.raises(Unauthenticated):
                official_login(username="cv.lock", password="sai-mat-khau", client_ip="10.0.0.4")
    user.refresh_from_db()
    assert user.locked_until is not None
    assert len(callbacks) == 1  # the lockout notice leaves after commit, once
    # Even the right password is refused while locked, with the time it opens again.
    with pytest.raises(Forbidden, match="Tài khoản tạm khoá do đăng nhập sai nhiều lần, mở lại lúc"):
        official_login(username="cv.lock", password=PASSWORD, client_ip="10.0.0.4")
    failed = AuditEvent.objects.filter(action="accounts.login.failed", target_id=str(user.pk)).order_by("seq")
    assert [e.after["locked"] for e in failed] == [False, False, False, False, True]


def test_lockout_notice_is_mailed(make_official) -> None:
    from django.utils import timezone

    from congso.core.accounts.notifications import send_lockout_notice

    user = make_official("cv.mail", SO_KHCN, ("specialist", "agency"))
    user.email, user.locked_until = "cv.mail@hanoi.gov.vn", timezone.now()
    user.save()
    from django.core import mail

    assert send_lockout_notice(user.pk) is True
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["cv.mail@hanoi.gov.vn"]
    assert "tạm khoá" in mail.outbox[0].subject


def test_rate_limit_per_address(make_official, settings) -> None:
    settings.LOGIN_RATE_PER_MINUTE = 3
    make_official("cv.rate", SO_KHCN, ("specialist", "agency"))
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            official_login(username="nobody", password="x", client_ip="10.9.9.9")
    with pytest.raises(TooManyRequests, match="Quá nhiều lần đăng nhập"):
        official_login(username="cv.rate", password=PASSWORD, client_ip="10.9.9.9")
    # Another address is not affected.
    assert official_login(username="cv.rate", password=PASSWORD, client_ip="10.9.9.10").username == "cv.rate"


def test_deactivated_official_cannot_log_in(make_official) -> None:
    from congso.core.accounts.services import official_set_active

    admin = make_official("qt.deact", CITY, ("admin", "subtree"))
    user = make_official("cv.deact", SO_KHCN, ("specialist", "agency"))
    official_set_active(actor=admin, user=user, active=False)
    with pytest.raises(Unauthenticated):
        official_login(username="cv.deact", password=PASSWORD, client_ip="10.0.0.5")
