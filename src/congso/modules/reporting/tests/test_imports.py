"""Data entry by file: JSON, CSV, ADX and the Excel template, all-or-nothing, idempotent, scoped."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from congso.core.accounts.models import User
from congso.core.accounts.services import api_token_create
from congso.core.audit.models import AuditEvent
from congso.core.errors import InvalidInput
from congso.core.org.models import Agency
from congso.modules.reporting import api_imports
from congso.modules.reporting.excel import XLSX_CONTENT_TYPE, rows_from_xlsx, template_for
from congso.modules.reporting.models import DataValue, Form, ValueType
from congso.modules.reporting.parsers import period_from_iso, rows_from_adx, rows_from_csv, rows_from_json
from congso.modules.reporting.services import (
    SectionSpec,
    ValueRow,
    combo_ensure,
    form_create,
    indicator_create,
)

pytestmark = pytest.mark.django_db

SO_KHCN = "000.00.15.H26"
SO_TU_PHAP = "000.00.03.H26"
URL = "/api/v1/reporting/datavalues"
IMPORT_ACTION = "reporting.datavalues.import"
SHEET = "Biểu T01"


@pytest.fixture
def catalogue() -> Form:
    combo_ensure(actor=None, code="GT", name="Giới tính", options=[("NAM", "Nam"), ("NU", "Nữ")])
    indicator_create(
        actor=None,
        code="T_DN",
        name="Số doanh nghiệp CNTT",
        unit_of_measure="doanh nghiệp",
        value_type=ValueType.INTEGER,
    )
    indicator_create(actor=None, code="T_DT", name="Doanh thu CNTT", unit_of_measure="tỷ đồng")
    indicator_create(
        actor=None, code="T_LD", name="Số lao động CNTT", unit_of_measure="người", combo_code="GT"
    )
    indicator_create(
        actor=None,
        code="T_BQ",
        name="Doanh thu bình quân",
        unit_of_measure="tỷ đồng",
        formula="{T_DT} / {T_DN}",
    )
    return form_create(
        actor=None,
        code="T01",
        name="Biểu công nghệ thông tin",
        sections=[
            SectionSpec("A", "Doanh nghiệp", ["T_DN", "T_DT", "T_LD"]),
            SectionSpec("B", "Tính toán", ["T_BQ"]),
        ],
        agency_codes=[SO_KHCN],
        deadline_days=5,
    )


@pytest.fixture
def specialist(make_official: Any, catalogue: Form) -> User:
    return make_official("cv_khcn", SO_KHCN, ("specialist", "agency"))


def bearer(user: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=user, user=user, name='t').secret}"}


def saved() -> set[tuple[str, str, str, str, Decimal]]:
    return {
        (v.indicator.code, v.option_combo.code, v.agency.code, v.period, v.value)
        for v in DataValue.objects.select_related("indicator", "option_combo", "agency")
    }


def imports() -> int:
    return AuditEvent.objects.filter(action=IMPORT_ACTION).count()


def post(client: Client, user: User, body: bytes | str, content_type: str, **query: str) -> Any:
    url = URL + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return client.post(url, data=body, content_type=content_type, **bearer(user))


def problem(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.content
    assert resp["Content-Type"].startswith("application/problem+json")
    return json.loads(resp.content)


# --- JSON, CSV, ADX ------------------------------------------------------------------------------


def test_json_import_saves_exactly_the_values(client: Client, specialist: User) -> None:
    payload = {
        "dataValues": [
            {"indicator": "T_DN", "agency": SO_KHCN, "period": "2024M01", "value": 8476},
            {"indicator": "T_DT", "agency": SO_KHCN, "period": "2024M01", "value": "321315.5"},
            {"indicator": "T_LD", "agency": SO_KHCN, "period": "2024M01", "value": 100000, "option": "NAM"},
            {"indicator": "T_LD", "agency": SO_KHCN, "period": "2024M01", "value": 89500, "option": "NU"},
        ]
    }
    resp = post(client, specialist, json.dumps(payload), "application/json")
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"saved": 4, "dry_run": False, "agencies": [SO_KHCN], "periods": ["2024M01"]}
    assert saved() == {
        ("T_DN", "TONG", SO_KHCN, "2024M01", Decimal("8476.0000")),
        ("T_DT", "TONG", SO_KHCN, "2024M01", Decimal("321315.5000")),
        ("T_LD", "NAM", SO_KHCN, "2024M01", Decimal("100000.0000")),
        ("T_LD", "NU", SO_KHCN, "2024M01", Decimal("89500.0000")),
    }
    event = AuditEvent.objects.get(action=IMPORT_ACTION)
    assert (event.after["source"], event.after["values"]) == ("api-json", 4)


def test_json_bare_list_and_dhis2_names() -> None:
    rows = rows_from_json(b'[{"dataElement": "T_DN", "orgUnit": "X", "period": 2024, "value": 1}]')
    assert rows == [ValueRow(indicator="T_DN", agency="X", period="2024", value=1, option="", ref="dòng 1")]


def test_json_structure_errors_name_each_row() -> None:
    with pytest.raises(InvalidInput) as exc:
        rows_from_json(
            {
                "dataValues": [
                    {"indicator": "T_DN", "agency": "X", "period": "2024M01", "value": 1},
                    "x",
                    {"indicator": "T_DN", "period": "2024M01"},
                ]
            }
        )
    assert exc.value.errors == [
        {"row": "dòng 2", "field": "dataValues", "message": "phải là một đối tượng JSON"},
        {"row": "dòng 3", "field": "agency", "message": "thiếu trường 'agency'"},
        {"row": "dòng 3", "field": "value", "message": "thiếu trường 'value'"},
    ]
    with pytest.raises(InvalidInput) as exc:
        rows_from_json(b'{"dataValues": [')
    assert exc.value.errors[0]["field"] == "body"


def test_csv_semicolon_bom_and_decimal_comma(client: Client, specialist: User) -> None:
    body = (
        "\ufeffindicator;agency;period;value;option\r\n"
        f"T_DT;{SO_KHCN};2024M02;12,5;\r\n"
        f"T_LD;{SO_KHCN};2024M02;7;NU\r\n"
    ).encode()
    resp = post(client, specialist, body, "text/csv")
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"saved": 2, "dry_run": False, "agencies": [SO_KHCN], "periods": ["2024M02"]}
    assert saved() == {
        ("T_DT", "TONG", SO_KHCN, "2024M02", Decimal("12.5000")),
        ("T_LD", "NU", SO_KHCN, "2024M02", Decimal("7.0000")),
    }


def test_csv_comma_quoted_and_any_column_order() -> None:
    rows = rows_from_csv('value,period,agency,indicator\n"1,5",2024Q1,A,T_DT\n\n2,2024Q1,A,T_DN\n')
    assert rows == [
        ValueRow(indicator="T_DT", agency="A", period="2024Q1", value="1,5", option="", ref="dòng 2"),
        ValueRow(indicator="T_DN", agency="A", period="2024Q1", value="2", option="", ref="dòng 4"),
    ]


def test_csv_bad_header_is_rejected_naming_the_header() -> None:
    with pytest.raises(InvalidInput) as exc:
        rows_from_csv("indicator,agency,period,valeu\nT_DN,A,2024,1\n")
    assert exc.value.errors == [
        {
            "row": "dòng 1",
            "field": "valeu",
            "message": "cột 'valeu' không được hỗ trợ (dùng indicator, agency, period, value, option)",
        },
        {"row": "dòng 1", "field": "value", "message": "thiếu cột 'value' trong dòng tiêu đề"},
    ]
    with pytest.raises(InvalidInput) as exc:
        rows_from_csv("indicator,agency,period,value\nT_DN,A,2024,1,5\n")
    assert exc.value.errors[0]["row"] == "dòng 2"
    assert exc.value.errors[0]["message"].startswith("có 5 cột, dòng tiêu đề có 4 cột")


def test_csv_with_three_bad_rows_is_rejected_whole(client: Client, specialist: User) -> None:
    body = (
        "indicator,agency,period,value,option\n"
        f"T_DN,{SO_KHCN},2024M03,10,\n"
        f"KHONG_CO,{SO_KHCN},2024M03,10,\n"
        f"T_DT,{SO_KHCN},2024M03,20,\n"
        f"T_DT,{SO_KHCN},2024M04,abc,\n"
        f"T_LD,{SO_KHCN},2024M13,5,NAM\n"
        f"T_LD,{SO_KHCN},2024M03,5,NU\n"
    )
    before = imports()
    body_json = problem(post(client, specialist, body, "text/csv"), 400)
    assert body_json["errors"] == [
        {
            "row": "dòng 3",
            "field": "indicator",
            "message": "Mã chỉ tiêu 'KHONG_CO' không có trong kho chỉ tiêu.",
        },
        {"row": "dòng 5", "field": "value", "message": "Giá trị 'abc' không phải là số."},
        {
            "row": "dòng 6",
            "field": "period",
            "message": "Kỳ báo cáo '2024M13' không đúng dạng (ví dụ 2024M01, 2024Q1, 2024).",
        },
    ]
    assert body_json["detail"].startswith("Tệp có 3 lỗi, chưa nhập giá trị nào.")
    assert DataValue.objects.count() == 0
    assert imports() == before == 0


def test_reposting_the_same_file_creates_no_duplicates(client: Client, specialist: User) -> None:
    body = f"indicator,agency,period,value,option\nT_DN,{SO_KHCN},2024M05,10,\nT_LD,{SO_KHCN},2024M05,4,NAM\n"
    assert post(client, specialist, body, "text/csv").status_code == 200
    first = saved()
    resp = post(client, specialist, body, "text/csv")
    assert resp.json()["saved"] == 2
    assert DataValue.objects.count() == 2
    assert (
        saved()
        == first
        == {
            ("T_DN", "TONG", SO_KHCN, "2024M05", Decimal("10.0000")),
            ("T_LD", "NAM", SO_KHCN, "2024M05", Decimal("4.0000")),
        }
    )
    # A corrected value replaces the old one, still without duplicates.
    post(client, specialist, body.replace(",10,", ",11,"), "text/csv")
    assert DataValue.objects.count() == 2
    assert DataValue.objects.get(indicator__code="T_DN").value == Decimal("11.0000")


def test_every_shape_of_number_is_saved_exactly(client: Client, specialist: User) -> None:
    """Whatever the database: on PostgreSQL the values travel as binary numerics (decision 0014),
    so each shape of number — negative, fractional, with an exponent, large, zero — is checked."""
    given = ["0", "7", "10000", "123456789", "9999999999999999", "-3", "-0.5", "0.0001", "1e3", "12,5"]
    lines = [f"T_DT,{SO_KHCN},2024M{month:02d},{value}" for month, value in enumerate(given, 1)]
    body = "indicator;agency;period;value\n" + "\n".join(line.replace(",", ";") for line in lines)
    body = body.replace("12;5", "12,5")
    resp = post(client, specialist, body, "text/csv")
    assert resp.status_code == 200, resp.content
    assert resp.json()["saved"] == len(given)
    assert sorted(DataValue.objects.values_list("period", "value")) == [
        ("2024M01", Decimal("0.0000")),
        ("2024M02", Decimal("7.0000")),
        ("2024M03", Decimal("10000.0000")),
        ("2024M04", Decimal("123456789.0000")),
        ("2024M05", Decimal("9999999999999999.0000")),
        ("2024M06", Decimal("-3.0000")),
        ("2024M07", Decimal("-0.5000")),
        ("2024M08", Decimal("0.0001")),
        ("2024M09", Decimal("1000.0000")),
        ("2024M10", Decimal("12.5000")),
    ]


def test_dry_run_saves_nothing(client: Client, specialist: User) -> None:
    payload = [{"indicator": "T_DN", "agency": SO_KHCN, "period": "2024M01", "value": 3}]
    resp = post(client, specialist, json.dumps(payload), "application/json", dry_run="true")
    assert resp.status_code == 200
    assert resp.json() == {"saved": 1, "dry_run": True, "agencies": [SO_KHCN], "periods": ["2024M01"]}
    assert DataValue.objects.count() == 0
    assert imports() == 0


ADX = f"""<?xml version="1.0" encoding="UTF-8"?>
<adx xmlns="urn:ihe:qrph:adx:2015" exported="2024-02-05T08:00:00+07:00">
  <group dataSet="T01" orgUnit="{SO_KHCN}" period="2024-01-01/P1M" completeDate="2024-02-05">
    <dataValue dataElement="T_DN" value="42"/>
    <dataValue dataElement="T_LD" GT="NAM" value="30"/>
    <dataValue dataElement="T_LD" categoryOptionCombo="NU" value="12">
      <annotation>ước tính</annotation>
    </dataValue>
  </group>
  <group dataSet="T01" orgUnit="{SO_KHCN}" period="2024-02-01/P1M">
    <dataValue dataElement="T_DT" value="1.25"/>
  </group>
