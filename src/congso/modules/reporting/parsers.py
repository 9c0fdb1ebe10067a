"""Reading data values from files: JSON, CSV and ADX (IHE QRPH ADX) into ``ValueRow``s.

The parsers check the structure of the file (a missing column, a bad header, XML that is not
well-formed, a group without its period) and name the row or element of every problem; the
values themselves (numbers, codes, permissions) are checked by ``services.datavalues_import``.
A file with any structural problem raises ``InvalidInput`` listing all of them: nothing is
saved from it. The Excel template has its own module (``excel``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import permutations
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as xml_fromstring

from congso.core.errors import InvalidInput
from congso.modules.reporting.models import CategoryOptionCombo, Form, FormItem, Indicator
from congso.modules.reporting.periods import period_of
from congso.modules.reporting.services import ValueRow
from congso.modules.reporting.store import gc_paused

ADX_NS = "urn:ihe:qrph:adx:2015"

# Column names (lower case) -> ValueRow field. DHIS2's names are accepted too.
_COLUMNS = {
    "indicator": "indicator",
    "dataelement": "indicator",
    "agency": "agency",
    "orgunit": "agency",
    "period": "period",
    "value": "value",
    "option": "option",
    "categoryoptioncombo": "option",
}
_REQUIRED = ("indicator", "agency", "period", "value")
_SUPPORTED = "indicator, agency, period, value, option"
_KIND_WORDS = {"M": "tháng", "Q": "quý", "S": "6 tháng", "Y": "năm"}


def raise_if(errors: list[dict[str, Any]], what: str = "Tệp") -> None:
    """Raise ``InvalidInput`` listing ``errors`` (if any), in the same words as the service."""
    if not errors:
        return
    shown = "; ".join(f"{e['row']}: {e['message']}" for e in errors[:5])
    more = f" (và {len(errors) - 5} lỗi khác)" if len(errors) > 5 else ""
    raise InvalidInput(f"{what} có {len(errors)} lỗi, chưa nhập giá trị nào. {shown}{more}", errors=errors)


def _error(ref: str, field: str, message: str) -> dict[str, Any]:
    return {"row": ref, "field": field, "message": message}


def _text(value: Any) -> str | None:
    """A code given as a string (or a bare number such as a year); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int):
        return str(value)
    return None


# --- JSON ----------------------------------------------------------------------------------------


def rows_from_json(payload: Any) -> list[ValueRow]:
    """``{"dataValues": [{"indicator", "agency", "period", "value", "option"?}, …]}`` or a bare
    list of such objects (bytes or text are decoded first). DHIS2's names (dataElement, orgUnit,
    categoryOptionCombo) and top-level ``period``/``agency`` defaults are accepted too."""
    if isinstance(payload, bytes | bytearray | str):
        text = payload.decode("utf-8-sig") if isinstance(payload, bytes | bytearray) else payload
        try:
            payload = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            where = f"dòng {exc.lineno}, cột {exc.colno}" if isinstance(exc, json.JSONDecodeError) else "tệp"
            raise InvalidInput(
                f"Nội dung không phải JSON hợp lệ ({where}).",
                errors=[_error(where, "body", "nội dung JSON không hợp lệ")],
            ) from None
    defaults: dict[str, Any] = {}
    if isinstance(payload, Mapping):
        if "dataValues" not in payload:
            raise InvalidInput(
                "Thiếu trường 'dataValues': gửi {\"dataValues\": [...]} hoặc một danh sách giá trị.",
                errors=[_error("tệp", "dataValues", "bắt buộc phải có")],
            )
        for key in ("agency", "orgUnit", "period"):
            if key in payload:
                defaults[_COLUMNS[key.lower()]] = payload[key]
        items = payload["dataValues"]
    else:
        items = payload
    if not isinstance(items, list):
        raise InvalidInput(
            "'dataValues' phải là một danh sách giá trị.",
            errors=[_error("tệp", "dataValues", "phải là một danh sách")],
        )
    rows: list[ValueRow] = []
    errors: list[dict[str, Any]] = []
    for number, item in enumerate(items, start=1):
        ref = f"dòng {number}"
        if not isinstance(item, Mapping):
            errors.append(_error(ref, "dataValues", "phải là một đối tượng JSON"))
            continue
        fields: dict[str, Any] = dict(defaults)
        for key, value in item.items():
            name = _COLUMNS.get(str(key).lower())
            if name is not None:
                fields[name] = value
        bad = False
        for name in _REQUIRED:
            if name not in fields:
                errors.append(_error(ref, name, f"thiếu trường '{name}'"))
                bad = True
        codes: dict[str, str] = {}
        for name in ("indicator", "agency", "period", "option"):
            if name not in fields or (name == "option" and fields[name] is None):
                continue
            code = _text(fields[name])
            if code is None:
                errors.append(_error(ref, name, f"trường '{name}' phải là chuỗi ký tự"))
                bad = True
            else:
                codes[name] = code
        if bad:
            continue
        rows.append(
            ValueRow(
                indicator=codes["indicator"],
                agency=codes["agency"],
                period=codes["period"],
                value=fields["value"],
                option=codes.get("option", ""),
                ref=ref,
            )
        )
    raise_if(errors)
    return rows


