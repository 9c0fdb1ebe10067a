"""Translatable labels for the core's choice values. The core's choices carry Vietnamese labels for the
database and the API; the web shows these, which the English catalogue translates."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

ROLE_LABELS = {
    "clerk": _("Văn thư"),
    "specialist": _("Chuyên viên"),
    "leader": _("Lãnh đạo"),
    "desk_officer": _("Cán bộ một cửa"),
    "admin": _("Quản trị"),
}
ROLE_ORDER = ["admin", "leader", "clerk", "specialist", "desk_officer"]

SCOPE_LABELS = {
    "agency": _("Chỉ cơ quan này"),
    "subtree": _("Cơ quan này và các đơn vị trực thuộc"),
}

AGENCY_KIND_LABELS = {
    "ubnd": _("Ủy ban nhân dân"),
    "so": _("Sở, ban, ngành"),
    "mot_cua": _("Trung tâm / bộ phận một cửa"),
    "phong": _("Phòng chuyên môn"),
    "su_nghiep": _("Đơn vị sự nghiệp"),
    "khac": _("Cơ quan khác"),
}

LEVEL_LABELS = {1: _("Cấp tỉnh"), 2: _("Cấp huyện"), 3: _("Cấp xã")}

UNIT_KIND_LABELS = {
    "thanh_pho_tw": _("Thành phố trực thuộc trung ương"),
    "tinh": _("Tỉnh"),
    "quan": _("Quận"),
    "huyen": _("Huyện"),
    "thi_xa": _("Thị xã"),
    "thanh_pho": _("Thành phố thuộc tỉnh"),
    "phuong": _("Phường"),
    "xa": _("Xã"),
    "thi_tran": _("Thị trấn"),
    "dac_khu": _("Đặc khu"),
}

EVENT_KIND_LABELS = {
    "merge": _("Nhập"),
    "split": _("Chia tách"),
    "rename": _("Đổi tên"),
    "reclassify": _("Chuyển loại"),
    "abolish": _("Giải thể / kết thúc"),
    "establish": _("Thành lập"),
    "move": _("Điều chỉnh địa giới"),
}

ERROR_TITLES = {
    400: _("Yêu cầu không hợp lệ"),
    401: _("Chưa đăng nhập"),
    403: _("Không có quyền"),
    404: _("Không tìm thấy"),
    409: _("Xung đột dữ liệu"),
    429: _("Quá nhiều yêu cầu"),
    500: _("Có lỗi xảy ra"),
}

# The core's fixed (not formatted) messages that reach a page; listed here so that the English
# catalogue carries them. Pages pass a DomainError's detail through ``translate_detail``.
CORE_MESSAGES = [
    gettext_noop("Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng."),
    gettext_noop("Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau một phút."),
    gettext_noop("Bạn cần đăng nhập để thực hiện thao tác này."),
    gettext_noop("Bạn không có quyền thực hiện thao tác này đối với cơ quan, đơn vị này."),
    gettext_noop("Tên cơ quan không được để trống."),
    gettext_noop("Họ và tên không được để trống."),
    gettext_noop("Mật khẩu phải có ít nhất 10 ký tự."),
    gettext_noop("Không thể tự khoá tài khoản của chính mình."),
    gettext_noop("Tên đăng nhập chỉ gồm chữ thường không dấu, số, dấu chấm, gạch; từ 3 ký tự."),
]


def translate_detail(detail: object) -> str:
    """A domain error's message in the page's language when the catalogue has it, else as is."""
    text = str(detail)
    return gettext(text) if text else text
