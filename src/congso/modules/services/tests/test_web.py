"""The services pages through Django's test client: the public catalogue and a procedure's page, the
form generated from the procedure's version (prefilled from the population database, the service's
messages at each field, nothing filed on an error), idempotent filing from the form's key, the
citizen's dossiers, desk entry by a one-stop officer, public tracking that tells a wrong token and
an unknown code apart in no way, and the navigation."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_KHCN

from congso.core.audit.models import AuditEvent
from congso.modules.services import population
from congso.modules.services.models import Dossier, DossierFile, DossierStatus, IdempotencyKey
from congso.modules.services.services import tracking_digest
from congso.modules.services.tests.conftest import make_citizen

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
KHAI_SINH = "1.001193"
SUBMIT = f"/dich-vu-cong/thu-tuc/{KHAI_SINH}/nop/"
FORM = {
    "f_ho_ten_tre": "Nguyễn Minh Khang",
    "f_ngay_sinh": "2026-04-20",
    "f_gioi_tinh": "Nam",
    "f_noi_sinh": "Bệnh viện Phụ sản Hà Nội",
    "f_dan_toc": "Kinh",
    "f_ho_ten_me": "Trần Thị Mai",
    "f_ho_ten_cha": "",
    "f_quan_he": "Cha",
}


def _html(response: Any) -> str:
    return str(response.content.decode())


def _text(html: str) -> str:
    """The page's text: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def _main(html: str) -> str:
    match = re.search(r"<main.*</main>", html, re.S)
    assert match is not None
    return match.group(0)


def _procedure_codes(html: str) -> list[str]:
    return re.findall(r'<h3><a href="/dich-vu-cong/thu-tuc/([^/]+)/">', html)