# --- CSV -----------------------------------------------------------------------------------------


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "Tệp CSV phải được mã hoá UTF-8 (trong Excel: Lưu thành 'CSV UTF-8').",
            errors=[_error("tệp", "body", f"byte không hợp lệ ở vị trí {exc.start}")],
        ) from None


def rows_from_csv(text: bytes | str) -> list[ValueRow]:
    """CSV with the header ``indicator,agency,period,value[,option]`` (any order), separated by
    ',' or ';' (Excel's Vietnamese locale writes ';' and decimal commas: "12,5"), with or without
    a UTF-8 BOM. Rows are named by their line in the file: the header is "dòng 1"."""
    content = _decode(text)
    first_line = next((line for line in content.splitlines() if line.strip()), "")
    if not first_line:
        raise InvalidInput("Tệp CSV trống.", errors=[_error("dòng 1", "header", "tệp trống")])
    delimiter = max((";", ",", "\t"), key=first_line.count)
    if first_line.count(delimiter) == 0:
        delimiter = ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    errors: list[dict[str, Any]] = []
    header: list[str] | None = None
    header_line = 1
    columns: dict[str, int] = {}
    rows: list[ValueRow] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            header, header_line = [cell.strip() for cell in record], reader.line_num
            ref = f"dòng {header_line}"
            for position, name in enumerate(header):
                field = _COLUMNS.get(name.lower())
                if field is None:
                    errors.append(
                        _error(
                            ref,
                            name or f"cột {position + 1}",
                            f"cột '{name}' không được hỗ trợ (dùng {_SUPPORTED})",
                        )
                    )
                elif field in columns:
                    errors.append(_error(ref, field, f"cột '{name}' bị lặp lại"))
                else:
                    columns[field] = position
            for field in _REQUIRED:
                if field not in columns:
                    errors.append(_error(ref, field, f"thiếu cột '{field}' trong dòng tiêu đề"))
            break
        if header is not None and not errors:
            with gc_paused():
                _csv_rows(reader, header, columns, delimiter, rows, errors, content)
    except csv.Error as exc:
        errors.append(_error(f"dòng {reader.line_num}", "row", f"CSV không hợp lệ: {exc}"))
    if header is None and not errors:
        errors.append(_error(f"dòng {header_line}", "header", "thiếu dòng tiêu đề"))
    raise_if(errors)
    return rows


def _csv_rows(
    reader: Any,
    header: list[str],
    columns: dict[str, int],
    delimiter: str,
    rows: list[ValueRow],
    errors: list[dict[str, Any]],
    content: str,
) -> None:
    """The data rows after the header. The hot loop of a CSV import (a million rows a file): the
    common row — as many cells as the header, a code in its first cell — costs a few look-ups and
    one ``ValueRow``; anything else takes the careful path.

    A file without quotes (the usual export: codes and numbers) is one record per line, so its
    lines are split on the delimiter directly — what the csv module would do with them, at two
    thirds of the cost. A quote, a lone carriage return or a NUL anywhere: the csv module reads it."""
    width = len(header)
    ind, agency, period, value = (columns[f] for f in _REQUIRED)
    option = columns.get("option")
    append = rows.append
    plain = content.replace("\r\n", "\n") if "\r\n" in content else content
    if '"' in plain or "\r" in plain or "\x00" in plain:
        records: Iterator[tuple[int, list[str]]] = ((reader.line_num, record) for record in reader)
    else:
        first = reader.line_num  # the header's line: the reader has read that far, no further
        records = enumerate((line.split(delimiter) for line in plain.split("\n")[first:]), first + 1)
    for line, record in records:
        if len(record) != width or not record[0].strip():
            if not any(cell.strip() for cell in record):
                continue
            while len(record) > width and not record[-1].strip():
                record.pop()
            if len(record) != width:
                hint = (
                    " (số thập phân dùng dấu phẩy cần đặt trong ngoặc kép hoặc dùng dấu ';')"
                    if (delimiter == "," and len(record) > width)
                    else ""
                )
                errors.append(
                    _error(
                        f"dòng {line}",
                        "row",
                        f"có {len(record)} cột, dòng tiêu đề có {width} cột{hint}",
                    )
                )
                continue
        append(
            ValueRow(
                record[ind].strip(),
                record[agency].strip(),
                record[period].strip(),
                record[value].strip(),
                record[option].strip() if option is not None else "",
                f"dòng {line}",
            )
        )


