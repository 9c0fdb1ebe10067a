"""The one-stop slips (Mẫu 01-05) and the result document: real A4 PDFs read back with pypdf.

No database: the module takes plain dataclasses. Every PDF made here is also written to
test-artifacts/slips/ (and page 1 to PNG when pdftoppm or pypdfium2 is on the machine) to look at.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import segno
from pypdf import PdfReader

from congso.core.errors import InvalidInput
from congso.modules.services import slips
from congso.modules.services.slips import (
    RESULT_SIGNATURE_BOX,
    Handover,
    SlipDocument,
    SlipDossier,
    apology_letter,
    control_slip,
    receipt_slip,
    refusal_slip,
    result_document,
    supplement_request,
    tracking_qr,
    vietnamese_amount,
    vietnamese_date,
    vietnamese_datetime,
)

ARTIFACTS = Path(__file__).resolve().parents[5] / "test-artifacts" / "slips"
HN = dt.timezone(dt.timedelta(hours=7))
CODE = "001.01.90.H26-261124-0001"
URL = f"https://dichvucong.hanoi.gov.vn/tra-cuu/{CODE}?token=q7ZyX2o9kV3mTn1sPwLbRg"
A4 = (595.28, 841.89)
LONG_ADDRESS = (
    "Phòng 1204, tòa nhà chung cư tái định cư số 3 khu đô thị mới, ngách 15/27 ngõ 102 phố Đội Cấn, "
    "tổ dân phố số 14, phường Ba Đình, thành phố Hà Nội (gần cổng trường Trung học cơ sở, đối diện "
    "nhà văn hóa tổ dân phố, đi vào ngõ bên trái cửa hàng tạp hóa)"
)


def dossier(**changes: Any) -> SlipDossier:
    base = SlipDossier(
        code=CODE,
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        applicant_name="Nguyễn Thị Hồng Nhung",
        applicant_id_number="001090012345",
        applicant_phone="0912 345 678",
        applicant_address="Số 12 ngõ 34 phố Đội Cấn, phường Ba Đình, thành phố Hà Nội",
        receiving_agency="Trung tâm Phục vụ hành chính công phường Ba Đình",
        competent_agency="Ủy ban nhân dân phường Ba Đình",
        # 09:30 UTC is 16:30 in Hà Nội: the slip must print local time.
        received_at=dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC),
        due_at=dt.datetime(2026, 11, 27, 17, 0, tzinfo=HN),
        documents=(
            SlipDocument("Tờ khai đăng ký khai sinh theo mẫu", 1, original=True),
            SlipDocument("Giấy chứng sinh do cơ sở khám bệnh, chữa bệnh cấp", 1, original=True),
            SlipDocument("Căn cước của người đi đăng ký", 2, original=False),
        ),
        fee=50_000,
        tracking_url=URL,
        receiving_parent="Ủy ban nhân dân phường Ba Đình",
        processing_days=3,
    )
    return replace(base, **changes)


ISSUED = dt.datetime(2026, 11, 25, 9, 0, tzinfo=HN)


def save(name: str, pdf: bytes) -> None:
    """Keep the PDF (and page 1 as PNG when a renderer is there) for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(path), str(path)[:-4]],
            check=False,
            timeout=60,
        )
        return
    try:
        import pypdfium2
    except ImportError:
        return
    document = pypdfium2.PdfDocument(pdf)
    try:
        document[0].render(scale=1.4).to_pil().save(ARTIFACTS / f"{name}.png")
    finally:
        document.close()


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space (line breaks, no-break spaces) made one space."""
    return [" ".join((page.extract_text() or "").split()) for page in read(pdf).pages]


def text(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


def assert_a4(pdf: bytes) -> None:
    for page in read(pdf).pages:
        assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4


def assert_heading(content: str, *, form: str, agency: str) -> None:
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in content
    assert form in content
    assert agency.upper() in content


# --- Words ---------------------------------------------------------------------------------------


def test_vietnamese_dates_are_hanoi_time_with_decree_30_zeros() -> None:
    assert vietnamese_datetime(dt.datetime(2026, 11, 24, 16, 30, tzinfo=HN)) == (
        "16 giờ 30 phút, ngày 24 tháng 11 năm 2026"
    )
    # 23:05 UTC on 4 Feb is 06:05 on 5 Feb in Hà Nội; day < 10 and months 1-2 take a zero.
    assert vietnamese_datetime(dt.datetime(2026, 2, 4, 23, 5, tzinfo=dt.UTC)) == (
        "06 giờ 05 phút, ngày 05 tháng 02 năm 2026"
    )
    assert vietnamese_date(dt.date(2026, 3, 9)) == "ngày 09 tháng 3 năm 2026"
    assert vietnamese_date(dt.date(2026, 1, 15)) == "ngày 15 tháng 01 năm 2026"
    assert vietnamese_date(dt.datetime(2026, 12, 31, 18, 0, tzinfo=dt.UTC)) == "ngày 01 tháng 01 năm 2027"
    with pytest.raises(InvalidInput) as caught:
        vietnamese_datetime(dt.datetime(2026, 11, 24, 16, 30))
    assert "múi giờ" in str(caught.value)


def test_amounts_use_dots_and_dong() -> None:
    assert vietnamese_amount(50_000) == "50.000 đồng"
    assert vietnamese_amount(1_250_000) == "1.250.000 đồng"
    assert vietnamese_amount(0) == "0 đồng"


# --- Mẫu 01 --------------------------------------------------------------------------------------


def test_receipt_slip_has_the_statutory_content() -> None:
    pdf = receipt_slip(dossier(), officer="Trần Văn Bình")
    save("01-giay-tiep-nhan", pdf)
    assert_a4(pdf)
    pages = page_texts(pdf)
    assert len(pages) == 1
    content = pages[0]
    assert_heading(content, form="Mẫu số 01", agency="Trung tâm Phục vụ hành chính công")
    assert "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH" in content
    assert "Hà Nội, ngày 24 tháng 11 năm 2026" in content
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in content
    assert f"Mã hồ sơ: {CODE}" in content
    assert "Tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung" in content
    assert "Số định danh cá nhân: 001090012345" in content
    assert "Số điện thoại: 0912 345 678" in content
    assert "Địa chỉ: Số 12 ngõ 34 phố Đội Cấn, phường Ba Đình, thành phố Hà Nội" in content
    assert "Nội dung yêu cầu giải quyết: Đăng ký khai sinh (mã thủ tục 1.001193)" in content
    assert "Cơ quan giải quyết: Ủy ban nhân dân phường Ba Đình" in content
    assert "TT Tên giấy tờ Hình thức Số lượng" in content
    assert "1 Tờ khai đăng ký khai sinh theo mẫu Bản chính 01" in content
    assert "2 Giấy chứng sinh do cơ sở khám bệnh, chữa bệnh cấp Bản chính 01" in content
    assert "3 Căn cước của người đi đăng ký Bản sao 02" in content
    assert "2. Số lượng hồ sơ: 01 (bộ)" in content
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 03 ngày làm việc" in content
    assert "4. Thời gian nhận hồ sơ: 16 giờ 30 phút, ngày 24 tháng 11 năm 2026" in content
    assert "5. Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 27 tháng 11 năm 2026" in content
    assert "6. Phí, lệ phí: 50.000 đồng" in content
    assert "7. Đăng ký nhận kết quả tại: Trung tâm Phục vụ hành chính công phường Ba Đình" in content
    assert "NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) Nguyễn Thị Hồng Nhung" in content
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Trần Văn Bình" in content
    # The tracking address is printed (it may wrap inside the token) and drawn as a QR code.
    assert URL in content.replace(" ", "")
    assert "Quét mã để tra cứu hồ sơ" in content


def test_receipt_without_optional_details() -> None:
    pdf = receipt_slip(
        dossier(
            applicant_id_number="",
            applicant_phone="",
            applicant_address="",
            documents=(),
            fee=0,
            tracking_url="",
            receiving_parent="",
            processing_days=0,
        ),
        officer="Trần Văn Bình",
    )
    content = text(pdf)
    for absent in ("Số định danh", "Số điện thoại", "Địa chỉ", "Quét mã", "ngày làm việc"):
        assert absent not in content
    assert "Không có giấy tờ kèm theo." in content
    assert "3. Thời gian nhận hồ sơ: 16 giờ 30 phút, ngày 24 tháng 11 năm 2026" in content
    assert "5. Phí, lệ phí: Không thu" in content
    assert "/XObject" not in str(read(pdf).pages[0]["/Resources"])


def test_tracking_qr_is_segno_qr_of_the_url() -> None:
    qr = tracking_qr(URL)
    assert isinstance(qr, segno.QRCode)
    assert qr.designator.endswith("-M")
    assert not qr.is_micro
    assert qr.matrix == segno.make_qr(URL, error="m", boost_error=False).matrix
    assert qr.matrix != tracking_qr(URL + "x").matrix
    with pytest.raises(InvalidInput) as caught:
        tracking_qr("  ")
    assert str(caught.value) == "Thiếu địa chỉ tra cứu hồ sơ để in mã QR."


def test_receipt_embeds_the_qr_matrix_of_the_tracking_url() -> None:
    """The image XObject on the receipt, read module by module, is the matrix segno makes for the URL."""
    pdf = receipt_slip(dossier(), officer="Trần Văn Bình")
    page = read(pdf).pages[0]
    xobjects = page["/Resources"]["/XObject"]
    assert [xobjects[name].get_object()["/Subtype"] for name in xobjects] == ["/Image"]
    [image] = page.images
    picture = image.image.convert("L")
    qr = tracking_qr(URL)
    size = qr.symbol_size(scale=1, border=2)[0]  # modules across, quiet zone included
    assert picture.width == picture.height
    step = picture.width / size
    read_back = [
        bytearray(
            int(picture.getpixel((int((2 + x + 0.5) * step), int((2 + y + 0.5) * step))) < 128)
            for x in range(len(qr.matrix))
        )
        for y in range(len(qr.matrix))
    ]
    assert tuple(read_back) == qr.matrix
    # The quiet zone is light.
    assert picture.getpixel((1, 1)) > 200


# --- Mẫu 02, 03, 04 ------------------------------------------------------------------------------


def test_supplement_request_lists_what_is_missing() -> None:
    pdf = supplement_request(
        dossier(),
        officer="Trần Văn Bình",
        items=[
            "Bản sao giấy chứng nhận kết hôn của cha, mẹ (nếu có)",
            "Văn bản ủy quyền có chứng thực trong trường hợp ủy quyền đăng ký khai sinh",
        ],
        reason="Người đi đăng ký không phải cha, mẹ của trẻ.",
        issued_at=ISSUED,
    )
    save("02-phieu-yeu-cau-bo-sung", pdf)
    assert_a4(pdf)
    content = text(pdf)
    assert_heading(content, form="Mẫu số 02", agency="Trung tâm Phục vụ hành chính công")
    assert "Hà Nội, ngày 25 tháng 11 năm 2026" in content
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in content
    assert f"Mã hồ sơ: {CODE}" in content
    assert "Hồ sơ của: Nguyễn Thị Hồng Nhung" in content
    assert "Thời gian nhận hồ sơ: 16 giờ 30 phút, ngày 24 tháng 11 năm 2026" in content
    assert (
        "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau: "
        "1. Bản sao giấy chứng nhận kết hôn của cha, mẹ (nếu có) "
        "2. Văn bản ủy quyền có chứng thực trong trường hợp ủy quyền đăng ký khai sinh"
    ) in content
    assert "Lý do: Người đi đăng ký không phải cha, mẹ của trẻ." in content
    assert "liên hệ với Trần Văn Bình, Trung tâm Phục vụ hành chính công phường Ba Đình" in content
    assert "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Trần Văn Bình" in content


def test_refusal_slip_gives_the_reasons() -> None:
    pdf = refusal_slip(
        dossier(),
        officer="Trần Văn Bình",
        reasons=[
            "Yêu cầu không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường Ba Đình.",
            "Đề nghị Ông/Bà nộp hồ sơ tại Sở Tư pháp thành phố Hà Nội.",
        ],
        issued_at=ISSUED,
    )
    save("03-phieu-tu-choi", pdf)
    assert_a4(pdf)
    content = text(pdf)
    assert_heading(content, form="Mẫu số 03", agency="Trung tâm Phục vụ hành chính công")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in content
    assert f"Mã hồ sơ: {CODE}" in content
    assert (
        "Trung tâm Phục vụ hành chính công phường Ba Đình tiếp nhận hồ sơ của: Nguyễn Thị Hồng Nhung"
    ) in content
    assert "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:" in content
    assert "1. Yêu cầu không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường Ba Đình." in content
    assert "2. Đề nghị Ông/Bà nộp hồ sơ tại Sở Tư pháp thành phố Hà Nội." in content
    assert "Xin thông báo cho Ông/Bà được biết và thực hiện./." in content
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Trần Văn Bình" in content


def test_apology_letter_sets_the_new_date() -> None:
    pdf = apology_letter(
        dossier(),
        head="Lê Minh Châu",
        reason="Cần xác minh thông tin về nơi cư trú của người mẹ tại địa phương khác.",
        new_due=dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC),
        issued_at=dt.datetime(2026, 11, 27, 8, 0, tzinfo=HN),
    )
    save("04-phieu-xin-loi", pdf)
    assert_a4(pdf)
    content = text(pdf)
    # From the competent agency, whose head signs.
    assert_heading(content, form="Mẫu số 04", agency="Ủy ban nhân dân")
    assert "Hà Nội, ngày 27 tháng 11 năm 2026" in content
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in content
    assert "Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung" in content
    assert (
        "Ngày 24 tháng 11 năm 2026, Trung tâm Phục vụ hành chính công phường Ba Đình tiếp nhận hồ sơ "
        f"của Ông/Bà Nguyễn Thị Hồng Nhung, mã hồ sơ {CODE}, nội dung yêu cầu giải quyết: Đăng ký khai sinh."
    ) in content
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 27 tháng 11 năm 2026." in content
    assert "Lý do: Cần xác minh thông tin về nơi cư trú của người mẹ tại địa phương khác." in content
    assert (
        "Ủy ban nhân dân phường Ba Đình xin lỗi Ông/Bà và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà "
        "vào 17 giờ 00 phút, ngày 02 tháng 12 năm 2026."
    ) in content
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên và đóng dấu) Lê Minh Châu" in content


# --- Mẫu 05 --------------------------------------------------------------------------------------


def handovers(n: int) -> list[Handover]:
    steps = ("Tiếp nhận hồ sơ", "Thẩm định", "Phê duyệt", "Trả kết quả")
    start = dt.datetime(2026, 11, 24, 16, 30, tzinfo=HN)
    rows = []
    for i in range(n):
        due = start + dt.timedelta(days=1, hours=i)
        rows.append(
            Handover(
                step=steps[i % 4],
                from_party=f"Cán bộ {i + 1} — Bộ phận Một cửa phường Ba Đình",
                to_party="Phạm Thu Hà — Công chức Tư pháp - Hộ tịch",
                handed_at=start + dt.timedelta(hours=i),
                due_at=due,
                done_at=None if i == n - 1 else due - dt.timedelta(hours=1),
                note="Quá hạn 1 ngày" if i == 1 else "",
            )
        )
    return rows


def test_control_slip_table() -> None:
    pdf = control_slip(dossier(), handovers=handovers(4))
    save("05-phieu-kiem-soat", pdf)
    assert_a4(pdf)
    pages = page_texts(pdf)
    assert len(pages) == 1
    content = pages[0]
    assert_heading(content, form="Mẫu số 05", agency="Trung tâm Phục vụ hành chính công")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in content
    assert f"Mã hồ sơ: {CODE}" in content
    assert "(Kèm theo hồ sơ của: Nguyễn Thị Hồng Nhung)" in content
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Ủy ban nhân dân phường Ba Đình" in content
    assert "Thời gian nhận hồ sơ: 16 giờ 30 phút, ngày 24 tháng 11 năm 2026" in content
    assert "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 27 tháng 11 năm 2026" in content
    assert (
        "TT Bước xử lý, bên giao - bên nhận Thời gian giao, nhận hồ sơ Hạn xử lý Hoàn thành "
        "Kết quả (trước hạn/ đúng hạn/ quá hạn)"
    ) in content
    assert (
        "1 Tiếp nhận hồ sơ Giao: Cán bộ 1 — Bộ phận Một cửa phường Ba Đình "
        "Nhận: Phạm Thu Hà — Công chức Tư pháp - Hộ tịch "
        "16 giờ 30 24/11/2026 16 giờ 30 25/11/2026 15 giờ 30 25/11/2026 Đúng hạn"
    ) in content
    assert "17 giờ 30 25/11/2026 16 giờ 30 25/11/2026 Quá hạn 1 ngày" in content  # the note wins
    # The last step is not done yet: no completion time, no verdict.
    assert content.endswith("19 giờ 30 24/11/2026 19 giờ 30 25/11/2026")


def test_handover_verdict_from_the_dates() -> None:
    due = dt.datetime(2026, 11, 25, 17, 0, tzinfo=HN)
    row = Handover("Thẩm định", "A", "B", due - dt.timedelta(days=2), due, None)
    assert slips._handover_result(replace(row, done_at=due - dt.timedelta(days=1))) == "Trước hạn"
    assert slips._handover_result(replace(row, done_at=due - dt.timedelta(hours=3))) == "Đúng hạn"
    assert slips._handover_result(replace(row, done_at=due + dt.timedelta(minutes=1))) == "Quá hạn"
    assert slips._handover_result(row) == ""


def test_control_slip_with_60_rows_breaks_across_pages() -> None:
    pdf = control_slip(dossier(), handovers=handovers(60))
    save("05-phieu-kiem-soat-60-dong", pdf)
    assert_a4(pdf)
    pages = page_texts(pdf)
    assert len(pages) >= 2
    for number, content in enumerate(pages, start=1):
        # Headings repeated on every page, and a readable footer (the font is chosen again there).
        assert "TT Bước xử lý, bên giao - bên nhận Thời gian giao, nhận hồ sơ" in content
        assert content.endswith(f"Mã hồ sơ {CODE} — Trang {number}/{len(pages)}")
    everything = " ".join(pages)
    for i in range(1, 61):
        assert f"Giao: Cán bộ {i} — Bộ phận Một cửa" in everything
    assert "Giao: Cán bộ 60 —" in pages[-1]
    assert "Giao: Cán bộ 60 —" not in pages[0]
    # A row is never split between two pages.
    for content in pages:
        assert content.count("Giao: Cán bộ") == content.count("Nhận: Phạm Thu Hà")


# --- The result document -------------------------------------------------------------------------


def texts_in_box(pdf: bytes, box: tuple[int, int, int, int], page_index: int = -1) -> list[str]:
    """The text shown with its origin inside ``box`` (PDF points) on one page."""
    x1, y1, x2, y2 = box
    found: list[str] = []

    def visit(content: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if content.strip() and x1 - 2 <= x <= x2 and y1 - 3 <= y <= y2 + 3:
            found.append(content)

    read(pdf).pages[page_index].extract_text(visitor_text=visit)
    return found


def test_result_document_leaves_the_signature_box_empty() -> None:
    body = (
        "Họ, chữ đệm, tên: NGUYỄN MINH AN\nNgày, tháng, năm sinh: 20/11/2026\nGiới tính: Nam\n"
        "Căn cứ Luật Hộ tịch năm 2014, Ủy ban nhân dân phường Ba Đình chứng nhận việc đăng ký khai sinh "
        "cho trẻ có thông tin như trên."
    )
    pdf = result_document(
        dossier(),
        title="Giấy khai sinh",
        body=body,
        signer_title="TM. Ủy ban nhân dân\nChủ tịch",
        signer="Lê Minh Châu",
        issued_at=ISSUED,
    )
    save("06-ket-qua", pdf)
    assert_a4(pdf)
    content = text(pdf)
    assert (
        "ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc"
        in content
    )
    assert f"Hồ sơ số: {CODE} Hà Nội, ngày 25 tháng 11 năm 2026 GIẤY KHAI SINH" in content
    assert "Họ, chữ đệm, tên: NGUYỄN MINH AN Ngày, tháng, năm sinh: 20/11/2026 Giới tính: Nam" in content
    assert "Nơi nhận: - Ông/Bà Nguyễn Thị Hồng Nhung; - Lưu: VT, hồ sơ" in content
    assert content.endswith("TM. ỦY BAN NHÂN DÂN CHỦ TỊCH Lê Minh Châu")
    # The box is on the page, right of centre, tall enough for a stamp, and nothing is drawn in it:
    # the signer's title is just above it and the name just below.
    x1, y1, x2, y2 = RESULT_SIGNATURE_BOX
    assert 297 < x1 < x2 <= 595 - 42 and 0 < y1 < y2 < 842
    assert x2 - x1 >= 200 and y2 - y1 >= 70
    assert texts_in_box(pdf, RESULT_SIGNATURE_BOX) == []
    above = texts_in_box(pdf, (x1, y2, x2, y2 + 40))
    below = texts_in_box(pdf, (x1, y1 - 25, x2, y1))
    assert " ".join(above).split() == ["TM.", "ỦY", "BAN", "NHÂN", "DÂN", "CHỦ", "TỊCH"]
    assert " ".join(below).strip() == "Lê Minh Châu"


def test_long_result_document_keeps_the_box_on_its_last_page() -> None:
    paragraph = (
        "Điều {n}. Cấp giấy chứng nhận cho Ông/Bà Nguyễn Thị Hồng Nhung theo hồ sơ đã tiếp nhận; các "
        "cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành quyết định này theo quy định của pháp luật."
    )
    body = "\n".join(paragraph.format(n=n) for n in range(1, 31))
    pdf = result_document(
        dossier(), title="Quyết định", body=body, signer_title="Chủ tịch", signer="Lê Minh Châu"
    )
    save("06-ket-qua-dai", pdf)
    pages = page_texts(pdf)
    assert len(pages) >= 2
    assert "Điều 30." in pages[-1]
    assert pages[-1].endswith(f"CHỦ TỊCH Lê Minh Châu Mã hồ sơ {CODE} — Trang {len(pages)}/{len(pages)}")
    assert texts_in_box(pdf, RESULT_SIGNATURE_BOX) == []


def test_long_texts_wrap_on_the_page() -> None:
    long_name = (
        "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc cho người từ đủ "
        "14 tuổi trở lên và đăng ký lại khai sinh, kết hôn, khai tử có yếu tố nước ngoài"
    )
    pdf = receipt_slip(
        dossier(applicant_address=LONG_ADDRESS, procedure_name=long_name), officer="Trần Văn Bình"
    )
    save("01-giay-tiep-nhan-dai", pdf)
    raw = read(pdf).pages[0].extract_text()
    content = " ".join(raw.split())
    assert f"Địa chỉ: {LONG_ADDRESS}" in content
    assert f"Nội dung yêu cầu giải quyết: {long_name}" in content
    # Broken over several lines, each starting inside the page.
    address_lines = [
        line for line in raw.splitlines() if any(w in line for w in ("Phòng 1204", "tổ dân phố"))
    ]
    assert len(raw.splitlines()) > 40 and address_lines

    starts: list[float] = []

    def visit(content: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if content.strip():
            starts.append(tm[4] * cm[0] + cm[4])

    read(pdf).pages[0].extract_text(visitor_text=visit)
    assert starts and all(80 <= x < 595 - 42 for x in starts)


# --- Bad input -----------------------------------------------------------------------------------

FORMS = {
    "receipt": lambda d: receipt_slip(d, officer="Trần Văn Bình"),
    "supplement": lambda d: supplement_request(d, officer="Trần Văn Bình", items=["Tờ khai"], reason=""),
    "refusal": lambda d: refusal_slip(d, officer="Trần Văn Bình", reasons=["Không thuộc thẩm quyền."]),
    "apology": lambda d: apology_letter(
        d, head="Lê Minh Châu", reason="Cần xác minh.", new_due=dt.datetime(2026, 12, 2, 17, 0, tzinfo=HN)
    ),
    "control": lambda d: control_slip(d, handovers=handovers(2)),
    "result": lambda d: result_document(
        d, title="Quyết định", body="Nội dung.", signer_title="Chủ tịch", signer="A"
    ),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_empty_code_is_refused_in_vietnamese(form: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        FORMS[form](dossier(code="  "))
    assert str(caught.value) == "Thiếu mã hồ sơ: không lập được phiếu."
    assert caught.value.errors[0] == {"field": "code", "message": "Thiếu mã hồ sơ."}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_renders_with_the_code(form: str) -> None:
    pdf = FORMS[form](dossier())
    assert CODE in text(pdf)


def test_other_bad_input() -> None:
    with pytest.raises(InvalidInput) as caught:
        receipt_slip(dossier(applicant_name=""), officer="Trần Văn Bình")
    assert str(caught.value) == f"Thông tin hồ sơ {CODE} chưa đủ để lập phiếu: Thiếu họ tên người nộp hồ sơ."
    with pytest.raises(InvalidInput) as caught:
        receipt_slip(dossier(), officer=" ")
    assert str(caught.value).endswith("Thiếu họ tên người tiếp nhận hồ sơ.")
    with pytest.raises(InvalidInput) as caught:
        receipt_slip(dossier(received_at=dt.datetime(2026, 11, 24, 16, 30)), officer="Trần Văn Bình")
    assert caught.value.errors == [{"field": "received_at", "message": "Thời điểm phải kèm múi giờ."}]
    with pytest.raises(InvalidInput) as caught:
        receipt_slip(dossier(due_at=dt.datetime(2026, 11, 23, 17, 0, tzinfo=HN)), officer="Trần Văn Bình")
    assert str(caught.value).endswith("Ngày hẹn trả kết quả không được trước ngày tiếp nhận.")
    with pytest.raises(InvalidInput) as caught:
        receipt_slip(dossier(documents=(SlipDocument("Tờ khai", 0),)), officer="Trần Văn Bình")
    assert caught.value.errors == [
        {"field": "documents[0]", "message": "Giấy tờ phải có tên và ít nhất 01 bản."}
    ]
    with pytest.raises(InvalidInput) as caught:
        supplement_request(dossier(), officer="Trần Văn Bình", items=["", "  "], reason="")
    assert str(caught.value) == "Phiếu yêu cầu bổ sung phải nêu ít nhất một nội dung cần bổ sung."
    with pytest.raises(InvalidInput) as caught:
        refusal_slip(dossier(), officer="Trần Văn Bình", reasons=[])
    assert str(caught.value) == "Phiếu từ chối phải nêu rõ lý do từ chối."
    with pytest.raises(InvalidInput) as caught:
        apology_letter(
            dossier(),
            head="Lê Minh Châu",
            reason="Chậm.",
            new_due=dt.datetime(2026, 11, 27, 17, 0, tzinfo=HN),
        )
    assert str(caught.value) == (
        "Ngày hẹn trả kết quả mới phải sau ngày hẹn cũ (17 giờ 00 phút, ngày 27 tháng 11 năm 2026)."
    )
    with pytest.raises(InvalidInput) as caught:
        result_document(
            dossier(),
            title="Quyết định",
            body="Nội dung.",
            signer_title="KT. Chủ tịch\nPhó Chủ tịch\nPhụ trách khối văn hóa - xã hội",
            signer="A",
        )
    assert str(caught.value) == "Chức danh người ký quá dài (tối đa hai dòng)."


def test_a_long_signer_title_is_set_smaller_not_refused() -> None:
    title = "Phó Giám đốc Trung tâm Phục vụ hành chính công thành phố"
    pdf = result_document(
        dossier(), title="Quyết định", body="Nội dung.", signer_title=title, signer="Lê Minh Châu"
    )
    assert texts_in_box(pdf, RESULT_SIGNATURE_BOX) == []
    assert text(pdf).endswith(f"{title.upper()} Lê Minh Châu")
