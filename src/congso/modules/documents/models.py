"""The document management and executive system (quản lý văn bản và điều hành).

- A document (văn bản) belongs to one agency and runs one way: outgoing (văn bản đi: drafted,
  reviewed, signed, numbered, sealed, dispatched) or incoming (văn bản đến: received, registered
  with an arrival number, presented, assigned, handled, completed). An outgoing document sent to an
  agency of the platform becomes an incoming document of that agency, linked to its source.
- Its files are versions: the draft, each signed version, scans, attachments, and the separate
  copy OCR works on; the bytes live in the content-addressed store (core.files), named by digest.
- Numbers come from a counter row per agency, year and register, taken under a row lock in the
  transaction that issues the number, so they are never skipped or doubled.
- The trail (luồng xử lý) is what users see of who did what; the audit chain records it as well.
- An executive task (nhiệm vụ điều hành) is assigned from a document or directly, with a deadline
  on the working-day calendar and progress updates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from congso.core.org.models import Agency


class Direction(models.TextChoices):
    INCOMING = "in", "Văn bản đến"
    OUTGOING = "out", "Văn bản đi"


class Status(models.TextChoices):
    # Outgoing
    DRAFT = "draft", "Dự thảo"
    IN_REVIEW = "in_review", "Đang trình duyệt"
    APPROVED = "approved", "Đã duyệt"
    SIGNED = "signed", "Đã ký"
    ISSUED = "issued", "Đã ban hành"
    RECALLED = "recalled", "Đã thu hồi"
    # Incoming
    PENDING = "pending", "Chờ vào sổ"
    RECEIVED = "received", "Đã vào sổ"
    PRESENTED = "presented", "Đã trình lãnh đạo"
    ASSIGNED = "assigned", "Đã giao xử lý"
    IN_PROGRESS = "in_progress", "Đang xử lý"
    COMPLETED = "completed", "Đã hoàn thành"
    REJECTED = "rejected", "Đã từ chối"


class Urgency(models.TextChoices):
    NORMAL = "normal", "Thường"
    URGENT = "khan", "Khẩn"
    VERY_URGENT = "thuong_khan", "Thượng khẩn"
    FLASH = "hoa_toc", "Hỏa tốc"


class Secrecy(models.TextChoices):
    NORMAL = "normal", "Thường"
    CONFIDENTIAL = "mat", "Mật"
    SECRET = "toi_mat", "Tối mật"
    TOP_SECRET = "tuyet_mat", "Tuyệt mật"


class Relation(models.TextChoices):
    RECALL = "recall", "Thu hồi"
    REPLACE = "replace", "Thay thế"
    AMEND = "amend", "Sửa đổi, bổ sung"


class Document(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="documents")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    doc_type = models.CharField(max_length=8)  # code from doctypes.DOCUMENT_TYPES, e.g. "QD"
    # Number and notation as issued by the issuing agency: 5 and "QĐ-UBND" -> "05/QĐ-UBND".
    number = models.PositiveIntegerField(null=True, blank=True)
    notation = models.CharField(max_length=60, blank=True)
    number_notation = models.CharField(max_length=80, blank=True)
    # The notation upper-cased with spaces removed: the exact-match key ("30/2020/NĐ-CP").
    notation_key = models.CharField(max_length=80, blank=True, db_index=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    issuer_code = models.CharField(max_length=20, blank=True)
    issuer_name = models.CharField(max_length=200, blank=True)
    summary = models.TextField()  # trích yếu
    signer_name = models.CharField(max_length=150, blank=True)
    signer_position = models.CharField(max_length=150, blank=True)
    pages = models.PositiveIntegerField(default=1)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = models.CharField(max_length=10, choices=Secrecy.choices, default=Secrecy.NORMAL)
    deadline = models.DateField(null=True, blank=True)
    # Incoming register: arrival number sequential per agency per year.
    arrival_number = models.PositiveIntegerField(null=True, blank=True)
    arrival_year = models.PositiveSmallIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, blank=True)  # platform, edxml, paper
    # Outgoing: the recipients' names as printed under "Nơi nhận".
    recipients_text = models.TextField(blank=True)
    source = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    relates_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="related"
    )
    relation = models.CharField(max_length=8, choices=Relation.choices, blank=True)
    # Where the signer's visible stamp goes on a document composed in the platform:
    # {"page": 0-based, "box": [x1, y1, x2, y2]} in points (rendering.StampPlace); null: default.
    stamp_place = models.JSONField(null=True, blank=True)
    current_file = models.ForeignKey(
        "DocumentFile", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Folded text (core.search.text.fold) of the metadata and the documents' text, for search.
    search_text = models.TextField(blank=True)
    # The agency's path (Agency.path, "/1/74/616/", fixed once the agency exists) when the document
    # was filed: the search's text index holds its ids, so a leader's subtree is one key
    # (decision 0019). Set by the services that create documents; never empty (constraint).
    agency_path = models.CharField(max_length=255, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "documents_document"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "number"],
                condition=Q(direction="out", number__isnull=False),
                name="documents_out_number_uniq",
            ),
            models.UniqueConstraint(
                fields=["agency", "arrival_year", "arrival_number"],
                condition=Q(direction="in", arrival_number__isnull=False),
                name="documents_in_arrival_uniq",
            ),
            # A document without its agency's path would be missing from its leaders' searches.
            models.CheckConstraint(condition=~Q(agency_path=""), name="documents_agency_path_set"),
        ]
        indexes = [
            models.Index(fields=["agency", "direction", "-created_at"], name="documents_agency_dir_idx"),
            models.Index(fields=["agency", "status"], name="documents_agency_status_idx"),
            # Newest first over the whole table: a search with more than search.COUNT_CAP matches
            # walks it and stops after one page (decision 0003).
            models.Index(fields=["-created_at", "-id"], name="documents_created_idx"),
        ]

    def __str__(self) -> str:
        return self.number_notation or f"#{self.pk}"


class FileRole(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    SIGNED = "signed", "Bản đã ký"
    RECEIVED = "received", "Bản nhận được"
    SCAN = "scan", "Bản quét"
    ATTACHMENT = "attachment", "Phụ lục, tệp kèm"
    OCR_COPY = "ocr_copy", "Bản sao để nhận dạng chữ"


class DocumentFile(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=10, choices=FileRole.choices)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # The signature report when the file was checked (on arrival, after signing).
    signature_report = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "documents_file"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


class Register(models.TextChoices):
    OUTGOING = "out", "Sổ văn bản đi"
    INCOMING = "in", "Sổ văn bản đến"


class NumberCounter(models.Model):
    """The last number issued per agency, year and register. Taken with SELECT … FOR UPDATE."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    register = models.CharField(max_length=3, choices=Register.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "documents_number_counter"
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "register"], name="documents_counter_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.register}: {self.last}"