def _key(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match, "the form carries its idempotency key"
    return match.group(1)


def _field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field__error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return html_lib.unescape(match.group(1)).strip() if match else ""


def _files(**names: bytes) -> dict[str, Any]:
    return {
        field: SimpleUploadedFile(f"{field}.pdf", content, content_type="application/pdf")
        for field, content in names.items()
    }


def _post(client: Client, key: str, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "idempotency_key": key,
        "agency": BA_DINH_CENTRE,
        **FORM,
        **_files(tep_0=PDF, tep_1=PDF + b"% giay chung sinh\n"),
    }
    data.update(overrides)
    return client.post(SUBMIT, {k: v for k, v in data.items() if v is not None})


@pytest.fixture
def citizen_client(client: Client, catalogue: None, citizen: Any) -> Client:
    client.force_login(citizen)
    return client


# --- catalogue -----------------------------------------------------------------------------------


def test_catalogue_searches_without_accents_or_by_code_filters_and_pages(
    client: Client, catalogue: None
) -> None:
    everything = client.get("/dich-vu-cong/")
    assert everything.status_code == 200
    assert "Tất cả 35 thủ tục" in _text(_html(everything))
    assert _procedure_codes(_html(everything))[:3] == ["1.000656", "1.000894", "1.001022"]
    assert 'href="?trang=2" rel="next"' in _html(everything)

    second = _html(client.get("/dich-vu-cong/", {"trang": 2}))
    assert len(_procedure_codes(second)) == 15
    assert "Trang 2/2" in second
    assert _procedure_codes(second)[-1] == "2.002622"

    found = _html(client.get("/dich-vu-cong/", {"q": "dang ky khai sinh"}))
    assert _procedure_codes(found) == ["1.001193", "2.002622"]
    assert "Tìm thấy 2 thủ tục" in _text(found)
    assert _text(found).count("1 ngày làm việc") == 1
    assert "Đăng ký khai sinh" in found

    by_code = _html(client.get("/dich-vu-cong/", {"q": "1.009994"}))
    assert _procedure_codes(by_code) == ["1.009994"]

    province = _html(client.get("/dich-vu-cong/", {"cap": "tinh"}))
    assert "Tìm thấy 8 thủ tục" in _text(province)
    assert '<option value="tinh" selected>' in province
    civil = _html(client.get("/dich-vu-cong/", {"linh_vuc": "Hộ tịch", "q": "khai sinh"}))
    assert _procedure_codes(civil) == ["1.001193", "1.004884", "2.002622"]
    assert '<option value="Hộ tịch" selected>' in civil
    # Filters paginate with their query kept; an unknown field or level is ignored.
    assert "Tất cả 35 thủ tục" in _text(
        _html(client.get("/dich-vu-cong/", {"cap": "huyen", "linh_vuc": "x"}))
    )
    nothing = _html(client.get("/dich-vu-cong/", {"q": "khong co thu tuc nay"}))
    assert "Không tìm thấy thủ tục nào phù hợp." in nothing


def test_procedure_page_marks_what_the_state_holds(client: Client, catalogue: None) -> None:
    response = client.get(f"/dich-vu-cong/thu-tuc/{KHAI_SINH}/")
    assert response.status_code == 200
    text = _text(_html(response))
    assert "Đăng ký khai sinh" in text
    assert "Thời hạn giải quyết 1 ngày làm việc" in text
    assert "Lệ phí Miễn phí Miễn lệ phí đăng ký khai sinh đúng hạn" in text
    assert "Dịch vụ công trực tuyến Toàn trình" in text
    assert "Luật Hộ tịch 2014; Nghị định 123/2015/NĐ-CP; Nghị định 120/2025/NĐ-CP" in text
    assert "Cơ quan giải quyết Ủy ban nhân dân xã, phường nơi nộp hồ sơ" in text
    assert "Áp dụng từ ngày 01/07/2025" in text
    held = "✓ Đã có trong cơ sở dữ liệu, không phải nộp"
    assert text.count(held) == 2
    assert f"Căn cước / căn cước công dân của người nộp hồ sơ Bản chính · Số lượng: 1 {held}" in text
    assert f"Giấy chứng sinh Bản chính · Số lượng: 1 {held}" not in text
    assert (
        "Tiếp nhận, kiểm tra, chuyển hồ sơ — Bộ phận một cửa (cấp xã): trong ngày, không tính riêng" in text
    )
    assert "Thẩm định, trình ký — Chuyên viên (cấp xã): 1 ngày làm việc" in text
    assert f'href="{SUBMIT}"' in _html(response)

    fee = _text(_html(client.get("/dich-vu-cong/thu-tuc/2.000505/")))
    assert "Lệ phí 200.000 đồng" in fee
    assert "Cơ quan giải quyết Sở Tư pháp" in fee
    assert "Dịch vụ công trực tuyến Toàn trình" in fee
    partial = _text(_html(client.get("/dich-vu-cong/thu-tuc/1.000894/")))
    assert "Dịch vụ công trực tuyến Một phần Nộp hồ sơ trực tuyến; nộp bản chính" in partial

    missing = client.get("/dich-vu-cong/thu-tuc/9.999999/")
    assert missing.status_code == 404
    assert "Không có thủ tục mã 9.999999 trong danh mục." in _html(missing)


# --- the form ------------------------------------------------------------------------------------


def test_the_form_asks_for_login_and_comes_back(client: Client, catalogue: None) -> None:
    page = client.get(SUBMIT)
    assert page.status_code == 200
    html = _html(page)
    assert "Đăng nhập để nộp hồ sơ" in html
    assert 'href="/eid/login/?next=%2Fdich-vu-cong%2Fthu-tuc%2F1.001193%2Fnop%2F"' in html
    assert 'href="/dang-nhap/?next=%2Fdich-vu-cong%2Fthu-tuc%2F1.001193%2Fnop%2F"' in html
    refused = client.post(SUBMIT, {"idempotency_key": "k1", **FORM})
    assert refused.status_code == 401
    assert Dossier.objects.count() == 0


def test_the_form_is_generated_from_the_version_and_prefilled(citizen_client: Client) -> None:
    response = citizen_client.get(SUBMIT)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    html = _html(response)
    person = population.FakePopulationRegistry().lookup("001090012345")
    assert person is not None
    text = _text(html)
    assert (
        "Họ và tên Nguyễn Văn An Số định danh cá nhân 001090012345 Ngày sinh 15/03/1990 "
        f"Nơi thường trú {person.address}"
    ) in text
    # The fields with the same rules as validate_form: required, types, choices, length.
    assert (
        '<input type="text" id="f-ho_ten_tre" name="f_ho_ten_tre" value="" maxlength="1000" required>' in html
    )
    assert '<input type="date" id="f-ngay_sinh" name="f_ngay_sinh" value="" required>' in html
    assert re.search(r'<select id="f-gioi_tinh" name="f_gioi_tinh" required>\s*<option value="">', html)
    assert '<option value="Nam">Nam</option><option value="Nữ">Nữ</option>' in html
    assert '<input type="text" id="f-ho_ten_cha" name="f_ho_ten_cha" value="" maxlength="1000">' in html
    assert "Họ, chữ đệm, tên của cha (không bắt buộc)" in text
    # Files only for what the state does not hold.
    assert re.findall(r'<input type="file" id="(t-\d)" name="(tep_\d)"', html) == [
        ("t-0", "tep_0"),
        ("t-1", "tep_1"),
    ]
    assert "Tờ khai đăng ký khai sinh Bản chính · Số lượng: 1" in text
    assert text.count("✓ Đã có trong cơ sở dữ liệu, không phải nộp") == 2
    # The desk of the ward the citizen lives in (population data) is chosen; 126 ward and commune
    # centres are offered, not the city's centre (a commune-level procedure).
    ward_desk = {"Phường Hoàn Kiếm": "004.01.90.H26"}[person.ward]
    assert f'<option value="{ward_desk}" selected>{person.ward}</option>' in html
    assert html.count('.01.90.H26"') == 126
    assert "000.00.29.H26" not in html
    assert len(_key(html)) >= 20
    assert _key(html) != _key(_html(citizen_client.get(SUBMIT)))


def test_province_procedure_defaults_to_the_city_centre(citizen_client: Client) -> None:
    html = _html(citizen_client.get("/dich-vu-cong/thu-tuc/2.000505/nop/"))
    assert (
        '<option value="000.00.29.H26" selected>Trung tâm Phục vụ hành chính công thành phố Hà Nội</option>'
        in html
    )
    assert html.count(" selected>") == 1
    assert (
        '<input type="number" id="f-so_ban" name="f_so_ban" value="" step="any" inputmode="decimal" required>'
        in html
    )


def test_errors_are_the_services_at_each_field_and_nothing_is_filed(citizen_client: Client) -> None:
    audit_before = AuditEvent.objects.count()
    response = _post(
        citizen_client,
        "k-errors",
        f_ho_ten_tre="  ",
        f_ngay_sinh="20/04/2026",
        f_gioi_tinh="Khác",
        tep_1=None,
        agency="",
    )
    assert response.status_code == 400
    html = _html(response)
    assert _field_error(html, "f-ho_ten_tre") == "Họ, chữ đệm, tên của trẻ: bắt buộc phải nhập."
    assert _field_error(html, "f-ngay_sinh") == (
        "Ngày sinh: ngày '20/04/2026' không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2026-04-29)."
    )
    assert _field_error(html, "f-gioi_tinh") == "Giới tính: 'Khác' không có trong danh sách: Nam, Nữ."
    assert _field_error(html, "f-agency") == "bắt buộc phải chọn"
    assert _field_error(html, "f-noi_sinh") == ""
    assert 'aria-invalid="true" aria-describedby="f-ho_ten_tre-error"' in html
    # What was typed stays; the idempotency key too; the files must be chosen again.
    assert 'name="f_noi_sinh" value="Bệnh viện Phụ sản Hà Nội"' in html
    assert '<option value="Cha" selected>Cha</option>' in html
    assert _key(html) == "k-errors"
    assert "hãy chọn lại tệp đính kèm" in html
    summary = re.search(r'<div class="alert alert--error" role="alert" id="sv-errors".*?</div>', html, re.S)
    assert summary is not None
    assert re.findall(r'<li><a href="#([^"]+)">', summary.group(0)) == [
        "f-ho_ten_tre",
        "f-ngay_sinh",
        "f-gioi_tinh",
        "f-agency",
    ]
    assert Dossier.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before

    # A required document missing: the message at its file input.
    missing = _post(citizen_client, "k-errors", tep_1=None)
    assert missing.status_code == 400
    assert _field_error(_html(missing), "t-1") == "Thiếu thành phần hồ sơ: Giấy chứng sinh."
    assert _field_error(_html(missing), "t-0") == ""
    empty = _post(citizen_client, "k-errors", tep_0=SimpleUploadedFile("rong.pdf", b"", "application/pdf"))
    assert empty.status_code == 400
    assert _field_error(_html(empty), "t-0") == "Tệp 'rong.pdf' rỗng."
    assert Dossier.objects.count() == 0


def test_filing_shows_code_due_date_and_token_once_and_a_double_post_files_once(
    citizen_client: Client, citizen: Any
) -> None:
    key = _key(_html(citizen_client.get(SUBMIT)))
    first = _post(citizen_client, key)
    assert first.status_code == 200
    assert first["Cache-Control"].startswith("max-age=0")
    dossier = Dossier.objects.get()
    assert dossier.code.startswith(f"{BA_DINH_CENTRE}-")
    assert dossier.code.endswith("-0001")
    assert (dossier.status, dossier.channel, dossier.applicant_id) == (
        DossierStatus.SUBMITTED,
        "online",
        citizen.pk,
    )
    assert dossier.form_data == {
        "ho_ten_tre": "Nguyễn Minh Khang",
        "ngay_sinh": "2026-04-20",
        "gioi_tinh": "Nam",
        "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
        "dan_toc": "Kinh",
        "ho_ten_me": "Trần Thị Mai",
        "quan_he": "Cha",
    }
    assert list(DossierFile.objects.values_list("document", "name", "size")) == [
        ("Tờ khai đăng ký khai sinh", "tep_0.pdf", len(PDF)),
        ("Giấy chứng sinh", "tep_1.pdf", len(PDF) + 18),
    ]
    html = _html(first)
    token = re.search(r'<span class="sv-token" id="sv-token">([^<]+)</span>', html)
    assert token is not None
    assert tracking_digest(token.group(1)) == dossier.tracking_digest
    assert f'<span class="sv-code" id="sv-dossier-code">{dossier.code}</span>' in html
    due = dossier.due_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert f"Hạn giải quyết {due:%d/%m/%Y} (trước 17:00)" in _text(html)
    assert "Mã tra cứu chỉ hiển thị một lần" in html
    assert f'href="/dich-vu-cong/tra-cuu/?ma={dossier.code}"' in html

    # The same POST again (a double click, a reload): the same dossier, nothing new.
    again = _post(citizen_client, key)
    assert again.status_code == 200
    assert "hệ thống không nộp thêm lần nữa" in _html(again)
    assert f'id="sv-token">{token.group(1)}<' in _html(again)
    assert Dossier.objects.count() == 1
    assert DossierFile.objects.count() == 2

    # The same key with something changed: nothing filed, a fresh key, a clear message.
    changed = _post(citizen_client, key, f_dan_toc="Tày")
    assert changed.status_code == 409
    assert "Tờ khai này đã được dùng để nộp một hồ sơ trước đó." in _html(changed)
    new_key = _key(_html(changed))
    assert new_key != key
    assert Dossier.objects.count() == 1
    second = _post(citizen_client, new_key, f_dan_toc="Tày")
    assert second.status_code == 200
    assert Dossier.objects.count() == 2


def test_a_file_over_the_limit_is_refused(citizen_client: Client, settings: Any) -> None:
    from congso.modules.services import services

    big = SimpleUploadedFile("lon.pdf", b"%PDF" + b"0" * services.MAX_FILE_BYTES, "application/pdf")
    response = _post(citizen_client, "k-big", tep_1=big)
    assert response.status_code == 400
    assert _field_error(_html(response), "t-1") == "Tệp 'lon.pdf' vượt quá 20 MB."
    assert Dossier.objects.count() == 0


# --- the citizen's dossiers ----------------------------------------------------------------------


def test_my_dossiers_and_a_dossiers_page_are_the_applicants_only(
    citizen_client: Client, client: Client
) -> None:
    _post(citizen_client, "k-mine")
    dossier = Dossier.objects.get()
    listing = citizen_client.get("/dich-vu-cong/ho-so/")
    assert listing.status_code == 200
    text = _text(_html(listing))
    received = dossier.received_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    due = dossier.due_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert (
        f"{dossier.code} Đăng ký khai sinh {received:%d/%m/%Y} {due:%d/%m/%Y} Đã nộp, chờ tiếp nhận "
        "Trung tâm Phục vụ hành chính công Phường Ba Đình"
    ) in text
    assert "Danh sách hồ sơ" in text
    assert "Không có hồ sơ nào ở trạng thái này." in _html(
        citizen_client.get("/dich-vu-cong/ho-so/", {"trang_thai": "done"})
    )

    page = citizen_client.get(f"/dich-vu-cong/ho-so/{dossier.code}/")
    assert page.status_code == 200
    text = _text(_html(page))
    assert f"Hồ sơ {dossier.code} Đã nộp, chờ tiếp nhận" in text
    assert "Họ, chữ đệm, tên của trẻ Nguyễn Minh Khang Ngày sinh 20/04/2026" in text
    assert "Họ, chữ đệm, tên của cha —" in text
    assert "Cơ quan giải quyết Ủy ban nhân dân Phường Ba Đình" in text
    assert "Quá trình xử lý" in text
    assert "Nộp trực tuyến — Trung tâm Phục vụ hành chính công Phường Ba Đình" in text
    first_file = DossierFile.objects.order_by("id").first()
    assert first_file is not None
    download = citizen_client.get(f"/dich-vu-cong/ho-so/{dossier.code}/tep/{first_file.sha256}/")
    assert download.status_code == 200
    assert download.content == PDF
    assert download["Content-Disposition"] == 'attachment; filename="tep_0.pdf"'

    # Another citizen, and an anonymous visitor, see nothing of it.
    other = make_citizen("001185004321", "Trần Thị Bích Ngọc")
    client.force_login(other)
    assert client.get(f"/dich-vu-cong/ho-so/{dossier.code}/").status_code == 404
    assert client.get(f"/dich-vu-cong/ho-so/{dossier.code}/tep/{first_file.sha256}/").status_code == 404
    assert dossier.code not in _html(client.get("/dich-vu-cong/ho-so/"))
    anonymous = Client()
    asked = anonymous.get(f"/dich-vu-cong/ho-so/{dossier.code}/")
    assert asked.status_code == 200
    assert dossier.code not in _text(_main(_html(asked)))
    assert "Đăng nhập để xem hồ sơ của bạn" in _html(asked)


def test_the_applicant_follows_the_processing_without_the_officials_names(
    citizen_client: Client, make_official: Any
) -> None:
    from congso.modules.services import processing

    _post(citizen_client, "k-follow")
    dossier = Dossier.objects.get()
    clerk = make_official("motcua.theodoi", BA_DINH_CENTRE, ("desk_officer", "agency"))
    clerk.full_name = "Lê Thị Cán Bộ"
    clerk.save(update_fields=["full_name"])
    processing.dossier_accept(actor=clerk, dossier=dossier)
    processing.dossier_request_supplement(
        actor=clerk,
        dossier=Dossier.objects.get(),
        items=["Giấy chứng sinh bản rõ nét"],
        reason="Bản quét bị mờ.",
    )
    html = _html(citizen_client.get(f"/dich-vu-cong/ho-so/{dossier.code}/"))
    text = _text(html)
    assert f"Hồ sơ {dossier.code} Yêu cầu bổ sung hồ sơ" in text
    centre = "Trung tâm Phục vụ hành chính công Phường Ba Đình"
    history = text[text.index("Quá trình xử lý") :]
    assert re.sub(r"\d\d:\d\d \d\d/\d\d/\d{4} ", "", history) == (
        f"Quá trình xử lý Nộp trực tuyến — {centre} Tiếp nhận hồ sơ — {centre} "
        f"Yêu cầu bổ sung hồ sơ — {centre} Bản quét bị mờ. - Giấy chứng sinh bản rõ nét "
        "congso — nền tảng chính quyền số mã nguồn mở. Thành phố Hà Nội."
    )
    assert "Lê Thị Cán Bộ" not in html
    assert "motcua.theodoi" not in html


# --- desk entry ----------------------------------------------------------------------------------


def test_a_desk_officer_enters_a_paper_dossier_at_their_desk(
    client: Client, catalogue: None, make_official: Any
) -> None:
    clerk = make_official("motcua.web", BA_DINH_CENTRE, ("desk_officer", "agency"))
    client.force_login(clerk)
    form = _html(client.get(SUBMIT))
    assert "Tiếp nhận hồ sơ: Đăng ký khai sinh" in form
    assert 'name="agency"' not in form
    assert 'pattern="[0-9]{12}"' in form
    key = _key(form)

    looked_up = client.post(
        SUBMIT, {"idempotency_key": key, "applicant_id_number": "001185004321", "tra_cuu": "1"}
    )
    assert looked_up.status_code == 200
    html = _html(looked_up)
    assert 'name="applicant_name" value="Trần Thị Bích Ngọc"' in html
    assert "Ngày sinh 02/11/1985 Giới tính Nữ" in _text(html)
    assert _key(html) == key
    missed = client.post(
        SUBMIT, {"idempotency_key": key, "applicant_id_number": "001185000000", "tra_cuu": "1"}
    )
    assert "Không tìm thấy số định danh này" in _html(missed)
    assert Dossier.objects.count() == 0

    bad = client.post(SUBMIT, {"idempotency_key": key, "applicant_id_number": "12345", **FORM})
    assert bad.status_code == 400
    assert _field_error(_html(bad), "f-applicant-id") == "Số định danh cá nhân: phải gồm đúng 12 chữ số."
    assert _field_error(_html(bad), "f-applicant-name") == "Họ tên người nộp: bắt buộc phải nhập."
    assert Dossier.objects.count() == 0

    filed = client.post(
        SUBMIT,
        {
            "idempotency_key": key,
            "applicant_id_number": "001185004321",
            "applicant_name": "Trần Thị Bích Ngọc",
            "applicant_phone": "0912000002",
            **FORM,
        },
    )
    assert filed.status_code == 200
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.status, dossier.applicant_name, dossier.receiving_agency.code) == (
        "desk",
        DossierStatus.ACCEPTED,
        "Trần Thị Bích Ngọc",
        BA_DINH_CENTRE,
    )
    assert "Đã tiếp nhận hồ sơ" in _html(filed)
    assert re.search(r'id="sv-token">[^<]+<', _html(filed))


