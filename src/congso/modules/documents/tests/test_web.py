"""The document pages through Django's test client: the lists and forms render for a clerk, a
document of another agency is not found, an action without the right is refused and changes
nothing, and the draft form's errors are the service's, in Vietnamese, with nothing created."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from tests.conftest import BA_DINH, SO_KHCN, SO_TU_PHAP

from congso.core.audit.models import AuditEvent
from congso.modules.documents import services
from congso.modules.documents.models import Assignment, Document, DocumentFile, Status, TrailEntry

pytestmark = pytest.mark.django_db

PASSWORD = "MatKhau@123456"
CLERK = ("clerk", "agency")
LEADER = ("leader", "subtree")
SPECIALIST = ("specialist", "agency")
BODY = "Điều 1. Phê duyệt Kế hoạch chuyển đổi số năm 2026.\nĐiều 2. Quyết định có hiệu lực từ ngày ký."


def _html(response: Any) -> str:
    return response.content.decode()


def _login(client: Any, user: Any) -> None:
    client.force_login(user)


def _h(level: int, html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", m).strip() for m in re.findall(rf"<h{level}[^>]*>(.*?)</h{level}>", html, re.S)
    ]


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


def _draft(people: dict[str, Any], agency: Any, summary: str = "Về việc chuyển đổi số năm 2026") -> Document:
    return services.document_draft_create(
        actor=people["drafter"],
        agency=agency(SO_KHCN),
        spec=services.DraftSpec(doc_type="QD", summary=summary, body=BODY, recipient_codes=[BA_DINH]),
    )


def _paper(people: dict[str, Any], agency: Any, register: bool = True) -> Document:
    """A paper document scanned in at Ba Đình (a scan is not checked for signatures)."""
    return services.document_receive(
        actor=people["bd_clerk"],
        agency=agency(BA_DINH),
        spec=services.IncomingSpec(
            doc_type="CV",
            number_notation="125/UBND-VP",
            issuer_name="UBND thành phố Hà Nội",
            summary="V/v rà soát thủ tục hành chính năm 2026",
            issued_on=dt.date(2026, 1, 5),
        ),
        file=services.Upload("scan.pdf", b"%PDF-1.4\n% scan\n%%EOF\n"),
        paper=True,
        register=register,
    )


# --- pages render --------------------------------------------------------------------------------


def test_clerk_sees_every_tab_with_its_heading(client: Any, people: dict[str, Any], agency: Any) -> None:
    _draft(people, agency)
    _login(client, people["clerk"])
    home = client.get(reverse("documents:home"))
    html = _html(home)
    assert home.status_code == 200
    assert _h(1, html) == ["Văn bản"]
    # A clerk starts on the incoming queue.
    assert _h(2, html) == ["Văn bản đến chờ vào sổ"]
    assert 'href="/van-ban/soan/">Soạn văn bản đi</a>' in html
    assert 'href="/van-ban/tiep-nhan/">Tiếp nhận văn bản đến</a>' in html
    assert '<a href="/van-ban/" aria-current="page">Văn bản</a>' in html  # the shell's navigation
    assert "Không có văn bản nào chờ vào sổ." in html
    for name, heading in [
        ("documents:queue", "Văn bản đến chờ vào sổ"),
        ("documents:mine", "Việc của tôi"),
        ("documents:incoming", "Văn bản đến"),
        ("documents:outgoing", "Văn bản đi"),
        ("documents:overdue", "Quá hạn"),
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert _h(2, _html(response)) == [heading]
        assert f'aria-current="page">{heading}' in _html(response)
    outgoing = _html(client.get(reverse("documents:outgoing")))
    assert "Quyết định (chưa có số)" in outgoing
    assert "Về việc chuyển đổi số năm 2026" in outgoing
    assert '<span class="tag tag--draft">Dự thảo</span>' in outgoing


def test_forms_and_detail_render_for_a_clerk(client: Any, people: dict[str, Any], agency: Any) -> None:
    doc = _draft(people, agency)
    _login(client, people["clerk"])
    draft = client.get(reverse("documents:draft_new"))
    assert draft.status_code == 200
    assert _h(1, _html(draft)) == ["Soạn văn bản đi"]
    assert '<option value="001.00.90.H26">Ủy ban nhân dân Phường Ba Đình (001.00.90.H26)</option>' in _html(
        draft
    )
    assert '<option value="QD">Quyết định</option>' in _html(draft)
    incoming = client.get(reverse("documents:incoming_new"))
    assert incoming.status_code == 200
    assert _h(1, _html(incoming)) == ["Tiếp nhận văn bản đến"]
    assert '<label for="id_paper">Bản giấy (quét)</label>' in _html(incoming)
    detail = client.get(reverse("documents:detail", args=[doc.pk]))
    html = _html(detail)
    assert detail.status_code == 200
    assert _h(1, html) == ["Dự thảo Quyết định"]
    assert "Thông tin văn bản" in _h(2, html) and "Luồng xử lý" in _h(2, html)
    assert f'href="/van-ban/{doc.pk}/tep/"' in html
    assert "Tạo dự thảo</strong> · Cv.Khcn" in html
    # A clerk may draft (and so submit a draft), not approve or sign it.
    assert "Trình lãnh đạo duyệt</button>" in html
    assert ">Duyệt</button>" not in html and "Ký số văn bản</button>" not in html
    file = client.get(reverse("documents:file", args=[doc.pk]))
    assert (file.status_code, file["Content-Type"]) == (200, "application/pdf")
    assert file.content.startswith(b"%PDF-")


def test_buttons_follow_the_policy_and_the_status(client: Any, people: dict[str, Any], agency: Any) -> None:
    doc = _draft(people, agency)
    _login(client, people["drafter"])
    html = _html(client.get(reverse("documents:detail", args=[doc.pk])))
    assert "Trình lãnh đạo duyệt</button>" in html
    assert "Ký số văn bản</button>" not in html and ">Duyệt</button>" not in html
    response = client.post(reverse("documents:act", args=[doc.pk, "trinh-duyet"]), {"note": "Kính trình."})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.status == Status.IN_REVIEW
    page = _html(client.get(reverse("documents:detail", args=[doc.pk])))
    assert "Đã trình lãnh đạo duyệt dự thảo." in page
    assert "Trình lãnh đạo duyệt</button>" not in page
    client.force_login(people["leader"])
    leader_page = _html(client.get(reverse("documents:detail", args=[doc.pk])))
    for button in (">Duyệt</button>", "Ký số văn bản</button>", "Trả lại</button>"):
        assert button in leader_page
    assert "Cấp số và ký số của cơ quan</button>" not in leader_page


def test_return_without_comment_keeps_status_and_shows_the_reason(
    client: Any, people: dict[str, Any], agency: Any
) -> None:
    doc = _draft(people, agency)
    services.document_submit_review(actor=people["drafter"], document=doc)
    _login(client, people["leader"])
    response = client.post(reverse("documents:act", args=[doc.pk, "tra-lai"]), {"comment": "   "})
    assert response.status_code == 400
    assert "<p>Cần ghi ý kiến khi trả lại dự thảo.</p>" in _html(response)
    doc.refresh_from_db()
    assert doc.status == Status.IN_REVIEW


# --- scoping and rights --------------------------------------------------------------------------


def test_official_of_another_agency_gets_404_and_nothing_changes(
    client: Any, people: dict[str, Any], agency: Any
) -> None:
    doc = _draft(people, agency)
    trail_before = TrailEntry.objects.filter(document=doc).count()
    _login(client, people["tp_specialist"])
    page = client.get(reverse("documents:detail", args=[doc.pk]))
    assert page.status_code == 404
    assert f"Không tìm thấy văn bản số {doc.pk}." in _html(page)
    assert "Về việc chuyển đổi số năm 2026" not in _html(page)
    assert client.get(reverse("documents:file", args=[doc.pk])).status_code == 404
    posted = client.post(reverse("documents:act", args=[doc.pk, "trinh-duyet"]), {"note": "x"})
    assert posted.status_code == 404
    doc.refresh_from_db()
    assert doc.status == Status.DRAFT
    assert TrailEntry.objects.filter(document=doc).count() == trail_before
    # Nor does it show in their lists.
    assert "Về việc chuyển đổi số năm 2026" not in _html(client.get(reverse("documents:outgoing")))


def test_action_without_the_right_is_refused_and_changes_nothing(
    client: Any, people: dict[str, Any], agency: Any
) -> None:
    doc = _draft(people, agency)
    services.document_submit_review(actor=people["drafter"], document=doc)
    files_before = DocumentFile.objects.filter(document=doc).count()
    events_before = AuditEvent.objects.count()
    _login(client, people["drafter"])  # a specialist may draft, not sign or approve
    for slug in ("ky-so", "duyet"):
        response = client.post(reverse("documents:act", args=[doc.pk, slug]))
        html = _html(response)
        assert response.status_code == 403, slug
        assert "<h2>Chưa thực hiện được</h2>" in html
        assert "Bạn không có quyền thực hiện thao tác này đối với cơ quan, đơn vị này." in html
    doc.refresh_from_db()
    assert doc.status == Status.IN_REVIEW
    assert DocumentFile.objects.filter(document=doc).count() == files_before
    assert AuditEvent.objects.count() == events_before


def test_unknown_action_is_not_found(client: Any, people: dict[str, Any], agency: Any) -> None:
    doc = _draft(people, agency)
    _login(client, people["drafter"])
    assert client.post(reverse("documents:act", args=[doc.pk, "xoa"])).status_code == 404
    assert client.get(reverse("documents:act", args=[doc.pk, "trinh-duyet"])).status_code == 405


# --- forms ---------------------------------------------------------------------------------------


def test_draft_without_summary_shows_the_vietnamese_error_and_creates_nothing(
    client: Any, people: dict[str, Any]
) -> None:
    _login(client, people["drafter"])
    response = client.post(
        reverse("documents:draft_new"),
        {
            "doc_type": "QD",
            "summary": "  ",
            "body": BODY,
            "recipients": [BA_DINH],
            "urgency": "khan",
            "secrecy": "normal",
        },
    )
    html = _html(response)
    assert response.status_code == 400
    assert '<p class="field__error" id="id_summary_error">Trích yếu không được để trống. </p>' in html
    assert '<a href="#id_summary">Trích yếu: Trích yếu không được để trống.</a>' in html
    # What was typed is kept.
    assert "Điều 1. Phê duyệt Kế hoạch chuyển đổi số năm 2026." in html
    assert '<option value="001.00.90.H26" selected>' in html
    assert '<option value="khan" selected>Khẩn</option>' in html
    assert Document.objects.count() == 0


def test_draft_form_creates_the_draft_with_its_recipients(client: Any, people: dict[str, Any]) -> None:
    _login(client, people["drafter"])
    response = client.post(
        reverse("documents:draft_new"),
        {
            "doc_type": "KH",
            "summary": "Kế hoạch chuyển đổi số năm 2026",
            "body": BODY,
            "recipients": [BA_DINH],
            "external": "000.00.00.G22; Bộ Khoa học và Công nghệ",
            "urgency": "normal",
            "secrecy": "normal",
            "signer": str(people["leader"].pk),
            "signer_position": "Giám đốc",
        },
    )
    doc = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[doc.pk])
    assert (doc.doc_type, doc.status, doc.summary) == ("KH", Status.DRAFT, "Kế hoạch chuyển đổi số năm 2026")
    assert (doc.signer_name, doc.signer_position) == ("Ld.Khcn", "Giám đốc")
    assert list(doc.recipients.values_list("agency__code", "external_code", "channel")) == [
        (BA_DINH, "", "platform"),
        (None, "000.00.00.G22", "edxml"),
    ]
    page = _html(client.get(response["Location"]))
    assert "Đã tạo dự thảo. Kiểm tra lại rồi trình lãnh đạo duyệt." in page
    assert "Ủy ban nhân dân Phường Ba Đình" in page and "Chưa phát hành" in page


def test_draft_without_body_or_file_says_so(client: Any, people: dict[str, Any]) -> None:
    _login(client, people["drafter"])
    response = client.post(
        reverse("documents:draft_new"),
        {"doc_type": "CV", "summary": "V/v báo cáo", "body": "", "urgency": "normal", "secrecy": "normal"},
    )
    assert response.status_code == 400
    assert "Cần tải lên tệp PDF dự thảo hoặc nhập nội dung văn bản." in _html(response)
    assert Document.objects.count() == 0


def test_incoming_paper_scan_is_registered_then_presented_assigned_and_completed(
    client: Any, people: dict[str, Any]
) -> None:
    _login(client, people["bd_clerk"])
    response = client.post(
        reverse("documents:incoming_new"),
        {
            "file": _pdf_upload(),
            "paper": "on",
            "doc_type": "CV",
            "number_notation": "125/UBND-VP",
            "issuer_name": "UBND thành phố Hà Nội",
            "summary": "V/v rà soát thủ tục hành chính năm 2026",
            "issued_on": "2026-01-05",
            "pages": "2",
            "urgency": "normal",
            "secrecy": "normal",
            "register": "on",
        },
    )
    doc = Document.objects.get()
    assert response.status_code == 302
    assert (doc.status, doc.arrival_number, doc.channel, doc.number, doc.notation) == (
        Status.RECEIVED,
        1,
        "paper",
        125,
        "UBND-VP",
    )
    page = _html(client.get(response["Location"]))
    assert "Đã tiếp nhận và vào sổ văn bản đến, số đến 1." in page
    assert '<span id="dc-arrival">1</span>' in page
    assert client.post(reverse("documents:act", args=[doc.pk, "trinh-lanh-dao"])).status_code == 302

    client.force_login(people["bd_leader"])
    page = _html(client.get(reverse("documents:detail", args=[doc.pk])))
    assert "Giao xử lý</button>" in page
    deadline = dt.date.today() + dt.timedelta(days=7)
    handler = people["bd_handler"]
    response = client.post(
        reverse("documents:act", args=[doc.pk, "giao-xu-ly"]),
        {
            "giao-lead": f"o{handler.pk}",
            "giao-deadline": deadline.isoformat(),
            "giao-note": "Xử lý trong tuần.",
        },
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert (doc.status, doc.deadline) == (Status.ASSIGNED, deadline)
    assert list(Assignment.objects.filter(document=doc).values_list("role", "handler__username")) == [
        ("lead", "cv.bd")
    ]

    client.force_login(handler)
    mine = _html(client.get(reverse("documents:mine")))
    assert "V/v rà soát thủ tục hành chính năm 2026" in mine
    response = client.post(
        reverse("documents:act", args=[doc.pk, "hoan-thanh"]), {"note": "Đã rà soát xong."}
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.status == Status.COMPLETED
    page = _html(client.get(reverse("documents:detail", args=[doc.pk])))
    assert "Đã hoàn thành xử lý văn bản." in page
    assert "<strong>Hoàn thành</strong> · Cv.Bd<p>Đã rà soát xong.</p>" in page


def test_assign_with_a_past_deadline_keeps_the_form(client: Any, people: dict[str, Any], agency: Any) -> None:
    doc = _paper(people, agency)
    _login(client, people["bd_leader"])
    handler = people["bd_handler"]
    response = client.post(
        reverse("documents:act", args=[doc.pk, "giao-xu-ly"]),
        {"giao-lead": f"o{handler.pk}", "giao-deadline": "2020-01-01", "giao-note": "Gấp."},
    )
    html = _html(response)
    assert response.status_code == 400
    assert "Hạn xử lý 01/01/2020 đã qua." in html
    assert f'<option value="o{handler.pk}" selected>' in html
    assert 'value="2020-01-01"' in html and ">\nGấp.</textarea>" in html
    doc.refresh_from_db()
    assert doc.status == Status.RECEIVED
    assert not Assignment.objects.filter(document=doc).exists()


def test_incoming_form_without_file_or_fields_creates_nothing(client: Any, people: dict[str, Any]) -> None:
    _login(client, people["bd_clerk"])
    response = client.post(
        reverse("documents:incoming_new"),
        {"doc_type": "CV", "summary": "V/v thử", "pages": "1", "urgency": "normal", "secrecy": "normal"},
    )
    assert response.status_code == 400
    assert "Chọn tệp văn bản (PDF) hoặc gói edXML." in _html(response)
    assert ">\nV/v thử</textarea>" in _html(response)
    response = client.post(
        reverse("documents:incoming_new"),
        {
            "file": _pdf_upload(),
            "paper": "on",
            "doc_type": "CV",
            "pages": "1",
            "urgency": "normal",
            "secrecy": "normal",
        },
    )
    html = _html(response)
    assert response.status_code == 400
    for message in (
        "Số, ký hiệu không được để trống.",
        "Cơ quan ban hành không được để trống.",
        "Trích yếu không được để trống.",
    ):
        assert message in html
    assert Document.objects.count() == 0


def test_specialist_may_not_open_the_incoming_form(client: Any, people: dict[str, Any]) -> None:
    _login(client, people["bd_handler"])
    response = client.get(reverse("documents:incoming_new"))
    assert response.status_code == 403
    assert "Chỉ văn thư của cơ quan mới tiếp nhận văn bản đến." in _html(response)


def _pdf_upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n% scan\n%%EOF\n", content_type="application/pdf")


# --- search --------------------------------------------------------------------------------------


def test_search_finds_accented_text_typed_without_accents_within_what_the_reader_may_see(
    client: Any, people: dict[str, Any], agency: Any
) -> None:
    _draft(people, agency, summary="Về việc chuyển đổi số năm 2026")
    _draft(people, agency, summary="Về việc phòng cháy chữa cháy mùa hanh khô")
    _login(client, people["clerk"])
    response = client.get(reverse("documents:search"), {"q": "phong chay chua chay"})
    html = _html(response)
    assert response.status_code == 200
    assert _h(2, html) == ["Tìm kiếm văn bản"]
    assert "Tìm thấy 1 văn bản." in html
    assert "Về việc phòng cháy chữa cháy mùa hanh khô" in html
    assert "Về việc chuyển đổi số năm 2026" not in html
    # Facets count the result; choosing one keeps the query and narrows it.
    assert "<h3>Loại văn bản</h3>" in html
    assert (
        '<a href="?q=phong+chay+chua+chay&amp;doc_type=QD">Quyết định</a> <span class="dc-count">1</span>'
        in html
    )
    narrowed = _html(client.get(reverse("documents:search"), {"q": "phong chay chua chay", "doc_type": "CV"}))
    assert "Tìm thấy 0 văn bản." in narrowed
    assert "Không tìm thấy văn bản nào phù hợp." in narrowed
    # Another agency's official finds nothing of Sở KHCN.
    client.force_login(people["tp_specialist"])
    other = _html(client.get(reverse("documents:search"), {"q": "phong chay chua chay"}))
    assert "Tìm thấy 0 văn bản." in other
    assert "phòng cháy" not in other


def test_search_by_number_notation_is_exact(client: Any, people: dict[str, Any], agency: Any) -> None:
    _paper(people, agency)
    _login(client, people["bd_clerk"])
    html = _html(client.get(reverse("documents:search"), {"q": "125/ubnd-vp"}))
    assert "Tìm thấy 1 văn bản. (khớp chính xác số, ký hiệu)" in html
    assert ">125/UBND-VP</a>" in html


# --- the leader's dashboard ----------------------------------------------------------------------


def test_leader_dashboard_lists_the_late_document_and_a_specialist_is_refused(
    client: Any, people: dict[str, Any], agency: Any
) -> None:
    doc = _paper(people, agency)
    Document.objects.filter(pk=doc.pk).update(deadline=dt.date.today() - dt.timedelta(days=14))
    _login(client, people["bd_leader"])
    response = client.get(reverse("documents:dashboard"))
    html = _html(response)
    assert response.status_code == 200
    assert "Bảng điều hành" in _h(2, html)
    assert f'<a href="/van-ban/{doc.pk}/">125/UBND-VP — V/v rà soát thủ tục hành chính năm 2026</a>' in html
    overdue = _html(client.get(reverse("documents:overdue")))
    assert "V/v rà soát thủ tục hành chính năm 2026" in overdue
    assert '<tr class="dc-late">' in overdue
    client.force_login(people["bd_handler"])
    refused = client.get(reverse("documents:dashboard"))
    assert refused.status_code == 403
    assert "Bảng điều hành dành cho lãnh đạo cơ quan." in _html(refused)
    assert 'href="/van-ban/bang-dieu-hanh/"' not in _html(client.get(reverse("documents:mine")))


# --- registers -----------------------------------------------------------------------------------


def test_incoming_register_on_screen_and_as_excel_and_pdf(
    client: Any, people: dict[str, Any], agency: Any
) -> None:
    doc = _paper(people, agency)
    year = doc.arrival_year
    _login(client, people["bd_clerk"])
    response = client.get(reverse("documents:registers"), {"so": "den", "nam": year})
    html = _html(response)
    assert response.status_code == 200
    assert f"Sổ đăng ký văn bản đến — năm {year}" in _h(2, html)
    assert '<th scope="col">Số đến</th>' in html
    assert f'<th scope="row"><a href="/van-ban/{doc.pk}/">1</a></th>' in html
    assert "<td>125/UBND-VP</td>" in html and "<td>Bản giấy</td>" in html
    xlsx = client.get(reverse("documents:registers"), {"so": "den", "nam": year, "xuat": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx["Content-Disposition"] == f'attachment; filename="so-van-ban-den_{BA_DINH}_{year}.xlsx"'
    assert xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("documents:registers"), {"so": "den", "nam": year, "xuat": "pdf"})
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-")
    # Sở KHCN's clerk reads Sở KHCN's register: Ba Đình's document is not in it.
    client.force_login(people["clerk"])
    other = _html(client.get(reverse("documents:registers"), {"so": "den", "nam": year}))
    assert "125/UBND-VP" not in other
    assert "Sổ chưa có văn bản nào trong năm này." in other