class RecipientStatus(models.TextChoices):
    SENT = "sent", "Đã gửi"
    ARRIVED = "01", "Đã đến"
    REJECTED = "02", "Từ chối"
    ACCEPTED = "03", "Đã tiếp nhận"
    ASSIGNED = "04", "Đã phân công"
    IN_PROGRESS = "05", "Đang xử lý"
    COMPLETED = "06", "Hoàn thành"
    RECALL_REQUESTED = "13", "Đề nghị thu hồi"
    RECALL_ACCEPTED = "15", "Đồng ý thu hồi"
    RECALL_REFUSED = "16", "Từ chối thu hồi"


class Recipient(models.Model):
    """One addressee of an outgoing document: an agency of the platform or an outside agency."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="recipients")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    external_code = models.CharField(max_length=20, blank=True)
    external_name = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=10)  # platform | edxml
    status = models.CharField(max_length=5, choices=RecipientStatus.choices, default=RecipientStatus.SENT)
    incoming = models.ForeignKey(Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "documents_recipient"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.external_code or str(self.agency_id)


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "Chủ trì"
    COORDINATE = "coordinate", "Phối hợp"
    HANDLER = "handler", "Xử lý"
    INFO = "info", "Để biết"


class Assignment(models.Model):
    """Who must act on an incoming document: a unit (agency in the subtree) or an official."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=10, choices=AssignmentRole.choices)
    unit = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        db_table = "documents_assignment"
        ordering = ["assigned_at", "id"]
        indexes = [models.Index(fields=["handler", "completed_at"], name="documents_asg_handler_idx")]

    def __str__(self) -> str:
        return f"{self.role} {self.unit_id or self.handler_id}"


class TrailEntry(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="trail")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    note = models.TextField(blank=True)

    class Meta:
        db_table = "documents_trail"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Đang thực hiện"
    DONE = "done", "Đã hoàn thành"
    CANCELLED = "cancelled", "Đã hủy"


class Task(models.Model):
    """An executive task (nhiệm vụ): from a document or directly, for an agency or an official."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")  # who assigned it
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    assignee_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    progress = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)

    class Meta:
        db_table = "documents_task"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="documents_task_due_idx")]

    def __str__(self) -> str:
        return self.title


class TaskUpdate(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    progress = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)

    class Meta:
        db_table = "documents_task_update"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.progress}%"
