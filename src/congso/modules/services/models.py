"""Administrative procedures and one-stop dossiers (thủ tục hành chính, hồ sơ một cửa).

- A procedure (thủ tục) is published in versions. A version fixes what a dossier is judged by: the
  legal processing time in working days, the fee, the required documents (thành phần hồ sơ, with
  those the state already holds marked so they are not asked for again), the form fields and the
  processing steps with their share of the time. Versions are never edited: a change is a new
  version valid from a later date, and a dossier keeps the version it was filed under.
- A dossier (hồ sơ) is filed online by a citizen or entered at a one-stop desk. Its code is the
  receiving agency's code, the receipt date and a sequence per agency per day
  ("001.01.90.H26-261124-0001"), taken from a counter row locked in the filing transaction.
- Its deadline comes from the working-day calendar (core.calendar.workdays.deadline).
- Public tracking needs the dossier code and a random token; only the token's SHA-256 is stored.
- ``IdempotencyKey`` makes a retried submission (same ``Idempotency-Key`` from the same account)
  return the dossier the first one created instead of filing a second one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from congso.core.org.models import Agency, AgencyKind


class ProcedureLevel(models.TextChoices):
    COMMUNE = "xa", "Cấp xã"
    PROVINCE = "tinh", "Cấp tỉnh"


class OnlineLevel(models.TextChoices):
    FULL = "toan_trinh", "Toàn trình"
    PARTIAL = "mot_phan", "Một phần"


class Procedure(models.Model):
    code = models.CharField(max_length=20, unique=True)  # national procedure code, e.g. "1.001193"
    name = models.CharField(max_length=300)
    search_name = models.CharField(max_length=300, db_index=True)  # core.search.text.fold(name)
    field = models.CharField(max_length=120)  # lĩnh vực: "Hộ tịch", "Chứng thực" …
    level = models.CharField(max_length=4, choices=ProcedureLevel.choices)
    # Who decides: at commune level the commune's People's Committee of the desk that receives
    # the dossier; at province level the department named by ``competent_agency_code``.
    competent_kind = models.CharField(max_length=12, choices=AgencyKind.choices)
    competent_agency_code = models.CharField(max_length=20, blank=True)
    online_level = models.CharField(max_length=10, choices=OnlineLevel.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "services_procedure"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProcedureVersion(models.Model):
    """One published version. ``documents``, ``form_fields`` and ``steps`` are lists of dicts with
    the shapes of ``catalogue.RequiredDocument``, ``catalogue.FormField`` and ``catalogue.Step``,
    checked by ``services.procedure_publish``; the version is frozen once published."""

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    valid_from = models.DateField()
    legal_basis = models.CharField(max_length=500, blank=True)
    processing_days = models.PositiveIntegerField()  # legal processing time, in working days
    fee = models.PositiveBigIntegerField(default=0)  # VND
    fee_unit = models.CharField(max_length=40, blank=True)  # "" per dossier, else e.g. "trang"
    fee_note = models.CharField(max_length=300, blank=True)
    documents = models.JSONField(default=list)
    form_fields = models.JSONField(default=list)
    steps = models.JSONField(default=list)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "services_procedure_version"
        ordering = ["procedure_id", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="services_version_number_uniq"),
            models.UniqueConstraint(fields=["procedure", "valid_from"], name="services_version_from_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} v{self.number}"


class Channel(models.TextChoices):
    ONLINE = "online", "Trực tuyến"
    DESK = "desk", "Trực tiếp tại bộ phận một cửa"


class DossierStatus(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    SUBMITTED = "submitted", "Đã nộp, chờ tiếp nhận"
    ACCEPTED = "accepted", "Đã tiếp nhận"
    SUPPLEMENT_REQUESTED = "supplement_requested", "Yêu cầu bổ sung hồ sơ"
    IN_PROGRESS = "in_progress", "Đang giải quyết"
    DONE = "done", "Đã có kết quả"
    REFUSED = "refused", "Từ chối giải quyết"
    RETURNED = "returned", "Đã trả kết quả"
    WITHDRAWN = "withdrawn", "Đã rút hồ sơ"


class Dossier(models.Model):
    code = models.CharField(max_length=40, unique=True)
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="dossiers")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=24, choices=DossierStatus.choices)
    # The applicant: the citizen's account when filed online (or known at the desk), and always the
    # name and identification number as given (a paper dossier may have no account).
    # The applicant and the receiving and competent agencies have no index of their own: the
    # composite indexes in Meta start with them (one index fewer to write per filing each).
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    applicant_name = models.CharField(max_length=150)
    applicant_id_number = models.CharField(max_length=12, blank=True)
    applicant_phone = models.CharField(max_length=20, blank=True)
    applicant_email = models.EmailField(blank=True)
    # The one-stop unit that received it, the agency competent on the filing date, and the
    # agency that holds it now (what public tracking shows).
    receiving_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    competent_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", db_index=False)
    current_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    form_data = models.JSONField(default=dict)
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    paused_days = models.PositiveIntegerField(default=0)  # working days the clock stood still
    # Processing (processing.py): when the clock stopped for a supplement (None while it runs),
    # when the result was signed, when it was handed to the applicant, and whether the result was
    # ready by the due date (recorded on return).
    paused_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    # When the applicant was told that the due date passed without a result (once; deadlines.py).
    late_notified_at = models.DateTimeField(null=True, blank=True)
    tracking_digest = models.CharField(max_length=64)  # sha256 of the tracking token
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "services_dossier"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["receiving_agency", "status", "due_at"], name="services_dossier_recv_idx"),
            models.Index(fields=["competent_agency", "status", "due_at"], name="services_dossier_comp_idx"),
            models.Index(fields=["applicant", "-received_at"], name="services_dossier_appl_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class DossierFile(models.Model):
    """An attached document; the bytes live in the content-addressed store (core.files)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="files")
    document = models.CharField(max_length=300)  # the required document it answers (its name)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "services_dossier_file"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class DossierCounter(models.Model):
    """The last sequence number issued per receiving agency and receipt day (numbering.py)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "services_dossier_counter"
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="services_counter_uniq")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.day}: {self.last}"


class IdempotencyKey(models.Model):
    """A submission's ``Idempotency-Key`` per account, the hash of what was submitted under it, the
    dossier it created, and the response to replay (the tracking token, encrypted; see
    ``idempotency.py``) until ``expires_at``."""

    key = models.CharField(max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    dossier = models.ForeignKey(Dossier, null=True, on_delete=models.CASCADE, related_name="+")
    sealed_token = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "services_idempotency_key"
        constraints = [models.UniqueConstraint(fields=["actor", "key"], name="services_idem_uniq")]
        indexes = [models.Index(fields=["expires_at"], name="services_idem_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.actor_id}:{self.key}"


# --- Processing (processing.py, ADR 0016) ---------------------------------------------------------


class DossierStep(models.Model):
    """One processing step of a dossier, made from its version's steps when the desk accepts it.

    ``due_at`` is a milestone on the working-day calendar: the receipt day plus the shares of this
    step and those before it, so the last step is due when the dossier is. A step is open from
    ``started_at`` (when it was handed to its agency) until ``done_at``."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=20)  # desk_officer, specialist, leader
    agency_level = models.CharField(max_length=4, choices=ProcedureLevel.choices)
    days = models.PositiveIntegerField()  # share of the legal time, in working days
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "services_dossier_step"
        ordering = ["dossier_id", "order"]
        constraints = [models.UniqueConstraint(fields=["dossier", "order"], name="services_step_order_uniq")]
        indexes = [
            models.Index(
                fields=["agency", "due_at"],
                condition=models.Q(done_at__isnull=True),
                name="services_step_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.order} {self.name}"


class EventAction(models.TextChoices):
    ACCEPT = "accept", "Tiếp nhận hồ sơ"
    SUPPLEMENT_REQUEST = "supplement_request", "Yêu cầu bổ sung hồ sơ"
    SUPPLEMENT = "supplement", "Bổ sung hồ sơ"
    REFUSE = "refuse", "Từ chối giải quyết"
    HAND_OVER = "hand_over", "Chuyển xử lý"
    APOLOGISE = "apologise", "Xin lỗi, hẹn lại ngày trả kết quả"
    DECIDE = "decide", "Ký kết quả giải quyết"
    RETURN = "return", "Trả kết quả"
    WITHDRAW = "withdraw", "Rút hồ sơ"


class DossierEvent(models.Model):
    """One line of the process control log (phiếu kiểm soát quá trình giải quyết hồ sơ): who handed
    the dossier to whom, when. A party is an account and/or an agency; ``*_label`` keeps the name
    as it was (an applicant of a paper dossier has no account)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    step = models.ForeignKey(DossierStep, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=EventAction.choices)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    from_label = models.CharField(max_length=300, blank=True)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_label = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        db_table = "services_dossier_event"
        ordering = ["dossier_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class SlipKind(models.TextChoices):
    RECEIPT = "receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)"
    SUPPLEMENT_REQUEST = "supplement_request", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)"
    REFUSAL = "refusal", "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03)"
    APOLOGY = "apology", "Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)"
    CONTROL = "control", "Phiếu kiểm soát quá trình giải quyết hồ sơ"
    RESULT = "result", "Kết quả giải quyết thủ tục hành chính"


class DossierSlip(models.Model):
    """A statutory paper the platform generated for a dossier; the PDF lives in core.files."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="slips")
    kind = models.CharField(max_length=20, choices=SlipKind.choices)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    signed = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        db_table = "services_dossier_slip"
        ordering = ["dossier_id", "created_at", "id"]
        indexes = [models.Index(fields=["dossier", "kind", "-created_at"], name="services_slip_kind_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind}"


# --- Fees (payments.py, ADR 0017) ------------------------------------------------------------------


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Chờ thanh toán"
    PAID = "paid", "Đã thanh toán"
    FAILED = "failed", "Thanh toán không thành công"
    EXPIRED = "expired", "Hết hạn thanh toán"


class Payment(models.Model):
    """A fee payment for a dossier by bank transfer to a VietQR code (vietqr.py).

    ``reference`` is what the payer's bank carries back in the transfer description and the
    gateway's callback names: the dossier code without punctuation plus 4 random characters.
    A dossier has at most one ``pending`` payment; the callback is matched by reference, its
    signature checked with the provider's secret, and applied once (``provider_transaction_id``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments")
    amount = models.PositiveBigIntegerField()  # VND
    reference = models.CharField(max_length=25, unique=True)
    status = models.CharField(max_length=8, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    provider = models.CharField(max_length=20)  # the gateway: "fake", …
    # NULL until the provider names its transaction: unique among real ids, any number of NULLs.
    provider_transaction_id = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    qr_payload = models.TextField()
    callback = models.JSONField(null=True, blank=True)  # the provider's callback as received
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "services_payment"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(status="pending"),
                name="services_payment_one_open",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_transaction_id"], name="services_payment_txn_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.status}"


# --- Satisfaction (ratings.py, statistics.py) --------------------------------------------------------


class DossierRating(models.Model):
    """The applicant's rating of how their dossier was settled (mức độ hài lòng), once, after the
    result was handed to them: a score from 1 (very unsatisfied) to 5 (very satisfied) and an
    optional comment. ``created_at`` places it in a statistics period."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField()
    comment = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "services_dossier_rating"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="services_rating_score_range"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="services_rating_created_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.score}/5"


# --- Drafts (drafts.py) ------------------------------------------------------------------------------


class DossierDraft(models.Model):
    """A citizen's unsent form for one procedure ("Lưu nháp"): the values typed and the one-stop
    unit chosen, never the files (a browser does not give them back). One per applicant and
    procedure; deleted when the dossier is filed."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+")
    form_data = models.JSONField(default=dict)  # {"form": {field: value}, "agency": code}
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "services_dossier_draft"
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["applicant", "procedure"], name="services_draft_uniq")]

    def __str__(self) -> str:
        return f"{self.applicant_id} {self.procedure_id}"
