"""Exports: SDMX-CSV 2.0 and SDMX-JSON 2.0 by the standard, ADX, Excel, CSV, PDF; scoped by agency."""

from __future__ import annotations

import csv
import io
import json
import re
import zlib
from decimal import Decimal

import pytest

from congso.modules.reporting import exports, services
from congso.modules.reporting.services import ValueRow

CITY, SO_KHCN, SO_TU_PHAP = "000.00.00.H26", "000.00.15.H26", "000.00.03.H26"
Q4 = Decimal("0.0001")
HEADER = "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE"

# (indicator, agency, period, value) entered by the test; the expectations below are computed
# from this list, independently of the code under test.
VALUES = [
    ("X_DN", SO_KHCN, "2024M01", "100"),
    ("X_DN", SO_KHCN, "2024M02", "110"),
    ("X_DN", SO_TU_PHAP, "2024M01", "5"),
    ("X_DT", SO_KHCN, "2024M01", "250.5"),
    ("X_DT", SO_KHCN, "2024M02", "300"),
    ("X_DT", SO_TU_PHAP, "2024M01", "10"),
]


def _sum(indicator: str, period: str, agencies: tuple[str, ...] = (SO_KHCN, SO_TU_PHAP)) -> Decimal:
    return sum(
        (Decimal(v) for i, a, p, v in VALUES if i == indicator and p == period and a in agencies), Decimal(0)
    )


def _text(value: Decimal) -> str:
    return format(value.quantize(Q4).normalize(), "f")


@pytest.fixture
def data(db, make_official):
    services.indicator_create(
        actor=None,
        code="X_DN",
        name="Số doanh nghiệp công nghệ số",
        unit_of_measure="doanh nghiệp",
        value_type="integer",
    )
    services.indicator_create(
        actor=None, code="X_DT", name="Doanh thu công nghệ số", unit_of_measure="tỷ đồng, giá hiện hành"
    )
    services.indicator_create(
        actor=None,
        code="X_BQ",
        name="Doanh thu bình quân một doanh nghiệp",
        unit_of_measure="tỷ đồng",
        formula="{X_DT} / {X_DN}",
    )
    admin = make_official("qt.export", CITY, ("admin", "subtree"))
    services.datavalues_import(actor=admin, rows=[ValueRow(i, a, p, v) for i, a, p, v in VALUES])
    return admin


def _token(user) -> str:
    from congso.core.accounts.services import api_token_create

    return api_token_create(actor=user, user=user, name="export").secret


