# ruff: noqa: E501 - a data table: long Vietnamese names and notes read better unbroken
"""The demo city's procedure catalogue: common procedures of commune and city level.

Names, required documents and processing times follow the published procedures as they stand
after the two-level local government (1 July 2025); the codes follow the national database's
shape and the **fees are demo figures** (the real ones are set by the Ministry of Finance's
circulars and the City People's Council's resolutions and change; a deployment loads its own).
Documents the state already holds (identity, residence, civil status, land, business data) are
marked ``state_held`` and are not asked for online.

``seed_procedures()`` publishes through ``services.procedure_publish`` as the system; it is
idempotent (a version already published under the same date is left as is).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from congso.core.org.models import AgencyKind
from congso.modules.services import services
from congso.modules.services.catalogue import FormField, ProcedureSpec, RequiredDocument, Step, VersionSpec
from congso.modules.services.models import OnlineLevel, ProcedureLevel

VALID_FROM = dt.date(2025, 7, 1)
XA, TINH = ProcedureLevel.COMMUNE, ProcedureLevel.PROVINCE
FULL, PARTIAL = OnlineLevel.FULL, OnlineLevel.PARTIAL

SO_TU_PHAP = "000.00.03.H26"
SO_TAI_CHINH = "000.00.05.H26"
SO_CONG_THUONG = "000.00.06.H26"
SO_XAY_DUNG = "000.00.09.H26"
SO_GDDT = "000.00.16.H26"
SO_Y_TE = "000.00.17.H26"
SO_NN_MT = "000.00.47.H26"


def D(
    name: str, copies: int = 1, *, original: bool = True, required: bool = True, state: str = ""
) -> RequiredDocument:
    return RequiredDocument(name=name, copies=copies, original=original, required=required, state_held=state)


def F(
    name: str, label: str, type: str = "text", *, required: bool = True, choices: tuple[str, ...] = ()
) -> FormField:
    return FormField(name=name, label=label, type=type, required=required, choices=choices)


CCCD = D("Căn cước / căn cước công dân của người nộp hồ sơ", state="citizen_id")
RESIDENCE = D("Giấy tờ chứng minh nơi cư trú", state="residence")
GENDER = ("Nam", "Nữ")
GENERIC_FORM = (
    F("noi_dung", "Nội dung đề nghị"),
    F("so_ban", "Số bản đề nghị cấp", "number", required=False),
)


def _steps(level: str, days: int) -> list[Step]:
    """Receipt at the desk, appraisal by a specialist, decision by the leader; the desk and the
    leader take a day each once the time allows, the specialist the rest."""
    desk = 1 if days >= 5 else 0
    leader = 1 if days >= 3 else 0
    return [
        Step(role="desk_officer", agency_level=level, days=desk, name="Tiếp nhận, kiểm tra, chuyển hồ sơ"),
        Step(role="specialist", agency_level=level, days=days - desk - leader, name="Thẩm định, trình ký"),
        Step(role="leader", agency_level=level, days=leader, name="Xem xét, ký duyệt kết quả"),
    ]


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    field: str
    level: str
    online: str
    days: int
    fee: int
    documents: tuple[RequiredDocument, ...]
    form: tuple[FormField, ...] = GENERIC_FORM
    fee_unit: str = ""
    fee_note: str = ""
    legal_basis: str = ""
    competent: str = ""  # province level: the department


HO_TICH = "Hộ tịch"
LUAT_HO_TICH = "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP; Nghị định 120/2025/NĐ-CP"
CU_TRU = "Đăng ký, quản lý cư trú"
LUAT_CU_TRU = "Luật Cư trú 2020; Nghị định 154/2024/NĐ-CP (Công an cấp xã giải quyết)"
CHUNG_THUC = "Chứng thực"
ND_CHUNG_THUC = "Nghị định 23/2015/NĐ-CP; Thông tư 226/2016/TT-BTC"

ENTRIES: tuple[Entry, ...] = (
    # --- Hộ tịch (commune) ---
    Entry(
        "1.001193",
        "Đăng ký khai sinh",
        HO_TICH,
        XA,
        FULL,
        1,
        0,
        (D("Tờ khai đăng ký khai sinh"), D("Giấy chứng sinh"), CCCD, RESIDENCE),
        (
            F("ho_ten_tre", "Họ, chữ đệm, tên của trẻ"),
            F("ngay_sinh", "Ngày sinh", "date"),
            F("gioi_tinh", "Giới tính", "choice", choices=GENDER),
            F("noi_sinh", "Nơi sinh"),
            F("dan_toc", "Dân tộc"),
            F("ho_ten_me", "Họ, chữ đệm, tên của mẹ"),
            F("ho_ten_cha", "Họ, chữ đệm, tên của cha", required=False),
            F(
                "quan_he",
                "Quan hệ của người đi đăng ký với trẻ",
                "choice",
                choices=("Cha", "Mẹ", "Ông", "Bà", "Người thân thích khác"),
            ),
        ),
        fee_note="Miễn lệ phí đăng ký khai sinh đúng hạn",
        legal_basis=LUAT_HO_TICH,
    ),
    Entry(
        "1.000894",
        "Đăng ký kết hôn",
        HO_TICH,
        XA,
        PARTIAL,
        5,
        0,
        (
            D("Tờ khai đăng ký kết hôn"),
            D("Giấy xác nhận tình trạng hôn nhân", 2, state="marital_status"),
            D("Căn cước / căn cước công dân của hai bên nam, nữ", 2, state="citizen_id"),
        ),
        (
            F("ho_ten_chong", "Họ, chữ đệm, tên bên nam"),
            F("ngay_sinh_chong", "Ngày sinh bên nam", "date"),
            F("ho_ten_vo", "Họ, chữ đệm, tên bên nữ"),
            F("ngay_sinh_vo", "Ngày sinh bên nữ", "date"),
            F("lan_ket_hon", "Kết hôn lần thứ", "number", required=False),
        ),
        fee_note="Miễn lệ phí đăng ký kết hôn giữa công dân Việt Nam cư trú trong nước; hai bên phải có mặt khi trao giấy chứng nhận",
        legal_basis=LUAT_HO_TICH,
    ),
    Entry(
        "1.000656",
        "Đăng ký khai tử",
        HO_TICH,
        XA,
        FULL,
        1,
        0,
        (D("Tờ khai đăng ký khai tử"), D("Giấy báo tử hoặc giấy tờ thay giấy báo tử"), CCCD),
        (
            F("ho_ten_nguoi_chet", "Họ, chữ đệm, tên người đã chết"),
            F("ngay_chet", "Ngày chết", "date"),
            F("noi_chet", "Nơi chết"),
            F("nguyen_nhan", "Nguyên nhân chết", required=False),
        ),
        fee_note="Miễn lệ phí đăng ký khai tử đúng hạn",
        legal_basis=LUAT_HO_TICH,
    ),
    Entry(
        "1.004884",
        "Đăng ký lại khai sinh",
        HO_TICH,
        XA,
        PARTIAL,
        5,
        5_000,
        (
            D("Tờ khai đăng ký lại khai sinh"),
            D("Bản sao giấy khai sinh hoặc giấy tờ có thông tin khai sinh", original=False),
            CCCD,
        ),
        legal_basis=LUAT_HO_TICH,
    ),
    Entry(
        "1.001022",
        "Đăng ký nhận cha, mẹ, con",
        HO_TICH,
        XA,
        PARTIAL,
        3,
        15_000,
        (
            D("Tờ khai đăng ký nhận cha, mẹ, con"),
            D("Văn bản của cơ quan y tế, giám định hoặc chứng cứ chứng minh quan hệ cha, mẹ, con"),
            CCCD,
        ),
        legal_basis=LUAT_HO_TICH,
    ),
    Entry(
        "1.004859",
        "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch",
        HO_TICH,
        XA,
        FULL,
        3,
        15_000,
        (
            D("Tờ khai đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch"),
            D("Giấy tờ liên quan làm căn cứ thay đổi, cải chính", original=False),
            CCCD,
        ),
        legal_basis=LUAT_HO_TICH,
    ),
    Entry(
        "1.004837",
        "Đăng ký giám hộ",
        HO_TICH,
        XA,
        PARTIAL,
        3,
        0,
        (D("Tờ khai đăng ký giám hộ"), D("Văn bản cử người giám hộ"), CCCD),
        legal_basis=LUAT_HO_TICH,
    ),
    Entry(
        "1.004873",
        "Cấp bản sao trích lục hộ tịch",
        HO_TICH,
        XA,
        FULL,
        1,
        8_000,
        (D("Tờ khai cấp bản sao trích lục hộ tịch"), CCCD),
        fee_unit="bản",
        legal_basis=LUAT_HO_TICH,
    ),
    Entry(
        "1.004746",
        "Cấp Giấy xác nhận tình trạng hôn nhân",
        HO_TICH,
        XA,
        FULL,
        3,
        3_000,
        (
            D("Tờ khai cấp Giấy xác nhận tình trạng hôn nhân"),
            D("Bản án, quyết định ly hôn hoặc giấy chứng tử của vợ/chồng (nếu có)", required=False),
            CCCD,
        ),
        (
            F("muc_dich", "Mục đích sử dụng"),
            F(
                "tinh_trang",
                "Tình trạng hôn nhân hiện tại",
                "choice",
                choices=("Chưa đăng ký kết hôn", "Đã ly hôn", "Vợ/chồng đã chết"),
            ),
        ),
        legal_basis=LUAT_HO_TICH,
    ),
    Entry(
        "2.002622",
        "Liên thông đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        HO_TICH,
        XA,
        FULL,
        5,
        0,
        (
            D("Tờ khai đăng ký khai sinh"),
            D("Giấy chứng sinh"),
            D("Tờ khai thay đổi thông tin cư trú (CT01)"),
            CCCD,
            RESIDENCE,
        ),
        fee_note="Miễn lệ phí",
        legal_basis="Nghị định 63/2024/NĐ-CP (liên thông thủ tục hành chính)",
    ),
    # --- Cư trú (commune; Công an cấp xã) ---
    Entry(
        "1.010046",
        "Xác nhận thông tin về cư trú",
        CU_TRU,
        XA,
        FULL,
        1,
        10_000,
        (D("Tờ khai thay đổi thông tin cư trú (CT01)"), CCCD),
        (F("muc_dich", "Mục đích xác nhận"), F("noi_cu_tru", "Nơi cư trú cần xác nhận")),
        fee_note="Nộp trực tuyến: 5.000 đồng",
        legal_basis=LUAT_CU_TRU,
    ),
    Entry(
        "1.004194",
        "Đăng ký thường trú",
        CU_TRU,
        XA,
        FULL,
        7,
        20_000,
        (
            D("Tờ khai thay đổi thông tin cư trú (CT01)"),
            D("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", original=False),
            CCCD,
        ),
        (F("dia_chi", "Địa chỉ đăng ký thường trú"), F("quan_he_chu_ho", "Quan hệ với chủ hộ")),
        legal_basis=LUAT_CU_TRU,
    ),
    Entry(
        "1.004222",
        "Đăng ký tạm trú",
        CU_TRU,
        XA,
        FULL,
        3,
        15_000,
        (
            D("Tờ khai thay đổi thông tin cư trú (CT01)"),
            D("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp", original=False),
            CCCD,
        ),
        (F("dia_chi", "Địa chỉ đăng ký tạm trú"), F("thoi_han_thang", "Thời hạn tạm trú (tháng)", "number")),
        legal_basis=LUAT_CU_TRU,
    ),
    Entry(
        "1.004200",
        "Khai báo tạm vắng",
        CU_TRU,
        XA,
        FULL,
        1,
        0,
        (D("Tờ khai thay đổi thông tin cư trú (CT01)"), CCCD),
        (F("noi_den", "Nơi đến"), F("tu_ngay", "Từ ngày", "date"), F("den_ngay", "Đến ngày", "date")),
        legal_basis=LUAT_CU_TRU,
    ),
    # --- Chứng thực (commune) ---
    Entry(
        "2.000815",
        "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
        CHUNG_THUC,
        XA,
        PARTIAL,
        0,
        2_000,
        (D("Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao"), CCCD),
        (
            F("ten_giay_to", "Tên giấy tờ cần chứng thực"),
            F("so_trang", "Số trang", "number"),
            F("so_ban", "Số bản sao", "number"),
        ),
        fee_unit="trang",
        fee_note="Từ trang thứ ba trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản",
        legal_basis=ND_CHUNG_THUC,
    ),
    Entry(
        "2.000884",
        "Chứng thực chữ ký trong các giấy tờ, văn bản",
        CHUNG_THUC,
        XA,
        PARTIAL,
        0,
        10_000,
        (D("Giấy tờ, văn bản cần chứng thực chữ ký"), CCCD),
        (F("ten_giay_to", "Tên giấy tờ, văn bản"),),
        fee_unit="trường hợp",
        legal_basis=ND_CHUNG_THUC,
    ),
    Entry(
        "2.001035",
        "Chứng thực hợp đồng, giao dịch liên quan đến nhà ở",
        CHUNG_THUC,
        XA,
        PARTIAL,
        2,
        50_000,
        (
            D("Dự thảo hợp đồng, giao dịch"),
            D("Giấy chứng nhận quyền sở hữu nhà ở", original=False, state="land"),
            CCCD,
        ),
        (
            F(
                "loai_hop_dong",
                "Loại hợp đồng",
                "choice",
                choices=("Mua bán", "Tặng cho", "Thế chấp", "Cho thuê", "Đổi"),
            ),
            F("dia_chi_nha", "Địa chỉ nhà ở"),
        ),
        fee_unit="hợp đồng",
        legal_basis=ND_CHUNG_THUC,
    ),
    Entry(
        "2.001019",
        "Chứng thực di chúc",
        CHUNG_THUC,
        XA,
        PARTIAL,
        2,
        50_000,
        (
            D("Dự thảo di chúc"),
            D(
                "Giấy tờ chứng minh quyền sở hữu, sử dụng tài sản (nếu di chúc định đoạt tài sản)",
                original=False,
                required=False,
            ),
            CCCD,
        ),
        fee_unit="di chúc",
        legal_basis=ND_CHUNG_THUC,
    ),
    # --- Kinh doanh (commune) ---
    Entry(
        "2.000720",
        "Đăng ký thành lập hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        XA,
        FULL,
        3,
        100_000,
        (
            D("Giấy đề nghị đăng ký hộ kinh doanh"),
            D(
                "Biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh (nếu các thành viên hộ gia đình cùng đăng ký)",
                required=False,
            ),
            CCCD,
        ),
        (
            F("ten_ho_kinh_doanh", "Tên hộ kinh doanh"),
            F("dia_chi_kinh_doanh", "Địa chỉ trụ sở hộ kinh doanh"),
            F("nganh_nghe", "Ngành, nghề kinh doanh"),
            F("von_kinh_doanh", "Vốn kinh doanh (đồng)", "number"),
            F("so_lao_dong", "Số lao động", "number", required=False),
        ),
        legal_basis="Nghị định 01/2021/NĐ-CP; Nghị định 168/2025/NĐ-CP",
    ),
    Entry(
        "2.000575",
        "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        XA,
        FULL,
        3,
        50_000,
        (
            D("Thông báo thay đổi nội dung đăng ký hộ kinh doanh"),
            D("Giấy chứng nhận đăng ký hộ kinh doanh", state="business"),
            CCCD,
        ),
        legal_basis="Nghị định 01/2021/NĐ-CP; Nghị định 168/2025/NĐ-CP",
    ),
    Entry(
        "2.000644",
        "Tạm ngừng hoạt động hộ kinh doanh",
        "Thành lập và hoạt động của hộ kinh doanh",
        XA,
        FULL,
        3,
        0,
        (D("Thông báo về việc tạm ngừng kinh doanh"), CCCD),
        (
            F("tu_ngay", "Tạm ngừng từ ngày", "date"),
            F("den_ngay", "Đến ngày", "date"),
            F("ly_do", "Lý do", required=False),
        ),
        legal_basis="Nghị định 01/2021/NĐ-CP",
    ),
    # --- Xây dựng, đất đai (commune since 1 July 2025) ---
    Entry(
        "1.009994",
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "Hoạt động xây dựng",
        XA,
        PARTIAL,
        15,
        75_000,
        (
            D("Đơn đề nghị cấp giấy phép xây dựng"),
            D("Giấy tờ chứng minh quyền sử dụng đất", original=False, state="land"),
            D("Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng, móng)", 2),
            D("Cam kết bảo đảm an toàn công trình liền kề (nếu có)", required=False),
        ),
        (
            F("dia_chi_cong_trinh", "Địa điểm xây dựng"),
            F("dien_tich_xay_dung", "Diện tích xây dựng tầng 1 (m²)", "number"),
            F("so_tang", "Số tầng", "number"),
            F("chieu_cao", "Chiều cao công trình (m)", "number"),
        ),
        legal_basis="Luật Xây dựng 2014 (sửa đổi 2020); Nghị định 175/2024/NĐ-CP",
    ),
    Entry(
        "1.009995",
        "Cấp giấy phép sửa chữa, cải tạo nhà ở riêng lẻ",
        "Hoạt động xây dựng",
        XA,
        PARTIAL,
        15,
        75_000,
        (
            D("Đơn đề nghị cấp giấy phép sửa chữa, cải tạo"),
            D("Giấy tờ chứng minh quyền sở hữu nhà ở", original=False, state="land"),
            D("Bản vẽ hiện trạng và thiết kế sửa chữa, cải tạo", 2),
        ),
        legal_basis="Luật Xây dựng 2014 (sửa đổi 2020); Nghị định 175/2024/NĐ-CP",
    ),
    Entry(
        "1.012790",
        "Chuyển mục đích sử dụng đất đối với hộ gia đình, cá nhân",
        "Đất đai",
        XA,
        PARTIAL,
        15,
        0,
        (D("Đơn xin chuyển mục đích sử dụng đất"), D("Giấy chứng nhận quyền sử dụng đất", state="land")),
        (
            F("thua_dat", "Số thửa, tờ bản đồ"),
            F("dien_tich", "Diện tích xin chuyển (m²)", "number"),
            F("muc_dich_moi", "Mục đích sử dụng sau khi chuyển"),
        ),
        fee_note="Tiền sử dụng đất, lệ phí trước bạ nộp theo thông báo của cơ quan thuế",
        legal_basis="Luật Đất đai 2024; Nghị định 102/2024/NĐ-CP; Nghị định 151/2025/NĐ-CP",
    ),
    Entry(
        "1.012766",
        "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu cho hộ gia đình, cá nhân",
        "Đất đai",
        XA,
        PARTIAL,
        20,
        100_000,
        (
            D("Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu 04/ĐK)"),
            D("Giấy tờ về quyền sử dụng đất (nếu có)", original=False, required=False),
            D("Sơ đồ, mảnh trích đo thửa đất", required=False),
        ),
        (
            F("thua_dat", "Số thửa, tờ bản đồ"),
            F("dien_tich", "Diện tích (m²)", "number"),
            F("nguon_goc", "Nguồn gốc sử dụng đất"),
        ),
        legal_basis="Luật Đất đai 2024; Nghị định 101/2024/NĐ-CP; Nghị định 151/2025/NĐ-CP",
    ),
    # --- Xã hội (commune) ---
    Entry(
        "1.001776",
        "Trợ cấp xã hội hằng tháng đối với người cao tuổi",
        "Bảo trợ xã hội",
        XA,
        PARTIAL,
        10,
        0,
        (D("Tờ khai đề nghị trợ giúp xã hội (Mẫu số 1a)"), CCCD),
        (
            F("ho_ten", "Họ tên người cao tuổi"),
            F("ngay_sinh", "Ngày sinh", "date"),
            F("hoan_canh", "Hoàn cảnh gia đình", required=False),
        ),
        legal_basis="Nghị định 20/2021/NĐ-CP; Nghị định 76/2024/NĐ-CP",
    ),
    Entry(
        "1.001699",
        "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
        "Bảo trợ xã hội",
        XA,
        PARTIAL,
        20,
        0,
        (
            D("Đơn đề nghị xác định mức độ khuyết tật"),
            D("Giấy tờ y tế liên quan (nếu có)", original=False, required=False),
            CCCD,
        ),
        legal_basis="Luật Người khuyết tật 2010; Thông tư 01/2019/TT-BLĐTBXH",
    ),
    # --- City level ---
    Entry(
        "2.000505",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "Lý lịch tư pháp",
        TINH,
        FULL,
        10,
        200_000,
        (D("Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"), CCCD, RESIDENCE),
        (
            F("loai_phieu", "Loại phiếu", "choice", choices=("Phiếu số 1", "Phiếu số 2")),
            F("muc_dich", "Mục đích sử dụng"),
            F("so_ban", "Số lượng phiếu", "number"),
        ),
        fee_note="Sinh viên, người có công: 100.000 đồng/lần; từ phiếu thứ ba: 5.000 đồng/phiếu",
        legal_basis="Luật Lý lịch tư pháp 2009; Thông tư 244/2016/TT-BTC",
        competent=SO_TU_PHAP,
    ),
    Entry(
        "2.001610",
        "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
        "Thành lập và hoạt động của doanh nghiệp",
        TINH,
        FULL,
        3,
        50_000,
        (
            D("Giấy đề nghị đăng ký doanh nghiệp"),
            D("Điều lệ công ty"),
            D("Danh sách người đại diện theo ủy quyền (nếu chủ sở hữu là tổ chức)", required=False),
            CCCD,
        ),
        (
            F("ten_doanh_nghiep", "Tên doanh nghiệp"),
            F("dia_chi_tru_so", "Địa chỉ trụ sở chính"),
            F("von_dieu_le", "Vốn điều lệ (đồng)", "number"),
            F("nganh_nghe", "Ngành, nghề kinh doanh chính"),
        ),
        fee_note="Miễn lệ phí khi đăng ký qua mạng điện tử",
        legal_basis="Luật Doanh nghiệp 2020; Nghị định 168/2025/NĐ-CP",
        competent=SO_TAI_CHINH,
    ),
    Entry(
        "1.009976",
        "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II",
        "Hoạt động xây dựng",
        TINH,
        PARTIAL,
        20,
        150_000,
        (
            D("Đơn đề nghị cấp giấy phép xây dựng"),
            D("Giấy tờ chứng minh quyền sử dụng đất", original=False, state="land"),
            D("Quyết định phê duyệt dự án, văn bản thẩm định thiết kế", original=False),
            D("Bản vẽ thiết kế xây dựng", 2),
        ),
        legal_basis="Luật Xây dựng 2014 (sửa đổi 2020); Nghị định 175/2024/NĐ-CP",
        competent=SO_XAY_DUNG,
    ),
    Entry(
        "1.012020",
        "Cấp giấy phép hành nghề khám bệnh, chữa bệnh",
        "Khám bệnh, chữa bệnh",
        TINH,
        PARTIAL,
        20,
        360_000,
        (
            D("Đơn đề nghị cấp giấy phép hành nghề"),
            D("Văn bằng chuyên môn", original=False),
            D("Giấy chứng nhận đủ sức khỏe hành nghề"),
            CCCD,
        ),
        legal_basis="Luật Khám bệnh, chữa bệnh 2023; Nghị định 96/2023/NĐ-CP",
        competent=SO_Y_TE,
    ),
    Entry(
        "2.000633",
        "Cấp Giấy phép bán lẻ sản phẩm rượu",
        "Lưu thông hàng hóa trong nước",
        TINH,
        FULL,
        10,
        1_200_000,
        (
            D("Đơn đề nghị cấp giấy phép bán lẻ sản phẩm rượu"),
            D("Hợp đồng nguyên tắc với thương nhân sản xuất, phân phối rượu", original=False),
            D("Giấy chứng nhận đăng ký doanh nghiệp", state="business"),
        ),
        legal_basis="Nghị định 105/2017/NĐ-CP; Thông tư 168/2016/TT-BTC",
        competent=SO_CONG_THUONG,
    ),
    Entry(
        "2.001914",
        "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
        "Văn bằng, chứng chỉ",
        TINH,
        FULL,
        1,
        0,
        (D("Đơn đề nghị cấp bản sao văn bằng, chứng chỉ từ sổ gốc"), CCCD),
        (
            F("ten_van_bang", "Tên văn bằng, chứng chỉ"),
            F("nam_tot_nghiep", "Năm tốt nghiệp", "number"),
            F("so_ban", "Số bản sao", "number"),
        ),
        legal_basis="Thông tư 21/2019/TT-BGDĐT",
        competent=SO_GDDT,
    ),
    Entry(
        "1.012770",
        "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do chuyển nhượng, tặng cho, thừa kế",
        "Đất đai",
        TINH,
        PARTIAL,
        10,
        0,
        (
            D("Đơn đăng ký biến động đất đai, tài sản gắn liền với đất (Mẫu 11/ĐK)"),
            D("Hợp đồng, văn bản về chuyển nhượng, tặng cho, thừa kế đã công chứng, chứng thực"),
            D("Giấy chứng nhận đã cấp", state="land"),
        ),
        fee_note="Lệ phí cấp giấy chứng nhận, thuế thu nhập cá nhân và lệ phí trước bạ nộp theo thông báo của cơ quan thuế",
        legal_basis="Luật Đất đai 2024; Nghị định 101/2024/NĐ-CP",
        competent=SO_NN_MT,
    ),
    Entry(
        "2.000355",
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh dịch vụ ăn uống",
        "An toàn thực phẩm",
        TINH,
        PARTIAL,
        20,
        700_000,
        (
            D("Đơn đề nghị cấp Giấy chứng nhận"),
            D("Bản thuyết minh về cơ sở vật chất, trang thiết bị, dụng cụ"),
            D("Giấy xác nhận đã được tập huấn kiến thức an toàn thực phẩm", original=False),
        ),
        fee_note="Phí thẩm định cơ sở phục vụ từ 200 suất ăn trở lên; dưới 200 suất: 500.000 đồng",
        legal_basis="Luật An toàn thực phẩm 2010; Nghị định 15/2018/NĐ-CP; Thông tư 67/2021/TT-BTC",
        competent=SO_Y_TE,
    ),
)


def spec_of(entry: Entry) -> ProcedureSpec:
    return ProcedureSpec(
        code=entry.code,
        name=entry.name,
        field=entry.field,
        level=entry.level,
        competent_kind=AgencyKind.PEOPLES_COMMITTEE if entry.level == XA else AgencyKind.DEPARTMENT,
        competent_agency_code=entry.competent,
        online_level=entry.online,
        version=VersionSpec(
            valid_from=VALID_FROM,
            processing_days=entry.days,
            fee=entry.fee,
            fee_unit=entry.fee_unit,
            fee_note=entry.fee_note,
            legal_basis=entry.legal_basis,
            documents=list(entry.documents),
            form_fields=list(entry.form),
            steps=_steps(entry.level, entry.days),
        ),
    )


def seed_procedures() -> int:
    """Publish the demo catalogue; returns how many versions were newly published."""
    return sum(1 for entry in ENTRIES if services.procedure_publish(actor=None, spec=spec_of(entry))[1])