def test_an_official_who_does_not_receive_dossiers_is_refused(
    client: Client, catalogue: None, make_official: Any
) -> None:
    client.force_login(make_official("chuyenvien.web", SO_KHCN, ("specialist", "agency")))
    assert client.get(SUBMIT).status_code == 403
    refused = client.post(SUBMIT, {"idempotency_key": "k", "applicant_id_number": "001185004321", **FORM})
    assert refused.status_code == 403
    assert Dossier.objects.count() == 0
    client.force_login(make_official("lanhdao.bd", BA_DINH, ("leader", "subtree")))
    assert client.get(SUBMIT).status_code == 403


# --- public tracking -----------------------------------------------------------------------------


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_tracking_needs_code_and_token_and_says_the_same_otherwise(citizen_client: Client) -> None:
    first = _html(_post(citizen_client, "k-track"))
    token_match = re.search(r'id="sv-token">([^<]+)<', first)
    assert token_match is not None
    token = token_match.group(1)
    dossier = Dossier.objects.get()

    anonymous = Client()
    form = anonymous.get("/dich-vu-cong/tra-cuu/", {"ma": dossier.code})
    assert form.status_code == 200
    assert f'name="ma_ho_so" value="{dossier.code}"' in _html(form)

    found = anonymous.post(
        "/dich-vu-cong/tra-cuu/", {"ma_ho_so": dossier.code.lower(), "ma_tra_cuu": f" {token} "}
    )
    assert found.status_code == 200
    assert found["Cache-Control"].startswith("max-age=0")
    text = _text(_html(found))
    received = dossier.received_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    due = dossier.due_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
    assert (
        f"Hồ sơ {dossier.code} Thủ tục Đăng ký khai sinh Trạng thái Đã nộp, chờ tiếp nhận "
        f"Ngày nhận hồ sơ {received:%d/%m/%Y} Hạn giải quyết {due:%d/%m/%Y} "
        "Nơi đang xử lý Trung tâm Phục vụ hành chính công Phường Ba Đình"
    ) in text
    # Only what the API's /track reveals: not the applicant, the form or the files.
    for secret in ("Nguyễn Văn An", "001090012345", "Nguyễn Minh Khang", "tep_0.pdf", token):
        assert secret not in _html(found)

    wrong = anonymous.post(
        "/dich-vu-cong/tra-cuu/",
        {"ma_ho_so": dossier.code, "ma_tra_cuu": token[:-1] + ("y" if token.endswith("x") else "x")},
    )
    unknown = anonymous.post(
        "/dich-vu-cong/tra-cuu/", {"ma_ho_so": dossier.code[:-1] + "9", "ma_tra_cuu": token}
    )
    empty = anonymous.post("/dich-vu-cong/tra-cuu/", {"ma_ho_so": dossier.code, "ma_tra_cuu": ""})
    for miss in (wrong, unknown, empty):
        assert miss.status_code == 404
        assert "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập." in _html(miss)
        assert "Đăng ký khai sinh" not in _html(miss)
    assert _without_csrf(_html(wrong)) == _without_csrf(_html(empty))
    assert _without_csrf(_html(wrong)).replace(dossier.code, "") == _without_csrf(_html(unknown)).replace(
        dossier.code[:-1] + "9", ""
    )


