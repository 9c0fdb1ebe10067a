"""Every write to accounts: one transaction each, audited inside it, authorised by the policy layer."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from congso.core import rows
from congso.core.accounts.models import AccountKind, ApiToken, Role, RoleAssignment, RoleScope, User
from congso.core.audit.services import audit_record
from congso.core.errors import Conflict, Forbidden, InvalidInput, TooManyRequests, Unauthenticated
from congso.core.org.models import Agency
from congso.core.policy import authorize, roles_of
from congso.core.search.text import fold

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,149}$")
NATIONAL_ID = re.compile(r"^\d{12}$")


def account_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "kind": user.kind,
        "full_name": user.full_name,
        "agency_id": user.agency_id,
        "position": user.position,
        "email": user.email,
        "is_active": user.is_active,
        "roles": sorted(f"{ra.role}@{ra.agency_id}/{ra.scope}" for ra in user.role_assignments.all())
        if user.pk
        else [],
    }


def official_create(
    *,
    actor: Any,
    agency: Agency,
    username: str,
    full_name: str,
    password: str | None = None,
    position: str = "",
    email: str = "",
    phone: str = "",
    roles: list[tuple[str, str]] | None = None,
) -> User:
    """Create an official of ``agency`` with roles [(role, scope)] granted on that agency."""
    authorize(actor, "accounts.official.manage", agency)
    username = username.strip().lower()
    problems = []
    if not USERNAME.match(username):
        problems.append(
            {
                "field": "username",
                "message": "Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch; từ 3 ký tự.",
            }
        )
    if not full_name.strip():
        problems.append({"field": "full_name", "message": "Họ và tên không được để trống."})
    for role, scope in roles or []:
        if role not in Role.values or scope not in RoleScope.values:
            problems.append({"field": "roles", "message": f"Vai trò '{role}/{scope}' không hợp lệ."})
    if password is not None and len(password) < 10:
        problems.append({"field": "password", "message": "Mật khẩu phải có ít nhất 10 ký tự."})
    if problems:
        raise InvalidInput(" ".join(p["message"] for p in problems), errors=problems)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict(f"Tên đăng nhập {username} đã có người dùng.")
        user = User(
            username=username,
            full_name=full_name.strip(),
            search_name=fold(full_name),
            kind=AccountKind.OFFICIAL,
            agency=agency,
            position=position,
            email=email,
            phone=phone,
        )
        user.password = make_password(password) if password else make_password(None)
        if set(dict(roles or []).keys()) & set(settings.TOTP_REQUIRED_ROLES):
            user.totp_secret = pyotp.random_base32()
        user.save()
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user=user, role=r, agency=agency, scope=s) for r, s in roles or []]
        )
        audit_record(
            actor=actor,
            action="accounts.official.create",
            target=user,
            after=account_snapshot(user),
            agency_code=agency.code,
        )
    return user


def official_update(*, actor: Any, user: User, **changes: Any) -> User:
    editable = {"full_name", "position", "email", "phone"}
    unknown = set(changes) - editable
    if unknown:
        raise InvalidInput(f"Không sửa được trường: {', '.join(sorted(unknown))}.")
    authorize(actor, "accounts.official.manage", user.agency)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = account_snapshot(locked)
        for key, value in changes.items():
            setattr(locked, key, value.strip() if isinstance(value, str) else value)
        if not locked.full_name:
            raise InvalidInput("Họ và tên không được để trống.")
        locked.search_name = fold(locked.full_name)
        locked.save()
        audit_record(
            actor=actor,
            action="accounts.official.update",
            target=locked,
            before=before,
            after=account_snapshot(locked),
            agency_code=locked.agency_code,
        )
    return locked


def official_set_active(*, actor: Any, user: User, active: bool) -> User:
    authorize(actor, "accounts.official.manage", user.agency)
    if user.pk == getattr(actor, "pk", None) and not active:
        raise InvalidInput("Không thể tự khoá tài khoản của chính mình.")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = account_snapshot(locked)
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="accounts.official.activate" if active else "accounts.official.deactivate",
            target=locked,
            before=before,
            after=account_snapshot(locked),
            agency_code=locked.agency_code,
        )
    return locked


def role_grant(
    *, actor: Any, user: User, role: str, agency: Agency, scope: str = RoleScope.AGENCY
) -> RoleAssignment:
    if role not in Role.values or scope not in RoleScope.values:
        raise InvalidInput(f"Vai trò '{role}' hoặc phạm vi '{scope}' không hợp lệ.")
    # Both the account's own agency and the agency the role reaches must be within the actor's reach.
    authorize(actor, "accounts.official.manage", user.agency)
    authorize(actor, "accounts.official.manage", agency)
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, agency=agency, defaults={"scope": scope}
        )
        if not created and assignment.scope == scope:
            return assignment
        assignment.scope = scope
        assignment.save()
        if role in settings.TOTP_REQUIRED_ROLES and not user.totp_secret:
            user.totp_secret = pyotp.random_base32()
            user.save(update_fields=["totp_secret"])
        audit_record(
            actor=actor,
            action="accounts.role.grant",
            target=user,
            after={"role": role, "agency": agency.code, "scope": scope},
            agency_code=agency.code,
        )
    return assignment


def role_revoke(*, actor: Any, user: User, role: str, agency: Agency) -> None:
    authorize(actor, "accounts.official.manage", agency)
    with transaction.atomic():
        deleted, _ = RoleAssignment.objects.filter(user=user, role=role, agency=agency).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="accounts.role.revoke",
                target=user,
                before={"role": role, "agency": agency.code},
                agency_code=agency.code,
            )


def password_set(*, actor: Any, user: User, password: str) -> None:
    if getattr(actor, "pk", None) != user.pk:
        authorize(actor, "accounts.official.manage", user.agency)
    if len(password) < 10:
        raise InvalidInput(
            "Mật khẩu phải có ít nhất 10 ký tự.",
            errors=[{"field": "password", "message": "Mật khẩu phải có ít nhất 10 ký tự."}],
        )
    with transaction.atomic():
        user.set_password(password)
        user.failed_logins, user.locked_until = 0, None
        user.save(update_fields=["password", "failed_logins", "locked_until"])
        audit_record(actor=actor, action="accounts.password.set", target=user, agency_code=user.agency_code)


# --- Login -------------------------------------------------------------------------------------


def totp_required(user: User) -> bool:
    return bool(roles_of(user) & set(settings.TOTP_REQUIRED_ROLES))


def totp_now(user: User) -> str:
    """The current code, for the demo CLI (`congso totp USER`)."""
    if not user.totp_secret:
        raise InvalidInput(f"Tài khoản {user.username} chưa bật xác thực hai lớp.")
    return pyotp.TOTP(user.totp_secret).now()


def _rate_limit(client_ip: str) -> None:
    key = f"login-rate:{client_ip}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=120)
        count = 1
    if count > settings.LOGIN_RATE_PER_MINUTE:
        raise TooManyRequests(_("Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau một phút."))


def _record_failure(user: User, reason: str) -> None:
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        locked.failed_logins += 1
        lock = locked.failed_logins >= settings.LOGIN_MAX_FAILURES
        if lock:
            locked.locked_until = timezone.now() + dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
            locked.failed_logins = 0
        locked.save(update_fields=["failed_logins", "locked_until"])
        audit_record(
            actor=None,
            action="accounts.login.failed",
            target=locked,
            after={"reason": reason, "locked": lock},
            agency_code=locked.agency_code,
        )
        if lock:
            from congso.core.accounts.tasks import notify_account_locked

            user_id = locked.pk
            transaction.on_commit(lambda: notify_account_locked.delay(user_id))


_BAD_LOGIN = gettext_lazy("Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.")


def official_login(*, username: str, password: str, totp_code: str = "", client_ip: str = "") -> User:
    """Check password (and TOTP where the account's roles require it). Failures are counted; after
    LOGIN_MAX_FAILURES the account is locked for LOGIN_LOCKOUT_SECONDS."""
    _rate_limit(client_ip or "unknown")
    user = User.objects.filter(username=username.strip().lower(), kind__in=[AccountKind.OFFICIAL]).first()
    if user is None or not user.is_active:
        # Same message and a hash computation, so that unknown accounts cannot be told apart.
        make_password(password)
        raise Unauthenticated(_BAD_LOGIN)
    now = timezone.now()
    if user.locked_until and user.locked_until > now:
        local = timezone.localtime(user.locked_until)
        raise Forbidden(
            _("Tài khoản tạm khoá do đăng nhập sai nhiều lần, mở lại lúc %(time)s.")
            % {"time": f"{local:%H:%M %d/%m/%Y}"}
        )
    if not user.check_password(password):
        _record_failure(user, "password")
        raise Unauthenticated(_BAD_LOGIN)
    if totp_required(user):
        code = re.sub(r"\s", "", totp_code or "")
        if not user.totp_secret or not pyotp.TOTP(user.totp_secret).verify(code, valid_window=1):
            _record_failure(user, "totp")
            raise Unauthenticated(_BAD_LOGIN)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=now)
        audit_record(actor=user, action="accounts.login", target=user, agency_code=user.agency_code)
    user.failed_logins, user.locked_until, user.last_login = 0, None, now
    return user


# --- Citizens ----------------------------------------------------------------------------------


def citizen_from_eid(
    *, subject: str, national_id: str, full_name: str, email: str = "", phone: str = ""
) -> User:
    """Find or create the citizen account behind an e-ID login; refresh its name from the e-ID."""
    if not NATIONAL_ID.match(national_id or ""):
        raise InvalidInput("Số định danh cá nhân từ VNeID không hợp lệ (phải gồm 12 chữ số).")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(eid_subject=subject).first()
        if user is None:
            if User.objects.filter(national_id=national_id).exclude(eid_subject=subject).exists():
                raise Conflict("Số định danh này đã gắn với một tài khoản định danh khác.")
            user = User(
                username=f"cd{national_id}",
                kind=AccountKind.CITIZEN,
                eid_subject=subject,
                national_id=national_id,
                full_name=full_name,
                search_name=fold(full_name),
                email=email,
                phone=phone,
            )
            user.set_unusable_password()
            user.save()
            audit_record(
                actor=user, action="accounts.citizen.create", target=user, after=account_snapshot(user)
            )
        elif user.full_name != full_name or (email and user.email != email):
            before = account_snapshot(user)
            user.full_name, user.email, user.search_name = full_name, email or user.email, fold(full_name)
            user.save(update_fields=["full_name", "email", "search_name"])
            audit_record(
                actor=user,
                action="accounts.citizen.update",
                target=user,
                before=before,
                after=account_snapshot(user),
            )
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        audit_record(actor=user, action="accounts.login", target=user, after={"method": "eid"})
    return user


# --- API tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *, actor: Any, user: User, name: str, expires_at: dt.datetime | None = None
) -> IssuedToken:
    if getattr(actor, "pk", None) != user.pk:
        authorize(actor, "accounts.official.manage", user.agency)
    if not name.strip():
        raise InvalidInput("Tên token không được để trống.")
    prefix = secrets.token_hex(6)
    secret = f"cs_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name.strip(), prefix=prefix, digest=_digest(secret), expires_at=expires_at
        )
        audit_record(
            actor=actor,
            action="accounts.token.create",
            target=token,
            after={"user": user.username, "name": token.name, "prefix": prefix},
            agency_code=user.agency_code,
        )
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    if getattr(actor, "pk", None) != token.user_id:
        authorize(actor, "accounts.official.manage", token.user.agency)
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        audit_record(
            actor=actor,
            action="accounts.token.revoke",
            target=token,
            after={"prefix": token.prefix},
            agency_code=token.user.agency_code,
        )


def api_token_authenticate(secret: str) -> User | None:
    """The user behind a bearer token, or None. Not audited (a read), but records last use coarsely."""
    parts = secret.split("_", 2)  # the random part may itself contain "_"
    if len(parts) != 3 or parts[0] != "cs":
        return None
    now = timezone.now()
    # Every API call runs this: written out (the ORM took ≈ 1 ms of CPU to build the join, a raw
    # queryset ≈ 0.5 ms to map its columns; core/rows.py). The dates are compared in SQL, so only
    # booleans come back. An official's agency is loaded when first needed.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {rows.columns(User, 'u')}, t.id, t.digest, "  # noqa: S608 - columns from the model
            "(t.revoked_at IS NOT NULL OR (t.expires_at IS NOT NULL AND t.expires_at <= %s)), "
            "(t.last_used_at IS NULL OR t.last_used_at < %s) "
            "FROM accounts_api_token t JOIN accounts_user u ON u.id = t.user_id WHERE t.prefix = %s",
            [now, now - dt.timedelta(minutes=5), parts[1]],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    token_id, digest, dead, stale = row[-4:]
    if not secrets.compare_digest(digest, _digest(secret)):
        return None
    user = rows.instance(User, row)
    if dead or not user.is_active:
        return None
    if stale:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user
