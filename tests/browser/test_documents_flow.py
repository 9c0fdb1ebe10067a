"""A document's whole life in a real headless Chromium: a specialist of Sở KHCN drafts it for UBND
phường Ba Đình and submits it; the leader (with TOTP) approves and signs; the clerk issues the number
and dispatches it; Ba Đình's clerk registers it from the incoming queue and presents it; Ba Đình's
leader assigns it to an official with a deadline; the official completes it; and the sender sees
the recipient's status "Hoàn thành"."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from congso.modules.documents.models import Document, Recipient, RecipientStatus, Status
from tests.conftest import BA_DINH, SO_KHCN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "MatKhau@123456"
SUMMARY = "Về việc triển khai Kế hoạch chuyển đổi số năm 2026 trên địa bàn phường"
BODY = (
    "Căn cứ Kế hoạch chuyển đổi số của Thành phố năm 2026;\n"
    "Sở Khoa học và Công nghệ đề nghị UBND phường Ba Đình triển khai các nội dung sau:\n"
    "1. Rà soát, số hoá hồ sơ thủ tục hành chính.\n"
    "2. Báo cáo kết quả trước ngày 15 hằng tháng."
)


@pytest.fixture
def shots() -> Path:
    """Screenshots go to a temporary directory (never into the repository)."""
    path = Path(tempfile.gettempdir()) / "congso-documents-flow"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _session(chromium: Any, base: str, user: Any) -> tuple[Any, Any]:
    """A browser context of its own for one official, logged in (leaders type their TOTP code)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(user.username)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    if user.totp_secret:
        page.get_by_label("Mã xác thực 6 số").fill(pyotp.TOTP(user.totp_secret).now())
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    return context, page