def _get(client, token: str, **params):
    return client.get("/api/v1/reporting/export", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_sdmx_csv_follows_the_standard(data, client) -> None:
    resp = _get(client, _token(data), format="sdmx-csv", indicator="X_DN,X_DT,X_BQ", period="2024M01,2024M02")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"
    assert resp["Content-Disposition"].startswith(
        'attachment; filename="chi-tieu_X_DN+X_DT+X_BQ_2024M01-2024M02.sdmx.csv"'
    )
    body = resp.content.decode("utf-8")
    lines = body.split("\r\n")
    assert lines[0] == HEADER
    assert lines[-1] == ""
    prefix = "dataflow,VN_HANOI:DF_CONGSO(1.0),I"
    m01 = _sum("X_DT", "2024M01") / _sum("X_DN", "2024M01")
    m02 = _sum("X_DT", "2024M02") / _sum("X_DN", "2024M02")
    assert lines[1:-1] == [
        f"{prefix},X_DN,01,2024-M01,{_text(_sum('X_DN', '2024M01'))},doanh nghiệp",
        f"{prefix},X_DN,01,2024-M02,{_text(_sum('X_DN', '2024M02'))},doanh nghiệp",
        f'{prefix},X_DT,01,2024-M01,{_text(_sum("X_DT", "2024M01"))},"tỷ đồng, giá hiện hành"',
        f'{prefix},X_DT,01,2024-M02,{_text(_sum("X_DT", "2024M02"))},"tỷ đồng, giá hiện hành"',
        f"{prefix},X_BQ,01,2024-M01,{_text(m01)},tỷ đồng",
        f"{prefix},X_BQ,01,2024-M02,{_text(m02)},tỷ đồng",
    ]
    # Literal figures, so that a shared mistake in the helpers above cannot hide.
    assert [row[6] for row in csv.reader(io.StringIO(body))][1:] == [
        "105",
        "110",
        "260.5",
        "300",
        "2.481",
        "2.7273",
    ]


def test_sdmx_json_is_a_data_message(data) -> None:
    rendered = exports.export(
        actor=data,
        fmt="sdmx-json",
        indicator_codes=["X_DN", "X_DT"],
        period_codes=["2024M01", "2024M02"],
        hierarchy_as_of=exports.dt.date(2025, 8, 1),
    )
    message = json.loads(rendered.content)
    assert set(message) == {"meta", "data"}
    assert {"schema", "id", "test", "prepared", "sender"} <= set(message["meta"])
    structure = message["data"]["structures"][0]
    assert [d["id"] for d in structure["dimensions"]["series"]] == ["INDICATOR", "REF_AREA"]
    assert [d["keyPosition"] for d in structure["dimensions"]["series"]] == [0, 1]
    assert [d["id"] for d in structure["dimensions"]["observation"]] == ["TIME_PERIOD"]
    assert [v["id"] for v in structure["dimensions"]["observation"][0]["values"]] == ["2024-M01", "2024-M02"]
    assert structure["dimensions"]["observation"][0]["values"][1]["start"] == "2024-02-01T00:00:00+07:00"
    assert [v["id"] for v in structure["dimensions"]["series"][0]["values"]] == ["X_DN", "X_DT"]
    assert [v["id"] for v in structure["dimensions"]["series"][1]["values"]] == ["01"]
    assert structure["measures"]["observation"][0]["id"] == "OBS_VALUE"
    attribute = structure["attributes"]["series"][0]
    assert attribute["id"] == "UNIT_MEASURE"
    measures = [v["id"] for v in attribute["values"]]
    dataset = message["data"]["dataSets"][0]
    assert (dataset["structure"], dataset["action"]) == (0, "Information")
    assert dataset["series"] == {
        "0:0": {"attributes": [measures.index("doanh nghiệp")], "observations": {"0": [105], "1": [110]}},
        "1:0": {
            "attributes": [measures.index("tỷ đồng, giá hiện hành")],
            "observations": {"0": [260.5], "1": [300]},
        },
    }


def test_xlsx_holds_the_numbers(data, client) -> None:
    from openpyxl import load_workbook

    resp = _get(client, _token(data), format="xlsx", indicator="X_DN,X_DT", year=2024, level=2)
    assert resp.status_code == 200
    assert resp["Content-Disposition"].startswith(
        'attachment; filename="chi-tieu_X_DN+X_DT_2024M01-2024M12.xlsx"'
    )
    book = load_workbook(io.BytesIO(resp.content))
    assert book.sheetnames == ["X_DN", "X_DT"]
    sheet = book["X_DN"]
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["Mã đơn vị", "Đơn vị", "Tháng 01/2024", "Tháng 02/2024"]
    assert header[-1] == "Cả kỳ" and len(header) == 15
    # Level 2 under today's hierarchy: Hà Nội has no districts any more, so the city-level
    # departments' values stay with the city.
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert rows == [["01", "Thành phố Hà Nội", 105, 110] + [None] * 10 + [215]]
    sheet = book["X_DT"]
    assert [c.value for c in sheet[4]][2:4] == [260.5, 300]
    assert sheet["A1"].value == "X_DT — Doanh thu công nghệ số"


def test_csv_and_pdf(data, client) -> None:
    token = _token(data)
    resp = _get(client, token, format="csv", indicator="X_DN", period="2024M01")
    assert resp.content.decode("utf-8-sig").split("\r\n") == [
        "Mã chỉ tiêu,Tên chỉ tiêu,Đơn vị tính,Mã đơn vị,Tên đơn vị,Kỳ,Giá trị",
        "X_DN,Số doanh nghiệp công nghệ số,doanh nghiệp,01,Thành phố Hà Nội,2024M01,105",
        "",
    ]
    resp = _get(client, token, format="pdf", indicator="X_DN,X_DT", year=2024)
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"
    assert resp.content.startswith(b"%PDF-")
    text = _pdf_text(resp.content)
    assert "Số doanh nghiệp công nghệ số" in text
    assert "Thành phố Hà Nội" in text
    assert "260,5" in text  # Vietnamese decimal comma


def test_adx_carries_the_raw_values(data) -> None:
    rendered = exports.export(
        actor=data,
        fmt="adx",
        indicator_codes=["X_DN"],
        period_codes=["2024M01"],
        hierarchy_as_of=exports.dt.date(2025, 8, 1),
    )
    from xml.etree import ElementTree as ET

    root = ET.fromstring(rendered.content)
    ns = "{urn:ihe:qrph:adx:2015}"
    assert root.tag == f"{ns}adx"
    groups = [
        (g.get("orgUnit"), g.get("period"), [(v.get("dataElement"), v.get("value")) for v in g])
        for g in root.findall(f"{ns}group")
    ]
    assert groups == [
        (SO_TU_PHAP, "2024-01-01/P1M", [("X_DN", "5")]),
        (SO_KHCN, "2024-01-01/P1M", [("X_DN", "100")]),
    ]


def test_an_official_sees_only_their_scope(data, make_official, client) -> None:
    specialist = make_official("cv.tuphap.export", SO_TU_PHAP, ("specialist", "agency"))
    token = _token(specialist)
    resp = _get(client, token, format="sdmx-csv", indicator="X_DN,X_DT", period="2024M01,2024M02")
    only = (SO_TU_PHAP,)
    prefix = "dataflow,VN_HANOI:DF_CONGSO(1.0),I"
    assert resp.content.decode().split("\r\n")[1:-1] == [
        f"{prefix},X_DN,01,2024-M01,{_text(_sum('X_DN', '2024M01', only))},doanh nghiệp",
        f'{prefix},X_DT,01,2024-M01,{_text(_sum("X_DT", "2024M01", only))},"tỷ đồng, giá hiện hành"',
    ]
    rendered = exports.export(
        actor=specialist,
        fmt="adx",
        indicator_codes=["X_DN", "X_DT"],
        period_codes=["2024M01", "2024M02"],
        hierarchy_as_of=exports.dt.date(2025, 8, 1),
    )
    assert SO_KHCN.encode() not in rendered.content and SO_TU_PHAP.encode() in rendered.content


def test_bad_requests_are_explained(data, client) -> None:
    token = _token(data)
    resp = _get(client, token, format="docx", indicator="X_DN", year=2024)
    assert resp.status_code == 400
    assert "Định dạng 'docx' không hỗ trợ" in resp.json()["detail"]
    assert _get(client, token, format="csv", indicator="KHONG_CO", year=2024).status_code == 404
    assert _get(client, token, format="csv", indicator="X_DN").status_code == 400
    assert client.get("/api/v1/reporting/export", {"indicator": "X_DN", "year": 2024}).status_code == 401


# --- Reading the text back out of a PDF (no PDF library in the dependencies) ---------------------


def _pdf_text(pdf: bytes) -> str:
    """Decode the text of an fpdf2 PDF: inflate the streams, map glyph ids through each font's
    ToUnicode CMap (fonts number their glyphs independently, so the text is decoded once per
    CMap and the readings joined), and read the strings shown with Tj."""
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    cmaps = [
        {
            int(g, 16): bytes.fromhex(u.decode()).decode("utf-16-be")
            for g, u in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", s)
        }
        for s in streams
        if b"beginbfchar" in s
    ]
    shown = [body for s in streams if b"BT" in s and b"Tj" in s and b"glyf" not in s for body in _literals(s)]
    return "\n".join(
        "".join(cmap.get(int.from_bytes(body[i : i + 2], "big"), "?") for i in range(0, len(body), 2))
        for cmap in cmaps
        for body in shown
    )


_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}


def _literals(stream: bytes) -> list[bytes]:
    """The PDF literal strings shown with Tj, unescaped (\\n, \\r, \\(, \\ddd …)."""
    found, i = [], 0
    while (i := stream.find(b"(", i)) >= 0 and stream.rfind(b"BT", 0, i) > stream.rfind(b"ET", 0, i):
        out, depth, i = bytearray(), 1, i + 1
        while depth:
            ch = stream[i]
            if ch == 0x5C:  # backslash
                nxt = stream[i + 1]
                if 0x30 <= nxt <= 0x37:
                    digits = re.match(rb"[0-7]{1,3}", stream[i + 1 : i + 4]).group(0)
                    out.append(int(digits, 8))
                    i += 1 + len(digits)
                    continue
                out.append(_ESCAPES.get(nxt, nxt))
                i += 2
                continue
            depth += ch == 0x28
            depth -= ch == 0x29
            if depth:
                out.append(ch)
            i += 1
        if re.match(rb"\s*Tj", stream[i : i + 8]):
            found.append(bytes(out))
    return found
