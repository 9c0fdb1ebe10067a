"""The document flow through the services: draft → signed → numbered → dispatched → received →
assigned → completed, with the failure paths (rights, states, tampered files)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from tests.conftest import BA_DINH, SO_KHCN, SO_TU_PHAP

from congso.core.audit.models import AuditEvent
from congso.core.errors import Conflict, Forbidden, InvalidInput
from congso.core.files import blob_read
from congso.modules.documents import services
from congso.modules.documents.models import (
    Assignment,
    Direction,
    Document,
    NumberCounter,
    Recipient,
    RecipientStatus,
    Status,
)

pytestmark = pytest.mark.django_db

CLERK = ("clerk", "agency")
LEADER = ("leader", "subtree")
SPECIALIST = ("specialist", "agency")


@pytest.fixture
def people(make_official: Any) -> dict[str, Any]:
    return {
        "drafter": make_official("cv.khcn", SO_KHCN, SPECIALIST),
        "leader": make_official("ld.khcn", SO_KHCN, LEADER),
        "clerk": make_official("vt.khcn", SO_KHCN, CLERK),
        "bd_clerk": make_official("vt.bd", BA_DINH, CLERK),
        "bd_leader": make_official("ld.bd", BA_DINH, LEADER),
        "bd_handler": make_official("cv.bd", BA_DINH, SPECIALIST),
        "tp_specialist": make_official("cv.tp", SO_TU_PHAP, SPECIALIST),
    }


def _draft(people: dict[str, Any], agency: Any, **overrides: Any) -> Document:
    spec = services.DraftSpec(
        doc_type=overrides.pop("doc_type", "QD"),
        summary=overrides.pop("summary", "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026"),
        body="Điều 1. Phê duyệt Kế hoạch chuyển đổi số năm 2026.\nĐiều 2. Quyết định có hiệu lực từ ngày ký.",
        recipient_codes=overrides.pop("recipients", [BA_DINH]),
        signer_position="Phó Giám đốc",
        **overrides,
    )
    return services.document_draft_create(actor=people["drafter"], agency=agency(SO_KHCN), spec=spec)


def _issued(people: dict[str, Any], agency: Any, **overrides: Any) -> Document:
    doc = _draft(people, agency, **overrides)
    services.document_submit_review(actor=people["drafter"], document=doc)
    services.document_approve(actor=people["leader"], document=doc)
    services.document_sign(actor=people["leader"], document=doc)
    return services.document_issue(actor=people["clerk"], document=doc, issued_on=dt.date(2026, 11, 24))


def test_full_flow_draft_to_completed(people: dict[str, Any], agency: Any) -> None:
    doc = _issued(people, agency)
    assert (doc.number, doc.number_notation, doc.status) == (1, "01/QĐ-SKHCN", Status.ISSUED)
    assert doc.notation_key == "01/QĐ-SKHCN"
    report = doc.current_file.signature_report
    assert report["ok"] is True
    assert [s["signer"] for s in report["signatures"]] == ["Ld.Khcn", "Sở Khoa học và Công nghệ"]

    [incoming] = services.document_dispatch(actor=people["clerk"], document=doc)
    assert (incoming.agency.code, incoming.direction, incoming.status) == (
        BA_DINH,
        Direction.INCOMING,
        Status.PENDING,
    )
    # The recipient gets the very bytes that were signed and sealed.
    assert incoming.current_file.sha256 == doc.current_file.sha256

    services.document_register(actor=people["bd_clerk"], document=incoming)
    incoming.refresh_from_db()
    assert (incoming.arrival_number, incoming.arrival_year, incoming.status) == (1, 2026, Status.RECEIVED)
    services.document_present(actor=people["bd_clerk"], document=incoming)
    deadline = dt.date.today() + dt.timedelta(days=10)
    services.document_assign(
        actor=people["bd_leader"], document=incoming, lead=people["bd_handler"], deadline=deadline
    )
    services.document_comment(
        actor=people["bd_handler"], document=incoming, note="Đã nghiên cứu, đang triển khai."
    )
    services.document_complete(actor=people["bd_handler"], document=incoming, note="Đã triển khai xong.")
    incoming.refresh_from_db()
    assert incoming.status == Status.COMPLETED
    assert list(incoming.trail.values_list("action", flat=True)) == [
        "arrive",
        "register",
        "present",
        "assign",
        "comment",
        "complete",
    ]
    assert Recipient.objects.get(document=doc).status == RecipientStatus.COMPLETED
    assert Assignment.objects.get(document=incoming).completed_at is not None
    actions = set(AuditEvent.objects.filter(target_id=str(incoming.pk)).values_list("action", flat=True))
    assert "documents.document.complete" in actions


def test_numbers_run_per_agency_per_year_and_restart(people: dict[str, Any], agency: Any) -> None:
    first = _issued(people, agency)
    second = _issued(people, agency, doc_type="CV", summary="V/v báo cáo số liệu chuyển đổi số")
    assert (first.number_notation, second.number_notation) == ("01/QĐ-SKHCN", "02/SKHCN")
    doc = _draft(people, agency)
    services.document_submit_review(actor=people["drafter"], document=doc)
    services.document_sign(actor=people["leader"], document=doc)
    next_year = services.document_issue(actor=people["clerk"], document=doc, issued_on=dt.date(2027, 1, 1))
    assert (next_year.number, next_year.year) == (1, 2027)


def test_specialist_cannot_sign_and_nothing_changes(people: dict[str, Any], agency: Any) -> None:
    doc = _draft(people, agency)
    services.document_submit_review(actor=people["drafter"], document=doc)
    files_before = doc.files.count()
    with pytest.raises(Forbidden):
        services.document_sign(actor=people["drafter"], document=doc)
    doc.refresh_from_db()
    assert (doc.status, doc.files.count()) == (Status.IN_REVIEW, files_before)


def test_issue_requires_a_signature(people: dict[str, Any], agency: Any) -> None:
    doc = _draft(people, agency)
    with pytest.raises(Conflict) as err:
        services.document_issue(actor=people["clerk"], document=doc)
    assert str(err.value) == "Văn bản đang ở trạng thái 'Dự thảo', không thể cấp số, ban hành."
    assert NumberCounter.objects.count() == 0


def test_draft_errors_are_listed_and_nothing_saved(people: dict[str, Any], agency: Any) -> None:
    spec = services.DraftSpec(doc_type="XX", summary="  ", recipient_codes=["999.99.99.H26"])
    with pytest.raises(InvalidInput) as err:
        services.document_draft_create(actor=people["drafter"], agency=agency(SO_KHCN), spec=spec)
    assert [e["field"] for e in err.value.errors] == ["doc_type", "summary", "body", "recipients"]
    assert err.value.errors[0]["message"] == "Loại văn bản 'XX' không có trong danh mục Nghị định 30."
    assert Document.objects.count() == 0


def test_official_of_other_agency_cannot_draft_for_it(people: dict[str, Any], agency: Any) -> None:
    spec = services.DraftSpec(doc_type="CV", summary="V/v thử", body="Nội dung")
    with pytest.raises(Forbidden):
        services.document_draft_create(actor=people["tp_specialist"], agency=agency(SO_KHCN), spec=spec)
    assert Document.objects.count() == 0


def test_tampered_signed_pdf_is_refused_on_arrival(people: dict[str, Any], agency: Any) -> None:
    doc = _issued(people, agency)
    signed = blob_read(doc.current_file.sha256)
    spec = services.IncomingSpec(
        doc_type="QD", number_notation=doc.number_notation, issuer_name=doc.agency.name, summary=doc.summary
    )
    # Untouched: accepted and registered.
    ok = services.document_receive(
        actor=people["bd_clerk"], agency=agency(BA_DINH), spec=spec, file=services.Upload("qd.pdf", signed)
    )
    assert (ok.status, ok.arrival_number) == (Status.RECEIVED, 1)
    # One byte changed inside the signed range: refused with the reason, nothing registered.
    position = signed.index(b"/Type /Page") + 2
    tampered = (
        signed[:position]
        + (b"X" if signed[position : position + 1] != b"X" else b"Y")
        + signed[position + 1 :]
    )
    before = Document.objects.count()
    with pytest.raises(InvalidInput) as err:
        services.document_receive(
            actor=people["bd_clerk"],
            agency=agency(BA_DINH),
            spec=spec,
            file=services.Upload("qd.pdf", tampered),
        )
    assert str(err.value).startswith("Văn bản điện tử bị từ chối:")
    assert Document.objects.count() == before
    assert NumberCounter.objects.get(agency=agency(BA_DINH), register="in").last == 1


def test_paper_scan_is_registered_without_signature_check(people: dict[str, Any], agency: Any) -> None:
    spec = services.IncomingSpec(
        doc_type="CV",
        number_notation="125/UBND-VP",
        issuer_name="Ủy ban nhân dân phường Hoàn Kiếm",
        summary="V/v phối hợp tổ chức Ngày Chuyển đổi số",
    )
    doc = services.document_receive(
        actor=people["bd_clerk"],
        agency=agency(BA_DINH),
        spec=spec,
        file=services.Upload("scan.pdf", b"%PDF-1.4 scanned"),
        paper=True,
    )
    assert (doc.channel, doc.arrival_number, doc.number, doc.notation) == ("paper", 1, 125, "UBND-VP")


def test_leader_assigns_only_within_own_agency(people: dict[str, Any], agency: Any) -> None:
    doc = _issued(people, agency)
    [incoming] = services.document_dispatch(actor=people["clerk"], document=doc)
    services.document_register(actor=people["bd_clerk"], document=incoming)
    with pytest.raises(InvalidInput) as err:
        services.document_assign(actor=people["bd_leader"], document=incoming, lead=people["tp_specialist"])
    assert str(err.value) == "Cán bộ Cv.Tp không thuộc Ủy ban nhân dân Phường Ba Đình."
    assert Assignment.objects.filter(document=incoming).count() == 0
    with pytest.raises(Forbidden):
        services.document_assign(actor=people["bd_clerk"], document=incoming, lead=people["bd_handler"])
    incoming.refresh_from_db()
    assert incoming.status == Status.RECEIVED


def test_dispatch_twice_is_refused(people: dict[str, Any], agency: Any) -> None:
    doc = _issued(people, agency)
    services.document_dispatch(actor=people["clerk"], document=doc)
    with pytest.raises(Conflict):
        services.document_dispatch(actor=people["clerk"], document=doc)
    assert Document.objects.filter(direction=Direction.INCOMING).count() == 1


def test_recall_marks_the_recipient_and_they_answer(people: dict[str, Any], agency: Any) -> None:
    original = _issued(people, agency)
    [incoming] = services.document_dispatch(actor=people["clerk"], document=original)
    services.document_register(actor=people["bd_clerk"], document=incoming)
    _issued(
        people,
        agency,
        doc_type="QD",
        summary="Về việc thu hồi Quyết định 01/QĐ-SKHCN",
        relates_to=original,
        relation="recall",
    )
    original.refresh_from_db()
    assert original.status == Status.RECALLED
    assert Recipient.objects.get(document=original).status == RecipientStatus.RECALL_REQUESTED
    services.document_recall_answer(actor=people["bd_clerk"], document=incoming, accept=True)
    incoming.refresh_from_db()
    assert incoming.status == Status.RECALLED
    assert Recipient.objects.get(document=original).status == RecipientStatus.RECALL_ACCEPTED


@pytest.mark.skipif("sqlite" in connection.vendor, reason="row locks need a server database")
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_never_doubles_or_skips(hanoi: None, people: dict[str, Any], agency: Any) -> None:
    docs = []
    for i in range(6):
        doc = _draft(people, agency, summary=f"Văn bản song song {i}")
        services.document_submit_review(actor=people["drafter"], document=doc)
        docs.append(services.document_sign(actor=people["leader"], document=doc))
    errors: list[BaseException] = []

    def issue(doc: Document) -> None:
        try:
            services.document_issue(actor=people["clerk"], document=doc)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(d,)) for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Document.objects.filter(direction=Direction.OUTGOING).values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]
