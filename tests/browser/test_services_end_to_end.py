"""One online dossier over its whole path in a real headless Chromium, across two agencies, each
person in a browser context of their own: a citizen files the test procedure "9.990001" (checked at
Ba Đình ward, settled by the city's Department of Justice) on the web form with a PDF; the ward's
one-stop desk accepts it (receipt, Mẫu 01) and asks for a supplement (Mẫu 02); the citizen answers
it with a file on their dossier's page and pays the fee by VietQR (the demo button); the desk hands
it to the ward's specialist, the ward to the department, the department's specialist to its
director, who signs and seals the result (TOTP login); the desk hands the result back; the citizen
downloads the signed PDF and rates the service. Screenshots go to test-artifacts/e2e-*.png."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from congso.core import signing
from congso.core.accounts.fake_eid import DEMO_CITIZENS
from congso.core.accounts.models import AccountKind, User
from congso.core.calendar.workdays import VN_TZ, receipt_day, working_days_between
from congso.core.files.pdf import new_pdf
from congso.modules.services.models import Dossier, DossierRating, DossierStatus, Payment, PaymentStatus
from congso.modules.services.tests.test_processing import LINKED, linked  # noqa: F401 - the fixture
from tests.browser.test_services_desk import _session
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_TU_PHAP, clear_cache

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AN = DEMO_CITIZENS[0]  # Nguyễn Văn An, 001090012345 (fake population data)
PROCEDURE = "Cấp giấy xác nhận liên thông (thử nghiệm)"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}


@pytest.fixture
def people(
    hanoi: Any,
    linked: None,  # noqa: F811 - the fixture imported above, published after the Hà Nội data
    live_server: Any,
    settings: Any,
    tmp_path: Path,
    make_official: Any,
) -> dict[str, Any]:
    """The live server with its fake VNeID and the fake payment gateway; the citizen; the desk and
    the specialist of Ba Đình ward, the specialist and the director of the Department of Justice."""

    settings.EID_FAKE_PROVIDER = True
    settings.EID_ISSUER = live_server.url + "/dev/eid"
    settings.DATA_DIR = tmp_path  # a fresh VNeID key and demo CA
    settings.PAYMENT_GATEWAY = "fake"
    settings.PAYMENT_WEBHOOK_SECRETS = {"fake": "e2e-webhook-secret"}
    settings.PAYMENT_BANK_BIN, settings.PAYMENT_ACCOUNT_NUMBER = "970415", "113366668888"
    settings.SMS_BACKEND = "memory"
    clear_cache()
    User.objects.create(
        username=f"cd{AN.national_id}",
        kind=AccountKind.CITIZEN,
        eid_subject=AN.subject,
        national_id=AN.national_id,
        full_name=AN.name,
        email=AN.email,
    )
    people = {
        "desk": make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency")),
        "ward": make_official("cv.badinh", BA_DINH, ("specialist", "agency")),
        "dept": make_official("cv.stp", SO_TU_PHAP, ("specialist", "agency")),
        "leader": make_official("ld.stp", SO_TU_PHAP, ("leader", "agency")),
    }
    for key, (name, position) in {
        "desk": ("Phạm Thu Hà", "Công chức Trung tâm Phục vụ hành chính công"),
        "ward": ("Đỗ Minh Tuấn", "Chuyên viên"),
        "dept": ("Trần Quốc Bảo", "Chuyên viên Phòng Hành chính tư pháp"),
        "leader": ("Lê Văn Sở", "Giám đốc Sở Tư pháp"),
    }.items():
        people[key].full_name, people[key].position = name, position
        people[key].save(update_fields=["full_name", "position"])
    return people


@pytest.fixture
def contexts() -> Iterator[list[Any]]:
    """The browser contexts opened by the test, closed afterwards even when it fails."""
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def _pdf(path: Path, title: str) -> Path:
    pdf, family, text = new_pdf(title=title)
    pdf.add_page()
    pdf.set_font(family, size=14)
    pdf.multi_cell(0, 8, text(f"{title}\nNgười đề nghị: {AN.name}"))
    path.write_bytes(bytes(pdf.output()))
    return path


def _text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)


def _download(page: Any, link: Any) -> tuple[bytes, str]:
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes(), info.value.suggested_filename


def test_an_online_dossier_from_filing_to_the_signed_result_across_two_agencies(
    people: dict[str, Any],
    live_server: Any,
    chromium: Any,
    contexts: list[Any],
    artifacts: Path,
    tmp_path: Path,
) -> None:
    base = live_server.url

    # 1. The citizen: the procedure's page, VNeID on the way to the form, the form and a PDF.
    citizen_ctx = chromium.new_context(**DESKTOP)
    contexts.append(citizen_ctx)
    citizen = citizen_ctx.new_page()
    citizen.set_default_timeout(30_000)
    citizen.goto(f"{base}/dich-vu-cong/thu-tuc/{LINKED}/")
    expect(citizen.get_by_role("heading", level=1)).to_have_text(PROCEDURE)
    citizen.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    citizen.get_by_role("link", name="Đăng nhập bằng tài khoản định danh điện tử (VNeID)").click()
    citizen.get_by_role("button", name=f"Đăng nhập là {AN.name}").click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text(f"Nộp hồ sơ: {PROCEDURE}")
    citizen.get_by_label("Nội dung đề nghị").fill("Xác nhận thông tin cư trú")
    citizen.get_by_label("Địa chỉ thường trú").fill("12 Phan Đình Phùng, phường Ba Đình, Hà Nội")
    citizen.get_by_label("Tờ khai đề nghị").set_input_files(
        str(_pdf(tmp_path / "to-khai.pdf", "Tờ khai đề nghị xác nhận"))
    )
    citizen.get_by_label("Bộ phận một cửa nhận hồ sơ").select_option(BA_DINH_CENTRE)
    citizen.screenshot(path=str(artifacts / "e2e-01-form.png"), full_page=True)
    citizen.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(citizen.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
    dossier = Dossier.objects.get()
    code = dossier.code
    expect(citizen.locator("#sv-dossier-code")).to_have_text(code)
    assert (dossier.channel, dossier.status, dossier.receiving_agency.code) == (
        "online",
        DossierStatus.SUBMITTED,
        BA_DINH_CENTRE,
    )
    assert dossier.competent_agency.code == SO_TU_PHAP
    own_page = f"{base}/dich-vu-cong/ho-so/{code}/"

    # 2. The ward's one-stop desk: the dossier waits in its queue; accepted, the receipt (Mẫu 01).
    desk_ctx, desk = _session(chromium, base, people["desk"])
    contexts.append(desk_ctx)
    desk.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Một cửa").click()
    desk.get_by_role("link", name=code).click()
    expect(desk.locator("#dk-status")).to_have_text("Đã nộp, chờ tiếp nhận")
    desk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    expect(desk.locator("#dk-status")).to_have_text("Đang giải quyết")
    receipt, name = _download(
        desk,
        desk.locator(".flash").get_by_role("link", name="Tải Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)"),
    )
    assert name == f"{code}-receipt.pdf"
    assert receipt.startswith(b"%PDF") and "Mẫu số 01" in _text(receipt) and code in _text(receipt)

    # 3. The desk asks for a supplement (Mẫu 02); the clock stops.
    desk.locator("#f-items").fill("Bản sao giấy tờ liên quan")
    desk.locator("#f-supp-reason").fill("Thiếu giấy tờ chứng minh nơi cư trú")
    desk.get_by_role("button", name="Yêu cầu bổ sung", exact=True).click()
    expect(desk.locator("#dk-status")).to_have_text("Yêu cầu bổ sung hồ sơ")
    expect(desk.locator("#dk-paused")).to_contain_text("Đang tạm dừng")
    request, name = _download(
        desk,
        desk.locator(".flash").get_by_role("link", name="Tải Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (PDF)"),
    )
    assert name == f"{code}-supplement_request.pdf" and "Mẫu số 02" in _text(request)
    desk.screenshot(path=str(artifacts / "e2e-02-desk-supplement-asked.png"), full_page=True)

    # 4. The citizen sees what is asked on their dossier's page and answers with a file.
    citizen.goto(own_page)
    expect(citizen.locator("#sv-status")).to_have_text("Yêu cầu bổ sung hồ sơ")
    asked = citizen.locator("#sv-supplement")
    expect(asked).to_contain_text("Thiếu giấy tờ chứng minh nơi cư trú")
    expect(asked.locator("#sv-asked-items")).to_have_text("Bản sao giấy tờ liên quan")
    citizen.screenshot(path=str(artifacts / "e2e-03-citizen-supplement.png"), full_page=True)
    asked.get_by_label("Bản sao giấy tờ liên quan").set_input_files(
        str(_pdf(tmp_path / "giay-to.pdf", "Bản sao giấy tờ liên quan"))
    )
    asked.get_by_label("Ghi chú gửi cơ quan giải quyết").fill("Đã bổ sung bản sao sổ tạm trú")
    asked.get_by_role("button", name="Gửi hồ sơ bổ sung").click()
    expect(citizen.locator(".flash")).to_contain_text("Đã gửi hồ sơ bổ sung")
    expect(citizen.locator("#sv-status")).to_have_text("Đang giải quyết")
    expect(citizen.locator("#sv-supplement")).to_have_count(0)
    expect(citizen.get_by_role("link", name="giay-to.pdf")).to_be_visible()

    # 5. The fee: the VietQR panel, then the demo button (the fake gateway confirms).
    citizen.get_by_role("button", name="Thanh toán phí, lệ phí").click()
    qr = citizen.get_by_role("img", name=re.compile("^Mã VietQR: chuyển khoản 50.000 đồng"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 100
    reference = Payment.objects.get().reference
    expect(citizen.locator("#sv-pay-facts")).to_contain_text(reference)
    expect(citizen.locator("#sv-pay-facts")).to_contain_text("113366668888")
    citizen.locator("#sv-pay").screenshot(path=str(artifacts / "e2e-04-citizen-vietqr.png"))
    citizen.get_by_role("button", name="Mô phỏng thanh toán (môi trường thử nghiệm)").click()
    expect(citizen.locator("#sv-paid")).to_contain_text("Đã thanh toán")
    expect(citizen.locator("#sv-paid")).to_contain_text(reference)
    expect(citizen.locator("#sv-qr")).to_have_count(0)

    # 6. The desk sees the supplement and the payment, and hands over to the ward's specialist.
    desk.goto(f"{base}/dich-vu-cong/mot-cua/ho-so/{code}/")
    expect(desk.locator("#dk-status")).to_have_text("Đang giải quyết")
    expect(desk.get_by_role("region", name="Thanh toán phí, lệ phí")).to_contain_text("Đã thanh toán")
    desk.get_by_label("Cán bộ nhận (không bắt buộc)").select_option(label="Đỗ Minh Tuấn, Chuyên viên")
    desk.get_by_role("button", name="Chuyển xử lý").click()
    expect(desk.locator("#dk-current")).to_have_text("Ủy ban nhân dân Phường Ba Đình")
    expect(desk.locator("#dk-step")).to_contain_text("Đỗ Minh Tuấn")

    # 7. The ward's specialist, from their queue, to the Department of Justice (the second agency).
    ctx, ward = _session(chromium, base, people["ward"])
    contexts.append(ctx)
    ward.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Một cửa").click()
    ward.get_by_role("link", name=code).click()
    ward.get_by_label("Cán bộ nhận (không bắt buộc)").select_option(
        label="Trần Quốc Bảo, Chuyên viên Phòng Hành chính tư pháp"
    )
    ward.get_by_label("Ghi chú").fill("Đã xác minh tại phường")
    ward.get_by_role("button", name="Chuyển xử lý").click()
    expect(ward.locator("#dk-current")).to_contain_text("Sở Tư pháp")
    expect(ward.locator(".flash")).to_contain_text("Tải Phiếu kiểm soát quá trình giải quyết hồ sơ (PDF)")

    # 8. The department's specialist passes it to the director.
    ctx, dept = _session(chromium, base, people["dept"])
    contexts.append(ctx)
    dept.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Một cửa").click()
    dept.get_by_role("link", name=code).click()
    expect(dept.locator("#dk-step")).to_contain_text("Trần Quốc Bảo")
    dept.get_by_label("Cán bộ nhận (không bắt buộc)").select_option(label="Lê Văn Sở, Giám đốc Sở Tư pháp")
    dept.get_by_label("Ghi chú").fill("Đủ điều kiện, trình ký")
    dept.get_by_role("button", name="Chuyển xử lý").click()
    expect(dept.locator("#dk-step")).to_contain_text("Lê Văn Sở")

    # 9. The director (password and TOTP) signs; the department's seal follows.
    ctx, leader = _session(chromium, base, people["leader"])
    contexts.append(ctx)
    leader.goto(f"{base}/dich-vu-cong/mot-cua/?tab=dang-xu-ly")
    leader.get_by_role("link", name=code).click()
    leader.get_by_label("Tên văn bản kết quả").fill("Giấy xác nhận")
    leader.get_by_label("Nội dung kết quả").fill(
        f"Xác nhận thông tin cư trú của ông {AN.name} tại 12 Phan Đình Phùng, phường Ba Đình là đúng."
    )
    leader.screenshot(path=str(artifacts / "e2e-05-leader-decide.png"), full_page=True)
    leader.get_by_role("button", name="Ký số và đóng dấu kết quả").click()
    expect(leader.locator("#dk-status")).to_have_text("Đã có kết quả")
    expect(leader.locator(".flash")).to_contain_text("Đã ký số kết quả giải quyết hồ sơ")

    # 10. Back at the ward's desk: waiting to be handed back; returned on time.
    desk.goto(f"{base}/dich-vu-cong/mot-cua/?tab=cho-tra")
    desk.get_by_role("link", name=code).click()
    desk.get_by_role("button", name="Đã trả kết quả").click()
    expect(desk.locator("#dk-status")).to_have_text("Đã trả kết quả")
    expect(desk.locator(".flash")).to_contain_text("(đúng hạn)")
    desk.screenshot(path=str(artifacts / "e2e-06-desk-returned.png"), full_page=True)

    # 11. The citizen downloads the signed result and rates the service.
    citizen.goto(own_page)
    expect(citizen.locator("#sv-status")).to_have_text("Đã trả kết quả")
    result, name = _download(
        citizen, citizen.locator("#sv-result").get_by_role("link", name="Tải kết quả giải quyết (PDF)")
    )
    assert name == f"{code}-result.pdf"
    report = signing.validate_pdf(result)
    assert report.ok and [(s.signer, s.intact) for s in report.signatures] == [
        ("Lê Văn Sở", True),
        ("Sở Tư pháp", True),
    ]
    # The history names the department that signed, then the desk that handed the result back.
    trail = citizen.locator(".sv-trail li")
    expect(trail.filter(has_text="Ký kết quả giải quyết")).to_contain_text("Sở Tư pháp")
    expect(trail.filter(has_text="Trả kết quả")).to_contain_text("Phường Ba Đình")
    citizen.get_by_role("radio", name=re.compile(r"^Rất hài lòng")).check()
    citizen.get_by_label("Góp ý").fill("Nhanh, không phải đi lại.")
    citizen.get_by_role("button", name="Gửi đánh giá").click()
    expect(citizen.locator("#sv-rating")).to_contain_text("Bạn đã đánh giá 5/5 — Rất hài lòng.")
    citizen.screenshot(path=str(artifacts / "e2e-07-citizen-result-rated.png"), full_page=True)

    # 12. What the database holds.
    dossier.refresh_from_db()
    asked_at, answered_at = (
        dossier.events.get(action=action).at for action in ("supplement_request", "supplement")
    )
    # The days it stood still: from the day it stopped to the day the answer counts as received
    # (16:00 cut-off), so 0 in office hours and 1 when the test runs after 16:00 or at a weekend.
    paused = working_days_between(timezone.localtime(asked_at, VN_TZ).date(), receipt_day(answered_at))
    assert (dossier.status, dossier.on_time, dossier.paused_days) == (DossierStatus.RETURNED, True, paused)
    assert dossier.returned_at is not None and dossier.returned_at <= dossier.due_at
    assert [
        (e.action, e.step.order if e.step else None, e.to_agency.code if e.to_agency else None)
        for e in dossier.events.select_related("step", "to_agency").order_by("at", "id")
    ] == [
        ("accept", 1, BA_DINH_CENTRE),
        ("supplement_request", 1, None),
        ("supplement", 1, BA_DINH_CENTRE),
        ("hand_over", 1, BA_DINH),
        ("hand_over", 2, SO_TU_PHAP),
        ("hand_over", 3, SO_TU_PHAP),
        ("decide", 4, BA_DINH_CENTRE),
        ("return", None, None),
    ]
    assert list(dossier.slips.order_by("created_at", "id").values_list("kind", "signed")) == [
        ("receipt", False),
        ("supplement_request", False),
        ("control", False),
        ("control", False),
        ("control", False),
        ("result", True),
        ("control", False),
    ]
    assert list(dossier.files.values_list("document", "name").order_by("id")) == [
        ("Tờ khai đề nghị", "to-khai.pdf"),
        ("Bản sao giấy tờ liên quan", "giay-to.pdf"),
    ]
    payment = Payment.objects.get()
    assert (payment.dossier_id, payment.status, payment.amount) == (dossier.pk, PaymentStatus.PAID, 50_000)
    rating = DossierRating.objects.get()
    assert (rating.dossier_id, rating.score) == (dossier.pk, 5)