# --- population data and navigation --------------------------------------------------------------


def test_fake_population_registry_is_deterministic_and_agrees_with_the_fake_eid() -> None:
    registry = population.registry()
    assert isinstance(registry, population.FakePopulationRegistry)
    an = registry.lookup("001090012345")
    assert an is not None
    assert (an.full_name, an.birth_date, an.gender) == ("Nguyễn Văn An", dt.date(1990, 3, 15), "Nam")
    assert an == population.FakePopulationRegistry().lookup(" 001090012345 ")
    someone = registry.lookup("001305123456")
    assert someone is not None
    assert (someone.gender, someone.birth_date.year) == ("Nữ", 2005)
    assert someone.address.endswith(f", {someone.ward}, Thành phố Hà Nội")
    assert registry.lookup("001305000000") is None
    assert registry.lookup("0013051234") is None
    assert registry.lookup("001905123456") is None  # no century digit 9


def test_fake_addresses_are_in_wards_that_have_a_one_stop_centre_today() -> None:
    from congso.core.org import selectors as org_selectors

    desks = {
        a.unit.name
        for a in org_selectors.agencies_as_of(as_of=org_selectors.today(), kind="mot_cua")
        if a.unit is not None
    }
    assert {ward for ward, _street in population._STREETS} <= desks


