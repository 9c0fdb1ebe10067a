"""The one-stop desk in a real headless Chromium: a desk officer of Ba Đình ward's centre enters a
paper dossier (finds the procedure without accents, fills the applicant from the population
database, ticks the papers checked, attaches a scan), accepts it and downloads the receipt; the
ward's specialist hands it to the chairman, who signs the result (signed and sealed); the desk sees
it waiting to be handed back. Screenshots (desktop and phone) go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import expect

from congso.core import signing
from congso.core.files import blob_read
from congso.core.files.pdf import new_pdf
from congso.modules.services.demo import seed_procedures
from congso.modules.services.models import Dossier, DossierStatus
from tests.conftest import BA_DINH, BA_DINH_CENTRE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "MatKhau@123456"
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
HO_KINH_DOANH = "Đăng ký thành lập hộ kinh doanh"


@pytest.fixture
def staff(hanoi: Any, live_server: Any, make_official: Any) -> dict[str, Any]:
    seed_procedures()
    people = {
        "desk": make_official("motcua.badinh", BA_DINH_CENTRE, ("desk_officer", "agency")),
        "specialist": make_official("chuyenvien.badinh", BA_DINH, ("specialist", "agency")),
        "leader": make_official("chutich.badinh", BA_DINH, ("leader", "agency")),
    }
    for key, (name, position) in {
        "desk": ("Phạm Thu Hà", "Công chức Trung tâm Phục vụ hành chính công"),
        "specialist": ("Đỗ Minh Tuấn", "Chuyên viên"),
        "leader": ("Nguyễn Văn Hùng", "Chủ tịch Ủy ban nhân dân phường"),
    }.items():
        people[key].full_name, people[key].position = name, position
        people[key].save(update_fields=["full_name", "position"])
    return people


def _session(chromium: Any, base: str, user: Any, **options: Any) -> tuple[Any, Any]:
    """A browser context of its own for one official, logged in (leaders type their TOTP code)."""
    context = chromium.new_context(
        **(options or {"viewport": {"width": 1280, "height": 900}}), locale="vi-VN"
    )
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


def _scan(path: Path) -> Path:
    pdf, family, text = new_pdf(title="Giấy đề nghị đăng ký hộ kinh doanh")
    pdf.add_page()
    pdf.set_font(family, size=14)
    pdf.multi_cell(0, 8, text("Giấy đề nghị đăng ký hộ kinh doanh\nTên hộ kinh doanh: Phở Bình"))
    path.write_bytes(bytes(pdf.output()))
    return path


def test_the_desk_enters_and_accepts_a_paper_dossier_and_the_leader_signs(
    staff: dict[str, Any], live_server: Any, chromium: Any, artifacts: Path, tmp_path: Path
) -> None:
    base = live_server.url
    contexts = []

    # 1. The desk officer: "Một cửa" in the navigation, then a paper dossier.
    ctx, page = _session(chromium, base, staff["desk"])
    contexts.append(ctx)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Một cửa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ một cửa")
    page.get_by_role("link", name="Tiếp nhận hồ sơ giấy").click()
    page.get_by_label("Tên hoặc mã thủ tục").fill("thanh lap ho kinh doanh")
    page.get_by_role("button", name="Tìm thủ tục").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Tìm thấy 1 thủ tục")
    page.screenshot(path=str(artifacts / "desk-01-find-procedure.png"), full_page=True)
    page.get_by_role("link", name=f"Chọn {HO_KINH_DOANH}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Tiếp nhận hồ sơ giấy: {HO_KINH_DOANH}")

    # The applicant from the population database by their number.
    page.get_by_label("Số định danh cá nhân").fill("001185004321")
    page.get_by_role("button", name="Lấy thông tin từ CSDL dân cư").click()
    expect(page.get_by_label("Họ và tên người nộp")).to_have_value("Trần Thị Bích Ngọc")
    page.get_by_label("Số điện thoại").fill("0912000002")
    page.get_by_label("Tên hộ kinh doanh").fill("Hộ kinh doanh Phở Bình")
    page.get_by_label("Địa chỉ trụ sở hộ kinh doanh").fill(
        "Số 12 phố Phan Đình Phùng, phường Ba Đình, Hà Nội"
    )
    page.get_by_label("Ngành, nghề kinh doanh").fill("Dịch vụ ăn uống")
    page.get_by_label("Vốn kinh doanh (đồng)").fill("200000000")
    # Sent before the papers are ticked: the desk is told what it has not checked; nothing filed.
    page.get_by_role("button", name="Nhập hồ sơ").click()
    expect(page.get_by_role("alert")).to_contain_text("Hồ sơ chưa được tiếp nhận")
    expect(page.locator("#t-0-error")).to_have_text(
        "Chưa kiểm tra, đánh dấu đã nhận: Giấy đề nghị đăng ký hộ kinh doanh."
    )
    expect(page.get_by_label("Tên hộ kinh doanh")).to_have_value("Hộ kinh doanh Phở Bình")
    page.screenshot(path=str(artifacts / "desk-02a-entry-not-checked.png"), full_page=True)
    assert Dossier.objects.count() == 0
    page.get_by_label("Đã nhận, đã kiểm tra: Giấy đề nghị đăng ký hộ kinh doanh").check()
    page.get_by_label("Bản quét (không bắt buộc): Giấy đề nghị đăng ký hộ kinh doanh").set_input_files(
        str(_scan(tmp_path / "de-nghi.pdf"))
    )
    page.screenshot(path=str(artifacts / "desk-02-entry-form.png"), full_page=True)
    page.get_by_role("button", name="Nhập hồ sơ").click()
    dossier = Dossier.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {dossier.code}")
    expect(page.locator(".flash")).to_contain_text(f"Đã nhập hồ sơ {dossier.code}")
    assert (dossier.channel, dossier.status, dossier.applicant_name) == (
        "desk",
        DossierStatus.ACCEPTED,
        "Trần Thị Bích Ngọc",
    )
    assert dossier.code.startswith(f"{BA_DINH_CENTRE}-")

    # 2. Accepted: the receipt is downloaded from the message.
    page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    expect(page.locator("#dk-status")).to_have_text("Đang giải quyết")
    expect(page.locator(".flash")).to_contain_text(f"Đã tiếp nhận hồ sơ {dossier.code}")
    with page.expect_download() as info:
        page.locator(".flash").get_by_role(
            "link", name="Tải Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)"
        ).click()
    receipt = Path(info.value.path()).read_bytes()
    assert receipt.startswith(b"%PDF")
    assert info.value.suggested_filename == f"{dossier.code}-receipt.pdf"
    page.screenshot(path=str(artifacts / "desk-03-accepted.png"), full_page=True)

    # 3. To the ward's specialist, by name.
    page.get_by_label("Cán bộ nhận (không bắt buộc)").select_option(label="Đỗ Minh Tuấn, Chuyên viên")
    page.get_by_role("button", name="Chuyển xử lý").click()
    expect(page.locator(".flash")).to_contain_text("Đỗ Minh Tuấn — Ủy ban nhân dân Phường Ba Đình")
    expect(page.locator("#dk-current")).to_have_text("Ủy ban nhân dân Phường Ba Đình")

    # The desk's pages on a phone (the same session).
    phone = chromium.new_context(**PHONE, locale="vi-VN", storage_state=ctx.storage_state())
    contexts.append(phone)
    mobile = phone.new_page()
    mobile.set_default_timeout(30_000)
    mobile.goto(f"{base}/dich-vu-cong/mot-cua/ho-so/{dossier.code}/")
    expect(mobile.locator("#dk-status")).to_have_text("Đang giải quyết")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
    mobile.screenshot(path=str(artifacts / "desk-04-phone-dossier.png"), full_page=True)
    mobile.goto(f"{base}/dich-vu-cong/mot-cua/tiep-nhan/?thu_tuc=2.000720")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
    mobile.screenshot(path=str(artifacts / "desk-05-phone-entry.png"), full_page=True)

    # 4. The specialist finds it in their queue and passes it to the chairman.
    ctx, page = _session(chromium, base, staff["specialist"])
    contexts.append(ctx)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Một cửa").click()
    expect(page.locator(".dk-tabs [aria-current=page]")).to_contain_text("Đang xử lý")
    page.screenshot(path=str(artifacts / "desk-06-specialist-queue.png"), full_page=True)
    page.get_by_role("link", name=dossier.code).click()
    page.get_by_label("Cán bộ nhận (không bắt buộc)").select_option(
        label="Nguyễn Văn Hùng, Chủ tịch Ủy ban nhân dân phường"
    )
    page.get_by_label("Ghi chú").fill("Đủ điều kiện, trình ký")
    page.get_by_role("button", name="Chuyển xử lý").click()
    expect(page.locator("#dk-step")).to_contain_text("Nguyễn Văn Hùng")

    # 5. The chairman signs the result: his signature and the seal.
    ctx, page = _session(chromium, base, staff["leader"])
    contexts.append(ctx)
    page.goto(f"{base}/dich-vu-cong/mot-cua/?tab=dang-xu-ly")
    page.get_by_role("link", name=dossier.code).click()
    page.get_by_label("Tên văn bản kết quả").fill("Giấy chứng nhận đăng ký hộ kinh doanh")
    page.get_by_label("Nội dung kết quả").fill(
        "Hộ kinh doanh Phở Bình, địa chỉ số 12 phố Phan Đình Phùng, phường Ba Đình.\n"
        "Ngành, nghề kinh doanh: dịch vụ ăn uống. Vốn kinh doanh: 200.000.000 đồng."
    )
    page.screenshot(path=str(artifacts / "desk-07-leader-decide.png"), full_page=True)
    page.get_by_role("button", name="Ký số và đóng dấu kết quả").click()
    expect(page.locator("#dk-status")).to_have_text("Đã có kết quả")
    expect(page.locator(".flash")).to_contain_text("Tải Kết quả giải quyết thủ tục hành chính (PDF)")
    page.screenshot(path=str(artifacts / "desk-08-decided.png"), full_page=True)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DONE
    report = signing.validate_pdf(blob_read(dossier.slips.get(kind="result").sha256))
    assert report.ok and len(report.signatures) == 2

    # 6. Back at the desk: waiting to be handed back.
    ctx, page = _session(chromium, base, staff["desk"])
    contexts.append(ctx)
    page.goto(f"{base}/dich-vu-cong/mot-cua/?tab=cho-tra")
    expect(page.get_by_role("link", name=dossier.code)).to_be_visible()
    page.screenshot(path=str(artifacts / "desk-09-to-return.png"), full_page=True)
    phone = chromium.new_context(**PHONE, locale="vi-VN", storage_state=ctx.storage_state())
    contexts.append(phone)
    mobile = phone.new_page()
    mobile.goto(f"{base}/dich-vu-cong/mot-cua/?tab=cho-tra")
    expect(mobile.get_by_role("link", name=dossier.code)).to_be_visible()
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 375
    mobile.screenshot(path=str(artifacts / "desk-09a-phone-queue.png"), full_page=True)
    page.get_by_role("link", name=dossier.code).click()
    page.get_by_role("button", name="Đã trả kết quả").click()
    expect(page.locator("#dk-status")).to_have_text("Đã trả kết quả")
    page.screenshot(path=str(artifacts / "desk-10-returned.png"), full_page=True)
    assert Dossier.objects.get().returned_at is not None
    for c in contexts:
        c.close()