</adx>"""


def test_adx_import_saves_exactly_the_values(client: Client, specialist: User) -> None:
    resp = post(client, specialist, ADX, "application/adx+xml")
    assert resp.status_code == 200, resp.content
    assert resp.json() == {
        "saved": 4,
        "dry_run": False,
        "agencies": [SO_KHCN],
        "periods": ["2024M01", "2024M02"],
    }
    assert saved() == {
        ("T_DN", "TONG", SO_KHCN, "2024M01", Decimal("42.0000")),
        ("T_LD", "NAM", SO_KHCN, "2024M01", Decimal("30.0000")),
        ("T_LD", "NU", SO_KHCN, "2024M01", Decimal("12.0000")),
        ("T_DT", "TONG", SO_KHCN, "2024M02", Decimal("1.2500")),
    }


def test_adx_rows_and_periods() -> None:
    assert [
        period_from_iso(p)
        for p in (
            "2024-01-01/P1M",
            "2024-04-01/P3M",
            "2024-07-01/P6M",
            "2024-01-01/P1Y",
            "2024-01-01/P12M",
            "2023-12-15/P1M",
            "2024-03-15/P3M",
            "2023-12-15/P6M",
            "2023-12-15/P1Y",
            "2024-11-15/P1M",
        )
    ] == [
        "2024M01",
        "2024Q2",
        "2024S2",
        "2024",
        "2024",
        "2024M01-ND09",
        "2024Q2-ND09",
        "2024S1-ND09",
        "2024-ND09",
        "2024M12-ND09",
    ]
    for bad in ("2024-02-01/P3M", "2024-01-10/P1M", "2024-01-01/P1W", "2024-13-01/P1M", "2024M01"):
        with pytest.raises(ValueError):
            period_from_iso(bad)


def test_adx_structure_errors_name_the_group_and_value(catalogue: Form) -> None:
    xml = f"""<adx xmlns="urn:ihe:qrph:adx:2015">
      <group dataSet="T01" orgUnit="{SO_KHCN}" period="2024-02-01/P3M">
        <dataValue dataElement="T_DN" value="1"/><dataValue value="2"/></group>
      <group dataSet="T01" orgUnit="{SO_KHCN}" period="2024-01-01/P1M"><dataValue dataElement="T_DN"/></group>
    </adx>"""
    with pytest.raises(InvalidInput) as exc:
        rows_from_adx(xml)
    assert exc.value.errors == [
        {"row": "group 1", "field": "period", "message": "kỳ '2024-02-01/P3M' không bắt đầu ở đầu một quý"},
        {
            "row": "dataValue thứ 2 (group 1)",
            "field": "dataElement",
            "message": "thiếu thuộc tính dataElement",
        },
        {"row": "dataValue thứ 1 (group 2)", "field": "value", "message": "thiếu thuộc tính value"},
    ]
    xml = f"""<adx xmlns="urn:ihe:qrph:adx:2015">
      <group dataSet="T01" orgUnit="{SO_KHCN}" period="2024-01-01/P1M">
      <dataValue dataElement="T_DN" value="1"/><dataValue dataElement="T_X" value="1"/>
      <dataValue dataElement="T_LD" SEX="NAM" AREA="TT" value="1"/></group>
      <group dataSet="KHONG" orgUnit="{SO_KHCN}" period="2024-01-01/P1M">
      <dataValue dataElement="T_DN" value="1"/></group></adx>"""
    with pytest.raises(InvalidInput) as exc:
        rows_from_adx(xml.encode())
    assert exc.value.errors == [
        {
            "row": "dataValue thứ 3 (group 1)",
            "field": "option",
            "message": 'không xác định được phân tổ của T_LD từ AREA="TT", SEX="NAM"',
        },
        {
            "row": "dataValue thứ 1 (group 2)",
            "field": "dataSet",
            "message": "không có biểu mẫu mã 'KHONG' trong kho biểu mẫu",
        },
    ]


def test_adx_not_well_formed_or_with_entities_is_rejected(client: Client, specialist: User) -> None:
    body = problem(post(client, specialist, "<adx><group></adx>", "application/xml"), 400)
    assert body["errors"] == [
        {"row": "dòng 1, cột 15", "field": "xml", "message": "XML không hợp lệ (not well-formed)"}
    ]
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><adx>&a;</adx>'
    body = problem(post(client, specialist, bomb, "application/adx+xml"), 400)
    assert body["errors"][0]["field"] == "xml"
    assert DataValue.objects.count() == 0


def test_unsupported_type_and_too_large_body(client: Client, specialist: User, monkeypatch: Any) -> None:
    body = problem(post(client, specialist, "x", "application/pdf"), 415)
    assert body["detail"].startswith("Content-Type 'application/pdf' không được hỗ trợ")
    monkeypatch.setattr(api_imports, "MAX_BODY_BYTES", 100)
    body = problem(post(client, specialist, "indicator,agency,period,value\n" + "x" * 200, "text/csv"), 413)
    assert body["detail"] == (
        "Tệp quá lớn (0.0 MB): mỗi lần nhập tối đa 50 MB; hãy chia tệp theo cơ quan hoặc kỳ."
    )
    assert DataValue.objects.count() == 0


# --- Excel ---------------------------------------------------------------------------------------


def download(client: Client, user: User, agency: str = SO_KHCN, period: str = "2024M01") -> Any:
    return client.get(
        "/api/v1/reporting/forms/T01/template.xlsx", {"agency": agency, "period": period}, **bearer(user)
    )


def cell_of(ws: Any, code: str, option: str) -> str:
    """The coordinate of the value cell for (indicator code, option code) in the template."""
    options: dict[str, int] = {}
    for row in ws.iter_rows():
        marker = row[0].value
        if marker == "#O":
            options = {c.value: c.column for c in row[5:] if c.value}
        elif marker == code:
            return ws.cell(row=row[0].row, column=options[option]).coordinate
    raise AssertionError(f"{code}/{option} not in the template")


def to_bytes(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_excel_round_trip(client: Client, specialist: User) -> None:
    resp = download(client, specialist)
    assert resp.status_code == 200, resp.content
    assert resp["Content-Type"] == XLSX_CONTENT_TYPE
    assert resp["Content-Disposition"] == f'attachment; filename="T01_{SO_KHCN}_2024M01.xlsx"'
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb.sheetnames == [SHEET, "_congso"]
    ws, meta = wb[SHEET], wb["_congso"]
    assert meta.sheet_state == "hidden"
    assert [(r[0].value, r[1].value) for r in meta.iter_rows(max_row=5)] == [
        ("template", "congso-template/1"),
        ("form", "T01"),
        ("agency", SO_KHCN),
        ("period", "2024M01"),
        ("sheet", SHEET),
    ]
    assert ws.column_dimensions["A"].hidden is True
    assert ws.protection.sheet is True
    assert ws["B1"].value == "BIỂU T01: BIỂU CÔNG NGHỆ THÔNG TIN"
    assert ws["B2"].value == f"Cơ quan báo cáo: Sở Khoa học và Công nghệ (mã {SO_KHCN})"
    assert ws["B3"].value == "Kỳ báo cáo: Tháng 01/2024, từ 01/01/2024 đến 31/01/2024 (mã kỳ 2024M01)"
    assert ws["B4"].value.startswith("Hạn gửi: 07/02/2024")
    # Section row, the default-combo block header, its hidden codes row, and the indicator rows.
    assert [ws.cell(row=8, column=c).value for c in (1, 2, 3)] == ["#S:A", "I", "Doanh nghiệp"]
    assert [ws.cell(row=9, column=c).value for c in range(2, 7)] == [
        "STT",
        "Mã chỉ tiêu",
        "Tên chỉ tiêu",
        "Đơn vị tính",
        "Số liệu",
    ]
    assert ws.row_dimensions[11].hidden is True
    assert [ws.cell(row=11, column=c).value for c in (1, 6)] == ["#O", "TONG"]
    assert [ws.cell(row=12, column=c).value for c in range(1, 6)] == [
        "T_DN",
        1,
        "T_DN",
        "Số doanh nghiệp CNTT",
        "doanh nghiệp",
    ]
    ld_row = int(cell_of(ws, "T_LD", "NU")[1:])
    assert [ws.cell(row=ld_row - 2, column=c).value for c in (6, 7)] == ["Nam", "Nữ"]
    dn, ld_nu = cell_of(ws, "T_DN", "TONG"), cell_of(ws, "T_LD", "NU")
    assert (dn, ld_nu) == ("F12", f"G{ld_row}")
    assert ws[dn].protection.locked is False
    validations = {
        str(dv.sqref): (dv.type, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation
    }
    assert validations == {
        "F12": ("whole", "-1000000000000000", "1000000000000000"),
        f"F13 F{ld_row} G{ld_row}": ("decimal", "-1000000000000000", "1000000000000000"),
    }
    assert ws[f"D{ld_row}"].protection.locked is True
    ws[dn] = 8476
    ws[ld_nu] = 89500.5
    resp = client.post(URL, data=to_bytes(wb), content_type=XLSX_CONTENT_TYPE, **bearer(specialist))
    assert resp.status_code == 200, resp.content
    assert resp.json() == {"saved": 2, "dry_run": False, "agencies": [SO_KHCN], "periods": ["2024M01"]}
    assert saved() == {
        ("T_DN", "TONG", SO_KHCN, "2024M01", Decimal("8476.0000")),
        ("T_LD", "NU", SO_KHCN, "2024M01", Decimal("89500.5000")),
    }
    assert AuditEvent.objects.get(action=IMPORT_ACTION).after["source"] == "excel"
    # The next download carries the saved values.
    again = load_workbook(io.BytesIO(download(client, specialist).content))[SHEET]
    assert (again[dn].value, again[ld_nu].value, again[cell_of(again, "T_LD", "NAM")].value) == (
        8476,
        89500.5,
        None,
    )


def test_excel_upload_as_multipart_file(client: Client, specialist: User) -> None:
    wb = load_workbook(io.BytesIO(download(client, specialist, period="2024M06").content))
    wb[SHEET][cell_of(wb[SHEET], "T_DT", "TONG")] = "12,5"
    upload = io.BytesIO(to_bytes(wb))
    upload.name = "bieu-t01.xlsx"
    resp = client.post(URL + "?dry_run=false&form=T01", data={"file": upload}, **bearer(specialist))
    assert resp.status_code == 200, resp.content
    assert saved() == {("T_DT", "TONG", SO_KHCN, "2024M06", Decimal("12.5000"))}


def test_excel_text_in_a_number_cell_rejects_the_whole_file(client: Client, specialist: User) -> None:
    wb = load_workbook(io.BytesIO(download(client, specialist).content))
    ws = wb[SHEET]
    ws[cell_of(ws, "T_DN", "TONG")] = 10
    bad = cell_of(ws, "T_DT", "TONG")
    ws[bad] = "abc"
    body = problem(
        client.post(URL, data=to_bytes(wb), content_type=XLSX_CONTENT_TYPE, **bearer(specialist)), 400
    )
    assert bad == "F13"
    assert body["errors"] == [
        {"row": f"ô F13 (trang '{SHEET}')", "field": "value", "message": "Giá trị 'abc' không phải là số."}
    ]
    assert DataValue.objects.count() == 0
    assert imports() == 0


def test_excel_tampered_or_foreign_files_are_rejected(
    client: Client, specialist: User, catalogue: Form
) -> None:
    original = download(client, specialist).content

    def upload(data: bytes) -> dict[str, Any]:
        return problem(client.post(URL, data=data, content_type=XLSX_CONTENT_TYPE, **bearer(specialist)), 400)

    # Hidden sheet removed.
    wb = load_workbook(io.BytesIO(original))
    wb[SHEET]["F12"] = 5
    del wb["_congso"]
    assert upload(to_bytes(wb))["errors"] == [
        {"row": "trang '_congso'", "field": "file", "message": "thiếu trang ẩn chứa mã của mẫu biểu"}
    ]
    # Hidden agency code cleared.
    wb = load_workbook(io.BytesIO(original))
    wb[SHEET]["F12"] = 5
    wb["_congso"]["B3"] = None
    assert upload(to_bytes(wb))["errors"] == [
        {"row": "ô B3 (trang '_congso')", "field": "agency", "message": "thiếu mã ẩn 'agency' của mẫu biểu"}
    ]
    # Hidden indicator code of a filled row cleared.
    wb = load_workbook(io.BytesIO(original))
    wb[SHEET]["F12"] = 5
    wb[SHEET]["F13"] = 6
    wb[SHEET]["A13"] = None
    assert upload(to_bytes(wb))["errors"] == [
        {
            "row": f"ô A13 (trang '{SHEET}')",
            "field": "indicator",
            "message": "dòng có số liệu (ô F13) nhưng thiếu mã chỉ tiêu ẩn; tệp không đúng mẫu của hệ thống",
        }
    ]
    # A random workbook, and bytes that are not a workbook at all.
    other = Workbook()
    other.active["A1"] = "indicator"  # type: ignore[index]
    other.active["B1"] = 5  # type: ignore[index]
    assert upload(to_bytes(other))["errors"] == [
        {"row": "trang '_congso'", "field": "file", "message": "thiếu trang ẩn chứa mã của mẫu biểu"}
    ]
    assert upload(b"PK\x03\x04 not really a zip")["errors"] == [
        {"row": "tệp", "field": "file", "message": "không đọc được tệp .xlsx"}
    ]
    assert upload(b"indicator,agency\n")["errors"] == [
        {"row": "tệp", "field": "file", "message": "không phải tệp .xlsx"}
    ]
    # A template of this form uploaded where another form is expected.
    body = problem(
        client.post(URL + "?form=T02", data=original, content_type=XLSX_CONTENT_TYPE, **bearer(specialist)),
        400,
    )
    assert body["errors"] == [
        {
            "row": "ô B2 (trang '_congso')",
            "field": "form",
            "message": "tệp là mẫu của biểu T01, không phải biểu T02",
        }
    ]
    assert DataValue.objects.count() == 0
    assert imports() == 0


def test_blank_template_is_an_error_but_blank_cells_are_skipped(
    specialist: User, agency: Any, catalogue: Form
) -> None:
    data = template_for(catalogue, agency(SO_KHCN, "2024-03-31"), "2024M03")
    with pytest.raises(InvalidInput) as exc:
        rows_from_xlsx(data)
    assert exc.value.errors == [{"row": f"trang '{SHEET}'", "field": "value", "message": "chưa nhập số liệu"}]
    wb = load_workbook(io.BytesIO(data))
    wb[SHEET]["F12"] = 3
    wb[SHEET]["F13"] = "   "
    assert rows_from_xlsx(to_bytes(wb)) == [
        ValueRow(
            indicator="T_DN",
            agency=SO_KHCN,
            period="2024M03",
            value=3,
            option="TONG",
            ref=f"ô F12 (trang '{SHEET}')",
        )
    ]


def test_template_period_must_match_the_form(client: Client, specialist: User) -> None:
    body = problem(download(client, specialist, period="2024Q1"), 400)
    assert body["errors"] == [{"field": "period", "message": "không đúng loại kỳ của biểu mẫu"}]


# --- Permissions ---------------------------------------------------------------------------------


def test_specialist_of_another_agency_gets_403_and_nothing_is_saved(
    client: Client, specialist: User, make_official: Any
) -> None:
    outsider = make_official("cv_tuphap", SO_TU_PHAP, ("specialist", "agency"))
    body = problem(download(client, outsider), 403)
    assert body["detail"] == (
        f"Bạn không được nhập số liệu cho cơ quan {SO_KHCN}, nên không tải được mẫu của cơ quan này."
    )
    # The specialist's own template, uploaded by the outsider: every row is refused for the agency.
    wb = load_workbook(io.BytesIO(download(client, specialist).content))
    wb[SHEET]["F12"] = 1
    wb[SHEET]["F13"] = 2
    body = problem(
        client.post(URL, data=to_bytes(wb), content_type=XLSX_CONTENT_TYPE, **bearer(outsider)), 400
    )
    message = f"Bạn không được nhập số liệu cho cơ quan {SO_KHCN}."
    assert body["errors"] == [
        {"row": f"ô F12 (trang '{SHEET}')", "field": "agency", "message": message},
        {"row": f"ô F13 (trang '{SHEET}')", "field": "agency", "message": message},
    ]
    payload = [{"indicator": "T_DN", "agency": SO_KHCN, "period": "2024M01", "value": 1}]
    body = problem(post(client, outsider, json.dumps(payload), "application/json"), 400)
    assert body["errors"] == [{"row": "dòng 1", "field": "agency", "message": message}]
    assert DataValue.objects.count() == 0
    assert imports() == 0


def test_unauthenticated_import_is_refused(client: Client, catalogue: Form) -> None:
    resp = client.post(URL, data="[]", content_type="application/json")
    assert problem(resp, 401)["status"] == 401
    assert DataValue.objects.count() == 0


def test_legacy_commune_reports_for_2024_by_its_code_of_the_time(
    client: Client, catalogue: Form, make_official: Any
) -> None:
    commune = (
        Agency.objects.filter(kind="ubnd", level=3, valid_to="2025-07-01", unit__isnull=False)
        .order_by("code")
        .first()
    )
    assert commune is not None
    clerk = make_official("cv_xa", commune.code, ("specialist", "agency"), as_of="2024-06-30")
    resp = download(client, clerk, agency=commune.code, period="2024M06")
    assert resp.status_code == 200, resp.content
    wb = load_workbook(io.BytesIO(resp.content))
    assert wb["_congso"]["B3"].value == commune.code
    wb[SHEET]["F12"] = 17
    resp = client.post(URL, data=to_bytes(wb), content_type=XLSX_CONTENT_TYPE, **bearer(clerk))
    assert resp.status_code == 200, resp.content
    value = DataValue.objects.get()
    assert (value.agency_id, value.unit_id, value.period, value.value) == (
        commune.pk,
        commune.unit_id,
        "2024M06",
        Decimal("17.0000"),
    )
