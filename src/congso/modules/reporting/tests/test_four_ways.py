"""Values entered the four ways — web form, Excel template, CSV/JSON through the API, ADX — roll up
at once, and the roll-up equals sums computed here independently from what was entered."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl

from congso.core.accounts.services import api_token_create
from congso.core.org.models import AdministrativeUnit, Agency, UnitLink
from congso.modules.reporting import selectors, services
from congso.modules.reporting.services import SectionSpec

CITY, SO_KHCN, SO_TU_PHAP, SO_Y_TE = "000.00.00.H26", "000.00.15.H26", "000.00.03.H26", "000.00.17.H26"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_four_ways_roll_up_at_once(db, client, make_official, agency):
    services.indicator_create(actor=None, code="SV", name="Số thuê bao", unit_of_measure="thuê bao")
    form = services.form_create(
        actor=None,
        code="TB01",
        name="Biểu thuê bao",
        sections=[SectionSpec("A", "A", ["SV"])],
        agency_codes=[SO_KHCN, SO_TU_PHAP, SO_Y_TE],
    )
    admin = make_official("qt.four", CITY, ("admin", "subtree"))
    token = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=admin, user=admin, name='t').secret}"}
    city = AdministrativeUnit.objects.get(code="01")
    entered: dict[str, Decimal] = {}

    def city_total(period: str, as_of: str = "2026-01-01") -> Decimal | None:
        return selectors.rollup(
            actor=admin,
            indicator_code="SV",
            period_codes=[period],
            hierarchy_as_of=dt.date.fromisoformat(as_of),
        ).total.get(city.pk)

    # 1. The web form: one cell saved as the specialist leaves it.
    clerk = make_official("vt.four", SO_KHCN, ("clerk", "agency"))
    sub = services.submission_open(actor=clerk, form=form, agency=agency(SO_KHCN), period_code="2024M05")
    client.force_login(clerk)
    resp = client.post(f"/bao-cao/{sub.pk}/o/", {"indicator": "SV", "option": "TONG", "value": "1500,5"})
    assert resp.status_code == 200, resp.content
    entered["web"] = Decimal("1500.5")
    assert city_total("2024M05") == sum(entered.values())
    client.logout()

    # 2. The Excel template, downloaded, filled and uploaded.
    resp = client.get(
        "/api/v1/reporting/forms/TB01/template.xlsx", {"agency": SO_TU_PHAP, "period": "2024M05"}, **token
    )
    assert resp.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(resp.content))
    sheet = next(ws for ws in book.worksheets if ws.sheet_state == "visible")
    target = next(row for row in sheet.iter_rows() if row[0].value == "SV")
    value_cell = next(c for c in target if c.protection.locked is False)
    value_cell.value = 2500
    buffer = io.BytesIO()
    book.save(buffer)
    resp = client.post("/api/v1/reporting/datavalues", buffer.getvalue(), content_type=XLSX, **token)
    assert resp.status_code == 200, resp.content
    entered["excel"] = Decimal(2500)
    assert city_total("2024M05") == sum(entered.values())

    # 3. CSV through the API, for the old wards of Hoàn Kiếm district (before July 2025).
    wards = list(
        Agency.objects.filter(kind="ubnd", level=3, valid_to=dt.date(2025, 7, 1), unit__parent__code="002")
        .select_related("unit")
        .order_by("code")
    )
    lines = ["indicator,agency,period,value"] + [
        f"SV,{w.code},2024M05,{100 + i}" for i, w in enumerate(wards)
    ]
    resp = client.post("/api/v1/reporting/datavalues", "\n".join(lines), content_type="text/csv", **token)
    assert resp.status_code == 200, resp.content
    by_old_ward = {w.unit_id: Decimal(100 + i) for i, w in enumerate(wards)}
    entered["csv"] = sum(by_old_ward.values())
    assert city_total("2024M05") == sum(entered.values())

    # 4. ADX.
    adx = (
        '<adx xmlns="urn:ihe:qrph:adx:2015">'
        f'<group dataSet="TB01" orgUnit="{SO_Y_TE}" period="2024-05-01/P1M">'
        '<dataValue dataElement="SV" value="42"/></group></adx>'
    )
    resp = client.post("/api/v1/reporting/datavalues", adx, content_type="application/adx+xml", **token)
    assert resp.status_code == 200, resp.content
    entered["adx"] = Decimal(42)
    assert city_total("2024M05") == sum(entered.values()) == Decimal("4042.5") + entered["csv"]

    # The same figures by the hierarchy of 2024 and of today: the city total does not move; the
    # old wards' figures land in today's wards by the reorganisation shares.
    assert city_total("2024M05", "2024-06-30") == sum(entered.values())
    links = list(
        UnitLink.objects.filter(predecessor_id__in=by_old_ward).values_list(
            "predecessor_id", "successor_id", "share"
        )
    )
    sums: dict[int, Decimal] = {}
    for pred, _, share in links:
        sums[pred] = sums.get(pred, Decimal(0)) + share
    expected: dict[int, Decimal] = {}
    for pred, succ, share in links:
        expected[succ] = expected.get(succ, Decimal(0)) + by_old_ward[pred] * share / sums[pred]
    wards_now = selectors.rollup(
        actor=admin,
        indicator_code="SV",
        period_codes=["2024M05"],
        hierarchy_as_of=dt.date(2026, 1, 1),
        level=3,
        unit_codes=None,
    ).total
    for unit_id, value in expected.items():
        assert wards_now[unit_id] == value.quantize(Decimal("0.0001"))
