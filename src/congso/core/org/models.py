"""Administrative units and agencies, versioned in time.

Every row is one version of a unit or agency, valid over ``[valid_from, valid_to)``; a NULL
``valid_from`` means "since before our records", a NULL ``valid_to`` means "still valid". Codes are
reused across eras (the ward code 00004 was Phường Trúc Bạch until 30 June 2025 and is Phường
Ba Đình since 1 July 2025), so a code names a unit only together with a date.

Reorganisation events (merge, split, rename, abolish …) link predecessors to successors, with
the share of the predecessor that went to each successor, so figures can be carried across.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q


class UnitLevel(models.IntegerChoices):
    PROVINCE = 1, "Cấp tỉnh"
    DISTRICT = 2, "Cấp huyện"
    COMMUNE = 3, "Cấp xã"


class UnitKind(models.TextChoices):
    MUNICIPALITY = "thanh_pho_tw", "Thành phố trực thuộc trung ương"
    PROVINCE = "tinh", "Tỉnh"
    URBAN_DISTRICT = "quan", "Quận"
    RURAL_DISTRICT = "huyen", "Huyện"
    TOWN = "thi_xa", "Thị xã"
    PROVINCIAL_CITY = "thanh_pho", "Thành phố thuộc tỉnh"
    WARD = "phuong", "Phường"
    COMMUNE = "xa", "Xã"
    TOWNLET = "thi_tran", "Thị trấn"
    SPECIAL_ZONE = "dac_khu", "Đặc khu"


def valid_on(day: dt.date, prefix: str = "") -> Q:
    """The rows valid on ``day``: valid_from <= day < valid_to, NULL meaning open."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


class Versioned(models.Model):
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )


class AdministrativeUnit(Versioned):
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=120)
    short_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=UnitKind.choices)
    level = models.PositiveSmallIntegerField(choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    area_km2 = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # Folded name (no accents, lower case) for search: "phuong ba dinh".
    search_name = models.CharField(max_length=120, db_index=True)
    source = models.CharField(max_length=60)

    class Meta:
        db_table = "org_unit"
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="org_unit_code_from_uniq"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_from__isnull=True), name="org_unit_code_open_uniq"
            ),
        ]
        indexes = [
            models.Index(fields=["code", "valid_from", "valid_to"], name="org_unit_code_idx"),
            models.Index(fields=["parent", "level", "valid_to"], name="org_unit_parent_idx"),
            models.Index(fields=["level", "valid_to", "valid_from"], name="org_unit_level_idx"),
        ]
        ordering = ["code", "valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class EventKind(models.TextChoices):
    MERGE = "merge", "Nhập"
    SPLIT = "split", "Chia tách"
    RENAME = "rename", "Đổi tên"
    RECLASSIFY = "reclassify", "Chuyển loại"
    ABOLISH = "abolish", "Giải thể / kết thúc"
    ESTABLISH = "establish", "Thành lập"
    MOVE = "move", "Điều chỉnh địa giới"


class ReorgEvent(models.Model):
    """One reorganisation: its kind, date, and the legal act behind it."""

    kind = models.CharField(max_length=16, choices=EventKind.choices)
    effective_date = models.DateField()
    legal_basis = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        db_table = "org_reorg_event"
        ordering = ["effective_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.effective_date}"


class UnitLink(models.Model):
    """Predecessor -> successor with the share of the predecessor carried over (1 = all of it)."""

    event = models.ForeignKey(ReorgEvent, on_delete=models.CASCADE, related_name="unit_links")
    predecessor = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="predecessor_links"
    )
    share = models.DecimalField(max_digits=7, decimal_places=6)
    # How the share was found: "whole" (all of it), "equal" (split evenly for lack of better data),
    # "area" / "population" / "decision" when an administrator set it from a source.
    share_basis = models.CharField(max_length=16, default="whole")

    class Meta:
        db_table = "org_unit_link"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="org_unit_link_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} -> {self.successor_id} ({self.share})"


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "ubnd", "Ủy ban nhân dân"
    DEPARTMENT = "so", "Sở, ban, ngành"
    ONE_STOP_CENTRE = "mot_cua", "Trung tâm / bộ phận một cửa"
    DIVISION = "phong", "Phòng chuyên môn"
    PUBLIC_SERVICE_UNIT = "su_nghiep", "Đơn vị sự nghiệp"
    OTHER = "khac", "Cơ quan khác"


class Agency(Versioned):
    """A state agency (cơ quan, đơn vị). ``path`` is the materialised chain of ids from the root,
    "/1/17/302/", so a subtree is one indexed prefix query."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=80, blank=True)
    kind = models.CharField(max_length=12, choices=AgencyKind.choices)
    level = models.PositiveSmallIntegerField(choices=UnitLevel.choices)
    unit = models.ForeignKey(
        AdministrativeUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, blank=True)
    search_name = models.CharField(max_length=200, db_index=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        db_table = "org_agency"
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["code", "valid_from"], name="org_agency_code_from_uniq"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_from__isnull=True), name="org_agency_code_open_uniq"
            ),
        ]
        indexes = [models.Index(fields=["code", "valid_from", "valid_to"], name="org_agency_code_idx")]
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class AgencyLink(models.Model):
    event = models.ForeignKey(ReorgEvent, on_delete=models.CASCADE, related_name="agency_links")
    predecessor = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="predecessor_links")

    class Meta:
        db_table = "org_agency_link"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="org_agency_link_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} -> {self.successor_id}"
