"""The web shell through Django's test client: login, the home page per role, agencies, accounts,
units, errors and English."""

from __future__ import annotations

import pyotp
import pytest
from django.urls import reverse

from congso.core.accounts.models import User
from congso.core.audit.models import AuditEvent
from congso.core.org.models import Agency
from tests.conftest import BA_DINH, BA_DINH_CENTRE, CITY, SO_KHCN, SO_TU_PHAP

pytestmark = pytest.mark.django_db
PASSWORD = "MatKhau@123456"


def _html(response) -> str:
    return response.content.decode()


# --- login -------------------------------------------------------------------------------------


def test_login_page_is_vietnamese_with_totp_hint_and_eid_link(client):
    response = client.get(reverse("web:login"))
    html = _html(response)
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Mã xác thực 6 số" in html
    assert "Bắt buộc với Lãnh đạo và Quản trị" in html
    assert "Đăng nhập bằng tài khoản định danh điện tử (VNeID)" in html
    assert 'href="/eid/login/"' in html


def test_login_success_goes_home(client, make_official):
    make_official("vanthu.web", SO_KHCN, ("clerk", "agency"))
    response = client.post(reverse("web:login"), {"username": "vanthu.web", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("web:home")
    home = client.get(reverse("web:home"))
    assert home.status_code == 200
    assert "Xin chào, Vanthu.Web" in _html(home)


def test_login_failure_shows_alert(client, make_official):
    make_official("vanthu.sai", SO_KHCN, ("clerk", "agency"))
    response = client.post(reverse("web:login"), {"username": "vanthu.sai", "password": "sai-mat-khau-roi"})
    html = _html(response)
    assert response.status_code == 401
    alert = '<div class="alert alert--error" role="alert"><p>{}</p>'
    assert alert.format("Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.") in html
    assert "_auth_user_id" not in client.session


def test_login_empty_form_asks_for_both_fields(client):
    response = client.post(reverse("web:login"), {"username": "", "password": ""})
    assert response.status_code == 400
    assert "Vui lòng nhập tên đăng nhập và mật khẩu." in _html(response)


def test_admin_needs_totp_and_wrong_code_is_refused(client, make_official):
    admin = make_official("quantri.totp", CITY, ("admin", "subtree"))
    without = client.post(reverse("web:login"), {"username": "quantri.totp", "password": PASSWORD})
    assert without.status_code == 401
    assert "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng." in _html(without)
    right = pyotp.TOTP(admin.totp_secret).now()
    wrong = f"{(int(right) + 500000) % 1000000:06d}"
    refused = client.post(
        reverse("web:login"), {"username": "quantri.totp", "password": PASSWORD, "totp": wrong}
    )
    assert refused.status_code == 401
    assert "_auth_user_id" not in client.session
    ok = client.post(
        reverse("web:login"),
        {"username": "quantri.totp", "password": PASSWORD, "totp": pyotp.TOTP(admin.totp_secret).now()},
    )
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)


def test_logout_needs_post_and_ends_session(client, make_official):
    client.force_login(make_official("vanthu.ra", SO_KHCN, ("clerk", "agency")))
    assert client.get(reverse("web:logout")).status_code == 405
    response = client.post(reverse("web:logout"))
    assert response["Location"] == reverse("web:login")
    assert client.get(reverse("web:home"))["Location"] == "/dang-nhap/?next=/"


# --- home --------------------------------------------------------------------------------------


def test_home_shows_cards_for_each_role(client, make_official):
    user = make_official("nhieu.vaitro", SO_KHCN, ("clerk", "agency"), ("specialist", "agency"))
    client.force_login(user)
    html = _html(client.get(reverse("web:home")))
    assert '<li class="card card--clerk">' in html
    assert '<li class="card card--specialist">' in html
    assert "card--admin" not in html
    assert "card--desk_officer" not in html
    assert "Văn bản chờ vào sổ" in html and "Báo cáo" in html
    # Documents and reports are live: no "coming soon" for a clerk or a specialist.
    assert html.count('<span class="badge">sắp có</span>') == 0
    assert 'href="/bao-cao/"' in html
    assert 'href="/van-ban/cho-vao-so/"' in html and 'href="/van-ban/viec-cua-toi/"' in html
    assert "Sở Khoa học và Công nghệ" in html
    assert "<strong>Văn thư</strong>" in html


def test_home_admin_card_links_to_administration(client, make_official):
    client.force_login(make_official("quantri.home", BA_DINH, ("admin", "subtree")))
    html = _html(client.get(reverse("web:home")))
    assert '<li class="card card--admin">' in html
    assert f'href="{reverse("web:agencies")}"' in html
    assert f'href="{reverse("web:official_create")}"' in html


def test_home_desk_officer_links_to_the_one_stop_desk(client, make_official):
    client.force_login(make_official("motcua.home", BA_DINH_CENTRE, ("desk_officer", "agency")))
    html = _html(client.get(reverse("web:home")))
    assert '<a href="/dich-vu-cong/mot-cua/">Hồ sơ một cửa</a>' in html
    assert '<a href="/dich-vu-cong/mot-cua/tiep-nhan/">Tiếp nhận hồ sơ giấy</a>' in html
    assert html.count('<span class="badge">sắp có</span>') == 0


def test_citizen_home(client):
    citizen = User.objects.create(username="cd001099000001", kind="citizen", full_name="Nguyễn Văn Dân")
    client.force_login(citizen)
    html = _html(client.get(reverse("web:home")))
    assert "Hồ sơ của tôi" in html
    assert "Xin chào, Nguyễn Văn Dân" in html
    assert client.get(reverse("web:agencies")).status_code == 403


# --- agencies ----------------------------------------------------------------------------------


def test_agencies_as_of_a_date(client, make_official):
    client.force_login(make_official("vanthu.coquan", SO_KHCN, ("clerk", "agency")))
    before = _html(client.get(reverse("web:agencies"), {"q": "ba dinh", "ngay": "2024-06-30"}))
    assert "Ủy ban nhân dân Quận Ba Đình" in before
    today = _html(client.get(reverse("web:agencies"), {"q": "ba dinh"}))
    assert "Ủy ban nhân dân Quận Ba Đình" not in today
    assert "Ủy ban nhân dân Phường Ba Đình" in today


def test_agencies_list_is_paginated(client, make_official):
    client.force_login(make_official("vanthu.trang", SO_KHCN, ("clerk", "agency")))
    first = client.get(reverse("web:agencies"), {"ngay": "2024-06-30"})
    assert first.context["page"].paginator.count == 633
    assert len(first.context["rows"]) == 25
    assert "Hiển thị 1–25 trong 633" in _html(first)
    assert "ngay=2024-06-30&amp;trang=2" in _html(first)
    last = client.get(reverse("web:agencies"), {"ngay": "2024-06-30", "trang": "26"})
    assert len(last.context["rows"]) == 633 - 25 * 25


def test_agency_detail_shows_parent_and_predecessors(client, make_official, agency):
    client.force_login(make_official("vanthu.chitiet", SO_KHCN, ("clerk", "agency")))
    ba_dinh = agency(BA_DINH)
    html = _html(client.get(reverse("web:agency_detail", args=[ba_dinh.pk])))
    assert "Ủy ban nhân dân Phường Ba Đình" in html
    assert "Hình thành từ" in html
    assert "Ủy ban nhân dân Phường Trúc Bạch" in html
    assert ba_dinh.parent.name in html
    assert "Sửa thông tin" not in html  # a clerk does not manage agencies


def test_admin_edits_own_agency(client, make_official, agency):
    client.force_login(make_official("quantri.bd", BA_DINH, ("admin", "subtree")))
    ba_dinh = agency(BA_DINH)
    events = AuditEvent.objects.count()
    form = client.get(reverse("web:agency_edit", args=[ba_dinh.pk]))
    assert form.status_code == 200
    response = client.post(
        reverse("web:agency_edit", args=[ba_dinh.pk]),
        {
            "name": ba_dinh.name,
            "short_name": "",
            "email": "ubnd.badinh@hanoi.gov.vn",
            "phone": "024 3823 1234",
        },
    )
    assert response.status_code == 302
    ba_dinh.refresh_from_db()
    assert (ba_dinh.phone, ba_dinh.email) == ("024 3823 1234", "ubnd.badinh@hanoi.gov.vn")
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.order_by("-seq").first().action == "org.agency.update"
    page = _html(client.get(response["Location"]))
    assert "Đã lưu thông tin cơ quan." in page
    assert "024 3823 1234" in page


def test_admin_of_ba_dinh_cannot_edit_so_tu_phap(client, make_official, agency):
    client.force_login(make_official("quantri.bd2", BA_DINH, ("admin", "subtree")))
    so_tu_phap = agency(SO_TU_PHAP)
    events = AuditEvent.objects.count()
    detail = _html(client.get(reverse("web:agency_detail", args=[so_tu_phap.pk])))
    assert "Sửa thông tin" not in detail
    assert client.get(reverse("web:agency_edit", args=[so_tu_phap.pk])).status_code == 403
    response = client.post(
        reverse("web:agency_edit", args=[so_tu_phap.pk]),
        {
            "name": "Sở Tư pháp (đã sửa)",
            "short_name": "",
            "email": "",
            "phone": "0000",
        },
    )
    assert response.status_code == 403
    html = _html(response)
    assert "Không có quyền" in html
    assert "Bạn không có quyền sửa thông tin cơ quan này." in html
    so_tu_phap.refresh_from_db()
    assert so_tu_phap.name == "Sở Tư pháp"
    assert so_tu_phap.phone == ""
    assert AuditEvent.objects.count() == events


def test_agency_create_by_admin_and_refused_to_clerk(client, make_official, agency):
    clerk = make_official("vanthu.them", SO_KHCN, ("clerk", "agency"))
    client.force_login(clerk)
    assert client.get(reverse("web:agency_create")).status_code == 403
    count = Agency.objects.count()
    client.force_login(make_official("quantri.them", BA_DINH, ("admin", "subtree")))
    response = client.post(
        reverse("web:agency_create"),
        {
            "code": "001.02.90.H26",
            "name": "Phòng Văn hóa - Xã hội phường Ba Đình",
            "short_name": "",
            "kind": "phong",
            "level": "3",
            "parent_code": BA_DINH,
            "unit_code": "",
            "valid_from": "2025-07-01",
            "email": "",
            "phone": "",
        },
    )
    assert response.status_code == 302, _html(response)
    created = Agency.objects.get(code="001.02.90.H26")
    assert created.parent_id == agency(BA_DINH).pk
    assert Agency.objects.count() == count + 1
    refused = client.post(
        reverse("web:agency_create"),
        {
            "code": "000.01.03.H26",
            "name": "Phòng thuộc Sở Tư pháp",
            "kind": "phong",
            "level": "1",
            "parent_code": SO_TU_PHAP,
            "valid_from": "2025-07-01",
        },
    )
    assert refused.status_code == 403
    assert Agency.objects.count() == count + 1


def test_agency_create_shows_service_errors(client, make_official):
    client.force_login(make_official("quantri.loi", CITY, ("admin", "subtree")))
    response = client.post(
        reverse("web:agency_create"),
        {
            "code": "sai-ma",
            "name": "Cơ quan thử",
            "kind": "phong",
            "level": "1",
            "parent_code": CITY,
        },
    )
    assert response.status_code == 400
    assert "Mã cơ quan &#x27;sai-ma&#x27; không đúng dạng 000.00.00.H26." in _html(response)
    assert 'role="alert"' in _html(response)


# --- officials ---------------------------------------------------------------------------------


def test_officials_list_is_scoped(client, make_official):
    admin = make_official("quantri.pv", BA_DINH, ("admin", "subtree"))
    make_official("motcua.pv", BA_DINH_CENTRE, ("desk_officer", "agency"))
    make_official("chuyenvien.stp", SO_TU_PHAP, ("specialist", "agency"))
    client.force_login(admin)
    response = client.get(reverse("web:officials"))
    usernames = [row["obj"].username for row in response.context["rows"]]
    assert usernames == ["quantri.pv", "motcua.pv"]
    assert "chuyenvien.stp" not in _html(response)
    assert client.get(reverse("web:official_detail", args=["chuyenvien.stp"])).status_code == 404


def test_officials_search(client, make_official):
    admin = make_official("quantri.tim", CITY, ("admin", "subtree"))
    make_official("chuyenvien.tim1", SO_TU_PHAP, ("specialist", "agency"))
    client.force_login(admin)
    response = client.get(reverse("web:officials"), {"q": "tim1"})
    assert [row["obj"].username for row in response.context["rows"]] == ["chuyenvien.tim1"]


def test_official_create_offers_only_managed_agencies(client, make_official, agency):
    client.force_login(make_official("quantri.tao", BA_DINH, ("admin", "subtree")))
    form = client.get(reverse("web:official_create"))
    choices = dict(form.context["form"].fields["agency"].choices)
    assert agency(BA_DINH).pk in choices and agency(BA_DINH_CENTRE).pk in choices
    assert agency(SO_TU_PHAP).pk not in choices
    assert len(choices) == 2
    response = client.post(
        reverse("web:official_create"),
        {
            "agency": agency(BA_DINH_CENTRE).pk,
            "username": "motcua.moi",
            "full_name": "Trần Thị Mới",
            "position": "Công chức một cửa",
            "email": "",
            "phone": "0912345678",
            "password": "MatKhauMoi@2025",
            "role_desk_officer": "agency",
        },
    )
    assert response.status_code == 302, _html(response)
    created = User.objects.get(username="motcua.moi")
    assert (created.agency_id, created.full_name, created.phone) == (
        agency(BA_DINH_CENTRE).pk,
        "Trần Thị Mới",
        "0912345678",
    )
    assert list(created.role_assignments.values_list("role", "scope")) == [("desk_officer", "agency")]
    # An agency outside the actor's scope is not a valid choice.
    users = User.objects.count()
    refused = client.post(
        reverse("web:official_create"),
        {
            "agency": agency(SO_TU_PHAP).pk,
            "username": "ngoai.phamvi",
            "full_name": "Ngoài Phạm Vi",
            "password": "MatKhauMoi@2025",
        },
    )
    assert refused.status_code == 400
    assert User.objects.count() == users


def test_official_edit_lock_and_password(client, make_official):
    admin = make_official("quantri.sua", BA_DINH, ("admin", "subtree"))
    target = make_official("motcua.sua", BA_DINH_CENTRE, ("desk_officer", "agency"))
    client.force_login(admin)
    url = reverse("web:official_detail", args=["motcua.sua"])
    assert "Khoá tài khoản" in _html(client.get(url))
    client.post(
        reverse("web:official_edit", args=["motcua.sua"]),
        {"full_name": "Đỗ Văn Sửa", "position": "Trưởng bộ phận", "email": "", "phone": ""},
    )
    client.post(reverse("web:official_active", args=["motcua.sua"]), {"active": "0"})
    response = client.post(
        reverse("web:official_password", args=["motcua.sua"]), {"password": "MatKhauKhac@99"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.full_name, target.position, target.is_active) == ("Đỗ Văn Sửa", "Trưởng bộ phận", False)
    assert target.check_password("MatKhauKhac@99")
    short = client.post(reverse("web:official_password", args=["motcua.sua"]), {"password": "ngan"})
    assert short.status_code == 400


def test_official_of_other_scope_cannot_be_changed(client, make_official):
    admin = make_official("quantri.khac", BA_DINH, ("admin", "subtree"))
    other = make_official("chuyenvien.khac", SO_TU_PHAP, ("specialist", "agency"))
    client.force_login(admin)
    events = AuditEvent.objects.count()
    response = client.post(reverse("web:official_active", args=["chuyenvien.khac"]), {"active": "0"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.is_active is True
    assert AuditEvent.objects.count() == events


def test_specialist_sees_but_cannot_manage_colleagues(client, make_official):
    user = make_official("chuyenvien.xem", SO_KHCN, ("specialist", "agency"))
    make_official("vanthu.xem", SO_KHCN, ("clerk", "agency"))
    client.force_login(user)
    html = _html(client.get(reverse("web:official_detail", args=["vanthu.xem"])))
    assert "Vanthu.Xem" in html
    assert "Đặt lại mật khẩu" not in html
    assert (
        client.post(
            reverse("web:official_password", args=["vanthu.xem"]), {"password": "MatKhauKhac@99"}
        ).status_code
        == 403
    )
    assert client.get(reverse("web:official_create")).status_code == 403


# --- units -------------------------------------------------------------------------------------


def test_units_browse_and_drill_down(client):
    provinces = client.get(reverse("web:units"))
    assert provinces.status_code == 200
    assert "Thành phố Hà Nội" in _html(provinces)
    wards = client.get(reverse("web:units"), {"cap_tren": "01"})
    assert wards.context["page"].paginator.count == 126
    old = client.get(reverse("web:units"), {"cap_tren": "01", "ngay": "2024-06-30"})
    assert old.context["page"].paginator.count == 30
    assert "Quận Ba Đình" in _html(old)


def test_unit_detail_shows_predecessors_with_shares(client):
    response = client.get(reverse("web:unit_detail", args=["00004"]), {"ngay": "2025-07-01"})
    html = _html(response)
    assert response.status_code == 200
    assert "<h1>Phường Ba Đình</h1>" in html
    assert "Hình thành từ" in html
    assert "Phường Trúc Bạch" in html
    assert "%" in html


def test_unit_not_found_is_a_friendly_404(client):
    response = client.get(reverse("web:unit_detail", args=["99999"]))
    assert response.status_code == 404
    assert "Không tìm thấy" in _html(response)
    assert "Không có đơn vị hành chính mã 99999." in _html(response)


def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy" in _html(response)


# --- English -----------------------------------------------------------------------------------


def test_pages_are_vietnamese_even_when_the_browser_accepts_english(client):
    html = _html(client.get(reverse("web:login"), headers={"accept-language": "en-US,en;q=0.9"}))
    assert '<html lang="vi">' in html
    assert "Mã xác thực 6 số" in html


def test_english_when_chosen(client):
    client.cookies["django_language"] = "en"
    html = _html(client.get(reverse("web:login")))
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "6-digit authentication code" in html


def test_english_with_language_cookie(client, make_official):
    client.force_login(make_official("vanthu.en", SO_KHCN, ("clerk", "agency")))
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("web:home")})
    assert response.status_code == 302
    html = _html(client.get(reverse("web:home")))
    assert "Your work" in html
    assert "Documents awaiting registration" in html
    assert "Document registers" in html
    assert "Register incoming documents, number outgoing ones" in html
    assert "Công việc của bạn" not in html
