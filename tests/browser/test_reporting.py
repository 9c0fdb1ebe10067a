"""Reporting in a real headless Chromium: a specialist enters figures cell by cell (saved as they
go), tabs between cells and submits; the city's leader approves and reads the roll-up."""

from __future__ import annotations

from decimal import Decimal

import pyotp
import pytest
from playwright.sync_api import expect

from congso.modules.reporting import services
from congso.modules.reporting.models import DataValue, Submission
from congso.modules.reporting.services import SectionSpec
from tests.conftest import CITY, SO_KHCN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "MatKhau@123456"


def _login(page, base: str, username: str, totp: str = "") -> None:
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    if totp:
        page.get_by_label("Mã xác thực 6 số").fill(totp)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")


def _world(make_official, agency):
    services.indicator_create(
        actor=None,
        code="TT.DN",
        name="Số doanh nghiệp công nghệ số",
        unit_of_measure="doanh nghiệp",
        value_type="integer",
    )
    services.indicator_create(
        actor=None, code="TT.DT", name="Doanh thu công nghệ số", unit_of_measure="tỷ đồng"
    )
    form = services.form_create(
        actor=None,
        code="TT01",
        name="Biểu công nghệ số hằng tháng",
        sections=[SectionSpec("I", "I. Doanh nghiệp công nghệ số", ["TT.DN", "TT.DT"])],
        agency_codes=[SO_KHCN],
        period_type="M",
    )
    specialist = make_official("chuyenvien.khcn", SO_KHCN, ("specialist", "agency"))
    leader = make_official("lanhdao.thanhpho", CITY, ("leader", "subtree"))
    submission = services.submission_open(
        actor=specialist, form=form, agency=agency(SO_KHCN), period_code="2024M01"
    )
    return submission, leader


def _no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide at a 375px viewport"


def test_specialist_enters_two_values_saved_as_they_go_and_submits(
    hanoi, live_server, make_official, agency, desktop, chromium, artifacts
):
    page = desktop
    submission, leader = _world(make_official, agency)
    _login(page, live_server.url, "chuyenvien.khcn")

    page.goto(f"{live_server.url}/bao-cao/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo cần làm")
    expect(page.get_by_text("Quá hạn", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "rp-01-inbox.png"), full_page=True)

    page.get_by_role("link", name="Biểu công nghệ số hằng tháng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Biểu công nghệ số hằng tháng")
    first = page.get_by_label("Số doanh nghiệp công nghệ số — Số liệu")
    second = page.get_by_label("Doanh thu công nghệ số — Số liệu")
    first.click()
    first.fill("8476")
    page.keyboard.press("Tab")
    expect(second).to_be_focused()
    expect(page.locator(f"#{first.get_attribute('id')}-msg")).to_have_text("Đã lưu")
    second.fill("321315,5")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Báo cáo bằng lời (thuyết minh)")).to_be_focused()
    expect(page.locator(f"#{second.get_attribute('id')}-msg")).to_have_text("Đã lưu")
    expect(page.get_by_role("status")).to_contain_text("Đã lưu lúc")
    values = dict(DataValue.objects.filter(period="2024M01").values_list("indicator__code", "value"))
    assert values == {"TT.DN": Decimal("8476.0000"), "TT.DT": Decimal("321315.5000")}

    # A wrong value is shown at its cell and not saved.
    first.fill("12,5")
    page.keyboard.press("Tab")
    message = page.locator(f"#{first.get_attribute('id')}-msg")
    expect(message).to_have_text("Giá trị TT.DN nhận số nguyên, không nhận 12,5.")
    expect(first).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(artifacts / "rp-02-entry-cell-error.png"), full_page=True)
    assert DataValue.objects.get(period="2024M01", indicator__code="TT.DN").value == Decimal("8476.0000")
    first.fill("8476")
    page.keyboard.press("Tab")
    expect(message).to_have_text("Đã lưu")
    page.get_by_label("Báo cáo bằng lời (thuyết minh)").fill("Doanh thu tăng 7% so với cùng kỳ.")
    page.screenshot(path=str(artifacts / "rp-03-entry-saved.png"), full_page=True)

    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".flash")).to_contain_text("Đã gửi báo cáo.")
    expect(page.locator("#rp-state")).to_contain_text("Đã gửi, chờ duyệt")
    expect(first).to_be_disabled()
    page.screenshot(path=str(artifacts / "rp-04-submitted.png"), full_page=True)
    saved = Submission.objects.get(pk=submission.pk)
    assert saved.status == "submitted"
    assert saved.narrative == "Doanh thu tăng 7% so với cùng kỳ."

    # The city's leader approves; the figures are locked; the roll-up shows them at once.
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    lead = context.new_page()
    lead.set_default_timeout(15_000)
    _login(lead, live_server.url, "lanhdao.thanhpho", pyotp.TOTP(leader.totp_secret).now())
    lead.goto(f"{live_server.url}/bao-cao/")
    lead.get_by_role("link", name="Sở Khoa học và Công nghệ").click()
    lead.get_by_role("button", name="Duyệt", exact=True).click()
    expect(lead.locator(".flash")).to_contain_text("Đã duyệt báo cáo.")
    expect(lead.get_by_role("heading", name="Báo cáo đã được duyệt và khoá")).to_be_visible()
    lead.screenshot(path=str(artifacts / "rp-05-approved.png"), full_page=True)
    assert Submission.objects.get(pk=submission.pk).status == "approved"

    lead.goto(f"{live_server.url}/bao-cao/tong-hop/")
    lead.get_by_label("Chỉ tiêu", exact=True).fill("TT.DT")
    lead.get_by_label("Năm", exact=True).fill("2024")
    lead.get_by_role("button", name="Tổng hợp").click()
    expect(lead.locator("#rp-pivot tbody tr")).to_have_count(1)
    expect(lead.locator("#rp-pivot tbody td").first).to_have_text("321.315,5")
    lead.screenshot(path=str(artifacts / "rp-06-pivot.png"), full_page=True)
    context.close()


def test_entry_page_fits_a_phone(hanoi, live_server, make_official, agency, phone, artifacts):
    page = phone
    submission, _leader = _world(make_official, agency)
    _login(page, live_server.url, "chuyenvien.khcn")
    page.goto(f"{live_server.url}/bao-cao/")
    _no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "rp-10-phone-inbox.png"), full_page=True)
    page.goto(f"{live_server.url}/bao-cao/{submission.pk}/")
    field = page.get_by_label("Số doanh nghiệp công nghệ số — Số liệu")
    field.fill("120")
    field.blur()
    expect(page.locator(f"#{field.get_attribute('id')}-msg")).to_have_text("Đã lưu")
    _no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "rp-11-phone-entry.png"), full_page=True)
