"""The reporting information system: indicator and form repositories, submissions, data values.

- An indicator (chỉ tiêu) has a unit of measure, a value type, how it aggregates over units and
  over time, and a category combination (disaggregation, e.g. sex × urban/rural). A computed
  indicator has a formula over other indicators, versioned by ``valid_from`` so that changing it
  does not rewrite what was computed for earlier periods.
- A form (biểu mẫu) groups indicators into sections, has a regime and a period type, and is
  assigned to agencies. One submission per form, agency and period carries its status.
- A data value is one number for (indicator, option combo, agency, period). It remembers the
  administrative unit the agency served when it reported, so roll-ups can follow the unit through
  reorganisations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ValueType(models.TextChoices):
    NUMBER = "number", "Số thực"
    INTEGER = "integer", "Số nguyên"
    PERCENT = "percent", "Tỷ lệ %"


class Aggregation(models.TextChoices):
    SUM = "sum", "Cộng"
    AVERAGE = "avg", "Trung bình"
    LAST = "last", "Giá trị cuối kỳ"
    MIN = "min", "Nhỏ nhất"
    MAX = "max", "Lớn nhất"


class CategoryCombo(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        db_table = "reporting_category_combo"

    def __str__(self) -> str:
        return self.code


class CategoryOptionCombo(models.Model):
    combo = models.ForeignKey(CategoryCombo, on_delete=models.CASCADE, related_name="option_combos")
    code = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "reporting_category_option_combo"
        constraints = [models.UniqueConstraint(fields=["combo", "code"], name="reporting_coc_uniq")]
        ordering = ["combo_id", "order", "code"]

    def __str__(self) -> str:
        return f"{self.combo_id}:{self.code}"


class Indicator(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=300)
    search_name = models.CharField(max_length=300, db_index=True)
    unit_of_measure = models.CharField(max_length=60)
    value_type = models.CharField(max_length=10, choices=ValueType.choices, default=ValueType.NUMBER)
    agg_units = models.CharField(max_length=4, choices=Aggregation.choices, default=Aggregation.SUM)
    agg_time = models.CharField(max_length=4, choices=Aggregation.choices, default=Aggregation.SUM)
    combo = models.ForeignKey(CategoryCombo, on_delete=models.PROTECT, related_name="indicators")
    computed = models.BooleanField(default=False)
    min_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    # Shared with the national Government reporting system under this code (blank: not shared).
    national_code = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "reporting_indicator"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class IndicatorFormula(models.Model):
    """One version of a computed indicator's formula, in force for periods ending on or after
    ``valid_from`` until the next version."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="formulas")
    expression = models.TextField()
    valid_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "reporting_indicator_formula"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "valid_from"], name="reporting_formula_uniq")
        ]
        ordering = ["indicator_id", "valid_from"]

    def __str__(self) -> str:
        return f"{self.indicator_id} từ {self.valid_from}: {self.expression}"


class Regime(models.TextChoices):
    PERIODIC = "periodic", "Định kỳ"
    THEMATIC = "thematic", "Chuyên đề"
    AD_HOC = "adhoc", "Đột xuất"


class PeriodType(models.TextChoices):
    MONTHLY = "M", "Tháng"
    QUARTERLY = "Q", "Quý"
    SIX_MONTHLY = "S", "6 tháng"
    YEARLY = "Y", "Năm"


class Window(models.TextChoices):
    CALENDAR = "calendar", "Theo lịch"
    DECREE_09 = "nd09", "Theo Nghị định 09/2019 (15 tháng trước – 14 tháng này)"


class Form(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=300)
    search_name = models.CharField(max_length=300, db_index=True)
    regime = models.CharField(max_length=10, choices=Regime.choices, default=Regime.PERIODIC)
    period_type = models.CharField(max_length=1, choices=PeriodType.choices, default=PeriodType.MONTHLY)
    window = models.CharField(max_length=10, choices=Window.choices, default=Window.CALENDAR)
    # Working days after the period ends by which the agency must submit.
    deadline_days = models.PositiveSmallIntegerField(default=5)
    legal_basis = models.CharField(max_length=300, blank=True)
    narrative_required = models.BooleanField(default=False)

    class Meta:
        db_table = "reporting_form"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FormSection(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "reporting_form_section"
        constraints = [models.UniqueConstraint(fields=["form", "code"], name="reporting_section_uniq")]
        ordering = ["form_id", "order"]

    def __str__(self) -> str:
        return f"{self.form_id}:{self.code}"


class FormItem(models.Model):
    section = models.ForeignKey(FormSection, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="form_items")
    order = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=False)

    class Meta:
        db_table = "reporting_form_item"
        constraints = [models.UniqueConstraint(fields=["section", "indicator"], name="reporting_item_uniq")]
        ordering = ["section_id", "order"]

    def __str__(self) -> str:
        return f"{self.section_id}:{self.indicator_id}"


