"""Yearly overrides of the working-day calendar announced by the state.

The base rules (weekends, the public holidays of the Labour Code 2019 art. 112 and the
substituted days the ``holidays`` package already knows) are computed, not stored. What the
state announces on top of them each year is stored here, one row per day; an override always
wins over the base rules.
"""

from __future__ import annotations

from django.db import models


class OverrideKind(models.TextChoices):
    DAY_OFF = "day_off", "Ngày nghỉ"
    WORKING_DAY = "working_day", "Ngày làm việc"


class CalendarOverride(models.Model):
    day = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=16, choices=OverrideKind.choices)
    name = models.CharField("tên", max_length=200)
    legal_basis = models.CharField("căn cứ", max_length=300, blank=True)

    class Meta:
        db_table = "workcal_override"
        ordering = ["day"]
        verbose_name = "ngày ngoại lệ"
        verbose_name_plural = "ngày ngoại lệ"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OverrideKind.values), name="workcal_override_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}: {self.name}"

    def as_dict(self) -> dict[str, str]:
        """The audited form of the row."""
        return {
            "day": self.day.isoformat(),
            "kind": self.kind,
            "name": self.name,
            "legal_basis": self.legal_basis,
        }
