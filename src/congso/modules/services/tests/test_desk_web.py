"""The one-stop desk and processing pages (views_desk.py) through Django's test client: a desk officer
of Ba Đình ward's centre enters a paper dossier (the desk ticks each document it has checked),
accepts it and downloads the receipt, asks for a supplement (the clock stops, the due date moves
when it is answered), hands it to the ward, the ward to the city's Department of Justice, whose
director signs the result (signed and sealed); the desk hands it back. Officials of other agencies
get 404 and change nothing; an action in the wrong status says why in Vietnamese and changes
nothing; the queue's tabs and the navigation."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_TU_PHAP

from congso.core import signing
from congso.modules.services import services
from congso.modules.services.models import (
    Dossier,
    IdempotencyKey,
)
from congso.modules.services.tests.conftest import dossier_state, publish_linked

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LINKED = "9.990002"  # checked at the ward, settled by the city's Department of Justice
OTHER_WARD = "002.00.90.H26"
OTHER_CENTRE = "002.01.90.H26"
DESK = "/dich-vu-cong/mot-cua/"
ENTRY = DESK + "tiep-nhan/"
APPLICANT = {
    "applicant_id_number": "001185004321",
    "applicant_name": "Trần Thị Bích Ngọc",
    "applicant_phone": "0912000002",
    "f_noi_dung": "Xác nhận thông tin cư trú",
    "f_dia_chi": "Số 5, phố Đội Cấn, phường Ba Đình, Hà Nội",
}


def at(monkeypatch: Any, *args: int) -> dt.datetime:
    moment = dt.datetime(*args, tzinfo=VN)
    monkeypatch.setattr(services, "_now", lambda: moment)
    return moment


@pytest.fixture
def linked(db: Any) -> None:
    name = "Xác nhận thông tin liên thông phường – Sở (thử nghiệm)"
    publish_linked(code=LINKED, name=name, online_level="mot_phan")


@pytest.fixture
def people(make_official: Any) -> dict[str, Any]:
    leader = make_official("ld.stp", SO_TU_PHAP, ("leader", "agency"))
    leader.full_name, leader.position = "Lê Văn Sở", "Giám đốc Sở Tư pháp"
    leader.save(update_fields=["full_name", "position"])
    desk = make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency"))
    desk.full_name = "Phạm Thu Hà"
    desk.save(update_fields=["full_name"])
    ward = make_official("cv.badinh", BA_DINH, ("specialist", "agency"))
    ward.full_name = "Đỗ Minh Tuấn"
    ward.save(update_fields=["full_name"])
    return {
        "desk": desk,
        "ward": ward,
        "dept": make_official("cv.stp", SO_TU_PHAP, ("specialist", "agency")),
        "leader": leader,
        "other_ward": make_official("cv.khac", OTHER_WARD, ("specialist", "agency")),
        "other_desk": make_official("mc.khac", OTHER_CENTRE, ("desk_officer", "agency")),
    }


def as_(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def page(response: Any) -> str:
    return str(response.content.decode())


def text(html: str) -> str:
    """The main part's text: tags dropped, entities decoded, spaces collapsed."""
    match = re.search(r"<main.*</main>", html, re.S)
    body = match.group(0) if match else html
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def key_of(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match, "the form carries its idempotency key"
    return match.group(1)


def field_error(html: str, field_id: str) -> str:
    match = re.search(rf'<p class="field__error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return html_lib.unescape(match.group(1)).strip() if match else ""


def flash(html: str) -> str:
    match = re.search(r'<div class="flash" role="status">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def tabs(html: str) -> list[tuple[str, int, bool]]:
    """The queue's tabs: (label, count, current)."""
    nav = re.search(r'<nav class="dk-tabs".*?</nav>', html, re.S)
    assert nav is not None
    out = []
    for current, label, count in re.findall(
        r'<a href="\?tab=[^"]+"( aria-current="page")?>([^<]+)(?:<span class="dk-count">'
        r'<span class="visually-hidden">\(</span>(\d+)<span)?',
        nav.group(0),
    ):
        out.append((label.strip(), int(count or 0), bool(current)))
    return out


def rows(html: str) -> list[str]:
    """The queue's rows, as text."""
    table = re.search(r'<table[^>]*id="dk-list">.*?</table>', html, re.S)
    if table is None:
        return []
    return [text(r) for r in re.findall(r"<tr[^>]*>.*?</tr>", table.group(0), re.S)[1:]]


def dd(html: str, element_id: str) -> str:
    match = re.search(rf'id="{re.escape(element_id)}">(.*?)</(?:dd|strong|span)>', html, re.S)
    assert match, element_id
    return text(match.group(1))


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)


def slip_link(html: str, kind: str) -> str:
    match = re.search(rf'href="(/dich-vu-cong/mot-cua/ho-so/[^"]+/phieu/{kind}/\?sha256=[0-9a-f]+)"', html)
    assert match, f"a link to the {kind} slip"
    return html_lib.unescape(match.group(1))


def download(client: Client, url: str, code: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    assert code in pdf_text(content)
    return bytes(content)


def enter(client: Client, monkeypatch: Any) -> Dossier:
    """Thursday 23 April 2026, 09:00: the desk enters the paper dossier."""
    at(monkeypatch, 2026, 4, 23, 9, 0)
    form = page(client.get(ENTRY, {"thu_tuc": LINKED}))
    response = client.post(
        ENTRY, {"thu_tuc": LINKED, "idempotency_key": key_of(form), **APPLICANT, "nhan_0": "1"}
    )
    assert response.status_code == 302
    return Dossier.objects.get()


def act(client: Client, d: Dossier, slug: str, **data: Any) -> Any:
    return client.post(f"{DESK}ho-so/{d.code}/thao-tac/{slug}/", data)


# --- The whole path through the pages ------------------------------------------------------------


def test_a_paper_dossier_from_the_desk_to_the_department_and_back(
    client: Client, linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    p = people
    desk = as_(client, p["desk"])

    # The nav leads to the desk; the desk finds the procedure without accents.
    at(monkeypatch, 2026, 4, 23, 9, 0)
    home = page(desk.get("/"))
    assert '<a href="/dich-vu-cong/mot-cua/">Một cửa</a>' in home
    found = page(desk.get(ENTRY, {"q": "lien thong phuong"}))
    assert "Tìm thấy 1 thủ tục" in text(found)
    assert f'href="/dich-vu-cong/mot-cua/tiep-nhan/?thu_tuc={LINKED}"' in found

    # The form of the version: the applicant, the form, a tick and a scan per document.
    form = page(desk.get(ENTRY, {"thu_tuc": LINKED}))
    assert "Tiếp nhận hồ sơ giấy: Xác nhận thông tin liên thông phường – Sở (thử nghiệm)" in text(form)
    assert 'name="nhan_0"' in form and 'name="nhan_1"' in form and 'name="tep_0"' in form
    key = key_of(form)

    # The required document is not ticked: nothing is filed; what was typed stays.
    missing = desk.post(ENTRY, {"thu_tuc": LINKED, "idempotency_key": key, **APPLICANT})
    assert missing.status_code == 400
    html = page(missing)
    assert field_error(html, "t-0") == "Chưa kiểm tra, đánh dấu đã nhận: Tờ khai đề nghị."
    assert "Hồ sơ chưa đủ thành phần hoặc còn lỗi, chưa được tiếp nhận." in text(html)
    assert 'name="applicant_name" value="Trần Thị Bích Ngọc"' in html
    assert 'value="Số 5, phố Đội Cấn, phường Ba Đình, Hà Nội"' in html
    assert key_of(html) == key
    assert Dossier.objects.count() == 0

    # The service's own errors at their fields, in Vietnamese.
    bad = desk.post(
        ENTRY,
        {"thu_tuc": LINKED, "idempotency_key": key, **APPLICANT, "applicant_id_number": "123", "nhan_0": "1"},
    )
    assert bad.status_code == 400
    assert field_error(page(bad), "f-applicant-id") == "Số định danh cá nhân: phải gồm đúng 12 chữ số."
    assert Dossier.objects.count() == 0

    # Ticked, with a scan: filed at the desk, then to its page with the tracking token once.
    data = {
        "thu_tuc": LINKED,
        "idempotency_key": key,
        **APPLICANT,
        "nhan_0": "1",
        "tep_0": SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf"),
    }
    filed = desk.post(ENTRY, data)
    d = Dossier.objects.get()
    assert filed.status_code == 302 and filed["Location"] == f"{DESK}ho-so/{d.code}/"
    assert (d.channel, d.status, d.applicant_name, d.receiving_agency.code, d.competent_agency.code) == (
        "desk",
        "accepted",
        "Trần Thị Bích Ngọc",
        BA_DINH_CENTRE,
        SO_TU_PHAP,
    )
    assert d.code == f"{BA_DINH_CENTRE}-260423-0001"
    assert d.due_at == dt.datetime(2026, 5, 7, 17, 0, tzinfo=VN)
    assert list(d.files.values_list("document", "name")) == [("Tờ khai đề nghị", "to-khai.pdf")]
    html = page(desk.get(filed["Location"]))
    notice = text(flash(html))
    assert notice.startswith(
        f"Đã nhập hồ sơ {d.code}, hạn giải quyết 17:00 07/05/2026. "
        "Mã tra cứu của người nộp (chỉ hiện một lần):"
    )
    token = notice.rsplit(" ", 1)[1]
    assert services.tracking_digest(token) == d.tracking_digest
    assert dd(html, "dk-status") == "Đã tiếp nhận"
    # The same form sent again (a double click) files nothing more.
    data["tep_0"] = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")
    again = desk.post(ENTRY, data)
    assert again["Location"] == filed["Location"]
    assert (Dossier.objects.count(), IdempotencyKey.objects.count()) == (1, 1)
    assert "Hồ sơ " + d.code + " đã được nhập trước đó." in text(flash(page(desk.get(again["Location"]))))

    # The queue: waiting for acceptance at this desk.
    queue = page(desk.get(DESK))
    assert tabs(queue) == [
        ("Chờ tiếp nhận", 1, True),
        ("Đang xử lý", 0, False),
        ("Chờ bổ sung", 0, False),
        ("Chờ trả kết quả", 0, False),
        ("Đã xong", 0, False),
    ]
    assert rows(queue) == [
        f"{d.code} Xác nhận thông tin liên thông phường – Sở (thử nghiệm) Trần Thị Bích Ngọc "
        "09:00 23/04/2026 17:00 07/05/2026 Còn 7 ngày làm việc"
    ]

    # 10:00: accepted; the receipt (Mẫu 01) is linked from the message and the page.
    at(monkeypatch, 2026, 4, 23, 10, 0)
    html = page(desk.get(f"{DESK}ho-so/{d.code}/"))
    assert 'action="/dich-vu-cong/mot-cua/ho-so/' + d.code + '/thao-tac/tiep-nhan/"' in html
    accepted = act(desk, d, "tiep-nhan")
    assert accepted.status_code == 302
    html = page(desk.get(accepted["Location"]))
    assert text(flash(html)) == (
        f"Đã tiếp nhận hồ sơ {d.code}, hẹn trả kết quả lúc 17:00 07/05/2026. "
        "Tải Giấy tiếp nhận hồ sơ và hẹn trả kết quả (PDF)"
    )
    receipt = download(desk, slip_link(flash(html), "receipt"), d.code)
    assert "Mẫu số 01" in pdf_text(receipt)
    assert slip_link(html, "receipt") == slip_link(flash(html), "receipt")
    assert dd(html, "dk-status") == "Đang giải quyết"
    assert dd(html, "dk-step") == (
        "1. Tiếp nhận, kiểm tra, chuyển hồ sơ — "
        "Trung tâm Phục vụ hành chính công Phường Ba Đình · Phạm Thu Hà"
    )
    assert "thao-tac/tiep-nhan/" not in html  # done: no longer offered
    queue = page(desk.get(DESK, {"tab": "dang-xu-ly"}))
    assert [t[:2] for t in tabs(queue)][:2] == [("Chờ tiếp nhận", 0), ("Đang xử lý", 1)]
    assert rows(queue) == [
        f"{d.code} Xác nhận thông tin liên thông phường – Sở (thử nghiệm) Trần Thị Bích Ngọc "
        "Tiếp nhận, kiểm tra, chuyển hồ sơ Trung tâm Phục vụ hành chính công Phường Ba Đình · Phạm Thu Hà "
        "17:00 24/04/2026 Còn 1 ngày làm việc"
    ]

    # Friday 24 April, 15:00: the desk asks for a supplement; the clock stops. Due today, marked.
    at(monkeypatch, 2026, 4, 24, 15, 0)
    queue = page(desk.get(DESK, {"tab": "dang-xu-ly"}))
    assert 'class="dk-today"' in queue and rows(queue)[0].endswith("Hạn hôm nay")
    asked = act(
        desk, d, "yeu-cau-bo-sung", items="Bản sao giấy tờ liên quan\n\n", reason="Thiếu giấy tờ chứng minh"
    )
    html = page(desk.get(asked["Location"]))
    assert text(flash(html)).startswith(
        f"Đã yêu cầu bổ sung hồ sơ {d.code}. Thời hạn giải quyết tạm dừng cho đến khi người nộp bổ sung."
    )
    assert "Mẫu số 02" in pdf_text(download(desk, slip_link(flash(html), "supplement_request"), d.code))
    assert dd(html, "dk-due") == "17:00 07/05/2026"
    assert "Tạm dừng chờ bổ sung" in text(html)
    assert dd(html, "dk-paused") == "Đang tạm dừng từ 15:00 24/04/2026; 0 ngày làm việc"
    assert [t[:2] for t in tabs(page(desk.get(DESK)))] == [
        ("Chờ tiếp nhận", 0),
        ("Đang xử lý", 0),
        ("Chờ bổ sung", 1),
        ("Chờ trả kết quả", 0),
        ("Đã xong", 0),
    ]

    # Tuesday 28 April, 09:00: the applicant brings the paper; the desk scans it in. One working day
    # stood still (28/4; 25–27/4 are days off): the due date moves to Friday 8 May.
    at(monkeypatch, 2026, 4, 28, 9, 0)
    supplied = act(
        desk,
        d,
        "nhan-bo-sung",
        tep_1=SimpleUploadedFile("giay-to.pdf", PDF + b"%2\n", content_type="application/pdf"),
        note="Đã bổ sung bản sao",
    )
    html = page(desk.get(supplied["Location"]))
    assert (
        text(flash(html)) == "Đã nhận hồ sơ bổ sung; thời hạn giải quyết tính tiếp, hạn mới 17:00 08/05/2026."
    )
    assert dd(html, "dk-due") == "17:00 08/05/2026"
    assert dd(html, "dk-paused") == "1 ngày làm việc"
    assert sorted(d.files.values_list("name", flat=True)) == ["giay-to.pdf", "to-khai.pdf"]

    # 10:00: to the ward's specialist, chosen from the officials who may do the next step.
    at(monkeypatch, 2026, 4, 28, 10, 0)
    html = page(desk.get(f"{DESK}ho-so/{d.code}/"))
    assert f'<option value="{p["ward"].pk}">Đỗ Minh Tuấn</option>' in html
    assert f'value="{p["other_ward"].pk}"' not in html
    moved = act(desk, d, "chuyen-xu-ly", to_official=str(p["ward"].pk), note="Chuyển xác minh")
    html = page(desk.get(moved["Location"]))
    assert text(flash(html)) == (
        f"Đã chuyển hồ sơ {d.code} đến Đỗ Minh Tuấn — Ủy ban nhân dân Phường Ba Đình. "
        "Tải Phiếu kiểm soát quá trình giải quyết hồ sơ (PDF)"
    )
    assert "Mẫu số 05" in pdf_text(download(desk, slip_link(flash(html), "control"), d.code))
    assert dd(html, "dk-current") == "Ủy ban nhân dân Phường Ba Đình"
    assert "thao-tac/chuyen-xu-ly/" not in html  # the desk no longer holds the step

    # Wednesday 29 April, 14:00: the ward's specialist finds it in their queue and hands it on to
    # the Department of Justice (anyone there).
    at(monkeypatch, 2026, 4, 29, 14, 0)
    ward = as_(Client(), p["ward"])
    queue = page(ward.get(DESK))
    assert [t for t in tabs(queue) if t[2]] == [("Đang xử lý", 1, True)]
    assert rows(queue)[0].endswith(
        "Xác minh tại UBND phường Ủy ban nhân dân Phường Ba Đình · Đỗ Minh Tuấn "
        "17:00 04/05/2026 Còn 1 ngày làm việc"
    )
    moved = act(ward, d, "chuyen-xu-ly")
    assert text(flash(page(ward.get(moved["Location"])))).startswith(
        f"Đã chuyển hồ sơ {d.code} đến Sở Tư pháp."
    )

    # Wednesday 6 May, 10:00: the department's specialist to the director.
    at(monkeypatch, 2026, 5, 6, 10, 0)
    dept = as_(Client(), p["dept"])
    assert len(rows(page(dept.get(DESK, {"tab": "dang-xu-ly"})))) == 1
    act(dept, d, "chuyen-xu-ly", to_official=str(p["leader"].pk))

    # Thursday 7 May, 15:00: the director signs the result; then the seal.
    at(monkeypatch, 2026, 5, 7, 15, 0)
    leader = as_(Client(), p["leader"])
    html = page(leader.get(f"{DESK}ho-so/{d.code}/"))
    assert "Ký kết quả giải quyết" in text(html) and "thao-tac/xin-loi/" in html
    decided = act(
        leader,
        d,
        "ky-ket-qua",
        title="Giấy xác nhận",
        body="Sở Tư pháp xác nhận thông tin của bà Trần Thị Bích Ngọc là đúng.",
    )
    html = page(leader.get(decided["Location"]))
    assert text(flash(html)) == (
        f"Đã ký số kết quả giải quyết hồ sơ {d.code}; kết quả chuyển về Trung tâm Phục vụ hành chính công "
        "Phường Ba Đình để trả. Tải Kết quả giải quyết thủ tục hành chính (PDF)"
    )
    result = download(leader, slip_link(flash(html), "result"), d.code)
    report = signing.validate_pdf(result)
    assert report.ok, report.problems
    assert [(s.field, s.intact, s.valid, s.signer) for s in report.signatures] == [
        (f"LanhDao_{p['leader'].pk}", True, True, "Lê Văn Sở"),
        ("ConDau_000_00_03_H26", True, True, "Sở Tư pháp"),
    ]
    assert dd(html, "dk-status") == "Đã có kết quả"

    # Friday 8 May, 09:00: the desk hands it back, on time (signed 7 May, due 8 May after the pause).
    at(monkeypatch, 2026, 5, 8, 9, 0)
    assert [t[:2] for t in tabs(page(desk.get(DESK)))][3] == ("Chờ trả kết quả", 1)
    returned = act(desk, d, "tra-ket-qua")
    html = page(desk.get(returned["Location"]))
    d.refresh_from_db()
    assert (d.status, d.on_time) == ("returned", True)
    assert text(flash(html)) == (
        f"Đã trả kết quả hồ sơ {d.code} (đúng hạn). Tải Phiếu kiểm soát quá trình giải quyết hồ sơ (PDF)"
    )
    assert dd(html, "dk-status") == "Đã trả kết quả"
    assert "Việc cần làm" not in text(html)
    # The steps (two agencies), the control log and the papers are on the page.
    steps = re.search(r'<table[^>]*id="dk-steps">.*?</table>', html, re.S)
    assert steps is not None
    assert [text(r) for r in re.findall(r"<tr[^>]*>.*?</tr>", steps.group(0), re.S)[1:]] == [
        "1. Tiếp nhận, kiểm tra, chuyển hồ sơ Trung tâm Phục vụ hành chính công Phường Ba Đình Phạm Thu Hà "
        "Bộ phận một cửa 1 10:00 23/04/2026 17:00 28/04/2026 10:00 28/04/2026",
        "2. Xác minh tại UBND phường Ủy ban nhân dân Phường Ba Đình Đỗ Minh Tuấn Chuyên viên 2 "
        "10:00 28/04/2026 17:00 04/05/2026 14:00 29/04/2026",
        "3. Thẩm định tại Sở Sở Tư pháp Chuyên viên 3 14:00 29/04/2026 17:00 07/05/2026 10:00 06/05/2026",
        "4. Ký kết quả Sở Tư pháp Lê Văn Sở Lãnh đạo 1 10:00 06/05/2026 17:00 08/05/2026 15:00 07/05/2026",
    ]
    log = re.search(r'<table[^>]*id="dk-log">.*?</table>', html, re.S)
    assert log is not None
    assert re.findall(r'<th scope="row">([^<]+)</th>', log.group(0)) == [
        "Tiếp nhận hồ sơ",
        "Yêu cầu bổ sung hồ sơ",
        "Bổ sung hồ sơ",
        "Chuyển xử lý",
        "Chuyển xử lý",
        "Chuyển xử lý",
        "Ký kết quả giải quyết",
        "Trả kết quả",
    ]
    assert list(d.slips.values_list("kind", flat=True)) == [
        "receipt",
        "supplement_request",
        "control",
        "control",
        "control",
        "result",
        "control",
    ]
    assert len(re.findall(r'<li><a href="/dich-vu-cong/mot-cua/ho-so/[^"]+/phieu/', html)) == 7
    finished = page(desk.get(DESK, {"tab": "da-xong"}))
    assert [t[:2] for t in tabs(finished)] == [
        ("Chờ tiếp nhận", 0),
        ("Đang xử lý", 0),
        ("Chờ bổ sung", 0),
        ("Chờ trả kết quả", 0),
        ("Đã xong", 1),
    ]


# --- Who may see and act -------------------------------------------------------------------------


def test_officials_of_other_agencies_get_404_and_change_nothing(
    client: Client, linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    p = people
    d = enter(as_(client, p["desk"]), monkeypatch)
    at(monkeypatch, 2026, 4, 23, 10, 0)
    assert act(client, d, "tiep-nhan").status_code == 302
    before = dossier_state(d)
    url = f"{DESK}ho-so/{d.code}/"
    for outsider in (p["other_ward"], p["other_desk"]):
        other = as_(Client(), outsider)
        assert other.get(url).status_code == 404
        assert other.get(f"{url}phieu/receipt/").status_code == 404
        for slug, data in [
            ("tiep-nhan", {}),
            ("yeu-cau-bo-sung", {"items": "Tờ khai", "reason": "Thiếu"}),
            ("chuyen-xu-ly", {}),
            ("tu-choi", {"reasons": "Không đủ điều kiện"}),
            ("ky-ket-qua", {"title": "Giấy xác nhận", "body": "Nội dung"}),
            ("tra-ket-qua", {}),
            ("rut-ho-so", {}),
        ]:
            refused = act(other, d, slug, **data)
            assert refused.status_code == 404, slug
            assert "Không tìm thấy hồ sơ" in text(page(refused))
        assert all(count == 0 for _label, count, _current in tabs(page(other.get(DESK))))
        assert rows(page(other.get(DESK, {"tab": "dang-xu-ly"}))) == []
        assert dossier_state(d) == before

    # The ward sees the dossier (a step of it is there) but may not sign the department's result.
    ward = as_(Client(), p["ward"])
    assert ward.get(url).status_code == 200
    assert "thao-tac/ky-ket-qua/" not in page(ward.get(url))
    refused = act(ward, d, "ky-ket-qua", title="Giấy xác nhận", body="Nội dung")
    assert refused.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này đối với cơ quan, đơn vị này." in text(page(refused))
    assert dossier_state(d) == before

    # A citizen has no business on the desk's pages.
    citizen = Client()
    from congso.modules.services.tests.conftest import make_citizen

    citizen.force_login(make_citizen("001090099999", "Nguyễn Văn Dân"))
    assert citizen.get(DESK).status_code == 403
    assert citizen.get(url).status_code == 403
    assert act(citizen, d, "tiep-nhan").status_code == 403
    assert Client().get(DESK).status_code == 302  # to the login page
    assert dossier_state(d) == before


def test_an_action_in_the_wrong_status_says_why_and_changes_nothing(
    client: Client, linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    p = people
    desk = as_(client, p["desk"])
    d = enter(desk, monkeypatch)
    at(monkeypatch, 2026, 4, 23, 10, 0)
    act(desk, d, "tiep-nhan")
    before = dossier_state(d)

    # Accepted twice (a resent form): 409, the reason in Vietnamese, nothing written.
    again = act(desk, d, "tiep-nhan")
    assert again.status_code == 409
    html = page(again)
    assert 'role="alert" id="dk-error"' in html
    assert f"Hồ sơ {d.code} đang ở trạng thái 'Đang giải quyết', không thể tiếp nhận." in text(html)
    assert dossier_state(d) == before
    # Returned before it has a result.
    early = act(desk, d, "tra-ket-qua", note="Trả sớm")
    assert early.status_code == 409
    assert f"Hồ sơ {d.code} đang ở trạng thái 'Đang giải quyết', không thể trả kết quả." in text(page(early))
    assert dossier_state(d) == before
    # A supplement received when none was asked for.
    unasked = act(
        desk,
        d,
        "nhan-bo-sung",
        tep_0=SimpleUploadedFile("x.pdf", PDF + b"%x\n", content_type="application/pdf"),
    )
    assert unasked.status_code == 409
    assert "không thể nhận bổ sung" in text(page(unasked))
    assert dossier_state(d) == before

    # Nothing listed: the message at the field, what was typed kept.
    blank = act(desk, d, "yeu-cau-bo-sung", items="  \n ", reason="Thiếu giấy tờ chứng minh")
    assert blank.status_code == 400
    html = page(blank)
    assert field_error(html, "f-items") == "Hãy nêu ít nhất một thành phần hồ sơ cần bổ sung."
    assert (
        '<form method="post" action="/dich-vu-cong/mot-cua/ho-so/'
        + d.code
        + '/thao-tac/yeu-cau-bo-sung/" class="dk-failed">'
        in html
    )
    assert ">Thiếu giấy tờ chứng minh</textarea>" in html
    assert dossier_state(d) == before

    # The director cannot apologise with a date that is not later; the message at the date.
    leader = as_(Client(), p["leader"])
    wrong_day = act(leader, d, "xin-loi", reason="Cần xác minh thêm", new_due="2026-05-01")
    assert wrong_day.status_code == 400
    assert field_error(page(wrong_day), "f-new-due") == (
        "Ngày hẹn mới phải là một ngày làm việc sau ngày hẹn hiện tại (07/05/2026)."
    )
    assert 'value="2026-05-01"' in page(wrong_day)
    no_day = act(leader, d, "xin-loi", reason="Cần xác minh thêm", new_due="")
    assert field_error(page(no_day), "f-new-due") == "Chọn ngày hẹn trả kết quả mới (một ngày làm việc)."
    # Not at the last step yet: the director is not offered to sign, and signing is refused.
    assert "thao-tac/ky-ket-qua/" not in page(leader.get(f"{DESK}ho-so/{d.code}/"))
    early_sign = act(leader, d, "ky-ket-qua", title="Giấy xác nhận", body="Nội dung")
    assert early_sign.status_code == 409
    assert "chưa đến bước ký kết quả" in text(page(early_sign))
    assert act(desk, d, "khong-co").status_code == 404
    assert desk.get(f"{DESK}ho-so/{d.code}/thao-tac/tiep-nhan/").status_code == 405
    assert dossier_state(d) == before


def test_the_queue_marks_steps_due_today_and_overdue(
    client: Client, linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    desk = as_(client, people["desk"])
    d = enter(desk, monkeypatch)
    at(monkeypatch, 2026, 4, 23, 10, 0)
    act(desk, d, "tiep-nhan")

    def row() -> tuple[str, str]:
        html = page(desk.get(DESK, {"tab": "dang-xu-ly"}))
        match = re.search(r'<tbody>\s*<tr( class="[^"]+")?>.*?</tr>', html, re.S)
        assert match is not None
        return (match.group(1) or "").strip(), rows(html)[0].rsplit("17:00 24/04/2026 ", 1)[1]

    # The desk's step is due Friday 24 April at 17:00.
    assert row() == ("", "Còn 1 ngày làm việc")
    at(monkeypatch, 2026, 4, 24, 16, 59)
    assert row() == ('class="dk-today"', "Hạn hôm nay")
    at(monkeypatch, 2026, 4, 24, 17, 30)
    assert row() == ('class="dk-late"', "Quá hạn từ 17:00 hôm nay")
    # Tuesday 28 April: the weekend and the day off (27/4) are not counted.
    at(monkeypatch, 2026, 4, 28, 9, 0)
    assert row() == ('class="dk-late"', "Quá hạn 1 ngày làm việc")
    html = page(desk.get(f"{DESK}ho-so/{d.code}/"))
    assert '<tr class="dk-current dk-late" aria-current="step">' in html
    assert "(Còn 5 ngày làm việc)" in text(html)  # the dossier itself is due 7 May


def test_statistics_page_counts_what_the_official_sees(
    client: Client, linked: None, people: dict[str, Any], monkeypatch: Any
) -> None:
    desk = as_(client, people["desk"])
    enter(desk, monkeypatch)
    html = page(desk.get(DESK + "thong-ke/", {"ky": "2026M04", "theo": "receiving"}))
    table = text(html)[text(html).index("Kỳ 2026M04") :]
    assert table.startswith(
        "Kỳ 2026M04 Bộ phận một cửa tiếp nhận Tiếp nhận Trực tuyến (%) Đã giải quyết Đúng hạn (%) "
        "Đang giải quyết Quá hạn Phí, lệ phí (đồng) Hài lòng (1–5) "
        "Trung tâm Phục vụ hành chính công Phường Ba Đình 1 0,0 0 — 1 0 0 — "
        "Tổng cộng 1 0,0 0 — 1 0 0 —"
    )
    # On 1 June nothing has moved: the dossier is overdue (due 7 May).
    at(monkeypatch, 2026, 6, 1, 9, 0)
    html = page(desk.get(DESK + "thong-ke/", {"ky": "2026Q2", "theo": "receiving"}))
    assert text(html).endswith("Tổng cộng 1 0,0 0 — 1 1 0 —")
    assert '<span class="tag tag--late">1</span>' in html
    # Another ward's desk sees none of Ba Đình's dossiers.
    other = page(as_(Client(), people["other_desk"]).get(DESK + "thong-ke/", {"ky": "2026M04"}))
    assert "Không có hồ sơ nào trong kỳ này." in text(other)
    # A period that is not one is said so, in Vietnamese, and nothing is computed.
    bad = desk.get(DESK + "thong-ke/", {"ky": "tháng 4"})
    assert bad.status_code == 400
    assert 'role="alert"' in page(bad) and 'id="dk-stats"' not in page(bad)
