"""Executive tasks in a real headless Chromium: Ba Đình's leader gives a task from a registered
document (3 working days; a past date first, refused in Vietnamese with the typed values kept); the
centre's specialist finds it under "Nhiệm vụ" (an older overdue task highlighted above it), reports
50% with a note and completes it; the history shows both reports."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from congso.modules.documents import executive, services
from congso.modules.documents.models import Task, TaskStatus
from tests.conftest import BA_DINH, BA_DINH_CENTRE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "MatKhau@123456"
FRIDAY = dt.date(2026, 8, 28)  # + 3 working days → Mon 7/9 (31/8 nghỉ bù, 1–2/9 Quốc khánh)
TITLE = "Rà soát thủ tục hành chính theo Công văn 125/UBND-VP"


@pytest.fixture
def shots() -> Path:
    """Screenshots go to a temporary directory (never into the repository)."""
    path = Path(tempfile.gettempdir()) / "congso-tasks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _session(chromium: Any, base: str, user: Any, **context_options: Any) -> tuple[Any, Any]:
    """A browser context of its own for one official, logged in (leaders type their TOTP code)."""
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN", **context_options}
    context = chromium.new_context(**options)
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


def test_task_from_a_document_to_done_in_a_browser(
    hanoi: Any,
    live_server: Any,
    make_official: Any,
    agency: Any,
    chromium: Any,
    shots: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base = live_server.url
    leader = make_official("lanhdao.badinh", BA_DINH, ("leader", "subtree"))
    clerk = make_official("vanthu.badinh", BA_DINH, ("clerk", "agency"))
    specialist = make_official("chuyenvien.trungtam", BA_DINH_CENTRE, ("specialist", "agency"))
    specialist.full_name = "Nguyễn Thị Lan"
    specialist.save(update_fields=["full_name"])
    doc = services.document_receive(
        actor=clerk,
        agency=agency(BA_DINH),
        spec=services.IncomingSpec(
            doc_type="CV",
            number_notation="125/UBND-VP",
            issuer_name="UBND thành phố Hà Nội",
            summary="V/v rà soát thủ tục hành chính năm 2026",
            issued_on=dt.date(2026, 8, 20),
        ),
        file=services.Upload("scan.pdf", b"%PDF-1.4\n% scan\n%%EOF\n"),
        paper=True,
        register=True,
    )
    # An older task, given on 10/8 with 4 working days: overdue by 28/8.
    monkeypatch.setattr(executive, "today", lambda: dt.date(2026, 8, 10))
    late = executive.task_create(
        actor=leader,
        agency=agency(BA_DINH),
        title="Cập nhật danh mục dữ liệu mở quý III",
        assignee_agency=agency(BA_DINH_CENTRE),
        working_days=4,
    )
    executive.task_update_progress(actor=specialist, task=late, progress=30, note="Đã rà soát 3/10 bộ")
    monkeypatch.setattr(executive, "today", lambda: FRIDAY)  # the live server runs in this process

    # 1. The leader gives a task from the document: a past date first, then 3 working days.
    ctx, page = _session(chromium, base, leader)
    page.goto(f"{base}/van-ban/{doc.pk}/")
    page.get_by_role("link", name="Giao nhiệm vụ từ văn bản này").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Giao nhiệm vụ")
    page.get_by_label("Tên nhiệm vụ").fill(TITLE)
    page.get_by_label("Nội dung, yêu cầu").fill(
        "Rà soát, đề xuất cắt giảm thành phần hồ sơ; báo cáo Văn phòng."
    )
    page.get_by_label("Đơn vị được giao").select_option(str(agency(BA_DINH_CENTRE).pk))
    page.get_by_label("Cán bộ được giao").select_option(str(specialist.pk))
    page.get_by_label("Hạn hoàn thành (ngày)").fill("2026-08-27")
    page.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(page.locator("#dc-error")).to_contain_text(
        "Hạn hoàn thành 27/08/2026 đã qua (hôm nay là 28/08/2026)."
    )
    expect(page.get_by_label("Tên nhiệm vụ")).to_have_value(TITLE)
    page.screenshot(path=str(shots / "01-form-error.png"), full_page=True)
    assert Task.objects.count() == 1
    page.get_by_label("Hạn hoàn thành (ngày)").fill("")
    page.get_by_label("Hoặc số ngày làm việc").fill("3")
    page.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(page.locator(".flash")).to_contain_text("hạn hoàn thành 07/09/2026")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    task = Task.objects.get(title=TITLE)
    assert (task.deadline, task.document_id, task.assignee_id) == (dt.date(2026, 9, 7), doc.pk, specialist.pk)
    page.goto(f"{base}/van-ban/{doc.pk}/")
    expect(page.locator("#dc-tasks")).to_contain_text(TITLE)
    ctx.close()

    # 2. The specialist finds it under "Nhiệm vụ", the overdue one first and highlighted.
    ctx, page = _session(chromium, base, specialist)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Văn bản").click()
    page.get_by_role("navigation", name="Văn bản").get_by_role("link", name="Nhiệm vụ").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Được giao cho tôi, đơn vị tôi")
    rows = page.locator("#tk-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_class("dc-late")
    expect(rows.nth(0)).to_contain_text("Quá hạn")
    expect(rows.nth(1)).to_contain_text(TITLE)
    expect(page.get_by_role("progressbar", name="Tiến độ 30%")).to_be_visible()
    page.screenshot(path=str(shots / "02-task-list.png"), full_page=True)

    # 3. Progress 50% with a note, then done.
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("Tiến độ (%)").fill("50")
    page.get_by_label("Nội dung cập nhật").fill("Đã rà soát 12/24 thủ tục.")
    page.get_by_role("button", name="Cập nhật tiến độ").click()
    expect(page.locator(".flash")).to_contain_text("Đã cập nhật tiến độ 50%.")
    expect(page.get_by_role("progressbar", name="Tiến độ 50%")).to_be_visible()
    page.screenshot(path=str(shots / "03-task-detail-50.png"), full_page=True)
    page.get_by_label("Kết quả thực hiện").fill("Đã gửi báo cáo số 45/BC-TTPVHCC.")
    page.get_by_role("button", name="Hoàn thành", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Đã hoàn thành nhiệm vụ.")
    expect(page.locator("#tk-status")).to_have_text("Đã hoàn thành")
    expect(page.locator("#tk-history")).to_contain_text("Đã rà soát 12/24 thủ tục.")
    expect(page.locator("#tk-history")).to_contain_text("Đã gửi báo cáo số 45/BC-TTPVHCC.")
    page.screenshot(path=str(shots / "04-task-done.png"), full_page=True)
    task.refresh_from_db()
    assert (task.status, task.progress) == (TaskStatus.DONE, 100)
    ctx.close()

    # 4. The list on a phone.
    ctx, page = _session(
        chromium,
        base,
        specialist,
        viewport={"width": 375, "height": 812},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"{base}/van-ban/nhiem-vu/qua-han/")
    expect(page.locator("#tk-list tbody tr")).to_have_count(1)
    page.screenshot(path=str(shots / "05-overdue-phone.png"), full_page=True)
    ctx.close()