# --- ADX -----------------------------------------------------------------------------------------

_ISO_PERIOD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/P(\d+)([MYD])$")
_PERIOD_MONTHS = {1: "M", 3: "Q", 6: "S", 12: "Y"}
_CORE_ATTRIBUTES = {"dataElement", "value"}
_OPTION_ATTRIBUTES = ("categoryOptionCombo", "option")


def period_from_iso(text: str) -> str:
    """ADX's ISO 8601 period (start/duration) as our period code: ``2024-01-01/P1M`` ->
    ``2024M01``, ``2024-04-01/P3M`` -> ``2024Q2``, ``2024-07-01/P6M`` -> ``2024S2``,
    ``2024-01-01/P1Y`` -> ``2024``; a start on the 15th of the month before is Decree 09's
    window: ``2023-12-15/P1M`` -> ``2024M01-ND09``. Raises ValueError with a Vietnamese reason."""
    match = _ISO_PERIOD.match((text or "").strip())
    if not match:
        raise ValueError(f"kỳ '{text}' không đúng dạng ISO 8601 ngày-bắt-đầu/độ-dài, ví dụ 2024-01-01/P1M")
    year, month, day, count, unit = int(match[1]), int(match[2]), int(match[3]), int(match[4]), match[5]
    try:
        start = dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"ngày bắt đầu kỳ '{text}' không có thật") from None
    months = count * 12 if unit == "Y" else count if unit == "M" else 0
    type_ = _PERIOD_MONTHS.get(months)
    if type_ is None:
        raise ValueError(f"độ dài kỳ '{text}' không được hỗ trợ (P1M, P3M, P6M hoặc P1Y)")
    nd09 = start.day == 15
    if nd09:  # the window starts on the 15th of the month before the period's first month
        first = dt.date(year + month // 12, month % 12 + 1, 1)
    elif start.day == 1:
        first = start
    else:
        raise ValueError(f"kỳ '{text}' phải bắt đầu ngày 01 (kỳ theo lịch) hoặc ngày 15 (Nghị định 09/2019)")
    if (first.month - 1) % months:
        raise ValueError(f"kỳ '{text}' không bắt đầu ở đầu một {_KIND_WORDS[type_]}")
    period = period_of(first.year, type_, (first.month - 1) // months + 1, nd09=nd09)
    if period.start != start:
        raise ValueError(f"kỳ '{text}' không khớp kỳ báo cáo nào")
    return period.code


def _local(tag: Any) -> tuple[str, str]:
    text = str(tag)
    if text.startswith("{"):
        ns, _, name = text[1:].partition("}")
        return ns, name
    return "", text


def rows_from_adx(xml_bytes: bytes | str) -> list[ValueRow]:
    """ADX: ``<adx xmlns="urn:ihe:qrph:adx:2015"><group dataSet=FORM orgUnit=AGENCY
    period="2024-01-01/P1M"><dataValue dataElement=IND value=… [disaggregation]/></group></adx>``.

    The disaggregation (our option combo) is read from a ``categoryOptionCombo`` (or ``option``)
    attribute, from an attribute named after the indicator's category combo, or from the other
    attributes: one gives the option code, several are joined with '_' in any order to match one of
    the combo's option codes (``SEX="NAM" AREA="TT"`` -> ``NAM_TT``). The dataSet must be a form of
    the repository and each dataElement one of its indicators. Parsed with defusedxml: no DTD, no
    entities, no external references."""
    data = xml_bytes.encode() if isinstance(xml_bytes, str) else xml_bytes
    try:
        root = xml_fromstring(data)
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        where = f"dòng {line}, cột {column + 1}"
        raise InvalidInput(
            f"Tệp ADX không phải XML hợp lệ ({where}): {exc}.",
            errors=[_error(where, "xml", "XML không hợp lệ (not well-formed)")],
        ) from None
    except DefusedXmlException:
        raise InvalidInput(
            "Tệp ADX có khai báo DTD hoặc thực thể (entity), không được chấp nhận.",
            errors=[_error("tệp", "xml", "không được có DTD, entity hoặc tham chiếu bên ngoài")],
        ) from None
    ns, name = _local(root.tag)
    if name != "adx" or ns not in (ADX_NS, ""):
        raise InvalidInput(
            f'Phần tử gốc phải là <adx xmlns="{ADX_NS}">.',
            errors=[_error("phần tử gốc", "xml", f"gặp <{name}> (namespace '{ns}')")],
        )
    errors: list[dict[str, Any]] = []
    items: list[_AdxValue] = []
    group_number = 0
    for group in root:
        if not isinstance(group.tag, str):
            continue  # comments, processing instructions
        if _local(group.tag)[1] != "group":
            errors.append(
                _error(f"phần tử <{_local(group.tag)[1]}>", "xml", "trong <adx> chỉ được có <group>")
            )
            continue
        group_number += 1
        gref = f"group {group_number}"
        period_code = ""
        for attr in ("dataSet", "orgUnit", "period"):
            if not (group.get(attr) or "").strip():
                errors.append(_error(gref, attr, f"thiếu thuộc tính {attr}"))
        if (group.get("period") or "").strip():
            try:
                period_code = period_from_iso(group.get("period", ""))
            except ValueError as exc:
                errors.append(_error(gref, "period", str(exc)))
        number = 0
        for element in group:
            if not isinstance(element.tag, str) or _local(element.tag)[1] != "dataValue":
                continue  # annotations and extensions are allowed and ignored
            number += 1
            ref = f"dataValue thứ {number} ({gref})"
            indicator = (element.get("dataElement") or "").strip()
            if not indicator:
                errors.append(_error(ref, "dataElement", "thiếu thuộc tính dataElement"))
            if element.get("value") is None:
                errors.append(_error(ref, "value", "thiếu thuộc tính value"))
            extra = {
                str(k): v.strip()
                for k, v in element.attrib.items()
                if not str(k).startswith("{") and k not in _CORE_ATTRIBUTES
            }
            items.append(
                _AdxValue(
                    ref,
                    (group.get("dataSet") or "").strip(),
                    (group.get("orgUnit") or "").strip(),
                    period_code,
                    indicator,
                    element.get("value"),
                    extra,
                )
            )
        if number == 0:
            errors.append(_error(gref, "dataValue", "nhóm không có dataValue nào"))
    if group_number == 0 and not errors:
        errors.append(_error("phần tử gốc", "group", "tệp ADX không có <group> nào"))
    raise_if(errors, "Tệp ADX")
    rows = _resolve_adx(items, errors)
    raise_if(errors, "Tệp ADX")
    return rows


@dataclass(frozen=True)
class _AdxValue:
    ref: str
    form: str
    agency: str
    period: str
    indicator: str
    value: Any
    extra: dict[str, str]


def _resolve_adx(items: list[_AdxValue], errors: list[dict[str, Any]]) -> list[ValueRow]:
    """Check the forms (dataSet) and their indicators, and find each value's option combo."""
    form_codes = {i.form for i in items}
    forms = set(Form.objects.filter(code__in=form_codes).values_list("code", flat=True))
    members = set(
        FormItem.objects.filter(section__form__code__in=forms).values_list(
            "section__form__code", "indicator__code"
        )
    )
    combos = dict(
        Indicator.objects.filter(code__in={i.indicator for i in items}).values_list("code", "combo__code")
    )
    options: dict[str, set[str]] = {}
    for combo_code, option_code in CategoryOptionCombo.objects.filter(
        combo__code__in=set(combos.values())
    ).values_list("combo__code", "code"):
        options.setdefault(combo_code, set()).add(option_code)
    rows: list[ValueRow] = []
    for item in items:
        if item.form not in forms:
            errors.append(
                _error(item.ref, "dataSet", f"không có biểu mẫu mã '{item.form}' trong kho biểu mẫu")
            )
            continue
        if item.indicator in combos and (item.form, item.indicator) not in members:
            errors.append(
                _error(item.ref, "dataElement", f"chỉ tiêu {item.indicator} không thuộc biểu {item.form}")
            )
            continue
        combo = combos.get(item.indicator, "")
        option = _adx_option(item.extra, combo, options.get(combo, set()))
        if option is None:
            attrs = ", ".join(f'{k}="{v}"' for k, v in sorted(item.extra.items()))
            errors.append(
                _error(item.ref, "option", f"không xác định được phân tổ của {item.indicator} từ {attrs}")
            )
            continue
        rows.append(
            ValueRow(
                indicator=item.indicator,
                agency=item.agency,
                period=item.period,
                value=item.value,
                option=option,
                ref=item.ref,
            )
        )
    return rows


def _adx_option(extra: dict[str, str], combo: str, known: set[str]) -> str | None:
    """The option combo code named by a dataValue's disaggregation attributes ("" for none)."""
    for key in _OPTION_ATTRIBUTES:
        if key in extra:
            return extra[key]
    if combo and combo in extra:
        return extra[combo]
    values = [v for v in extra.values() if v]
    if not values:
        return ""
    if len(values) == 1:
        return values[0]
    for order in permutations(values):
        for joiner in ("_", "-", "."):
            candidate = joiner.join(order)
            if candidate in known:
                return candidate
    return None
