"""Demo content for the document module, from the seed articles: the city's digital-transformation
decisions arrive at the Department of Science and Technology (signed e-documents and a paper scan),
and the department's own report goes through the whole outgoing flow to Ba Đình ward.

Runs through the services with the demo officials, so the demo shows real signatures, numbers and
trails. Idempotent: it does nothing once the department has documents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from congso.core import signing
from congso.core.org.selectors import agency_get
from congso.modules.documents import services
from congso.modules.documents.models import Document
from congso.modules.documents.rendering import Composition, render

SO_KHCN = "000.00.15.H26"
CITY = "000.00.00.H26"
BA_DINH = "001.00.90.H26"


@dataclass(frozen=True)
class Received:
    doc_type: str
    type_name: str
    number_notation: str
    issued_on: dt.date
    issuer_name: str
    summary: str
    signer_position: str
    signer_name: str
    paper: bool = False


# The documents the seed articles name (002, 004): what the department receives.
RECEIVED = (
    Received(
        "QD",
        "Quyết định",
        "4098/QĐ-UBND",
        dt.date(2021, 9, 6),
        "Ủy ban nhân dân thành phố Hà Nội",
        "Phê duyệt Chương trình Chuyển đổi số thành phố Hà Nội đến năm 2025, định hướng đến năm 2030",
        "Chủ tịch",
        "Chủ tịch UBND thành phố",
    ),
    Received(
        "QD",
        "Quyết định",
        "749/QĐ-TTg",
        dt.date(2020, 6, 3),
        "Thủ tướng Chính phủ",
        "Phê duyệt Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030",
        "Thủ tướng",
        "Thủ tướng Chính phủ",
        paper=True,
    ),
    Received(
        "KH",
        "Kế hoạch",
        "06/KH-BCĐ",
        dt.date(2023, 2, 10),
        "Ban Chỉ đạo Đề án 06 thành phố Hà Nội",
        "Thông tin, tuyên truyền thực hiện Đề án Phát triển ứng dụng dữ liệu về dân cư, định danh và "
        "xác thực điện tử phục vụ chuyển đổi số quốc gia",
        "Trưởng ban",
        "Trưởng Ban Chỉ đạo",
    ),
)


def _official(username: str) -> object:
    return get_user_model().objects.select_related("agency").get(username=username)


def seed_documents() -> int:
    """Returns the number of documents created (0 when already seeded or the accounts are missing)."""
    so_khcn = agency_get(code=SO_KHCN)
    if Document.objects.filter(agency=so_khcn).exists():
        return 0
    users = get_user_model().objects.filter(
        username__in=["vanthu.sokhcn", "lanhdao.sokhcn", "chuyenvien.sokhcn", "vanthu.badinh"]
    )
    if users.count() < 4:
        return 0
    clerk, leader, drafter = (
        _official("vanthu.sokhcn"),
        _official("lanhdao.sokhcn"),
        _official("chuyenvien.sokhcn"),
    )
    city = agency_get(code=CITY)
    created = 0
    for item in RECEIVED:
        pdf, _place = render(
            Composition(
                parent_agency_name="",
                agency_name=item.issuer_name,
                doc_type_name=item.type_name,
                notation=item.number_notation.split("/", 1)[1],
                place="Hà Nội",
                summary=item.summary,
                body=(
                    f"{item.type_name} số {item.number_notation} ngày {item.issued_on:%d/%m/%Y}.\n"
                    f"{item.summary}."
                ),
                signer_position=item.signer_position,
                signer_name=item.signer_name,
                recipients=("Sở Khoa học và Công nghệ",),
            )
        )
        if not item.paper:
            # Signed with the city's seal certificate of the demo CA, as the sender would have.
            pdf = signing.sign_pdf(
                pdf, signing.identity_for_seal(city), field_name="ConDau", reason="Ban hành"
            )
        services.document_receive(
            actor=clerk,
            agency=so_khcn,
            spec=services.IncomingSpec(
                doc_type=item.doc_type,
                number_notation=item.number_notation,
                issuer_name=item.issuer_name,
                summary=item.summary,
                issued_on=item.issued_on,
                signer_position=item.signer_position,
                signer_name=item.signer_name,
            ),
            file=services.Upload(f"{item.number_notation.replace('/', '-')}.pdf", pdf),
            paper=item.paper,
        )
        created += 1
    # The department's own report: drafted, approved, signed, numbered, sent to Ba Đình.
    report = services.document_draft_create(
        actor=drafter,
        agency=so_khcn,
        spec=services.DraftSpec(
            doc_type="BC",
            summary="Kết quả thực hiện chuyển đổi số năm 2025 trên địa bàn thành phố",
            body=(
                "Năm 2025, 100% văn bản giữa các cơ quan nhà nước được ký số và gửi nhận hoàn toàn trên "
                "môi trường mạng; hệ thống quản lý văn bản kết nối 633 cơ quan với 31.345 tài khoản.\n"
                "Sở Khoa học và Công nghệ đề nghị các phường, xã tiếp tục rà soát và báo cáo trước ngày 15 "
                "của tháng cuối quý."
            ),
            recipient_codes=[BA_DINH],
            signer_position="Phó Giám đốc",
            signer_name=getattr(leader, "display_name", ""),
        ),
    )
    services.document_submit_review(actor=drafter, document=report)
    services.document_approve(actor=leader, document=report)
    services.document_sign(actor=leader, document=report)
    services.document_issue(actor=clerk, document=report)
    services.document_dispatch(actor=clerk, document=report)
    created += 2
    # A draft waiting for the leader.
    pending = services.document_draft_create(
        actor=drafter,
        agency=so_khcn,
        spec=services.DraftSpec(
            doc_type="CV",
            summary="V/v đôn đốc cấp chứng thư chữ ký số miễn phí cho người dân",
            body=(
                "Năm 2023 đã cấp khoảng 39.000 chứng thư chữ ký số miễn phí cho người dân "
                "tại bộ phận một cửa."
            ),
            recipient_codes=[BA_DINH],
            signer_position="Phó Giám đốc",
        ),
    )
    services.document_submit_review(actor=drafter, document=pending)
    return created + 1
