"""The Excel template of a form for one agency and period, and reading it back.

The template is a real .xlsx the agency fills in Excel or LibreOffice: a title block (form,
agency, period, deadline), then for each section a section row and, per category combination of
its indicators, a two-row header (STT, Mã chỉ tiêu, Tên chỉ tiêu, Đơn vị tính, then one column per
option combo) and the indicator rows. Only the value cells are unlocked; the sheet is protected
(without a password: protection prevents slips, not fraud — the upload checks everything again).

The machine-readable codes live in hidden places, so the upload needs no guessing:
- the hidden sheet ``_congso``: template marker and version, form, agency and period codes, and
  the name of the data sheet;
- the hidden column A of the data sheet: the indicator code of each indicator row, ``#S:<code>``
  on section rows, ``#H`` on header rows, ``#C:<code>`` on computed indicators (not entered);
- a hidden row under each header, marked ``#O`` in column A: the option combo code of each
  value column.

Reading checks the structure (an .xlsx file, our template, the codes, the form) and names the cell
of every problem; the values are passed through raw for the service to check ("ô F12: 'abc' không
phải là số").
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from congso.core.calendar.services import add_working_days
from congso.core.errors import InvalidInput
from congso.core.org.models import Agency
from congso.modules.reporting.models import (
    CategoryOptionCombo,
    DataValue,
    Form,
    FormItem,
    FormSection,
    ValueType,
    Window,
)
from congso.modules.reporting.parsers import raise_if
from congso.modules.reporting.periods import Period, period_parse
from congso.modules.reporting.services import DEFAULT_COMBO, ValueRow

META_SHEET = "_congso"
MARKER = "congso-template"
VERSION = "1"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COL_CODE, COL_STT, COL_IND, COL_NAME, COL_UNIT, FIRST_VALUE_COL = 1, 2, 3, 4, 5, 6
META_KEYS = ("template", "form", "agency", "period", "sheet")

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_SECTION_FILL = PatternFill("solid", fgColor="EDEDED")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_COMPUTED_FILL = PatternFill("solid", fgColor="F2F2F2")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="center", wrap_text=True)
_UNLOCKED = Protection(locked=False)
_ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


_VALIDATION_LIMIT = Decimal(10) ** 15


def _plain(number: Decimal) -> str:
    """A number as Excel formulas and Vietnamese readers both take it: no exponent."""
    text = format(number.normalize(), "f")
    return text


def period_label(period: Period) -> str:
    year = period.code[:4]
    number = int(period.code[5:].split("-")[0]) if period.type != "Y" else 1
    label = {
        "M": f"Tháng {number:02d}/{year}",
        "Q": f"Quý {number}/{year}",
        "S": f"6 tháng {'đầu' if number == 1 else 'cuối'} năm {year}",
        "Y": f"Năm {year}",
    }[period.type]
    return label + (" (theo Nghị định 09/2019/NĐ-CP)" if period.nd09 else "")


def _sheet_title(form: Form) -> str:
    title = f"Biểu {form.code}"
    for ch in "[]:*?/\\":
        title = title.replace(ch, "-")
    return title[:31]


def template_filename(form: Form, agency: Agency, period: Period) -> str:
    return f"{form.code}_{agency.code}_{period.code}.xlsx"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _check_period(form: Form, period: Period) -> None:
    if period.type != form.period_type or period.nd09 != (form.window == Window.DECREE_09):
        raise InvalidInput(
            f"Kỳ {period.code} không phải loại kỳ của biểu {form.code} ({form.get_period_type_display()}, "
            f"{form.get_window_display()}).",
            errors=[{"field": "period", "message": "không đúng loại kỳ của biểu mẫu"}],
        )


def template_for(form: Form, agency: Agency, period: Period | str) -> bytes:
    """The .xlsx the agency fills for ``form`` and ``period``, prefilled with its saved values.
    The caller checks that the actor may enter data for the agency."""
    if isinstance(period, str):
        period = period_parse(period)
    _check_period(form, period)
    sections = list(FormSection.objects.filter(form=form).order_by("order", "code"))
    items: dict[int, list[FormItem]] = defaultdict(list)
    for item in (
        FormItem.objects.filter(section__form=form)
        .select_related("indicator", "indicator__combo")
        .order_by("order", "pk")
    ):
        items[item.section_id].append(item)
    combo_ids = {i.indicator.combo_id for section_items in items.values() for i in section_items}
    options: dict[int, list[CategoryOptionCombo]] = defaultdict(list)
    for option in CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).order_by(
        "combo_id", "order", "code"
    ):
        options[option.combo_id].append(option)
    indicator_ids = {i.indicator_id for section_items in items.values() for i in section_items}
    saved = {
        (ind, opt): value
        for ind, opt, value in DataValue.objects.filter(
            agency=agency, period=period.code, indicator_id__in=indicator_ids
        ).values_list("indicator_id", "option_combo_id", "value")
    }
    width = max([len(options[c]) for c in combo_ids] or [1])
    last_col = FIRST_VALUE_COL + width - 1

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)
    ws.title = _sheet_title(form)
    deadline = add_working_days(period.end, form.deadline_days)

    def title_row(row: int, text: str, *, bold: bool = False, size: int = 11, italic: bool = False) -> None:
        cell = ws.cell(row=row, column=COL_STT, value=text)
        cell.font = Font(bold=bold, size=size, italic=italic)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.merge_cells(
            start_row=row, start_column=COL_STT, end_row=row, end_column=max(last_col, COL_UNIT + 1)
        )

    title_row(1, f"BIỂU {form.code}: {form.name.upper()}", bold=True, size=14)
    ws.row_dimensions[1].height = 36
    title_row(2, f"Cơ quan báo cáo: {agency.name} (mã {agency.code})", bold=True)
    title_row(
        3,
        f"Kỳ báo cáo: {period_label(period)}, từ {period.start:%d/%m/%Y} đến {period.end:%d/%m/%Y} "
        f"(mã kỳ {period.code})",
    )
    title_row(4, f"Hạn gửi: {deadline:%d/%m/%Y} ({form.deadline_days} ngày làm việc sau khi kết thúc kỳ)")
    title_row(
        5,
        f"Căn cứ: {form.legal_basis}" if form.legal_basis else f"Chế độ báo cáo: {form.get_regime_display()}",
    )
    title_row(
        6,
        "Chỉ nhập số vào các ô màu vàng (để trống nếu không có số liệu); "
        "số thập phân theo cách nhập của Excel. Không thêm, xoá hay di chuyển dòng, cột.",
        italic=True,
    )
    ws.row_dimensions[6].height = 30

    validations: dict[tuple[str, str, str], DataValidation] = {}

    def validation_for(value_type: str, lo: Decimal | None, hi: Decimal | None) -> DataValidation:
        kind = "whole" if value_type == ValueType.INTEGER else "decimal"
        if value_type == ValueType.PERCENT:
            lo = Decimal(0) if lo is None else max(lo, Decimal(0))
            hi = Decimal(100) if hi is None else min(hi, Decimal(100))
        bounded = lo is not None or hi is not None
        low = lo if lo is not None else -_VALIDATION_LIMIT
        high = hi if hi is not None else _VALIDATION_LIMIT
        key = (kind, _plain(low), _plain(high))
        if key not in validations:
            what = "số nguyên" if kind == "whole" else "số"
            dv = DataValidation(
                type=kind,
                operator="between",
                formula1=_plain(low),
                formula2=_plain(high),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Giá trị không hợp lệ",
                error=(
                    f"Chỉ nhập {what} từ {_plain(low)} đến {_plain(high)}."
                    if bounded
                    else f"Chỉ nhập {what}, không nhập chữ hay ký hiệu."
                ),
            )
            ws.add_data_validation(dv)
            validations[key] = dv
        return validations[key]

    row = 8
    for s_index, section in enumerate(sections):
        ws.cell(row=row, column=COL_CODE, value=f"#S:{section.code}")
        ws.cell(row=row, column=COL_STT, value=_ROMAN[s_index] if s_index < len(_ROMAN) else str(s_index + 1))
        ws.cell(row=row, column=COL_IND, value=section.name)
        ws.merge_cells(start_row=row, start_column=COL_IND, end_row=row, end_column=last_col)
        for col in range(COL_STT, last_col + 1):
            cell = ws.cell(row=row, column=col)
            cell.font, cell.fill, cell.border = Font(bold=True), _SECTION_FILL, _BORDER
        row += 1
        groups: dict[int, list[FormItem]] = {}
        for item in items.get(section.pk, []):
            groups.setdefault(item.indicator.combo_id, []).append(item)
        number = 0
        for combo_id, group in groups.items():
            combo = group[0].indicator.combo
            combo_options = options[combo_id]
            n = len(combo_options)
            # Two header rows, then the hidden row of option codes.
            for r in (row, row + 1):
                ws.cell(row=r, column=COL_CODE, value="#H")
            for col, text in (
                (COL_STT, "STT"),
                (COL_IND, "Mã chỉ tiêu"),
                (COL_NAME, "Tên chỉ tiêu"),
                (COL_UNIT, "Đơn vị tính"),
            ):
                ws.cell(row=row, column=col, value=text)
                ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
            ws.cell(
                row=row,
                column=FIRST_VALUE_COL,
                value="Số liệu" if combo.code == DEFAULT_COMBO else combo.name,
            )
            if n > 1:
                ws.merge_cells(
                    start_row=row,
                    start_column=FIRST_VALUE_COL,
                    end_row=row,
                    end_column=FIRST_VALUE_COL + n - 1,
                )
            for k, option in enumerate(combo_options):
                ws.cell(row=row + 1, column=FIRST_VALUE_COL + k, value=option.name)
                ws.cell(row=row + 2, column=FIRST_VALUE_COL + k, value=option.code)
            for r in (row, row + 1):
                for col in range(COL_STT, FIRST_VALUE_COL + n):
                    cell = ws.cell(row=r, column=col)
                    cell.font, cell.fill, cell.border, cell.alignment = (
                        Font(bold=True),
                        _HEADER_FILL,
                        _BORDER,
                        _CENTER,
                    )
            ws.cell(row=row + 2, column=COL_CODE, value="#O")
            ws.cell(row=row + 2, column=COL_IND, value=combo.code)
            ws.row_dimensions[row + 2].hidden = True
            row += 3
            for item in group:
                indicator = item.indicator
                number += 1
                ws.cell(
                    row=row,
                    column=COL_CODE,
                    value=(f"#C:{indicator.code}" if indicator.computed else indicator.code),
                )
                ws.cell(row=row, column=COL_STT, value=number).alignment = _CENTER
                ws.cell(row=row, column=COL_IND, value=indicator.code)
                name = indicator.name + (" (*)" if item.required else "")
                ws.cell(row=row, column=COL_NAME, value=name).alignment = _WRAP
                ws.cell(row=row, column=COL_UNIT, value=indicator.unit_of_measure).alignment = _CENTER
                for col in range(COL_STT, FIRST_VALUE_COL):
                    ws.cell(row=row, column=col).border = _BORDER
                fmt = "#,##0" if indicator.value_type == ValueType.INTEGER else "#,##0.####"
                for k, option in enumerate(combo_options):
                    cell = ws.cell(row=row, column=FIRST_VALUE_COL + k)
                    cell.border = _BORDER
                    if indicator.computed:
                        cell.fill = _COMPUTED_FILL
                        cell.value = "(tự tính)"
                        cell.alignment = _CENTER
                        continue
                    value = saved.get((indicator.pk, option.pk))
                    if value is not None:
                        cell.value = _number(value)
                    cell.number_format = fmt if indicator.value_type != ValueType.PERCENT else "0.##"
                    cell.fill, cell.protection = _INPUT_FILL, _UNLOCKED
                    validation_for(indicator.value_type, indicator.min_value, indicator.max_value).add(cell)
                row += 1
        row += 1

    ws.column_dimensions["A"].hidden = True
    for letter, w in (("B", 6), ("C", 16), ("D", 48), ("E", 14)):
        ws.column_dimensions[letter].width = w
    for col in range(FIRST_VALUE_COL, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 15
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widening columns to read is harmless
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if ws.sheet_properties.pageSetUpPr is not None:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:6"

    meta = wb.create_sheet(META_SHEET)
    for r, (key, value) in enumerate(
        (
            ("template", f"{MARKER}/{VERSION}"),
            ("form", form.code),
            ("agency", agency.code),
            ("period", period.code),
            ("sheet", ws.title),
            ("generated", dt.datetime.now(dt.UTC).isoformat()),
        ),
        start=1,
    ):
        meta.cell(row=r, column=1, value=key)
        meta.cell(row=r, column=2, value=value)
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def rows_from_xlsx(data: bytes, *, form_code: str | None = None) -> list[ValueRow]:
    """The values of a filled template (blank cells skipped), each named by its cell:
    "ô F12 (trang 'Biểu 01')". Raises InvalidInput, naming the cells, when the file is not an
    .xlsx, not our template, lacks its hidden codes, or belongs to another form than ``form_code``."""
    if not data[:4] == b"PK\x03\x04":
        raise InvalidInput(
            "Tệp không phải là tệp Excel .xlsx (hãy dùng mẫu tải về từ hệ thống, lưu dạng .xlsx).",
            errors=[{"row": "tệp", "field": "file", "message": "không phải tệp .xlsx"}],
        )
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise InvalidInput(
            "Không mở được tệp Excel: tệp hỏng hoặc không phải định dạng .xlsx.",
            errors=[{"row": "tệp", "field": "file", "message": "không đọc được tệp .xlsx"}],
        ) from None
    try:
        return _read(wb, form_code)
    finally:
        wb.close()


def _read(wb: Any, form_code: str | None) -> list[ValueRow]:
    not_ours = (
        "Tệp Excel không phải mẫu biểu của hệ thống (thiếu trang ẩn '_congso' chứa mã biểu, cơ quan, kỳ). "
        "Hãy tải mẫu: GET /api/v1/reporting/forms/{mã biểu}/template.xlsx."
    )
    if META_SHEET not in wb.sheetnames:
        raise InvalidInput(
            not_ours,
            errors=[
                {
                    "row": f"trang '{META_SHEET}'",
                    "field": "file",
                    "message": "thiếu trang ẩn chứa mã của mẫu biểu",
                }
            ],
        )
    meta: dict[str, str] = {}
    where: dict[str, str] = {}
    for r, values in enumerate(wb[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True), start=1):
        if values and values[0] is not None:
            key = str(values[0]).strip()
            meta[key] = str(values[1]).strip() if len(values) > 1 and values[1] is not None else ""
            where[key] = f"ô B{r} (trang '{META_SHEET}')"
    errors: list[dict[str, Any]] = []
    for position, key in enumerate(META_KEYS, start=1):
        if not meta.get(key):
            ref = where.get(key, f"ô B{position} (trang '{META_SHEET}')")
            errors.append({"row": ref, "field": key, "message": f"thiếu mã ẩn '{key}' của mẫu biểu"})
    if meta.get("template") and meta["template"].split("/")[0] != MARKER:
        errors.append(
            {"row": where["template"], "field": "template", "message": "không phải mẫu biểu của hệ thống"}
        )
    raise_if(errors, "Tệp Excel")
    form = Form.objects.filter(code=meta["form"]).first()
    if form is None:
        errors.append(
            {"row": where["form"], "field": "form", "message": f"không có biểu mẫu mã '{meta['form']}'"}
        )
    elif form_code and form.code != form_code:
        errors.append(
            {
                "row": where["form"],
                "field": "form",
                "message": f"tệp là mẫu của biểu {form.code}, không phải biểu {form_code}",
            }
        )
    sheet = meta["sheet"]
    if sheet not in wb.sheetnames:
        errors.append(
            {"row": where["sheet"], "field": "sheet", "message": f"không có trang '{sheet}' trong tệp"}
        )
    raise_if(errors, "Tệp Excel")
    assert form is not None
    members = {
        code: computed
        for code, computed in FormItem.objects.filter(section__form=form).values_list(
            "indicator__code", "indicator__computed"
        )
    }
    rows: list[ValueRow] = []
    options: dict[int, str] | None = None
    seen_data_row = False
    for r, values in enumerate(wb[sheet].iter_rows(min_row=1, values_only=True), start=1):
        if not values:
            continue
        marker = str(values[0]).strip() if values[0] is not None else ""
        cells = values[FIRST_VALUE_COL - 1 :]
        if marker == "#O":
            options = {FIRST_VALUE_COL + k: str(v).strip() for k, v in enumerate(cells) if not _blank(v)}
            if not options:
                errors.append(
                    {
                        "row": f"ô {get_column_letter(FIRST_VALUE_COL)}{r} (trang '{sheet}')",
                        "field": "option",
                        "message": "dòng mã phân tổ ẩn bị xoá",
                    }
                )
            continue
        if marker.startswith("#"):
            continue
        if not marker:
            filled = [k for k, v in enumerate(cells) if not _blank(v)]
            if filled and r > 7:
                col = get_column_letter(FIRST_VALUE_COL + filled[0])
                errors.append(
                    {
                        "row": f"ô A{r} (trang '{sheet}')",
                        "field": "indicator",
                        "message": f"dòng có số liệu (ô {col}{r}) nhưng thiếu mã chỉ tiêu ẩn; "
                        "tệp không đúng mẫu của hệ thống",
                    }
                )
            continue
        seen_data_row = True
        if marker not in members:
            errors.append(
                {
                    "row": f"ô A{r} (trang '{sheet}')",
                    "field": "indicator",
                    "message": f"chỉ tiêu '{marker}' không thuộc biểu {form.code}",
                }
            )
            continue
        if options is None:
            errors.append(
                {
                    "row": f"ô A{r} (trang '{sheet}')",
                    "field": "option",
                    "message": "thiếu dòng mã phân tổ ẩn phía trên dòng chỉ tiêu",
                }
            )
            continue
        for col, option in options.items():
            value = values[col - 1] if col - 1 < len(values) else None
            if _blank(value):
                continue
            rows.append(
                ValueRow(
                    indicator=marker,
                    agency=meta["agency"],
                    period=meta["period"],
                    value=value,
                    option=option,
                    ref=f"ô {get_column_letter(col)}{r} (trang '{sheet}')",
                )
            )
    if not seen_data_row and not errors:
        errors.append(
            {
                "row": f"trang '{sheet}'",
                "field": "indicator",
                "message": "không có dòng chỉ tiêu nào mang mã ẩn (cột A); tệp không đúng mẫu",
            }
        )
    raise_if(errors, "Tệp Excel")
    if not rows:
        raise InvalidInput(
            "Tệp Excel chưa có số liệu nào (mọi ô nhập đều để trống).",
            errors=[{"row": f"trang '{sheet}'", "field": "value", "message": "chưa nhập số liệu"}],
        )
    return rows