def test_unknown_registry_is_a_configuration_error(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.POPULATION_REGISTRY = "vneid"
    with pytest.raises(ImproperlyConfigured):
        population.registry()


def test_navigation_for_citizens_visitors_and_desk_officers(
    client: Client, catalogue: None, citizen: Any, make_official: Any
) -> None:
    def nav(path: str) -> list[tuple[str, bool]]:
        html = _html(client.get(path))
        block = re.search(r'<nav class="nav".*?</nav>', html, re.S)
        assert block is not None
        return [
            (label, bool(current))
            for _href, current, label in re.findall(
                r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', block.group(0)
            )
        ]

    assert nav("/dich-vu-cong/") == [("Dịch vụ công", True), ("Đơn vị hành chính", False)]
    client.force_login(citizen)
    assert nav("/dich-vu-cong/ho-so/") == [
        ("Trang chủ", False),
        ("Dịch vụ công", False),
        ("Hồ sơ của tôi", True),
        ("Đơn vị hành chính", False),
    ]
    assert nav(f"/dich-vu-cong/thu-tuc/{KHAI_SINH}/")[1] == ("Dịch vụ công", True)
    home = _html(client.get("/"))
    assert 'href="/dich-vu-cong/ho-so/">Xem hồ sơ của tôi</a>' in home
    assert 'href="/dich-vu-cong/">Tìm thủ tục, nộp hồ sơ</a>' in home
    client.force_login(make_official("motcua.nav", BA_DINH_CENTRE, ("desk_officer", "agency")))
    assert ("Dịch vụ công", False) in nav("/")
