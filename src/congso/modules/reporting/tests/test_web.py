"""The reporting pages through Django's test client: the inbox, data entry (cell by cell and the
whole form at once), submission and approval with the lock, who has not reported, the pivot."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.conftest import CITY, SO_KHCN, SO_TU_PHAP

from congso.modules.reporting import services
from congso.modules.reporting.models import CategoryOptionCombo, DataValue, Submission
from congso.modules.reporting.services import SectionSpec, ValueRow

pytestmark = pytest.mark.django_db


class World:
    def __init__(self, make_official, agency) -> None:
        services.indicator_create(
            actor=None,
            code="WEB.DN",
            name="Số doanh nghiệp công nghệ số",
            unit_of_measure="doanh nghiệp",
            value_type="integer",
        )
        services.indicator_create(
            actor=None, code="WEB.DT", name="Doanh thu công nghệ số", unit_of_measure="tỷ đồng"
        )
        self.form = services.form_create(
            actor=None,
            code="WEB01",
            name="Biểu công nghệ số hằng tháng",
            sections=[SectionSpec("I", "I. Doanh nghiệp", ["WEB.DN", "WEB.DT"])],
            agency_codes=[SO_KHCN, SO_TU_PHAP],
            period_type="M",
        )
        self.specialist = make_official("cv.khcn", SO_KHCN, ("specialist", "agency"))
        self.leader = make_official("ld.thanhpho", CITY, ("leader", "subtree"))
        self.khcn = agency(SO_KHCN)
        self.submission = services.submission_open(
            actor=self.specialist, form=self.form, agency=self.khcn, period_code="2024M01"
        )
        option = CategoryOptionCombo.objects.get(combo__code="DEFAULT", code="TONG")
        self.option = option
        ids = dict(self.form.sections.get().items.values_list("indicator__code", "indicator_id"))
        self.dn = f"v-{ids['WEB.DN']}-{option.pk}"
        self.dt = f"v-{ids['WEB.DT']}-{option.pk}"
        self.entry_url = reverse("reporting:entry", args=[self.submission.pk])
        self.cell_url = reverse("reporting:cell", args=[self.submission.pk])

    def values(self) -> dict[str, Decimal]:
        return dict(
            DataValue.objects.filter(agency=self.khcn, period="2024M01").values_list(
                "indicator__code", "value"
            )
        )

    def status(self) -> str:
        return Submission.objects.get(pk=self.submission.pk).status


@pytest.fixture
def world(make_official, agency) -> World:
    return World(make_official, agency)


def _html(response) -> str:
    return response.content.decode()


def test_entry_page_has_one_labelled_decimal_input_per_cell(client, world):
    client.force_login(world.specialist)
    response = client.get(world.entry_url)
    html = _html(response)
    assert response.status_code == 200
    assert "<h1>Biểu công nghệ số hằng tháng</h1>" in html
    assert html.count('inputmode="decimal"') == 2
    cell_id = world.dn.replace("v-", "o-")
    assert f'<label for="{cell_id}">' in html
    assert f'id="{cell_id}" name="{world.dn}" value=""' in html
    assert f'aria-describedby="{cell_id}-msg"' in html
    assert f'id="{cell_id}-msg" aria-live="polite"' in html
    # Reading order: the first indicator's cell comes before the second's.
    assert html.index(world.dn) < html.index(world.dt)
    assert "Gửi báo cáo" in html and "Duyệt" not in html


def test_full_form_saves_all_values_and_prefills_them(client, world):
    client.force_login(world.specialist)
    response = client.post(world.entry_url, {world.dn: "8476", world.dt: "321315,5", "action": "save"})
    assert response.status_code == 302
    assert world.values() == {"WEB.DN": Decimal("8476.0000"), "WEB.DT": Decimal("321315.5000")}
    html = _html(client.get(world.entry_url))
    assert "Đã lưu 2 số liệu." in html
    assert f'name="{world.dn}" value="8476"' in html
    assert f'name="{world.dt}" value="321315,5"' in html


def test_one_cell_saves_as_you_go_with_json(client, world):
    client.force_login(world.specialist)
    response = client.post(world.cell_url, {"indicator": "WEB.DT", "option": "TONG", "value": "12,25"})
    assert response.status_code == 200
    assert json.loads(response.content) == {"ok": True, "value": "12,25", "message": "Đã lưu"}
    assert world.values() == {"WEB.DT": Decimal("12.2500")}


def test_one_bad_cell_answers_the_vietnamese_error_and_saves_nothing(client, world):
    client.force_login(world.specialist)
    response = client.post(world.cell_url, {"indicator": "WEB.DN", "option": "TONG", "value": "12,5"})
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "ok": False,
        "error": "Giá trị WEB.DN nhận số nguyên, không nhận 12,5.",
    }
    assert world.values() == {}


def test_a_bad_value_in_the_full_form_shows_at_its_cell_and_saves_nothing(client, world):
    client.force_login(world.specialist)
    response = client.post(world.entry_url, {world.dn: "8476", world.dt: "ba trăm", "action": "save"})
    html = _html(response)
    assert response.status_code == 400
    cell_id = world.dt.replace("v-", "o-")
    assert f'id="{cell_id}" name="{world.dt}" value="ba trăm"' in html
    assert (
        f'<p class="rp-msg rp-msg--error" id="{cell_id}-msg" aria-live="polite">'
        "Giá trị &#x27;ba trăm&#x27; không phải là số.</p>"
    ) in html
    assert "Chưa lưu số liệu nào, vui lòng sửa các ô được đánh dấu." in html
    # The good cell keeps what was typed but is not saved: all or nothing.
    assert f'name="{world.dn}" value="8476"' in html
    assert world.values() == {}


def test_clearing_a_saved_cell_is_refused_with_the_reason(client, world):
    client.force_login(world.specialist)
    client.post(world.entry_url, {world.dn: "10", world.dt: "5", "action": "save"})
    response = client.post(world.entry_url, {world.dn: "", world.dt: "6", "action": "save"})
    assert response.status_code == 400
    assert "Không xoá được số liệu đã lưu; nhập 0 nếu kỳ này không phát sinh." in _html(response)
    assert world.values() == {"WEB.DN": Decimal("10.0000"), "WEB.DT": Decimal("5.0000")}


def test_submit_then_parent_leader_approves_and_the_report_is_locked(client, world):
    client.force_login(world.specialist)
    response = client.post(
        world.entry_url,
        {world.dn: "8476", world.dt: "321315", "narrative": "Tăng 5% so với cùng kỳ.", "action": "submit"},
    )
    assert response.status_code == 302
    assert world.status() == "submitted"
    assert Submission.objects.get(pk=world.submission.pk).narrative == "Tăng 5% so với cùng kỳ."

    client.force_login(world.leader)
    page = _html(client.get(world.entry_url))
    assert ">Duyệt</button>" in page and ">Trả lại</button>" in page
    assert (
        client.post(reverse("reporting:approve", args=[world.submission.pk]), {"comment": ""}).status_code
        == 302
    )
    assert world.status() == "approved"

    client.force_login(world.specialist)
    html = _html(client.get(world.entry_url))
    assert "Báo cáo đã được duyệt và khoá" in html
    assert html.count('-msg" disabled>') == 2  # both cells
    assert 'aria-describedby="rp-narrative-hint" disabled>' in html
    assert "Gửi báo cáo" not in html
    before = world.values()
    refused = client.post(world.cell_url, {"indicator": "WEB.DN", "option": "TONG", "value": "1"})
    assert refused.status_code == 409
    assert json.loads(refused.content)["error"] == (
        "Báo cáo đã được duyệt và khoá; muốn sửa số liệu, cấp trên cần mở lại báo cáo."
    )
    full = client.post(world.entry_url, {world.dn: "1", world.dt: "2", "action": "save"})
    assert full.status_code == 409
    assert world.values() == before == {"WEB.DN": Decimal("8476.0000"), "WEB.DT": Decimal("321315.0000")}
    assert world.status() == "approved"

    # Re-opening needs a reason and is done by the parent's leader; then entry is open again.
    client.force_login(world.leader)
    reopen = reverse("reporting:reopen", args=[world.submission.pk])
    client.post(reopen, {"comment": ""})
    assert world.status() == "approved"
    client.post(reopen, {"comment": "Sửa số doanh nghiệp theo số liệu thuế."})
    assert world.status() == "draft"
    client.force_login(world.specialist)
    assert (
        client.post(world.cell_url, {"indicator": "WEB.DN", "option": "TONG", "value": "8480"}).status_code
        == 200
    )
    assert world.values()["WEB.DN"] == Decimal("8480.0000")


def test_returned_report_shows_its_comment_in_the_inbox(client, world):
    client.force_login(world.specialist)
    client.post(world.entry_url, {world.dn: "8476", world.dt: "1", "action": "submit"})
    client.force_login(world.leader)
    url = reverse("reporting:return", args=[world.submission.pk])
    empty = client.post(url, {"comment": "  "}, follow=True)
    assert "Trả lại báo cáo cần ghi rõ lý do." in _html(empty)
    assert world.status() == "submitted"
    client.post(url, {"comment": "Doanh thu chưa khớp số liệu của Cục Thuế."})
    assert world.status() == "returned"

    client.force_login(world.specialist)
    html = _html(client.get(reverse("reporting:inbox")))
    assert '<span class="tag tag--returned">Bị trả lại</span>' in html
    assert "<strong>Lý do trả lại:</strong> Doanh thu chưa khớp số liệu của Cục Thuế." in html
    assert html.count('<span class="tag tag--late">Quá hạn</span>') == 1  # January 2024 is long past


def test_official_of_another_agency_sees_nothing_and_changes_nothing(client, world, make_official):
    client.force_login(world.specialist)
    client.post(world.entry_url, {world.dn: "7", world.dt: "8", "action": "save"})
    other = make_official("cv.tuphap", SO_TU_PHAP, ("specialist", "agency"), ("leader", "agency"))
    client.force_login(other)
    assert client.get(world.entry_url).status_code == 404
    assert client.post(world.entry_url, {world.dn: "1", "action": "submit"}).status_code == 404
    assert (
        client.post(world.cell_url, {"indicator": "WEB.DN", "option": "TONG", "value": "1"}).status_code
        == 404
    )
    assert client.post(reverse("reporting:approve", args=[world.submission.pk])).status_code == 404
    assert world.values() == {"WEB.DN": Decimal("7.0000"), "WEB.DT": Decimal("8.0000")}
    assert world.status() == "draft"
    assert f'href="{world.entry_url}"' not in _html(client.get(reverse("reporting:inbox")))


def test_open_a_report_for_an_assigned_form_and_period(client, world):
    client.force_login(world.specialist)
    inbox = _html(client.get(reverse("reporting:inbox")))
    assignment = world.form.assignments.get(agency=world.khcn)
    assert f'<option value="{assignment.pk}">WEB01 — Biểu công nghệ số hằng tháng</option>' in inbox
    bad = client.post(reverse("reporting:open"), {"assignment": assignment.pk, "period": "2024Q1"})
    assert bad.status_code == 400
    assert "Kỳ 2024Q1 không phải loại kỳ của biểu WEB01." in _html(bad)
    response = client.post(reverse("reporting:open"), {"assignment": assignment.pk, "period": "2024m02"})
    opened = Submission.objects.get(form=world.form, agency=world.khcn, period="2024M02")
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:entry", args=[opened.pk])


def test_leader_sees_who_has_not_reported(client, world):
    url = reverse("reporting:not_reported", args=["WEB01"]) + "?ky=2024M01"
    client.force_login(world.specialist)
    assert client.get(url).status_code == 403
    client.force_login(world.leader)
    html = _html(client.get(url))
    assert "2 đơn vị được giao chưa gửi báo cáo kỳ này." in html
    assert "Sở Tư pháp" in html and "Sở Khoa học và Công nghệ" in html
    client.force_login(world.specialist)
    client.post(world.entry_url, {world.dn: "1", world.dt: "1", "action": "submit"})
    client.force_login(world.leader)
    html = _html(client.get(url))
    assert "1 đơn vị được giao chưa gửi báo cáo kỳ này." in html
    assert "Sở Khoa học và Công nghệ" not in html
    assert "Chưa mở báo cáo" in html
    assert client.get(reverse("reporting:not_reported", args=["KHONGCO"])).status_code == 404


def test_pivot_shows_the_exact_sums_and_links_the_exports(client, world, make_official):
    admin = make_official("qt.thanhpho", CITY, ("admin", "subtree"))
    rows = [
        ValueRow("WEB.DT", SO_KHCN, "2024M01", "100.25"),
        ValueRow("WEB.DT", SO_KHCN, "2024M02", "50.5"),
        ValueRow("WEB.DT", SO_TU_PHAP, "2024M01", "23"),
        ValueRow("WEB.DT", SO_TU_PHAP, "2024M12", "1000"),
    ]
    services.datavalues_import(actor=admin, rows=rows, source="test")
    expected_jan = Decimal("100.25") + Decimal("23")
    assert expected_jan == Decimal("123.25")
    client.force_login(world.leader)
    response = client.get(
        reverse("reporting:pivot"),
        {"chi_tieu": "WEB.DT", "nam": 2024, "loai_ky": "M", "ngay": "2025-08-01", "cap": 1},
    )
    html = _html(response)
    assert response.status_code == 200
    body = html[html.index('<table class="table" id="rp-pivot">') :]
    row = body[body.index("<tbody>") : body.index("</tbody>")]
    cells = [c.split("</td>")[0] for c in row.split('<td class="num">')[1:]]
    # 12 months then the year: Jan 123,25; Feb 50,5; Dec 1.000; sum 1.173,75.
    assert cells == [
        "123,25",
        "50,5",
        "—",
        "—",
        "—",
        "—",
        "—",
        "—",
        "—",
        "—",
        "—",
        "1.000",
        "<strong>1.173,75</strong>",
    ]
    assert "Thành phố Hà Nội" in row
    assert '<svg class="rp-chart"' in html and "T1: 123,25" in html
    assert (
        "/api/v1/reporting/export?format=xlsx&amp;indicator=WEB.DT&amp;year=2024&amp;period_type=M"
        "&amp;hierarchy_as_of=2025-08-01&amp;level=1"
    ) in html


def test_pivot_unknown_indicator_is_explained(client, world):
    client.force_login(world.leader)
    response = client.get(
        reverse("reporting:pivot"), {"chi_tieu": "KHONG.CO", "nam": 2024, "loai_ky": "M", "cap": 1}
    )
    assert response.status_code == 404
    assert "Không có chỉ tiêu mã KHONG.CO." in _html(response)


def test_entry_page_in_english(client, world):
    client.force_login(world.specialist)
    client.cookies["django_language"] = "en"
    html = _html(client.get(world.entry_url))
    assert '<html lang="en">' in html
    assert "Submit report" in html and "Narrative report" in html
    assert "Month 01/2024" in html
    saved = client.post(world.cell_url, {"indicator": "WEB.DT", "option": "TONG", "value": "12.5"})
    assert json.loads(saved.content) == {"ok": True, "value": "12.5", "message": "Saved"}
