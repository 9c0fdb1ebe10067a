"""Exports of the roll-ups: SDMX-CSV 2.0, SDMX-JSON 2.0, ADX, Excel, CSV and PDF.

Every export reads through ``selectors.rollup`` (or, for ADX, the raw values), so it shows only
what the actor may see and is correct the moment a value is saved.

- SDMX-CSV 2.0 (SDMX 3.0): ``STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE,
  UNIT_MEASURE``; STRUCTURE is ``dataflow``, STRUCTURE_ID ``VN_HANOI:DF_CONGSO(1.0)``, ACTION ``I``
  (information); TIME_PERIOD in SDMX reporting-period notation (2024-M01, 2024-Q1, 2024-S1,
  2024-A1); RFC 4180 quoting, CRLF line ends, UTF-8 without BOM.
- SDMX-JSON 2.0 data message: series keyed by INDICATOR:REF_AREA, TIME_PERIOD at observation level.
- ADX (IHE QRPH, ``urn:ihe:qrph:adx:2015``): the raw values per agency and period, the period as
  ISO 8601 start/duration (2024-01-01/P1M); a disaggregated value carries its category
  combination code as an attribute whose value is the option combination code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from django.utils import timezone

from congso.core.errors import InvalidInput
from congso.core.org.models import AdministrativeUnit
from congso.core.policy import agency_scope
from congso.modules.reporting import selectors
from congso.modules.reporting.models import Aggregation, DataValue, Indicator
from congso.modules.reporting.periods import Period, period_parse, periods_of_year

log = logging.getLogger(__name__)

SDMX_AGENCY = "VN_HANOI"
DATAFLOW_ID = "DF_CONGSO"
DATAFLOW_VERSION = "1.0"
STRUCTURE_ID = f"{SDMX_AGENCY}:{DATAFLOW_ID}({DATAFLOW_VERSION})"
SDMX_CSV_HEADER = [
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "INDICATOR",
    "REF_AREA",
    "TIME_PERIOD",
    "OBS_VALUE",
    "UNIT_MEASURE",
]
ADX_NS = "urn:ihe:qrph:adx:2015"
ADX_DATASET = "CONGSO"
SDMX_JSON_SCHEMA = (
    "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/schemas/2.0.0/"
    "sdmx-json-data-schema.json"
)
FORMATS = ("sdmx-csv", "sdmx-json", "adx", "xlsx", "csv", "pdf")
CONTENT_TYPES = {
    "sdmx-csv": "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8",
    "sdmx-json": "application/vnd.sdmx.data+json; version=2.0.0; charset=utf-8",
    "adx": "application/adx+xml; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}
EXTENSIONS = {
    "sdmx-csv": "sdmx.csv",
    "sdmx-json": "sdmx.json",
    "adx": "adx.xml",
    "xlsx": "xlsx",
    "csv": "csv",
    "pdf": "pdf",
}
_DURATION = {"M": "P1M", "Q": "P3M", "S": "P6M", "Y": "P1Y"}


# --- Gathering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    indicator: Indicator
    unit: AdministrativeUnit
    period: Period
    value: Decimal


@dataclass(frozen=True)
class ExportData:
    indicators: tuple[Indicator, ...]
    periods: tuple[Period, ...]
    hierarchy_as_of: dt.date
    level: int
    cells: tuple[Cell, ...]
    # indicator code -> unit id -> value over all the periods (aggregated over time)
    totals: dict[str, dict[int, Decimal]]
    units: dict[int, AdministrativeUnit]


def period_codes_for(*, year: int | None, period_type: str = "M", period: str | None = None) -> list[str]:
    """``period`` (comma-separated codes) wins; otherwise every period of ``period_type`` in ``year``
    (``M``, ``Q``, ``S``, ``Y``, with ``-ND09`` for Decree 09/2019's windows)."""
    if period:
        codes = [p.strip().upper() for p in period.split(",") if p.strip()]
        for code in codes:
            period_parse(code)
        return codes
    if year:
        kind, _, suffix = (period_type or "M").upper().partition("-")
        if kind not in _DURATION:
            raise InvalidInput(f"Loại kỳ '{period_type}' không hợp lệ (M, Q, S hoặc Y).")
        return [p.code for p in periods_of_year(year, kind, nd09=suffix == "ND09")]
    raise InvalidInput("Cần tham số period (ví dụ 2024M01,2024M02) hoặc year (ví dụ 2024).")


def export_data(
    *,
    actor: Any,
    indicator_codes: Sequence[str],
    period_codes: Sequence[str],
    hierarchy_as_of: dt.date,
    level: int = 1,
    unit_codes: Sequence[str] | None = None,
) -> ExportData:
    """The roll-up of each indicator over the units of ``hierarchy_as_of`` at ``level``, per
    period, restricted to what the actor may see."""
    codes = list(dict.fromkeys(c.strip() for c in indicator_codes if c.strip()))
    if not codes:
        raise InvalidInput("Cần ít nhất một mã chỉ tiêu (indicator=MA1,MA2).")
    if len(codes) > 500:
        raise InvalidInput("Một lần xuất tối đa 500 chỉ tiêu.")
    indicators: list[Indicator] = []
    cells: list[Cell] = []
    totals: dict[str, dict[int, Decimal]] = {}
    units: dict[int, AdministrativeUnit] = {}
    periods: tuple[Period, ...] = ()
    for code in codes:
        result = selectors.rollup(
            actor=actor,
            indicator_code=code,
            period_codes=period_codes,
            hierarchy_as_of=hierarchy_as_of,
            level=level,
            unit_codes=unit_codes,
        )
        indicators.append(result.indicator)
        periods = result.periods
        units.update(result.units)
        index = {p.code: p for p in result.periods}
        for unit_id, by_period in result.by_period.items():
            for period_code, value in by_period.items():
                cells.append(Cell(result.indicator, result.units[unit_id], index[period_code], value))
        totals[result.indicator.code] = dict(result.total)
    order = {c: i for i, c in enumerate(codes)}
    cells.sort(key=lambda c: (order[c.indicator.code], c.unit.code, c.period))
    return ExportData(
        indicators=tuple(indicators),
        periods=periods,
        hierarchy_as_of=hierarchy_as_of,
        level=level,
        cells=tuple(cells),
        totals=totals,
        units=units,
    )


# --- Formatting helpers --------------------------------------------------------------------------


def number_text(value: Decimal) -> str:
    """Plain decimal notation without trailing zeros: 8476, 37.9094, 0.5 (never 1E+3)."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def period_label(period: Period) -> str:
    year = period.code[:4]
    number = int(period.code[5:].split("-")[0]) if period.type != "Y" else 1
    label = {
        "M": f"Tháng {number:02d}/{year}",
        "Q": f"Quý {number}/{year}",
        "S": f"6 tháng {'đầu' if number == 1 else 'cuối'} năm {year}",
        "Y": f"Năm {year}",
    }[period.type]
    return label + (" (NĐ 09)" if period.nd09 else "")


def file_stem(data: ExportData | None, indicator_codes: Sequence[str], period_codes: Sequence[str]) -> str:
    codes = [c for c in indicator_codes if c][:3]
    first, last = (period_codes[0], period_codes[-1]) if period_codes else ("", "")
    span = first if first == last else f"{first}-{last}"
    stem = "chi-tieu_" + "+".join(codes) + (f"_{span}" if span else "")
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", stem)[:120]


# --- SDMX ----------------------------------------------------------------------------------------


def to_sdmx_csv(
    data: ExportData,
    *,
    indicator_id: Callable[[Indicator], str] | None = None,
    structure_id: str = STRUCTURE_ID,
) -> bytes:
    ident = indicator_id or (lambda i: i.code)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(SDMX_CSV_HEADER)
    for cell in data.cells:
        writer.writerow(
            [
                "dataflow",
                structure_id,
                "I",
                ident(cell.indicator),
                cell.unit.code,
                cell.period.sdmx,
                number_text(cell.value),
                cell.indicator.unit_of_measure,
            ]
        )
    return buffer.getvalue().encode("utf-8")


def to_sdmx_json(data: ExportData, *, prepared: dt.datetime | None = None) -> bytes:
    """An SDMX-JSON 2.0 data message: one structure, one data set, series INDICATOR:REF_AREA with
    TIME_PERIOD at observation level, UNIT_MEASURE attached to the series (it depends on INDICATOR)."""
    indicators = [i for i in data.indicators if any(c.indicator.code == i.code for c in data.cells)] or list(
        data.indicators
    )
    unit_ids = sorted({c.unit.pk for c in data.cells}, key=lambda k: data.units[k].code)
    ind_index = {i.code: n for n, i in enumerate(indicators)}
    unit_index = {u: n for n, u in enumerate(unit_ids)}
    per_index = {p.code: n for n, p in enumerate(data.periods)}
    measures = sorted({i.unit_of_measure for i in indicators})
    measure_index = {m: n for n, m in enumerate(measures)}
    series: dict[str, dict[str, Any]] = {}
    for cell in data.cells:
        key = f"{ind_index[cell.indicator.code]}:{unit_index[cell.unit.pk]}"
        entry = series.setdefault(
            key, {"attributes": [measure_index[cell.indicator.unit_of_measure]], "observations": {}}
        )
        entry["observations"][str(per_index[cell.period.code])] = [_json_number(cell.value)]
    prepared = prepared or timezone.now()
    tz = dt.timezone(dt.timedelta(hours=7))
    message = {
        "meta": {
            "schema": SDMX_JSON_SCHEMA,
            "id": f"CONGSO-{prepared:%Y%m%d%H%M%S}",
            "test": False,
            "prepared": prepared.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "contentLanguages": ["vi"],
            "sender": {"id": SDMX_AGENCY, "name": "Hệ thống thông tin báo cáo thành phố Hà Nội"},
        },
        "data": {
            "structures": [
                {
                    "links": [
                        {
                            "rel": "dataflow",
                            "urn": f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={STRUCTURE_ID}",
                        }
                    ],
                    "name": "Chỉ tiêu kinh tế - xã hội",
                    "names": {"vi": "Chỉ tiêu kinh tế - xã hội"},
                    "dimensions": {
                        "dataSet": [],
                        "series": [
                            {
                                "id": "INDICATOR",
                                "name": "Chỉ tiêu",
                                "names": {"vi": "Chỉ tiêu"},
                                "keyPosition": 0,
                                "roles": [],
                                "values": [
                                    {"id": i.code, "name": i.name, "names": {"vi": i.name}}
                                    for i in indicators
                                ],
                            },
                            {
                                "id": "REF_AREA",
                                "name": "Đơn vị hành chính",
                                "names": {"vi": "Đơn vị hành chính"},
                                "keyPosition": 1,
                                "roles": ["REF_AREA"],
                                "values": [
                                    {
                                        "id": data.units[u].code,
                                        "name": data.units[u].name,
                                        "names": {"vi": data.units[u].name},
                                    }
                                    for u in unit_ids
                                ],
                            },
                        ],
                        "observation": [
                            {
                                "id": "TIME_PERIOD",
                                "name": "Kỳ báo cáo",
                                "names": {"vi": "Kỳ báo cáo"},
                                "keyPosition": 2,
                                "roles": ["TIME_PERIOD"],
                                "values": [
                                    {
                                        "id": p.sdmx,
                                        "name": period_label(p),
                                        "names": {"vi": period_label(p)},
                                        "start": dt.datetime.combine(p.start, dt.time(0, 0), tz).isoformat(),
                                        "end": dt.datetime.combine(
                                            p.end, dt.time(23, 59, 59), tz
                                        ).isoformat(),
                                    }
                                    for p in data.periods
                                ],
                            },
                        ],
                    },
                    "measures": {
                        "observation": [{"id": "OBS_VALUE", "name": "Giá trị", "names": {"vi": "Giá trị"}}]
                    },
                    "attributes": {
                        "dataSet": [],
                        "series": [
                            {
                                "id": "UNIT_MEASURE",
                                "name": "Đơn vị tính",
                                "names": {"vi": "Đơn vị tính"},
                                "relationship": {"dimensions": ["INDICATOR"]},
                                "values": [{"id": m, "name": m, "names": {"vi": m}} for m in measures],
                            }
                        ],
                        "observation": [],
                    },
                    "annotations": [],
                }
            ],
            "dataSets": [
                {
                    "structure": 0,
                    "action": "Information",
                    "reportingBegin": data.periods[0].start.isoformat() if data.periods else None,
                    "reportingEnd": data.periods[-1].end.isoformat() if data.periods else None,
                    "series": series,
                }
            ],
        },
    }
    return json.dumps(message, ensure_ascii=False, indent=1).encode("utf-8")


# --- ADX -----------------------------------------------------------------------------------------


def adx_period(period: Period) -> str:
    return f"{period.start.isoformat()}/{_DURATION[period.type]}"


def to_adx(*, actor: Any, indicator_codes: Sequence[str], period_codes: Sequence[str]) -> bytes:
    """The raw values (not rolled up) the actor may see, one ADX group per agency and period."""
    scope = agency_scope(actor, "reporting.data.view")
    periods = {p.code: p for p in (period_parse(c) for c in period_codes)}
    rows = (
        DataValue.objects.filter(
            scope.q("agency"), indicator__code__in=list(indicator_codes), period__in=list(periods)
        )
        .values_list(
            "agency__code",
            "period",
            "indicator__code",
            "option_combo__combo__code",
            "option_combo__code",
            "value",
        )
        .order_by("agency__code", "period_start", "indicator__code", "option_combo__code")
    )
    ET.register_namespace("", ADX_NS)
    root = ET.Element(
        f"{{{ADX_NS}}}adx", {"exported": timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    groups: dict[tuple[str, str], ET.Element] = {}
    from congso.modules.reporting.services import DEFAULT_COMBO

    for agency_code, period_code, indicator_code, combo_code, option_code, value in rows:
        key = (agency_code, period_code)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ET.SubElement(
                root,
                f"{{{ADX_NS}}}group",
                {"dataSet": ADX_DATASET, "orgUnit": agency_code, "period": adx_period(periods[period_code])},
            )
        attrs = {"dataElement": indicator_code}
        if combo_code != DEFAULT_COMBO:
            attrs[combo_code] = option_code
        attrs["value"] = number_text(value)
        ET.SubElement(group, f"{{{ADX_NS}}}dataValue", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


# --- Tables: CSV, Excel, PDF ---------------------------------------------------------------------


def to_csv(data: ExportData) -> bytes:
    """Plain CSV with Vietnamese headers, UTF-8 with BOM so that Excel shows the accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        ["Mã chỉ tiêu", "Tên chỉ tiêu", "Đơn vị tính", "Mã đơn vị", "Tên đơn vị", "Kỳ", "Giá trị"]
    )
    for c in data.cells:
        writer.writerow(
            [
                c.indicator.code,
                c.indicator.name,
                c.indicator.unit_of_measure,
                c.unit.code,
                c.unit.name,
                c.period.code,
                number_text(c.value),
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _table(data: ExportData, indicator: Indicator) -> tuple[list[str], list[list[Any]], list[Any] | None]:
    """Header, one row per unit (code, name, value per period, value over the periods) and a row
    of totals over the units where the indicator adds up over units."""
    header = ["Mã đơn vị", "Đơn vị"] + [period_label(p) for p in data.periods] + ["Cả kỳ"]
    grid: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for cell in data.cells:
        if cell.indicator.code == indicator.code:
            grid[cell.unit.pk][cell.period.code] = cell.value
    totals = data.totals.get(indicator.code, {})
    unit_ids = sorted(set(grid) | set(totals), key=lambda k: data.units[k].code)
    rows = [
        [data.units[u].code, data.units[u].name]
        + [grid[u].get(p.code) for p in data.periods]
        + [totals.get(u)]
        for u in unit_ids
    ]
    footer: list[Any] | None = None
    if len(rows) > 1 and not indicator.computed and indicator.agg_units == Aggregation.SUM:
        sums: list[Any] = [
            sum((Decimal(str(r[i])) for r in rows if r[i] is not None), Decimal(0))
            for i in range(2, len(header))
        ]
        footer = ["", "Tổng cộng", *sums]
    return header, rows, footer


def to_xlsx(data: ExportData) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    used: set[str] = set()
    for indicator in data.indicators:
        title = re.sub(r"[\[\]:*?/\\]", "_", indicator.code)[:31] or "Sheet"
        while title in used:
            title = title[:28] + f"_{len(used)}"
        used.add(title)
        sheet = workbook.create_sheet(title)
        header, rows, footer = _table(data, indicator)
        sheet.append([f"{indicator.code} — {indicator.name}"])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(
            [
                f"Đơn vị tính: {indicator.unit_of_measure}. Theo địa giới ngày "
                f"{data.hierarchy_as_of:%d/%m/%Y}, cấp {data.level}."
            ]
        )
        sheet.append(header)
        for cell in sheet[3]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        for row in rows:
            sheet.append(row)
        if footer:
            sheet.append(footer)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        for row in sheet.iter_rows(min_row=4, min_col=3):
            for cell in row:
                cell.number_format = "#,##0.####"
        sheet.column_dimensions["A"].width = 10
        sheet.column_dimensions["B"].width = 32
        for col in range(3, len(header) + 1):
            sheet.column_dimensions[get_column_letter(col)].width = 14
        sheet.freeze_panes = "C4"
    if not data.indicators:
        workbook.create_sheet("Trống")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_pdf(data: ExportData, *, title: str = "Báo cáo tổng hợp chỉ tiêu") -> bytes:
    """A landscape A4 report, one table per indicator, in a Unicode font that renders Vietnamese.
    Without such a font on the machine, falls back to Helvetica with accents folded away."""
    from fpdf.fonts import FontFace

    from congso.core.files.pdf import new_pdf

    pdf, family, text = new_pdf(title=title, orientation="L")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 8, text(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.cell(
        0,
        6,
        text(
            f"Theo địa giới hành chính ngày {data.hierarchy_as_of:%d/%m/%Y}, cấp {data.level}. "
            f"Lập lúc {timezone.localtime():%H:%M %d/%m/%Y}."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for indicator in data.indicators:
        header, rows, footer = _table(data, indicator)
        pdf.ln(3)
        pdf.set_font(family, "B", 10)
        pdf.multi_cell(
            0,
            6,
            text(f"{indicator.code} — {indicator.name} ({indicator.unit_of_measure})"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        size = 7 if len(header) > 8 else 8
        pdf.set_font(family, "", size)
        if not rows:
            pdf.cell(0, 6, text("Chưa có số liệu."), new_x="LMARGIN", new_y="NEXT")
            continue
        name_width = 40
        other = (pdf.epw - 12 - name_width) / max(1, len(header) - 2)
        widths = (12, name_width, *([other] * (len(header) - 2)))
        with pdf.table(
            col_widths=widths,
            text_align=("LEFT", "LEFT", *(["RIGHT"] * (len(header) - 2))),
            headings_style=FontFace(emphasis="BOLD", fill_color=(221, 235, 247)),
            line_height=size * 0.55,
            width=pdf.epw,
        ) as table:
            table.row([text(h) for h in header])
            for row in rows + ([footer] if footer else []):
                table.row([text(v) if isinstance(v, str) else _vn_number(v) for v in row])
    return bytes(pdf.output())


def _vn_number(value: Decimal | None) -> str:
    """1234567.5 -> 1.234.567,5 (Vietnamese grouping)."""
    if value is None:
        return ""
    text = number_text(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return sign + grouped + ("," + frac if frac else "")


# --- One entry point -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    content: bytes
    content_type: str
    filename: str


def export(
    *,
    actor: Any,
    fmt: str,
    indicator_codes: Sequence[str],
    period_codes: Sequence[str],
    hierarchy_as_of: dt.date,
    level: int = 1,
    unit_codes: Sequence[str] | None = None,
) -> Rendered:
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"Định dạng '{fmt}' không hỗ trợ; dùng một trong: {', '.join(FORMATS)}.")
    if fmt == "adx":
        for code in indicator_codes:
            selectors.indicator_get(code)
        content = to_adx(actor=actor, indicator_codes=indicator_codes, period_codes=period_codes)
        data = None
    else:
        data = export_data(
            actor=actor,
            indicator_codes=indicator_codes,
            period_codes=period_codes,
            hierarchy_as_of=hierarchy_as_of,
            level=level,
            unit_codes=unit_codes,
        )
        render: dict[str, Any] = {
            "sdmx-csv": to_sdmx_csv,
            "sdmx-json": to_sdmx_json,
            "xlsx": to_xlsx,
            "csv": to_csv,
            "pdf": to_pdf,
        }
        content = render[fmt](data)
    filename = f"{file_stem(data, indicator_codes, period_codes)}.{EXTENSIONS[fmt]}"
    return Rendered(content=content, content_type=CONTENT_TYPES[fmt], filename=filename)