def test_document_from_draft_to_completed_in_a_browser(
    hanoi: Any, live_server: Any, make_official: Any, chromium: Any, shots: Path
) -> None:
    base = live_server.url
    drafter = make_official("chuyenvien.khcn", SO_KHCN, ("specialist", "agency"))
    leader = make_official("lanhdao.khcn", SO_KHCN, ("leader", "subtree"))
    clerk = make_official("vanthu.khcn", SO_KHCN, ("clerk", "agency"))
    bd_clerk = make_official("vanthu.badinh", BA_DINH, ("clerk", "agency"))
    bd_leader = make_official("lanhdao.badinh", BA_DINH, ("leader", "subtree"))
    bd_official = make_official("chuyenvien.badinh", BA_DINH, ("specialist", "agency"))
    contexts = []

    # 1. The specialist composes the draft and submits it for review.
    ctx, page = _session(chromium, base, drafter)
    contexts.append(ctx)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Văn bản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Văn bản")
    page.get_by_role("link", name="Soạn văn bản đi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Soạn văn bản đi")
    page.get_by_label("Loại văn bản").select_option("QD")
    page.get_by_label("Trích yếu", exact=True).fill(SUMMARY)
    page.get_by_label("Nội dung văn bản").fill(BODY)
    page.get_by_label("Nơi nhận trên nền tảng").select_option([BA_DINH])
    page.get_by_label("Người ký (không bắt buộc)", exact=True).select_option(str(leader.pk))
    page.get_by_label("Chức vụ người ký").fill("Giám đốc")
    page.screenshot(path=str(shots / "01-draft-form.png"), full_page=True)
    page.get_by_role("button", name="Tạo dự thảo").click()
    expect(page.locator(".flash")).to_contain_text("Đã tạo dự thảo.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dự thảo Quyết định")
    doc = Document.objects.get(summary=SUMMARY)
    page.get_by_role("button", name="Trình lãnh đạo duyệt").click()
    expect(page.locator(".flash")).to_contain_text("Đã trình lãnh đạo duyệt dự thảo.")
    expect(page.locator("#dc-status")).to_have_text("Đang trình duyệt")
    assert Document.objects.get(pk=doc.pk).status == Status.IN_REVIEW

    # 2. The leader approves and signs.
    ctx, page = _session(chromium, base, leader)
    contexts.append(ctx)
    page.goto(f"{base}/van-ban/di/")
    page.get_by_role("link", name="Quyết định (chưa có số)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dự thảo Quyết định")
    page.get_by_role("button", name="Duyệt", exact=True).click()
    expect(page.locator("#dc-status")).to_have_text("Đã duyệt")
    page.get_by_role("button", name="Ký số văn bản").click()
    expect(page.locator(".flash")).to_contain_text("Đã ký số văn bản.")
    expect(page.locator("#dc-status")).to_have_text("Đã ký")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quyết định (chưa cấp số)")
    expect(page.get_by_role("heading", name="Chữ ký số")).to_be_visible()
    expect(page.locator(".dc-sig")).to_contain_text("Lanhdao.Khcn")
    page.screenshot(path=str(shots / "02-signed.png"), full_page=True)
    assert Document.objects.get(pk=doc.pk).status == Status.SIGNED

    # 3. The clerk issues the number and dispatches.
    ctx, page = _session(chromium, base, clerk)
    contexts.append(ctx)
    page.goto(f"{base}/van-ban/{doc.pk}/")
    page.get_by_role("button", name="Cấp số và ký số của cơ quan").click()
    issued = Document.objects.get(pk=doc.pk)
    assert (issued.status, issued.number) == (Status.ISSUED, 1)
    assert issued.number_notation.startswith("01/QĐ-")
    expect(page.locator(".flash")).to_contain_text(f"Đã cấp số {issued.number_notation}")
    expect(page.locator("#dc-number")).to_have_text(issued.number_notation)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quyết định số {issued.number_notation}")
    page.get_by_role("button", name="Phát hành văn bản").click()
    expect(page.locator(".flash")).to_contain_text("Đã phát hành văn bản tới 1 nơi nhận")
    expect(page.locator("#dc-recipients")).to_contain_text("Đã đến")
    page.screenshot(path=str(shots / "03-issued-dispatched.png"), full_page=True)

    # 4. Ba Đình's clerk finds it in the incoming queue, registers it and presents it.
    ctx, page = _session(chromium, base, bd_clerk)
    contexts.append(ctx)
    page.goto(f"{base}/van-ban/")
    expect(page.get_by_role("heading", level=2)).to_have_text("Văn bản đến chờ vào sổ")
    page.screenshot(path=str(shots / "04-incoming-queue.png"), full_page=True)
    page.get_by_role("link", name=issued.number_notation).click()
    expect(page.locator("#dc-status")).to_have_text("Chờ vào sổ")
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Đã vào sổ văn bản đến, số đến 1.")
    expect(page.locator("#dc-arrival")).to_have_text("1")
    page.get_by_role("button", name="Trình lãnh đạo").click()
    expect(page.locator("#dc-status")).to_have_text("Đã trình lãnh đạo")
    incoming = Document.objects.get(source=doc)
    assert (incoming.arrival_number, incoming.status) == (1, Status.PRESENTED)

    # 5. Ba Đình's leader assigns it to an official with a deadline.
    deadline = dt.date.today() + dt.timedelta(days=10)
    ctx, page = _session(chromium, base, bd_leader)
    contexts.append(ctx)
    page.goto(f"{base}/van-ban/den/")
    page.get_by_role("link", name=issued.number_notation).click()
    page.get_by_label("Chủ trì").select_option(f"o{bd_official.pk}")
    page.get_by_label("Hạn xử lý (không bắt buộc)", exact=True).fill(deadline.isoformat())
    page.get_by_label("Ý kiến chỉ đạo").fill("Giao đồng chí chủ trì, báo cáo kết quả.")
    page.screenshot(path=str(shots / "05-assign.png"), full_page=True)
    page.get_by_role("button", name="Giao xử lý").click()
    expect(page.locator(".flash")).to_contain_text("Đã giao xử lý văn bản.")
    expect(page.locator("#dc-status")).to_have_text("Đã giao xử lý")
    assert Document.objects.get(pk=incoming.pk).deadline == deadline

    # 6. The official completes it from "Việc của tôi".
    ctx, page = _session(chromium, base, bd_official)
    contexts.append(ctx)
    page.goto(f"{base}/van-ban/viec-cua-toi/")
    expect(page.get_by_role("heading", level=2)).to_have_text("Việc của tôi")
    page.get_by_role("link", name=issued.number_notation).click()
    page.get_by_label("Kết quả xử lý").fill("Đã rà soát, số hoá 120 hồ sơ.")
    page.get_by_role("button", name="Hoàn thành", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Đã hoàn thành xử lý văn bản.")
    expect(page.locator("#dc-status")).to_have_text("Đã hoàn thành")
    expect(page.locator("#dc-trail")).to_contain_text("Đã rà soát, số hoá 120 hồ sơ.")
    page.screenshot(path=str(shots / "06-completed.png"), full_page=True)

    # 7. The sender sees where its copy stands.
    page = contexts[0].pages[0]
    page.goto(f"{base}/van-ban/{doc.pk}/")
    row = page.locator("#dc-recipients tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Ủy ban nhân dân Phường Ba Đình")
    expect(row.locator(".tag")).to_have_text("Hoàn thành")
    page.screenshot(path=str(shots / "07-sender-sees-completed.png"), full_page=True)
    assert Recipient.objects.get(document=doc).status == RecipientStatus.COMPLETED
    assert Document.objects.get(pk=incoming.pk).status == Status.COMPLETED

    # 8. Typed without accents, a search finds it; exactly by its number too.
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Văn bản").click()
    page.get_by_role("link", name="Tìm kiếm").click()
    page.get_by_label("Từ khoá hoặc số, ký hiệu").fill("trien khai ke hoach chuyen doi so")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Tìm thấy 1 văn bản.")
    expect(page.get_by_role("link", name=issued.number_notation)).to_be_visible()
    page.screenshot(path=str(shots / "08-search.png"), full_page=True)
    for context in contexts:
        context.close()
