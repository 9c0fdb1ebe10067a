"""The applicant's actions on their own dossier's page, through Django's test client: answering a
supplement request (the clock restarts, the due date shown moves), paying the fee by VietQR (the
demo button of the fake gateway confirms through the webhook's own function), downloading the
papers (the signed result validates intact), rating once the result is returned (once), withdrawing
after a confirmation, and drafts of the submit form. Another citizen gets 404 on every page and
POST, and nothing changes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from congso.core import signing
from congso.core.audit.models import AuditEvent
from congso.core.files import blob_read
from congso.modules.services import payments, processing
from congso.modules.services.models import (
    Dossier,
    DossierDraft,
    DossierRating,
    DossierStatus,
    Payment,
    PaymentStatus,
)
from congso.modules.services.tests.conftest import dossier_state, make_citizen
from congso.modules.services.tests.test_processing import (  # noqa: F401 - the fixtures
    at,
    file_online,
    linked,
    people,
)
from congso.modules.services.tests.test_web import (
    FORM,
    KHAI_SINH,
    PDF,
    SUBMIT,
    _field_error,
    _html,
    _post,
    _text,
)

pytestmark = pytest.mark.django_db
SECRET = "test-webhook-secret"


@pytest.fixture(autouse=True)
def gateway_settings(settings: Any) -> None:
    settings.PAYMENT_GATEWAY = "fake"
    settings.PAYMENT_WEBHOOK_SECRETS = {"fake": SECRET}
    settings.PAYMENT_BANK_BIN = "970415"
    settings.PAYMENT_ACCOUNT_NUMBER = "113366668888"
    settings.PAYMENT_ACCOUNT_NAME = ""
    settings.PAYMENT_TTL_HOURS = 24
    settings.SMS_BACKEND = "memory"


def page_of(d: Dossier, rest: str = "") -> str:
    return f"/dich-vu-cong/ho-so/{d.code}/{rest}"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pdf(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def main_text(response: Any) -> str:
    return _text(re.search(r"<main.*</main>", _html(response), re.S).group(0))  # type: ignore[union-attr]


def everything(d: Dossier) -> tuple[Any, ...]:
    """The dossier's state and every count a citizen's action could change."""
    return (
        dossier_state(d),
        list(Payment.objects.order_by("id").values_list("reference", "status", "provider_transaction_id")),
        DossierRating.objects.count(),
        DossierDraft.objects.count(),
    )


# --- The whole path --------------------------------------------------------------------------------


def test_supplement_pay_download_and_rate_on_the_dossier_page(
    linked: None,  # noqa: F811 - the fixture imported above
    people: dict[str, Any],  # noqa: F811
    monkeypatch: Any,
) -> None:
    p = people
    d = file_online(p["citizen"], monkeypatch, 2026, 4, 23, 9, 0)
    at(monkeypatch, 2026, 4, 23, 10, 0)
    processing.dossier_accept(actor=p["desk"], dossier=d)
    at(monkeypatch, 2026, 4, 24, 15, 0)
    processing.dossier_request_supplement(
        actor=p["desk"], dossier=d, items=["Bản sao giấy tờ liên quan"], reason="Thiếu giấy tờ chứng minh"
    )
    citizen = login(p["citizen"])

    # 1. The request: what and why, the clock stopped, a form with one file input per document.
    page = citizen.get(page_of(d))
    text = main_text(page)
    assert (
        "Cần bổ sung hồ sơ Trung tâm Phục vụ hành chính công Phường Ba Đình yêu cầu bổ sung hồ sơ lúc "
        "15:00 24/04/2026. Thời hạn giải quyết tạm dừng cho đến khi bạn bổ sung. "
        "Lý do: Thiếu giấy tờ chứng minh Giấy tờ cần bổ sung: Bản sao giấy tờ liên quan Tệp bổ sung"
    ) in text
    assert "Hạn giải quyết 17:00 07/05/2026 (tạm dừng, chờ bổ sung)" in text
    html = _html(page)
    assert 'name="bs_0"' in html and 'name="bs_1"' in html
    assert "Bản sao giấy tờ liên quan được yêu cầu" in text

    # Nothing chosen, or an empty file: the service's message at the field, nothing changes.
    before = everything(d)
    empty = citizen.post(page_of(d, "bo-sung/"), {"ghi_chu": "Gửi lại"})
    assert empty.status_code == 400
    assert _field_error(_html(empty), "bs-files") == "Hãy nộp kèm tệp hoặc sửa tờ khai."
    assert "Gửi lại</textarea>" in _html(empty)
    blank = citizen.post(page_of(d, "bo-sung/"), {"bs_1": pdf("trang.pdf", b"")})
    assert blank.status_code == 400
    assert _field_error(_html(blank), "bs-1") == "Tệp 'trang.pdf' rỗng."
    assert everything(d) == before

    # Tuesday 28 April, 09:00: the answer. One working day is given back: due 8 May, not 7 May.
    at(monkeypatch, 2026, 4, 28, 9, 0)
    answered = citizen.post(
        page_of(d, "bo-sung/"), {"bs_1": pdf("giay-to.pdf", PDF + b"2"), "ghi_chu": "Đã bổ sung"}
    )
    assert (answered.status_code, answered["Location"]) == (302, page_of(d))
    d.refresh_from_db()
    assert (d.status, d.paused_days, d.paused_at) == (DossierStatus.IN_PROGRESS, 1, None)
    assert sorted(d.files.values_list("document", "name")) == [
        ("Bản sao giấy tờ liên quan", "giay-to.pdf"),
        ("Tờ khai đề nghị", "to-khai.pdf"),
    ]
    page = citizen.get(page_of(d))
    assert (
        "Đã gửi hồ sơ bổ sung. Thời hạn giải quyết được tính tiếp; hạn trả kết quả mới: 17:00 08/05/2026."
    ) in _text(_html(page))
    text = main_text(page)
    assert "Hạn giải quyết 17:00 08/05/2026 Lệ phí" in text
    assert "Cần bổ sung hồ sơ" not in text
    assert "Bổ sung hồ sơ — Trung tâm Phục vụ hành chính công Phường Ba Đình" in text

    # 2. The fee (50.000 đồng): the button, then the VietQR, then the demo confirmation.
    assert "Lệ phí của thủ tục: 50.000 đồng." in text
    assert 'action="/dich-vu-cong/ho-so/' + d.code + '/thanh-toan/"' in _html(citizen.get(page_of(d)))
    asked = citizen.post(page_of(d, "thanh-toan/"))
    assert (asked.status_code, asked["Location"]) == (302, page_of(d) + "#sv-pay")
    payment = Payment.objects.get()
    assert (payment.status, payment.amount) == (PaymentStatus.PENDING, 50_000)
    page = citizen.get(page_of(d))
    html, text = _html(page), main_text(page)
    assert re.search(r'<img id="sv-qr" src="data:image/png;base64,[A-Za-z0-9+/=]{200,}"', html)
    assert f"Mã VietQR: chuyển khoản 50.000 đồng, nội dung {payment.reference}" in html
    assert (
        "Ngân hàng VietinBank (BIN 970415) Số tài khoản 113366668888 Số tiền 50.000 đồng "
        f"Nội dung chuyển khoản {payment.reference}"
    ) in text
    assert "Mô phỏng thanh toán (môi trường thử nghiệm)" in text
    assert 'id="sv-paid"' not in html
    # Asking again shows the same payment.
    citizen.post(page_of(d, "thanh-toan/"))
    assert Payment.objects.count() == 1

    paid = citizen.post(page_of(d, "thanh-toan/mo-phong/"))
    assert (paid.status_code, paid["Location"]) == (302, page_of(d) + "#sv-pay")
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and payment.provider_transaction_id.startswith("FAKE-")
    event = AuditEvent.objects.get(action="services.payment.paid")
    assert (event.actor_id, event.after["reference"], event.after["amount"]) == (
        None,
        payment.reference,
        50_000,
    )
    page = citizen.get(page_of(d))
    text = main_text(page)
    assert "Đã thanh toán 50.000 đồng (mô phỏng, môi trường thử nghiệm)." in _text(_html(page))
    assert "Lệ phí 50.000 đồng Đã thanh toán" in text
    assert f"mã thanh toán {payment.reference}." in text
    assert 'id="sv-qr"' not in _html(page) and "Thanh toán phí, lệ phí" not in text
    # Paying twice is refused with the service's message; still one payment, paid once.
    again = citizen.post(page_of(d, "thanh-toan/mo-phong/"))
    assert again.status_code == 409
    assert f"Hồ sơ {d.code} đã nộp phí, lệ phí lúc" in main_text(again)
    assert list(Payment.objects.values_list("status", flat=True)) == [PaymentStatus.PAID]

    # 3. Processing goes on; the director apologises, signs; the desk returns the result.
    at(monkeypatch, 2026, 4, 28, 10, 0)
    processing.dossier_hand_over(actor=p["desk"], dossier=d, to_official=p["ward"])
    at(monkeypatch, 2026, 4, 29, 14, 0)
    processing.dossier_hand_over(actor=p["ward"], dossier=d)
    at(monkeypatch, 2026, 5, 7, 9, 0)
    processing.dossier_apologise(
        actor=p["leader"], dossier=d, reason="Cần xác minh thêm", new_due=dt.date(2026, 5, 12)
    )
    processing.dossier_hand_over(actor=p["dept"], dossier=d, to_official=p["leader"])
    at(monkeypatch, 2026, 5, 11, 15, 0)
    processing.dossier_decide(actor=p["leader"], dossier=d, title="Giấy xác nhận", body="Xác nhận.")
    page = citizen.get(page_of(d))
    assert "Đánh giá mức độ hài lòng" not in main_text(page)  # not before the result is handed over
    at(monkeypatch, 2026, 5, 12, 9, 0)
    processing.dossier_return_result(actor=p["desk"], dossier=d)

    page = citizen.get(page_of(d))
    html, text = _html(page), main_text(page)
    # Decided after the legal date (the apology moved the appointment, not the legal due date).
    assert '<dd id="sv-returned">09:00 12/05/2026 — trễ hạn</dd>' in html
    papers = text[text.index("Giấy tờ của hồ sơ") : text.index("Tệp đính kèm")]
    assert papers == (
        "Giấy tờ của hồ sơ "
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01) PDF, lập lúc 10:00 23/04/2026 "
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02) PDF, lập lúc 15:00 24/04/2026 "
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04) PDF, lập lúc 09:00 07/05/2026 · có chữ ký số "
        "Kết quả giải quyết thủ tục hành chính (đã ký số) PDF, lập lúc 15:00 11/05/2026 · có chữ ký số "
    )
    links = re.findall(r'href="(/dich-vu-cong/ho-so/[^"]+/giay-to/[^"]+)"', html)
    kinds = [re.search(r"/giay-to/([a-z_]+)/", link).group(1) for link in links]  # type: ignore[union-attr]
    assert kinds == ["result", "receipt", "supplement_request", "apology", "result"]
    for link, kind in zip(links, kinds, strict=True):
        got = citizen.get(link.replace("&amp;", "&"))
        slip = d.slips.get(kind=kind)
        assert (got.status_code, got["Content-Type"], got.content) == (
            200,
            "application/pdf",
            blob_read(slip.sha256),
        )
        assert got["Content-Disposition"] == f'attachment; filename="{d.code}-{kind}.pdf"'
    result = citizen.get(page_of(d, "giay-to/result/"))
    report = signing.validate_pdf(result.content)
    assert report.ok, report.problems
    assert [(s.signer, s.intact, s.valid) for s in report.signatures] == [
        ("Lê Văn Sở", True, True),
        ("Sở Tư pháp", True, True),
    ]
    # The control slip is the offices' paper; a kind that does not exist is 404 too.
    assert citizen.get(page_of(d, "giay-to/control/")).status_code == 404
    assert citizen.get(page_of(d, "giay-to/refusal/")).status_code == 404

    # 4. The rating: five radio buttons in a fieldset, once.
    assert "Bạn hài lòng thế nào với việc giải quyết hồ sơ này?" in text
    assert re.findall(r'<input type="radio" name="diem" value="(\d)" id="sv-score-\d" required>', html) == [
        "5",
        "4",
        "3",
        "2",
        "1",
    ]
    assert '<label for="sv-score-4"><span class="sv-stars" aria-hidden="true">★★★★☆</span> Hài lòng' in html
    before = everything(d)
    missing = citizen.post(page_of(d, "danh-gia/"), {"gop_y": "Nhanh"})
    assert missing.status_code == 400
    assert _field_error(_html(missing), "sv-score") == "Mức độ hài lòng phải là một số nguyên từ 1 đến 5."
    assert everything(d) == before
    rated = citizen.post(page_of(d, "danh-gia/"), {"diem": "4", "gop_y": "Cán bộ hướng dẫn tận tình"})
    assert (rated.status_code, rated["Location"]) == (302, page_of(d) + "#sv-rate")
    text = main_text(citizen.get(page_of(d)))
    assert "Bạn đã đánh giá 4/5 — Hài lòng. Cán bộ hướng dẫn tận tình" in text
    assert "Gửi đánh giá" not in text
    second = citizen.post(page_of(d, "danh-gia/"), {"diem": "5"})
    assert second.status_code == 409
    assert (
        f"Hồ sơ {d.code} đã được đánh giá lúc 09:00 ngày 12/05/2026; mỗi hồ sơ chỉ được đánh giá một lần."
        in main_text(second)
    )
    assert list(DossierRating.objects.values_list("score", "comment")) == [(4, "Cán bộ hướng dẫn tận tình")]
    # Finished: no withdrawal any more.
    assert "Rút hồ sơ" not in text


# --- Nobody else ------------------------------------------------------------------------------------


def test_another_citizen_gets_404_everywhere_and_nothing_changes(
    linked: None,  # noqa: F811 - the fixture imported above
    people: dict[str, Any],  # noqa: F811
    monkeypatch: Any,
) -> None:
    p = people
    d = file_online(p["citizen"], monkeypatch, 2026, 4, 23, 9, 0)
    at(monkeypatch, 2026, 4, 23, 10, 0)
    processing.dossier_accept(actor=p["desk"], dossier=d)
    processing.dossier_request_supplement(
        actor=p["desk"], dossier=d, items=["Tờ khai"], reason="Thiếu chữ ký"
    )
    payments.payment_create(actor=p["citizen"], dossier=d)
    other = login(make_citizen("001185004321", "Trần Thị Bích Ngọc"))
    before, audit = everything(d), AuditEvent.objects.count()

    gets = ["", "giay-to/receipt/", "giay-to/supplement_request/", "rut-ho-so/"]
    posts: list[tuple[str, dict[str, Any]]] = [
        ("bo-sung/", {"bs_0": pdf("x.pdf"), "ghi_chu": "x"}),
        ("thanh-toan/", {}),
        ("thanh-toan/mo-phong/", {}),
        ("danh-gia/", {"diem": "1"}),
        ("rut-ho-so/", {"ly_do": "x"}),
    ]
    for rest in gets:
        assert other.get(page_of(d, rest)).status_code == 404, rest
    for rest, data in posts:
        response = other.post(page_of(d, rest), data)
        assert response.status_code == 404, rest
        text = main_text(response)
        assert f"Không tìm thấy hồ sơ {d.code}." in text and "Cấp giấy xác nhận" not in text
    assert (everything(d), AuditEvent.objects.count()) == (before, audit)

    # An official who may see the dossier acts on the desk's page, not here.
    for rest, data in posts:
        assert login(p["desk"]).post(page_of(d, rest), data).status_code == 403, rest
    # Anonymous: the login page, 401.
    for rest, data in posts:
        response = Client().post(page_of(d, rest), data)
        assert response.status_code == 401, rest
    assert (everything(d), AuditEvent.objects.count()) == (before, audit)
    # The owner still sees it all.
    assert login(p["citizen"]).get(page_of(d, "giay-to/receipt/")).status_code == 200


def test_the_demo_button_is_only_for_the_fake_gateway(
    linked: None,  # noqa: F811 - the fixture imported above
    people: dict[str, Any],  # noqa: F811
    monkeypatch: Any,
    settings: Any,
) -> None:
    class Bank(payments.PaymentGateway):
        name = "bank"

    monkeypatch.setitem(payments.GATEWAYS, "bank", Bank)
    settings.PAYMENT_GATEWAY = "bank"
    settings.PAYMENT_WEBHOOK_SECRETS = {"bank": "bank-secret"}
    d = file_online(p := people["citizen"], monkeypatch, 2026, 4, 23, 9, 0)
    citizen = login(p)
    assert citizen.post(page_of(d, "thanh-toan/")).status_code == 302
    page = citizen.get(page_of(d))
    assert 'id="sv-qr"' in _html(page)
    assert "Mô phỏng thanh toán" not in _html(page) and "mo-phong" not in _html(page)
    assert citizen.post(page_of(d, "thanh-toan/mo-phong/")).status_code == 404
    assert list(Payment.objects.values_list("provider", "status")) == [("bank", PaymentStatus.PENDING)]


# --- Withdrawal, refusal ------------------------------------------------------------------------------


def test_withdrawal_asks_to_confirm_and_takes_a_reason(
    linked: None,  # noqa: F811 - the fixture imported above
    people: dict[str, Any],  # noqa: F811
    monkeypatch: Any,
) -> None:
    d = file_online(people["citizen"], monkeypatch, 2026, 4, 23, 9, 0)
    citizen = login(people["citizen"])
    assert f'href="{page_of(d, "rut-ho-so/")}"' in _html(citizen.get(page_of(d)))
    confirm = citizen.get(page_of(d, "rut-ho-so/"))
    assert confirm.status_code == 200
    text = main_text(confirm)
    assert "Bạn có chắc muốn rút hồ sơ này?" in text and "Xác nhận rút hồ sơ" in text
    d.refresh_from_db()
    assert d.status == DossierStatus.SUBMITTED  # looking at the question changes nothing

    at(monkeypatch, 2026, 4, 23, 11, 0)
    done = citizen.post(page_of(d, "rut-ho-so/"), {"ly_do": "Đã nộp nhầm thủ tục"})
    assert (done.status_code, done["Location"]) == (302, page_of(d))
    d.refresh_from_db()
    assert d.status == DossierStatus.WITHDRAWN
    page = citizen.get(page_of(d))
    text = _text(_html(page))
    assert f"Đã rút hồ sơ {d.code}." in text
    assert "Rút hồ sơ — Trung tâm Phục vụ hành chính công Phường Ba Đình Đã nộp nhầm thủ tục" in text
    assert "Không cần giải quyết hồ sơ nữa?" not in text
    assert "Hồ sơ đã kết thúc; không cần nộp phí, lệ phí." in text

    before = everything(d)
    again = citizen.post(page_of(d, "rut-ho-so/"), {"ly_do": "Lần nữa"})
    assert again.status_code == 409
    assert f"Hồ sơ {d.code} đang ở trạng thái 'Đã rút hồ sơ', không thể rút." in main_text(again)
    assert everything(d) == before


def test_the_refusal_paper_is_on_the_page(
    linked: None,  # noqa: F811 - the fixture imported above
    people: dict[str, Any],  # noqa: F811
    monkeypatch: Any,
) -> None:
    d = file_online(people["citizen"], monkeypatch, 2026, 4, 23, 9, 0)
    at(monkeypatch, 2026, 4, 23, 10, 0)
    processing.dossier_refuse(actor=people["desk"], dossier=d, reasons=["Không thuộc thẩm quyền"])
    citizen = login(people["citizen"])
    text = main_text(citizen.get(page_of(d)))
    assert "Phiếu từ chối tiếp nhận, giải quyết hồ sơ (Mẫu 03) PDF, lập lúc 10:00 23/04/2026" in text
    got = citizen.get(page_of(d, "giay-to/refusal/"))
    assert (got.status_code, got.content) == (200, blob_read(d.slips.get(kind="refusal").sha256))
    assert "Rút hồ sơ" not in text and "Thanh toán phí, lệ phí" not in text


# --- Drafts ----------------------------------------------------------------------------------------


def test_a_draft_keeps_the_values_until_the_dossier_is_filed(
    client: Client, catalogue: None, citizen: Any
) -> None:
    client.force_login(citizen)
    form = client.get(SUBMIT)
    assert "Lưu nháp" in _text(_html(form)) and 'id="sv-draft"' not in _html(form)
    partial = {
        "f_ho_ten_tre": "Nguyễn Minh Khang",
        "f_gioi_tinh": "Nam",
        "f_noi_sinh": "",
        "agency": "001.01.90.H26",
    }
    saved = client.post(SUBMIT, {**partial, "luu_nhap": "1", "tep_0": pdf("to-khai.pdf")})
    assert (saved.status_code, saved["Location"]) == (302, SUBMIT)
    draft = DossierDraft.objects.get()
    assert (draft.applicant_id, draft.procedure.code, draft.form_data) == (
        citizen.pk,
        KHAI_SINH,
        {"form": {"ho_ten_tre": "Nguyễn Minh Khang", "gioi_tinh": "Nam"}, "agency": "001.01.90.H26"},
    )
    assert not Dossier.objects.exists()

    reopened = client.get(SUBMIT)
    html = _html(reopened)
    assert "Đã lưu nháp lúc" in _text(html)
    assert "Đã mở bản nháp lưu lúc" in _text(html) and "Bản nháp không giữ tệp đính kèm" in _text(html)
    assert 'name="f_ho_ten_tre" value="Nguyễn Minh Khang"' in html
    assert '<option value="Nam" selected>' in html
    assert '<option value="001.01.90.H26" selected>' in html
    listing = _text(_html(client.get("/dich-vu-cong/ho-so/")))
    assert "Bản nháp chưa nộp Đăng ký khai sinh Lưu lúc" in listing

    # Nobody else sees it.
    other = login(make_citizen("001185004321", "Trần Thị Bích Ngọc"))
    assert "Nguyễn Minh Khang" not in _html(other.get(SUBMIT))
    assert "Bản nháp chưa nộp" not in _html(other.get("/dich-vu-cong/ho-so/"))

    # Saving again replaces it; filing the dossier deletes it.
    client.post(SUBMIT, {**partial, "f_dan_toc": "Kinh", "luu_nhap": "1"})
    assert DossierDraft.objects.get().form_data["form"]["dan_toc"] == "Kinh"
    filed = _post(client, "k-draft")
    assert filed.status_code == 200 and Dossier.objects.count() == 1
    assert not DossierDraft.objects.exists()
    assert "Bản nháp chưa nộp" not in _html(client.get("/dich-vu-cong/ho-so/"))
    assert 'value="Nguyễn Minh Khang"' not in _html(client.get(SUBMIT))

    # Thrown away by hand.
    client.post(SUBMIT, {**FORM, "luu_nhap": "1"})
    assert DossierDraft.objects.count() == 1
    gone = client.post(SUBMIT, {"xoa_nhap": "1"})
    assert (gone.status_code, DossierDraft.objects.count()) == (302, 0)
    assert "Đã xoá bản nháp." in _text(_html(client.get(SUBMIT)))
