"""Processing dossiers after filing (processing.py, ADR 0016): acceptance and steps on the
working-day calendar, the supplement pause, hand-overs between a ward and a city department, the
signed result, refusal, apology, withdrawal; who may act, and that a refused or out-of-order action
changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_TU_PHAP

from congso.core import signing
from congso.core.audit.models import AuditEvent
from congso.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from congso.core.files import blob_read
from congso.modules.services import processing, selectors, services
from congso.modules.services.catalogue import ProcedureSpec, RequiredDocument, Step, VersionSpec
from congso.modules.services.models import (
    Dossier,
    DossierSlip,
)
from congso.modules.services.services import Attachment, SubmissionSpec
from congso.modules.services.tests.conftest import dossier_state, make_citizen, publish_linked

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4 demo"
LINKED = "9.990001"  # a test procedure: checked at the ward, settled by the city's Department of Justice
OTHER_WARD = "002.00.90.H26"
OTHER_CENTRE = "002.01.90.H26"


def at(monkeypatch: Any, *args: int) -> dt.datetime:
    moment = dt.datetime(*args, tzinfo=VN)
    monkeypatch.setattr(services, "_now", lambda: moment)
    return moment


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


@pytest.fixture
def linked(db: Any) -> None:
    publish_linked(code=LINKED, name="Cấp giấy xác nhận liên thông (thử nghiệm)", online_level="toan_trinh")


@pytest.fixture
def people(make_official: Any, desk: Any, citizen: Any) -> dict[str, Any]:
    leader = make_official("ld.stp", SO_TU_PHAP, ("leader", "agency"))
    leader.full_name, leader.position = "Lê Văn Sở", "Giám đốc Sở Tư pháp"
    leader.save(update_fields=["full_name", "position"])
    ward_leader = make_official("ld.badinh", BA_DINH, ("leader", "agency"))
    return {
        "citizen": citizen,
        "desk": desk,
        "ward": make_official("cv.badinh", BA_DINH, ("specialist", "agency")),
        "ward_leader": ward_leader,
        "dept": make_official("cv.stp", SO_TU_PHAP, ("specialist", "agency")),
        "leader": leader,
        "other_ward": make_official("cv.khac", OTHER_WARD, ("specialist", "agency")),
        "other_desk": make_official("mc.khac", OTHER_CENTRE, ("desk_officer", "agency")),
    }


def file_online(citizen: Any, monkeypatch: Any, *moment: int, code: str = LINKED) -> Dossier:
    at(monkeypatch, *moment)
    spec = SubmissionSpec(
        procedure_code=code,
        agency_code=BA_DINH_CENTRE,
        form={"noi_dung": "Xác nhận thông tin cư trú", "dia_chi": "12 Phan Đình Phùng, phường Ba Đình"},
        attachments=[Attachment("Tờ khai đề nghị", "to-khai.pdf", PDF)],
    )
    return services.dossier_submit(actor=citizen, spec=spec).dossier


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def assert_slip(slip: DossierSlip | None, kind: str, code: str) -> bytes:
    assert slip is not None and slip.kind == kind
    content = blob_read(slip.sha256)
    assert content.startswith(b"%PDF-") and len(content) == slip.size
    assert code in pdf_text(content)
    return content


def steps_of(d: Dossier) -> list[tuple[Any, ...]]:
    return [
        (
            s.order,
            s.agency.code,
            s.started_at,
            s.due_at,
            s.done_at,
            s.official.username if s.official else None,
        )
        for s in selectors.dossier_steps(d)
    ]


# --- The full path ---------------------------------------------------------------------------------


def test_full_path_ward_to_department(linked: None, people: dict[str, Any], monkeypatch: Any) -> None:
    p = people
    # Thursday 23 April 2026, 09:00. 27/4 is the day off for Giỗ Tổ Hùng Vương (26/4 was a Sunday);
    # 30/4 and 1/5 are holidays, 2–3/5 a weekend. 7 working days: due Thursday 7 May.
    d = file_online(p["citizen"], monkeypatch, 2026, 4, 23, 9, 0)
    assert (d.status, d.due_at) == ("submitted", vn(2026, 5, 7, 17, 0))

    # Until a step is at the ward, the ward does not see the dossier (a department's procedure).
    with pytest.raises(NotFound):
        selectors.dossier_get(actor=p["ward"], code=d.code)
    # The desk accepts at 10:00: four steps, the milestones at 1, 3, 6 and 7 working days.
    now = at(monkeypatch, 2026, 4, 23, 10, 0)
    r = processing.dossier_accept(actor=p["desk"], dossier=d)
    d = r.dossier
    assert (d.status, d.current_agency.code) == ("in_progress", BA_DINH_CENTRE)
    assert steps_of(d) == [
        (1, BA_DINH_CENTRE, now, vn(2026, 4, 24, 17, 0), None, "mc.badinh"),
        (2, BA_DINH, None, vn(2026, 4, 29, 17, 0), None, None),
        (3, SO_TU_PHAP, None, vn(2026, 5, 6, 17, 0), None, None),
        (4, SO_TU_PHAP, None, vn(2026, 5, 7, 17, 0), None, None),
    ]
    receipt = assert_slip(r.slip, "receipt", d.code)
    assert "Mẫu số 01" in pdf_text(receipt) and r.slip is not None and not r.slip.signed
    event = AuditEvent.objects.get(action="services.dossier.accept")
    assert (event.agency_code, event.before["status"], event.after["status"]) == (
        BA_DINH_CENTRE,
        "submitted",
        "in_progress",
    )

    # Friday 24 April, 15:00: the desk asks for a supplement; the clock stops.
    stopped = at(monkeypatch, 2026, 4, 24, 15, 0)
    r = processing.dossier_request_supplement(
        actor=p["desk"], dossier=d, items=["Bản sao giấy tờ liên quan"], reason="Thiếu giấy tờ chứng minh"
    )
    assert (r.dossier.status, r.dossier.paused_at) == ("supplement_requested", stopped)
    assert "Mẫu số 02" in pdf_text(assert_slip(r.slip, "supplement_request", d.code))
    # While it waits, nobody's queue counts it as overdue.
    at(monkeypatch, 2026, 4, 27, 9, 0)
    assert [(s.order, s.paused, s.overdue) for s in selectors.dossier_queue(actor=p["desk"])] == [
        (1, True, False)
    ]

    # Tuesday 28 April, 09:00: the citizen hands it in. The clock stood still on one working day
    # (28/4: the weekend and 27/4 are days off): everything not done moves by one working day.
    at(monkeypatch, 2026, 4, 28, 9, 0)
    r = processing.dossier_supplement(
        actor=p["citizen"],
        dossier=d,
        attachments=[Attachment("Bản sao giấy tờ liên quan", "giay-to.pdf", PDF + b"2")],
        note="Đã bổ sung",
    )
    d = r.dossier
    assert (d.status, d.paused_at, d.paused_days, d.due_at, r.slip) == (
        "in_progress",
        None,
        1,
        vn(2026, 5, 8, 17, 0),
        None,
    )
    assert [s[3] for s in steps_of(d)] == [
        vn(2026, 4, 28, 17, 0),
        vn(2026, 5, 4, 17, 0),
        vn(2026, 5, 7, 17, 0),
        vn(2026, 5, 8, 17, 0),
    ]
    assert sorted(d.files.values_list("name", flat=True)) == ["giay-to.pdf", "to-khai.pdf"]

    # 10:00: the desk passes it to the ward's specialist.
    t1 = at(monkeypatch, 2026, 4, 28, 10, 0)
    r = processing.dossier_hand_over(
        actor=p["desk"], dossier=d, to_official=p["ward"], note="Chuyển xác minh"
    )
    assert r.dossier.current_agency.code == BA_DINH
    assert selectors.dossier_get(actor=p["ward"], code=d.code).pk == d.pk
    assert "Mẫu số 05" in pdf_text(assert_slip(r.slip, "control", d.code))
    assert [(s.dossier.code, s.order) for s in selectors.dossier_queue(actor=p["ward"])] == [(d.code, 2)]
    assert list(selectors.dossier_queue(actor=p["desk"])) == []

    # Wednesday 29 April, 14:00: the ward hands it to the Department of Justice (anyone there).
    t2 = at(monkeypatch, 2026, 4, 29, 14, 0)
    r = processing.dossier_hand_over(actor=p["ward"], dossier=d)
    assert r.dossier.current_agency.code == SO_TU_PHAP
    assert [s.order for s in selectors.dossier_queue(actor=p["dept"])] == [3]
    assert [s.order for s in selectors.dossier_queue(actor=p["leader"])] == [3]
    assert list(selectors.dossier_queue(actor=p["ward"])) == []

    # Wednesday 6 May, 10:00: to the director.
    t3 = at(monkeypatch, 2026, 5, 6, 10, 0)
    processing.dossier_hand_over(actor=p["dept"], dossier=d, to_official=p["leader"])
    assert [s.order for s in selectors.dossier_queue(actor=p["dept"])] == []

    # Thursday 7 May, 15:00: the director signs; then the seal.
    t4 = at(monkeypatch, 2026, 5, 7, 15, 0)
    r = processing.dossier_decide(
        actor=p["leader"],
        dossier=d,
        title="Giấy xác nhận",
        body="Sở Tư pháp xác nhận thông tin của ông/bà Nguyễn Văn An là đúng.",
    )
    d = r.dossier
    assert (d.status, d.decided_at, d.current_agency.code) == ("done", t4, BA_DINH_CENTRE)
    assert r.slip is not None and r.slip.signed
    result = assert_slip(r.slip, "result", d.code)
    report = signing.validate_pdf(result)
    assert report.ok, report.problems
    assert [(s.field, s.intact, s.valid) for s in report.signatures] == [
        (f"LanhDao_{p['leader'].pk}", True, True),
        ("ConDau_000_00_03_H26", True, True),
    ]
    assert [s.signer for s in report.signatures] == ["Lê Văn Sở", "Sở Tư pháp"]

    # Friday 8 May, 09:00: the desk hands it over, on time (due 8 May after the pause).
    t5 = at(monkeypatch, 2026, 5, 8, 9, 0)
    r = processing.dossier_return_result(actor=p["desk"], dossier=d)
    d = r.dossier
    assert (d.status, d.returned_at, d.on_time) == ("returned", t5, True)
    assert_slip(r.slip, "control", d.code)

    assert steps_of(d) == [
        (1, BA_DINH_CENTRE, vn(2026, 4, 23, 10, 0), vn(2026, 4, 28, 17, 0), t1, "mc.badinh"),
        (2, BA_DINH, t1, vn(2026, 5, 4, 17, 0), t2, "cv.badinh"),
        (3, SO_TU_PHAP, t2, vn(2026, 5, 7, 17, 0), t3, None),
        (4, SO_TU_PHAP, t3, vn(2026, 5, 8, 17, 0), t4, "ld.stp"),
    ]
    assert [
        (e.action, e.step.order if e.step else None, e.from_label, e.to_label, e.at)
        for e in selectors.dossier_events(d)
    ] == [
        ("accept", 1, "Nguyễn Văn An", "Mc.Badinh — Trung tâm Phục vụ hành chính công Phường Ba Đình", now),
        (
            "supplement_request",
            1,
            "Mc.Badinh — Trung tâm Phục vụ hành chính công Phường Ba Đình",
            "Nguyễn Văn An",
            stopped,
        ),
        (
            "supplement",
            1,
            "Nguyễn Văn An",
            "Trung tâm Phục vụ hành chính công Phường Ba Đình",
            vn(2026, 4, 28, 9, 0),
        ),
        (
            "hand_over",
            1,
            "Mc.Badinh — Trung tâm Phục vụ hành chính công Phường Ba Đình",
            "Cv.Badinh — Ủy ban nhân dân Phường Ba Đình",
            t1,
        ),
        ("hand_over", 2, "Cv.Badinh — Ủy ban nhân dân Phường Ba Đình", "Sở Tư pháp", t2),
        ("hand_over", 3, "Cv.Stp — Sở Tư pháp", "Lê Văn Sở — Sở Tư pháp", t3),
        ("decide", 4, "Lê Văn Sở — Sở Tư pháp", "Trung tâm Phục vụ hành chính công Phường Ba Đình", t4),
        ("return", None, "Mc.Badinh — Trung tâm Phục vụ hành chính công Phường Ba Đình", "Nguyễn Văn An", t5),
    ]
    assert list(
        AuditEvent.objects.filter(action__startswith="services.dossier.")
        .order_by("seq")
        .values_list("action", flat=True)
    ) == [
        "services.dossier.submit",
        "services.dossier.accept",
        "services.dossier.request_supplement",
        "services.dossier.supplement",
        "services.dossier.hand_over",
        "services.dossier.hand_over",
        "services.dossier.hand_over",
        "services.dossier.decide",
        "services.dossier.return_result",
    ]
    assert list(d.slips.values_list("kind", flat=True)) == [
        "receipt",
        "supplement_request",
        "control",
        "control",
        "control",
        "result",
        "control",
    ]


def test_the_pause_counts_from_the_next_working_day_after_the_cutoff(
    linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    d = file_online(people["citizen"], monkeypatch, 2026, 4, 23, 9, 0)
    at(monkeypatch, 2026, 4, 23, 10, 0)
    processing.dossier_accept(actor=people["desk"], dossier=d)
    at(monkeypatch, 2026, 4, 24, 15, 0)
    processing.dossier_request_supplement(actor=people["desk"], dossier=d, items=["Tờ khai"], reason="Sai")
    # Tuesday 28 April at 16:30, after the 16:00 cut-off: counts as Wednesday 29 April, so 28 and
    # 29 April stood still: two working days.
    at(monkeypatch, 2026, 4, 28, 16, 30)
    d = processing.dossier_supplement(
        actor=people["desk"], dossier=d, form={"noi_dung": "Xác nhận thông tin cư trú (sửa)"}
    ).dossier
    assert (d.paused_days, d.due_at, d.form_data["noi_dung"]) == (
        2,
        vn(2026, 5, 11, 17, 0),
        "Xác nhận thông tin cư trú (sửa)",
    )
    assert d.form_data["dia_chi"] == "12 Phan Đình Phùng, phường Ba Đình"
    # Answered the same working day it was asked: no day lost, nothing moves.
    at(monkeypatch, 2026, 4, 29, 9, 0)
    processing.dossier_request_supplement(actor=people["desk"], dossier=d, items=["Tờ khai"], reason="Sai")
    at(monkeypatch, 2026, 4, 29, 11, 0)
    d = processing.dossier_supplement(
        actor=people["citizen"], dossier=d, attachments=[Attachment("Tờ khai đề nghị", "moi.pdf", PDF + b"3")]
    ).dossier
    assert (d.paused_days, d.due_at, d.status) == (2, vn(2026, 5, 11, 17, 0), "in_progress")


def test_a_supplement_asked_before_acceptance_moves_the_later_steps(
    linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    d = file_online(people["citizen"], monkeypatch, 2026, 4, 23, 9, 0)
    at(monkeypatch, 2026, 4, 23, 11, 0)
    r = processing.dossier_request_supplement(actor=people["desk"], dossier=d, items=["Tờ khai"], reason="Mờ")
    assert r.slip is not None and r.dossier.status == "supplement_requested"
    at(monkeypatch, 2026, 4, 24, 9, 0)
    d = processing.dossier_supplement(
        actor=people["citizen"], dossier=d, attachments=[Attachment("Tờ khai đề nghị", "ro.pdf", PDF + b"4")]
    ).dossier
    # Back to waiting for the desk; one working day (24/4) stood still.
    assert (d.status, d.paused_days, d.due_at) == ("submitted", 1, vn(2026, 5, 8, 17, 0))
    at(monkeypatch, 2026, 4, 24, 10, 0)
    d = processing.dossier_accept(actor=people["desk"], dossier=d).dossier
    assert [s[3] for s in steps_of(d)] == [
        vn(2026, 4, 28, 17, 0),
        vn(2026, 5, 4, 17, 0),
        vn(2026, 5, 7, 17, 0),
        vn(2026, 5, 8, 17, 0),
    ]


def test_a_desk_filing_is_accepted_and_routed_at_the_ward(
    catalogue: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    # A commune-level procedure entered at the desk (status "accepted", not yet routed): 3 working
    # days, the desk 0, the ward's specialist 2, its chairman 1.
    at(monkeypatch, 2026, 5, 4, 9, 0)
    spec = SubmissionSpec(
        procedure_code="2.000720",
        form={
            "ten_ho_kinh_doanh": "Hộ kinh doanh Phở Bình",
            "dia_chi_kinh_doanh": "12 Phan Đình Phùng, phường Ba Đình, Hà Nội",
            "nganh_nghe": "Dịch vụ ăn uống",
            "von_kinh_doanh": "200000000",
        },
        attachments=[Attachment("Giấy đề nghị đăng ký hộ kinh doanh", "de-nghi.pdf", PDF)],
        applicant_name="Trần Văn Bình",
        applicant_id_number="001085004321",
    )
    d = services.dossier_submit(actor=people["desk"], spec=spec).dossier
    assert d.status == "accepted"
    r = processing.dossier_accept(actor=people["desk"], dossier=d)
    assert [(s[0], s[1], s[3]) for s in steps_of(r.dossier)] == [
        (1, BA_DINH_CENTRE, vn(2026, 5, 4, 17, 0)),
        (2, BA_DINH, vn(2026, 5, 6, 17, 0)),
        (3, BA_DINH, vn(2026, 5, 7, 17, 0)),
    ]
    text = pdf_text(assert_slip(r.slip, "receipt", d.code))
    assert "Giấy đề nghị đăng ký hộ kinh doanh" in text and "Trần Văn Bình" in text


# --- Refusal, apology, withdrawal --------------------------------------------------------------------


def test_the_desk_refuses_a_dossier_it_has_not_accepted(
    linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    d = file_online(people["citizen"], monkeypatch, 2026, 5, 4, 9, 0)
    at(monkeypatch, 2026, 5, 4, 10, 0)
    with pytest.raises(InvalidInput) as exc:
        processing.dossier_refuse(actor=people["desk"], dossier=d, reasons=["  "])
    assert str(exc.value.detail) == "Hãy nêu lý do từ chối."
    r = processing.dossier_refuse(
        actor=people["desk"], dossier=d, reasons=["Thủ tục không thuộc thẩm quyền", "Giấy tờ giả mạo"]
    )
    assert (r.dossier.status, r.dossier.current_agency.code) == ("refused", BA_DINH_CENTRE)
    text = pdf_text(assert_slip(r.slip, "refusal", d.code))
    assert "Mẫu số 03" in text and "Giấy tờ giả mạo" in text
    event = selectors.dossier_events(d).get()
    assert (event.action, event.note) == ("refuse", "- Thủ tục không thuộc thẩm quyền\n- Giấy tờ giả mạo")
    # Refused is final: no acceptance, no second refusal, no withdrawal; nothing changes.
    before = dossier_state(d)
    for act in (
        lambda: processing.dossier_accept(actor=people["desk"], dossier=d),
        lambda: processing.dossier_refuse(actor=people["desk"], dossier=d, reasons=["Lần nữa"]),
        lambda: processing.dossier_withdraw(actor=people["citizen"], dossier=d),
    ):
        with pytest.raises(Conflict) as conflict:
            act()
        assert "đang ở trạng thái 'Từ chối giải quyết'" in str(conflict.value.detail)
    assert dossier_state(d) == before


def test_after_acceptance_only_the_competent_head_refuses(
    linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    d = file_online(people["citizen"], monkeypatch, 2026, 5, 4, 9, 0)
    processing.dossier_accept(actor=people["desk"], dossier=d)
    before = dossier_state(d)
    for who in ("desk", "dept", "ward_leader"):
        with pytest.raises(Forbidden):
            processing.dossier_refuse(actor=people[who], dossier=d, reasons=["Không đủ điều kiện"])
    assert dossier_state(d) == before
    r = processing.dossier_refuse(actor=people["leader"], dossier=d, reasons=["Không đủ điều kiện"])
    assert r.dossier.status == "refused"
    assert AuditEvent.objects.filter(action="services.dossier.refuse").get().agency_code == SO_TU_PHAP


def test_apology_sets_a_new_date_with_a_signed_letter(
    linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    p = people
    d = file_online(p["citizen"], monkeypatch, 2026, 4, 23, 9, 0)
    at(monkeypatch, 2026, 4, 23, 10, 0)
    processing.dossier_accept(actor=p["desk"], dossier=d)
    at(monkeypatch, 2026, 4, 24, 9, 0)
    processing.dossier_hand_over(actor=p["desk"], dossier=d)
    at(monkeypatch, 2026, 4, 29, 9, 0)
    processing.dossier_hand_over(actor=p["ward"], dossier=d)
    # Thursday 7 May, the due day: the department is not done. The director apologises.
    at(monkeypatch, 2026, 5, 7, 9, 0)
    before = dossier_state(d)
    for bad in (dt.date(2026, 5, 9), dt.date(2026, 5, 7), dt.date(2026, 5, 6)):  # Saturday, same day, earlier
        with pytest.raises(InvalidInput) as exc:
            processing.dossier_apologise(
                actor=p["leader"], dossier=d, reason="Cần xác minh thêm", new_due=bad
            )
        assert str(exc.value.detail) == (
            "Ngày hẹn mới phải là một ngày làm việc sau ngày hẹn hiện tại (07/05/2026)."
        )
    with pytest.raises(Forbidden):
        processing.dossier_apologise(actor=p["dept"], dossier=d, reason="x", new_due=dt.date(2026, 5, 12))
    assert dossier_state(d) == before

    r = processing.dossier_apologise(
        actor=p["leader"],
        dossier=d,
        reason="Cần xác minh thêm với cơ quan khác",
        new_due=dt.date(2026, 5, 12),
    )
    d = r.dossier
    assert d.due_at == vn(2026, 5, 12, 17, 0)
    # The steps not done move by the three working days (8, 11, 12 May); done ones stay.
    assert [s[3] for s in steps_of(d)] == [
        vn(2026, 4, 24, 17, 0),
        vn(2026, 4, 29, 17, 0),
        vn(2026, 5, 11, 17, 0),
        vn(2026, 5, 12, 17, 0),
    ]
    letter = assert_slip(r.slip, "apology", d.code)
    assert r.slip is not None and r.slip.signed
    text = pdf_text(letter)
    assert "Mẫu số 04" in text and "Cần xác minh thêm với cơ quan khác" in text
    report = signing.validate_pdf(letter)
    assert report.ok and [(s.signer, s.intact) for s in report.signatures] == [("Lê Văn Sở", True)]
    assert selectors.dossier_events(d).last().action == "apologise"  # type: ignore[union-attr]

    # Settled on 11 May, before the new date but after the legal one: late, apology or not.
    at(monkeypatch, 2026, 5, 11, 9, 0)
    processing.dossier_hand_over(actor=p["dept"], dossier=d)
    processing.dossier_decide(actor=p["leader"], dossier=d, title="Giấy xác nhận", body="Xác nhận.")
    d = processing.dossier_return_result(actor=p["desk"], dossier=d).dossier
    assert (d.status, d.on_time) == ("returned", False)
    assert selectors.dossier_events(d).last().note == "Quá hạn"  # type: ignore[union-attr]


def test_the_applicant_withdraws(linked: None, people: dict[str, Any], monkeypatch: Any) -> None:
    d = file_online(people["citizen"], monkeypatch, 2026, 5, 4, 9, 0)
    processing.dossier_accept(actor=people["desk"], dossier=d)
    stranger = make_citizen("001199001111", "Hoàng Thị Mai")
    before = dossier_state(d)
    for who in (stranger, people["ward"]):
        with pytest.raises(Forbidden):
            processing.dossier_withdraw(actor=who, dossier=d)
    assert dossier_state(d) == before
    r = processing.dossier_withdraw(actor=people["citizen"], dossier=d, reason="Không còn nhu cầu")
    assert (r.dossier.status, r.slip) == ("withdrawn", None)
    assert list(selectors.dossier_queue(actor=people["desk"])) == []
    with pytest.raises(Conflict):
        processing.dossier_withdraw(actor=people["citizen"], dossier=d)


# --- Who may act; what an out-of-order action does -----------------------------------------------------


def test_officials_of_other_agencies_change_nothing(
    linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    p = people
    d = file_online(p["citizen"], monkeypatch, 2026, 5, 4, 9, 0)
    before = dossier_state(d)
    for who in ("other_desk", "other_ward", "ward", "dept"):
        with pytest.raises(Forbidden):
            processing.dossier_accept(actor=p[who], dossier=d)
        with pytest.raises(Forbidden):
            processing.dossier_request_supplement(actor=p[who], dossier=d, items=["x"], reason="y")
    assert dossier_state(d) == before

    processing.dossier_accept(actor=p["desk"], dossier=d)
    before = dossier_state(d)
    # The step is at the desk: the ward and the department wait their turn.
    for who in ("other_ward", "other_desk", "ward", "dept"):
        with pytest.raises(Forbidden):
            processing.dossier_hand_over(actor=p[who], dossier=d)
    for who in ("other_ward", "dept", "ward_leader"):
        with pytest.raises(Forbidden):
            processing.dossier_decide(actor=p[who], dossier=d, title="Kết quả", body="Nội dung")
        with pytest.raises(Forbidden):
            processing.dossier_apologise(actor=p[who], dossier=d, reason="x", new_due=dt.date(2026, 5, 20))
    with pytest.raises(Forbidden):
        processing.dossier_supplement(actor=p["other_desk"], dossier=d, form={"noi_dung": "khác"})
    with pytest.raises(Forbidden):
        processing.dossier_return_result(actor=p["other_desk"], dossier=d)
    assert dossier_state(d) == before

    processing.dossier_hand_over(actor=p["desk"], dossier=d, to_official=p["ward"])
    before = dossier_state(d)
    # At the ward's step: a specialist of another ward may not pass it on, nor may the department.
    for who in ("other_ward", "dept", "desk"):
        with pytest.raises(Forbidden):
            processing.dossier_hand_over(actor=p[who], dossier=d)
        with pytest.raises(Forbidden):
            processing.dossier_request_supplement(
                actor=p[who] if who != "desk" else p["other_desk"], dossier=d, items=["x"], reason="y"
            )
    # Handing to someone who cannot do the next step is bad input.
    with pytest.raises(InvalidInput) as exc:
        processing.dossier_hand_over(actor=p["ward"], dossier=d, to_official=p["other_ward"])
    assert str(exc.value.detail) == ("Cv.Khac không xử lý được bước 'Thẩm định tại Sở' tại Sở Tư pháp.")
    assert dossier_state(d) == before


def test_an_action_out_of_order_is_a_conflict_and_changes_nothing(
    linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    p = people
    d = file_online(p["citizen"], monkeypatch, 2026, 5, 4, 9, 0)
    before = dossier_state(d)
    with pytest.raises(Conflict) as exc:
        processing.dossier_hand_over(actor=p["dept"], dossier=d)
    assert str(exc.value.detail) == (
        f"Hồ sơ {d.code} đang ở trạng thái 'Đã nộp, chờ tiếp nhận', không thể chuyển xử lý."
    )
    with pytest.raises(Conflict):
        processing.dossier_supplement(actor=p["citizen"], dossier=d, form={"noi_dung": "khác"})
    with pytest.raises(Conflict):
        processing.dossier_return_result(actor=p["desk"], dossier=d)
    assert dossier_state(d) == before

    processing.dossier_accept(actor=p["desk"], dossier=d)
    before = dossier_state(d)
    with pytest.raises(Conflict) as exc:
        processing.dossier_accept(actor=p["desk"], dossier=d)
    assert str(exc.value.detail) == (
        f"Hồ sơ {d.code} đang ở trạng thái 'Đang giải quyết', không thể tiếp nhận."
    )
    # The director signs only once the dossier has reached the last step.
    with pytest.raises(Conflict) as exc:
        processing.dossier_decide(actor=p["leader"], dossier=d, title="Kết quả", body="Nội dung")
    assert str(exc.value.detail) == (
        f"Hồ sơ {d.code} chưa đến bước ký kết quả (đang ở bước 'Tiếp nhận, kiểm tra, chuyển hồ sơ' "
        "tại Trung tâm Phục vụ hành chính công Phường Ba Đình)."
    )
    assert dossier_state(d) == before

    for actor in (p["desk"], p["ward"], p["dept"]):
        processing.dossier_hand_over(actor=actor, dossier=d)
    with pytest.raises(Conflict) as exc:
        processing.dossier_hand_over(actor=p["leader"], dossier=d)
    assert str(exc.value.detail) == (
        f"Hồ sơ {d.code} đang ở bước cuối; lãnh đạo ký kết quả thay vì chuyển tiếp."
    )
    processing.dossier_decide(actor=p["leader"], dossier=d, title="Kết quả", body="Nội dung")
    before = dossier_state(d)
    for act in (
        lambda: processing.dossier_decide(actor=p["leader"], dossier=d, title="Kết quả", body="Nội dung"),
        lambda: processing.dossier_withdraw(actor=p["citizen"], dossier=d),
        lambda: processing.dossier_request_supplement(actor=p["desk"], dossier=d, items=["x"], reason="y"),
    ):
        with pytest.raises(Conflict):
            act()
    assert dossier_state(d) == before


def test_bad_input_lists_the_problems_and_changes_nothing(
    linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    d = file_online(people["citizen"], monkeypatch, 2026, 5, 4, 9, 0)
    processing.dossier_accept(actor=people["desk"], dossier=d)
    before = dossier_state(d)
    with pytest.raises(InvalidInput) as exc:
        processing.dossier_request_supplement(actor=people["desk"], dossier=d, items=[" "], reason="Thiếu")
    assert str(exc.value.detail) == "Hãy nêu ít nhất một thành phần hồ sơ cần bổ sung."
    with pytest.raises(InvalidInput):
        processing.dossier_request_supplement(actor=people["desk"], dossier=d, items=["Tờ khai"], reason="")
    assert dossier_state(d) == before
    processing.dossier_request_supplement(actor=people["desk"], dossier=d, items=["Tờ khai"], reason="Mờ")
    before = dossier_state(d)
    with pytest.raises(InvalidInput) as exc:
        processing.dossier_supplement(
            actor=people["citizen"],
            dossier=d,
            attachments=[Attachment("Sổ hộ khẩu", "sai.pdf", b"")],
            form={"noi_dung": "", "mau_sac": "đỏ"},
        )
    assert exc.value.errors == [
        {
            "field": "attachments",
            "message": "Tệp 'sai.pdf': 'Sổ hộ khẩu' không thuộc thành phần hồ sơ của thủ tục.",
        },
        {"field": "attachments", "message": "Tệp 'sai.pdf' rỗng."},
        {"field": "form.noi_dung", "message": "Nội dung đề nghị: bắt buộc phải nhập."},
        {"field": "form.mau_sac", "message": "Trường 'mau_sac' không có trong tờ khai của thủ tục này."},
    ]
    with pytest.raises(InvalidInput):
        processing.dossier_supplement(actor=people["citizen"], dossier=d)
    assert dossier_state(d) == before


# --- Queue and notifications ---------------------------------------------------------------------------


def test_the_queue_is_ordered_by_due_date_and_flags_overdue(
    linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    first = file_online(people["citizen"], monkeypatch, 2026, 5, 4, 9, 0)
    second = file_online(people["citizen"], monkeypatch, 2026, 5, 5, 9, 0)
    at(monkeypatch, 2026, 5, 5, 10, 0)
    processing.dossier_accept(actor=people["desk"], dossier=second)
    processing.dossier_accept(actor=people["desk"], dossier=first)
    # The desk's step of the first is due on 5 May (receipt 4 May + 1), of the second on 6 May.
    now = vn(2026, 5, 6, 9, 0)
    queue = selectors.dossier_queue(actor=people["desk"], now=now)
    assert [(s.dossier.code, s.due_at, s.overdue) for s in queue] == [
        (first.code, vn(2026, 5, 5, 17, 0), True),
        (second.code, vn(2026, 5, 6, 17, 0), False),
    ]
    # Citizens, and officials elsewhere, have no queue.
    assert list(selectors.dossier_queue(actor=people["citizen"])) == []
    assert list(selectors.dossier_queue(actor=people["other_desk"])) == []
    # A step given to one official is in their queue only.
    at(monkeypatch, 2026, 5, 6, 10, 0)
    processing.dossier_hand_over(actor=people["desk"], dossier=first, to_official=people["ward"])
    colleague = people["ward_leader"]
    assert [s.dossier.code for s in selectors.dossier_queue(actor=people["ward"])] == [first.code]
    assert list(selectors.dossier_queue(actor=colleague)) == []


def test_the_applicant_is_told_after_commit(
    linked: None,
    people: dict[str, Any],
    monkeypatch: Any,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    d = file_online(people["citizen"], monkeypatch, 2026, 5, 4, 9, 0)
    processing.dossier_accept(actor=people["desk"], dossier=d)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(Forbidden):
        processing.dossier_request_supplement(actor=people["dept"], dossier=d, items=["x"], reason="y")
    assert callbacks == []
    with django_capture_on_commit_callbacks(execute=True):
        processing.dossier_request_supplement(
            actor=people["desk"], dossier=d, items=["Bản sao giấy tờ liên quan"], reason="Thiếu giấy tờ"
        )
    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["001090012345@example.vn"], f"Hồ sơ {d.code} cần bổ sung, hoàn thiện")
    ]
    assert "- Bản sao giấy tờ liên quan" in mailoutbox[0].body


def test_a_step_with_no_agency_to_do_it_is_a_conflict(
    people: dict[str, Any], make_official: Any, monkeypatch: Any
) -> None:
    # A province procedure with a commune step, received at the city centre: no ward to send it to.
    services.procedure_publish(
        actor=None,
        spec=ProcedureSpec(
            code="9.990002",
            name="Thủ tục thử nghiệm cần xác minh tại xã",
            field="Tư pháp",
            level="tinh",
            competent_kind="so",
            competent_agency_code=SO_TU_PHAP,
            online_level="toan_trinh",
            version=VersionSpec(
                valid_from=dt.date(2025, 7, 1),
                processing_days=2,
                documents=[RequiredDocument("Tờ khai")],
                steps=[Step("specialist", "xa", 1, "Xác minh tại xã"), Step("leader", "tinh", 1, "Ký")],
            ),
        ),
    )
    at(monkeypatch, 2026, 5, 4, 9, 0)
    d = services.dossier_submit(
        actor=people["citizen"],
        spec=SubmissionSpec(procedure_code="9.990002", attachments=[Attachment("Tờ khai", "t.pdf", PDF)]),
    ).dossier
    assert d.receiving_agency.code == services.CITY_ONE_STOP
    city_desk = make_official("mc.tp", services.CITY_ONE_STOP, ("desk_officer", "agency"))
    before = dossier_state(d)
    with pytest.raises(Conflict) as exc:
        processing.dossier_accept(actor=city_desk, dossier=d)
    assert str(exc.value.detail) == (
        f"Không xác định được cơ quan xử lý bước 'Xác minh tại xã' của hồ sơ {d.code} vào ngày 04/05/2026."
    )
    assert dossier_state(d) == before
