"""Accounts: officials (cán bộ, công chức), citizens (công dân) and systems (API clients).

An official belongs to one agency and holds roles; each role is granted on an agency, either for
that agency alone or for its whole subtree. What an official may see and do follows from these
grants through the policy layer (``congso.core.policy``), never from checks scattered in views.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class AccountKind(models.TextChoices):
    OFFICIAL = "official", "Cán bộ, công chức"
    CITIZEN = "citizen", "Công dân / doanh nghiệp"
    SYSTEM = "system", "Hệ thống kết nối"


class Role(models.TextChoices):
    CLERK = "clerk", "Văn thư"
    SPECIALIST = "specialist", "Chuyên viên"
    LEADER = "leader", "Lãnh đạo"
    DESK_OFFICER = "desk_officer", "Cán bộ một cửa"
    ADMIN = "admin", "Quản trị"


class RoleScope(models.TextChoices):
    AGENCY = "agency", "Chỉ cơ quan này"
    SUBTREE = "subtree", "Cơ quan này và các đơn vị trực thuộc"


class User(AbstractUser):
    kind = models.CharField(max_length=10, choices=AccountKind.choices, default=AccountKind.OFFICIAL)
    full_name = models.CharField(max_length=150, blank=True)
    # Folded full name for accent-insensitive search ("nguyen van an").
    search_name = models.CharField(max_length=150, blank=True, db_index=True)
    agency = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="officials"
    )
    position = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # Citizens: the 12-digit personal identification number and the e-ID subject.
    national_id = models.CharField(max_length=12, null=True, blank=True, unique=True)
    eid_subject = models.CharField(max_length=100, null=True, blank=True, unique=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_user"
        indexes = [models.Index(fields=["agency", "kind"], name="accounts_user_agency_idx")]

    @property
    def agency_code(self) -> str:
        return self.agency.code if self.agency_id and self.agency else ""

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=16, choices=Role.choices)
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="role_assignments")
    scope = models.CharField(max_length=8, choices=RoleScope.choices, default=RoleScope.AGENCY)

    class Meta:
        db_table = "accounts_role_assignment"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "agency"], name="accounts_role_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}@{self.agency_id}/{self.scope}"


class ApiToken(models.Model):
    """A bearer token for a system or an official's scripts. Only a hash is stored; the token is
    shown once, when created. ``prefix`` finds the row without scanning hashes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_api_token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