class FormAssignment(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="assignments")
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="report_forms")

    class Meta:
        db_table = "reporting_form_assignment"
        constraints = [models.UniqueConstraint(fields=["form", "agency"], name="reporting_assignment_uniq")]

    def __str__(self) -> str:
        return f"{self.form_id}@{self.agency_id}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Đang nhập"
    SUBMITTED = "submitted", "Đã gửi"
    RETURNED = "returned", "Bị trả lại"
    APPROVED = "approved", "Đã duyệt (khoá)"


class Submission(models.Model):
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="submissions")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="report_submissions")
    period = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    deadline = models.DateField()
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT)
    narrative = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)

    class Meta:
        db_table = "reporting_submission"
        constraints = [
            models.UniqueConstraint(fields=["form", "agency", "period"], name="reporting_submission_uniq")
        ]
        indexes = [models.Index(fields=["agency", "status", "deadline"], name="reporting_sub_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.form_id}@{self.agency_id}/{self.period}"


class DataValue(models.Model):
    # The fact table of the reporting system (tens of millions of rows). Its only writer is
    # services.datavalues_import, which checks every reference before saving; deletes of the rows it
    # points to are refused by PROTECT in the ORM. So: no single-column indexes on the keys (the
    # composite indexes lead with indicator and agency) and no per-row foreign-key triggers, which
    # took most of an import's time (decision 0011). The primary key is the value's own key — no
    # surrogate id, whose sequence and index cost ~0.65 µs of the database's ~4.5 µs a value
    # (decision 0014).
    pk = models.CompositePrimaryKey("indicator", "period", "option_combo", "agency")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    option_combo = models.ForeignKey(
        CategoryOptionCombo, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    # The unit the agency served when it reported: the anchor for roll-ups across reorganisations.
    unit = models.ForeignKey(
        "org.AdministrativeUnit",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    period = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=20, decimal_places=4)
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "reporting_data_value"
        # Two indexes (decision 0014): the primary key leads with (indicator, period), so it also
        # serves roll-ups (one indicator, some periods) and follows the order files come in; the
        # second serves an agency's report for a period.
        indexes = [
            models.Index(fields=["agency", "period"], name="reporting_value_agency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.option_combo_id}@{self.agency_id}/{self.period}={self.value}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Gửi không thành công"


class NationalDelivery(models.Model):
    """One payload of the nationally shared indicators pushed to the Government reporting system.

    Keyed by the SHA-256 of the payload: publishing the same figures again finds this row and,
    once it is sent, sends nothing. ``lease_until`` keeps two workers from sending it at once."""

    payload_hash = models.CharField(max_length=64, unique=True)
    payload = models.TextField()
    content_type = models.CharField(max_length=100)
    year = models.PositiveSmallIntegerField()
    indicators = models.JSONField(default=list)
    periods = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    receipt = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "reporting_national_delivery"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.payload_hash[:12]} {self.status} ({self.attempts})"


class RuleOperator(models.TextChoices):
    EQ = "==", "bằng"
    NE = "!=", "khác"
    LT = "<", "nhỏ hơn"
    LE = "<=", "nhỏ hơn hoặc bằng"
    GT = ">", "lớn hơn"
    GE = ">=", "lớn hơn hoặc bằng"


class ValidationRule(models.Model):
    """A check between two expressions over one agency's values for one period, e.g.
    ``{DN_CNTT.NU}`` <= ``{DN_CNTT}``. ``{CODE}`` is the indicator's total over its options and
    ``{CODE.OPTION}`` one option's value. A rule of a form applies to that form's submissions."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=300)
    left = models.CharField(max_length=500)
    operator = models.CharField(max_length=2, choices=RuleOperator.choices)
    right = models.CharField(max_length=500)
    message = models.CharField(max_length=300)
    form = models.ForeignKey(Form, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")

    class Meta:
        db_table = "reporting_validation_rule"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.left} {self.operator} {self.right}"
