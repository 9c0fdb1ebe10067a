"""What a person sees: an administrator's day in the web shell, in a real headless Chromium."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from congso.core.org.models import Agency
from tests.conftest import BA_DINH, CITY, SO_KHCN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "MatKhau@123456"


def _login(page, base: str, username: str, totp: str = "") -> None:
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    if totp:
        page.get_by_label("Mã xác thực 6 số").fill(totp)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()


def test_admin_logs_in_finds_ba_dinh_and_edits_its_phone(
    hanoi, live_server, make_official, desktop, artifacts
):
    page = desktop
    admin = make_official("quantri.thanhpho", CITY, ("admin", "subtree"))
    page.goto(f"{live_server.url}/dang-nhap/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    expect(page.get_by_text("Bắt buộc với Lãnh đạo và Quản trị")).to_be_visible()
    page.screenshot(path=str(artifacts / "01-login.png"), full_page=True)

    # A wrong code is refused, with the message announced as an alert.
    _login(
        page,
        live_server.url,
        "quantri.thanhpho",
        "000000" if pyotp.TOTP(admin.totp_secret).now() != "000000" else "111111",
    )
    expect(page.get_by_role("alert")).to_contain_text("Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.")
    page.screenshot(path=str(artifacts / "02-login-error.png"), full_page=True)

    _login(page, live_server.url, "quantri.thanhpho", pyotp.TOTP(admin.totp_secret).now())
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Quantri.Thanhpho")
    me = page.locator("section.me")
    expect(me).to_contain_text("Ủy ban nhân dân thành phố Hà Nội")
    expect(me.get_by_text("Quản trị", exact=True)).to_be_visible()
    expect(page.locator(".card--admin h3")).to_have_text("Quản trị")
    page.screenshot(path=str(artifacts / "03-home-admin.png"), full_page=True)

    nav = page.get_by_role("navigation", name="Điều hướng chính")
    nav.get_by_role("link", name="Cơ quan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cơ quan, đơn vị")
    page.get_by_label("Tìm theo tên hoặc mã").fill("ba dinh")
    page.get_by_role("button", name="Tìm", exact=True).click()
    result = page.get_by_role("link", name="Ủy ban nhân dân Phường Ba Đình", exact=True)
    expect(result).to_be_visible()
    expect(page.get_by_role("link", name="Ủy ban nhân dân Quận Ba Đình")).to_have_count(0)
    page.screenshot(path=str(artifacts / "04-agencies-search.png"), full_page=True)

    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ủy ban nhân dân Phường Ba Đình")
    expect(page.get_by_text("Hình thành từ")).to_be_visible()
    page.screenshot(path=str(artifacts / "05-agency-detail.png"), full_page=True)

    page.get_by_role("link", name="Sửa thông tin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sửa thông tin cơ quan")
    page.get_by_label("Số điện thoại").fill("024 3823 4567")
    page.get_by_role("button", name="Lưu thay đổi").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu thông tin cơ quan.")
    expect(page.locator("#agency-phone")).to_have_text("024 3823 4567")
    assert Agency.objects.get(code=BA_DINH, valid_to__isnull=True).phone == "024 3823 4567"
    page.screenshot(path=str(artifacts / "06-agency-saved.png"), full_page=True)

    # Switch to English: the same page, English labels.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="General information")).to_be_visible()
    expect(page.get_by_role("link", name="Edit details")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Agencies")
    ).to_be_visible()
    expect(page.get_by_text("Phone number")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.screenshot(path=str(artifacts / "07-agency-english.png"), full_page=True)

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Thông tin chung")).to_be_visible()


def _no_horizontal_overflow(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width}px wide at a 375px viewport"


def test_phone_layout_has_no_horizontal_overflow(hanoi, live_server, make_official, phone, artifacts):
    page = phone
    page.goto(f"{live_server.url}/dang-nhap/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    _no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "10-phone-login.png"), full_page=True)

    # The skip link is the first stop for the keyboard, and it shows when focused.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0
    page.screenshot(path=str(artifacts / "11-phone-skip-link.png"))

    make_official("vanthu.dienthoai", SO_KHCN, ("clerk", "agency"), ("specialist", "agency"))
    _login(page, live_server.url, "vanthu.dienthoai")
    expect(page.get_by_role("heading", level=1)).to_have_text("Xin chào, Vanthu.Dienthoai")
    _no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "12-phone-home.png"), full_page=True)

    page.goto(f"{live_server.url}/co-quan/?ngay=2024-06-30")
    expect(page.get_by_text(re.compile(r"Hiển thị 1–25 trong 633"))).to_be_visible()
    _no_horizontal_overflow(page)
    # The table scrolls inside its own box instead of widening the page.
    inner = page.evaluate("document.querySelector('.table-wrap').scrollWidth")
    outer = page.evaluate("document.querySelector('.table-wrap').clientWidth")
    assert inner > outer
    page.screenshot(path=str(artifacts / "13-phone-agencies.png"))
    page.locator(".table-wrap").evaluate("el => el.scrollLeft = 400")
    page.locator(".table-wrap").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "13b-phone-agencies-table-scrolled.png"))

    page.goto(f"{live_server.url}/don-vi-hanh-chinh/00004/?ngay=2025-07-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Phường Ba Đình")
    _no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts / "14-phone-unit.png"), full_page=True)
