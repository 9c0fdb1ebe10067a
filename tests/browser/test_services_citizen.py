"""A citizen files a dossier online in a real headless Chromium: finds "Đăng ký khai sinh" in the
catalogue by typing without accents, logs in with (the fake) VNeID on the way to the form, sees
their data prefilled from the population database, fills the form, attaches a generated PDF for
each document the state does not hold, submits and gets the dossier code and the tracking token.
Then, in a fresh browser without login (a phone), the dossier is tracked with its token; a wrong
token shows nothing of it. Screenshots (desktop and phone) go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from congso.core.accounts.fake_eid import DEMO_CITIZENS
from congso.core.accounts.models import AccountKind, User
from congso.core.files.pdf import new_pdf
from congso.modules.services.demo import seed_procedures
from congso.modules.services.models import Dossier, DossierStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AN = DEMO_CITIZENS[0]  # Nguyễn Văn An, 001090012345: lives in phường Hoàn Kiếm (fake population data)
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def portal(hanoi: Any, live_server: Any, settings: Any, tmp_path: Path) -> str:
    """The live server as the portal and its own fake VNeID; the demo catalogue; the citizen."""
    from tests.conftest import clear_cache

    settings.EID_FAKE_PROVIDER = True
    settings.EID_ISSUER = live_server.url + "/dev/eid"
    settings.DATA_DIR = tmp_path  # a fresh provider key
    clear_cache()
    seed_procedures()
    User.objects.create(
        username=f"cd{AN.national_id}",
        kind=AccountKind.CITIZEN,
        eid_subject=AN.subject,
        national_id=AN.national_id,
        full_name=AN.name,
        email=AN.email,
    )
    return str(live_server.url)


def _pdf(path: Path, title: str) -> Path:
    pdf, family, text = new_pdf(title=title)
    pdf.add_page()
    pdf.set_font(family, size=14)
    pdf.multi_cell(0, 8, text(f"{title}\nHọ, chữ đệm, tên của trẻ: Nguyễn Minh Khang"))
    path.write_bytes(bytes(pdf.output()))
    return path


def test_a_citizen_files_a_birth_registration_and_tracks_it(
    portal: str, chromium: Any, artifacts: Path, tmp_path: Path
) -> None:
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)

    # 1. The public catalogue: typed without accents.
    page.goto(f"{portal}/dich-vu-cong/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dịch vụ công trực tuyến")
    page.get_by_label("Tên hoặc mã thủ tục").fill("dang ky khai sinh")
    page.get_by_role("button", name="Tìm kiếm").click()
    expect(page.get_by_role("heading", level=2, name="Tìm thấy 2 thủ tục")).to_be_visible()
    page.screenshot(path=str(artifacts / "services-01-catalogue.png"), full_page=True)
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.locator("#sv-days")).to_have_text("1 ngày làm việc")
    expect(page.get_by_text("Đã có trong cơ sở dữ liệu, không phải nộp")).to_have_count(2)
    page.screenshot(path=str(artifacts / "services-02-procedure.png"), full_page=True)

    # 2. Filing needs a login: VNeID (the fake provider), then back to the form.
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập để nộp hồ sơ")
    page.screenshot(path=str(artifacts / "services-03a-login-needed.png"), full_page=True)
    page.get_by_role("link", name="Đăng nhập bằng tài khoản định danh điện tử (VNeID)").click()
    page.get_by_role("button", name=f"Đăng nhập là {AN.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ: Đăng ký khai sinh")
    applicant = page.locator("#sv-applicant")
    expect(applicant).to_contain_text(AN.name)
    expect(applicant).to_contain_text(AN.national_id)
    expect(applicant).to_contain_text("15/03/1990")
    expect(applicant).to_contain_text("Phường Hoàn Kiếm, Thành phố Hà Nội")
    expect(page.get_by_label("Bộ phận một cửa nhận hồ sơ")).to_have_value("004.01.90.H26")

    # 3. The form, the files, the submission.
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Nguyễn Minh Khang")
    page.get_by_label("Ngày sinh", exact=True).fill("2026-11-20")
    page.get_by_label("Giới tính").select_option("Nam")
    page.get_by_label("Nơi sinh").fill("Bệnh viện Phụ sản Hà Nội")
    page.get_by_label("Dân tộc").fill("Kinh")
    page.get_by_label("Họ, chữ đệm, tên của mẹ").fill("Trần Thị Mai")
    page.get_by_label("Quan hệ của người đi đăng ký với trẻ").select_option("Cha")
    page.get_by_label("Tờ khai đăng ký khai sinh").set_input_files(
        str(_pdf(tmp_path / "to-khai.pdf", "Tờ khai đăng ký khai sinh"))
    )
    page.get_by_label("Giấy chứng sinh").set_input_files(
        str(_pdf(tmp_path / "giay-chung-sinh.pdf", "Giấy chứng sinh"))
    )
    page.screenshot(path=str(artifacts / "services-03-form.png"), full_page=True)
    page.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
    dossier = Dossier.objects.get()
    assert dossier.code.startswith("004.01.90.H26-")
    assert (dossier.status, dossier.applicant_name, dossier.files.count()) == (
        DossierStatus.SUBMITTED,
        AN.name,
        2,
    )
    expect(page.locator("#sv-dossier-code")).to_have_text(dossier.code)
    token = page.locator("#sv-token").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", token)
    page.screenshot(path=str(artifacts / "services-04-submitted.png"), full_page=True)

    # 4. The citizen's own dossiers.
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Hồ sơ của tôi").click()
    expect(page.get_by_role("link", name=dossier.code)).to_be_visible()
    page.screenshot(path=str(artifacts / "services-04a-my-dossiers.png"), full_page=True)
    page.get_by_role("link", name=dossier.code).click()
    expect(page.locator("#sv-status")).to_have_text("Đã nộp, chờ tiếp nhận")
    expect(page.get_by_role("link", name="to-khai.pdf")).to_be_visible()
    page.screenshot(path=str(artifacts / "services-05-dossier.png"), full_page=True)

    # The same pages on a phone (the citizen's session carried over).
    phone = chromium.new_context(**PHONE, locale="vi-VN", storage_state=context.storage_state())
    mobile = phone.new_page()
    mobile.set_default_timeout(30_000)
    mobile.goto(f"{portal}/dich-vu-cong/?q=khai+sinh")
    mobile.screenshot(path=str(artifacts / "services-06-phone-catalogue.png"), full_page=True)
    mobile.goto(f"{portal}/dich-vu-cong/thu-tuc/1.001193/nop/")
    expect(mobile.get_by_role("heading", level=1)).to_have_text("Nộp hồ sơ: Đăng ký khai sinh")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
    mobile.screenshot(path=str(artifacts / "services-07-phone-form.png"), full_page=True)
    # Without the browser's own checks (an old browser), the server's messages show at each field.
    mobile.evaluate("document.getElementById('sv-form').noValidate = true")
    mobile.get_by_label("Dân tộc").fill("Kinh")
    mobile.get_by_role("button", name="Nộp hồ sơ", exact=True).click()
    expect(mobile.get_by_role("alert").first).to_contain_text("Hồ sơ chưa nộp được")
    expect(mobile.locator("#f-ho_ten_tre-error")).to_have_text(
        "Họ, chữ đệm, tên của trẻ: bắt buộc phải nhập."
    )
    expect(mobile.locator("#t-1-error")).to_have_text("Thiếu thành phần hồ sơ: Giấy chứng sinh.")
    expect(mobile.get_by_label("Dân tộc")).to_have_value("Kinh")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
    mobile.screenshot(path=str(artifacts / "services-07a-phone-form-errors.png"), full_page=True)
    assert Dossier.objects.count() == 1
    mobile.goto(f"{portal}/dich-vu-cong/ho-so/{dossier.code}/")
    mobile.screenshot(path=str(artifacts / "services-08-phone-dossier.png"), full_page=True)
    phone.close()
    context.close()

    # 5. Tracking without login, in a fresh browser on a phone.
    fresh = chromium.new_context(**PHONE, locale="vi-VN")
    anon = fresh.new_page()
    anon.set_default_timeout(30_000)
    anon.goto(f"{portal}/dich-vu-cong/tra-cuu/")
    anon.get_by_label("Mã hồ sơ").fill(dossier.code)
    anon.get_by_label("Mã tra cứu").fill(token)
    anon.get_by_role("button", name="Tra cứu").click()
    expect(anon.locator("#sv-track-status")).to_have_text("Đã nộp, chờ tiếp nhận")
    result = anon.locator("#sv-track-result")
    expect(result).to_contain_text("Đăng ký khai sinh")
    expect(result).to_contain_text("Trung tâm Phục vụ hành chính công Phường Hoàn Kiếm")
    expect(result).not_to_contain_text(AN.name)
    assert anon.evaluate("document.documentElement.scrollWidth") <= 375
    anon.screenshot(path=str(artifacts / "services-09-phone-tracked.png"), full_page=True)

    anon.get_by_label("Mã hồ sơ").fill(dossier.code)
    anon.get_by_label("Mã tra cứu").fill(token[:-2] + ("aa" if not token.endswith("aa") else "bb"))
    anon.get_by_role("button", name="Tra cứu").click()
    expect(anon.get_by_role("alert")).to_contain_text(
        "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập."
    )
    expect(anon.locator("#sv-track-result")).to_have_count(0)
    expect(anon.get_by_text("Đăng ký khai sinh")).to_have_count(0)
    anon.screenshot(path=str(artifacts / "services-10-phone-wrong-token.png"), full_page=True)
    fresh.close()


def test_a_citizen_pays_the_fee_with_the_demo_button(
    portal: str, chromium: Any, artifacts: Path, settings: Any
) -> None:
    """The dossier's page: "Thanh toán phí, lệ phí" shows the VietQR code, bank, account, amount and
    reference; the clearly marked demo button (fake gateway only) confirms; the page says paid."""
    from django.test import Client

    from congso.modules.services import services
    from congso.modules.services.models import Payment, PaymentStatus
    from congso.modules.services.tests.test_dossiers import household

    settings.PAYMENT_GATEWAY = "fake"
    settings.PAYMENT_WEBHOOK_SECRETS = {"fake": "browser-webhook-secret"}
    settings.PAYMENT_BANK_BIN, settings.PAYMENT_ACCOUNT_NUMBER = "970415", "113366668888"
    settings.SMS_BACKEND = "memory"
    an = User.objects.get(national_id=AN.national_id)
    d = services.dossier_submit(actor=an, spec=household(agency_code="001.01.90.H26")).dossier
    django_client = Client()
    django_client.force_login(an)
    cookie = django_client.cookies[settings.SESSION_COOKIE_NAME]

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": portal}])
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{portal}/dich-vu-cong/ho-so/{d.code}/")
    page.get_by_role("button", name="Thanh toán phí, lệ phí").click()
    qr = page.get_by_role("img", name=re.compile("^Mã VietQR: chuyển khoản 100.000 đồng"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 100
    reference = Payment.objects.get().reference
    expect(page.locator("#sv-pay-facts")).to_contain_text(reference)
    expect(page.locator("#sv-pay-facts")).to_contain_text("VietinBank")
    page.locator("#sv-pay").screenshot(path=str(artifacts / "services-11-pay-qr.png"))

    phone = chromium.new_context(**PHONE, locale="vi-VN", storage_state=context.storage_state())
    mobile = phone.new_page()
    mobile.set_default_timeout(30_000)
    mobile.goto(f"{portal}/dich-vu-cong/ho-so/{d.code}/#sv-pay")
    expect(mobile.locator("#sv-qr")).to_be_visible()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
    mobile.screenshot(path=str(artifacts / "services-12-phone-pay-qr.png"), full_page=True)
    mobile.get_by_role("button", name="Mô phỏng thanh toán (môi trường thử nghiệm)").click()
    expect(mobile.locator("#sv-paid")).to_contain_text("Đã thanh toán")
    expect(mobile.locator("#sv-qr")).to_have_count(0)
    mobile.screenshot(path=str(artifacts / "services-13-phone-paid.png"), full_page=True)
    assert Payment.objects.get().status == PaymentStatus.PAID
    phone.close()
    context.close()
