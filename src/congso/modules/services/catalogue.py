"""The shapes a procedure version is made of, and the check of a filled form against its fields.

Stored as JSON in ``ProcedureVersion`` (documents, form_fields, steps); these dataclasses are how
code builds and reads them. Form validation returns every error at once, one per field, in
Vietnamese, with the field's path (``form.<name>``) so a web form or an API client can place it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

FIELD_TYPES = ("text", "date", "number", "choice")
MAX_TEXT = 1000

# What the state already holds (Decree 118: not asked for again): the population database's
# records behind the documents a citizen would otherwise bring.
STATE_HELD = {
    "citizen_id": "Căn cước / căn cước công dân (CSDL quốc gia về dân cư)",
    "residence": "Thông tin cư trú (CSDL quốc gia về dân cư)",
    "birth": "Thông tin khai sinh (CSDL hộ tịch điện tử)",
    "marital_status": "Tình trạng hôn nhân (CSDL hộ tịch điện tử)",
    "land": "Thông tin đất đai (CSDL đất đai)",
    "business": "Thông tin đăng ký kinh doanh (CSDL quốc gia về đăng ký doanh nghiệp)",
}


@dataclass(frozen=True)
class RequiredDocument:
    name: str
    copies: int = 1
    original: bool = True  # bản chính (else bản sao)
    required: bool = True  # False: only in the cases the name states ("trường hợp …")
    state_held: str = ""  # a key of STATE_HELD: the state already holds it, not asked again


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    type: str = "text"
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    role: str  # who acts: desk_officer, specialist, leader
    agency_level: str  # "xa" / "tinh": the level of the agency doing the step
    days: int  # share of the legal time, in working days (steps add up to the total)
    name: str = ""


@dataclass
class VersionSpec:
    valid_from: dt.date
    processing_days: int
    fee: int = 0
    fee_unit: str = ""
    fee_note: str = ""
    legal_basis: str = ""
    documents: list[RequiredDocument] = field(default_factory=list)
    form_fields: list[FormField] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)


@dataclass
class ProcedureSpec:
    code: str
    name: str
    field: str
    level: str
    competent_kind: str
    online_level: str
    version: VersionSpec
    competent_agency_code: str = ""


def dump(items: list[Any]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        data = asdict(item)
        if "choices" in data:
            data["choices"] = list(data["choices"])
        out.append(data)
    return out


def fields_of(raw: list[dict[str, Any]]) -> list[FormField]:
    return [FormField(**{**f, "choices": tuple(f.get("choices", ()))}) for f in raw]


def check_version(spec: VersionSpec) -> list[dict[str, str]]:
    """Errors in a version's definition (an administrator's mistake, not a citizen's)."""
    errors: list[dict[str, str]] = []
    if spec.processing_days < 0:
        errors.append({"field": "processing_days", "message": _("Thời hạn giải quyết không được âm.")})
    if spec.fee < 0:
        errors.append({"field": "fee", "message": _("Lệ phí không được âm.")})
    names: set[str] = set()
    for f in spec.form_fields:
        if f.type not in FIELD_TYPES:
            errors.append(
                {
                    "field": f"form_fields.{f.name}",
                    "message": _("Kiểu trường '{type}' không hợp lệ; chọn một trong: {options}.").format(
                        type=f.type, options=", ".join(FIELD_TYPES)
                    ),
                }
            )
        if f.type == "choice" and not f.choices:
            errors.append(
                {"field": f"form_fields.{f.name}", "message": _("Trường lựa chọn phải có danh sách giá trị.")}
            )
        if f.name in names:
            errors.append({"field": f"form_fields.{f.name}", "message": _("Tên trường bị trùng.")})
        names.add(f.name)
    for d in spec.documents:
        if d.state_held and d.state_held not in STATE_HELD:
            errors.append(
                {
                    "field": "documents",
                    "message": _(
                        "Nguồn dữ liệu '{key}' không có trong danh mục dữ liệu nhà nước đã có."
                    ).format(key=d.state_held),
                }
            )
    if spec.steps and sum(s.days for s in spec.steps) != spec.processing_days:
        errors.append(
            {
                "field": "steps",
                "message": _(
                    "Tổng thời gian các bước ({steps} ngày) phải bằng thời hạn giải quyết ({total} ngày)."
                ).format(steps=sum(s.days for s in spec.steps), total=spec.processing_days),
            }
        )
    return errors


def validate_form(fields: list[FormField], data: Any) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The cleaned form data (dates as ISO strings, numbers as int or decimal strings, text
    stripped) and the errors, one per field, in the order of the form."""
    if not isinstance(data, dict):
        return {}, [{"field": "form", "message": _("Tờ khai phải là một đối tượng JSON.")}]
    clean: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    known = {f.name for f in fields}
    for f in fields:
        path = f"form.{f.name}"
        value = data.get(f.name)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if f.required:
                errors.append(
                    {"field": path, "message": _("{label}: bắt buộc phải nhập.").format(label=f.label)}
                )
            continue
        if f.type == "text":
            if not isinstance(value, str):
                errors.append(
                    {"field": path, "message": _("{label}: phải là chuỗi ký tự.").format(label=f.label)}
                )
            elif len(value) > MAX_TEXT:
                errors.append(
                    {
                        "field": path,
                        "message": _("{label}: không quá {n} ký tự.").format(label=f.label, n=MAX_TEXT),
                    }
                )
            else:
                clean[f.name] = value
        elif f.type == "date":
            try:
                clean[f.name] = dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                errors.append(
                    {
                        "field": path,
                        "message": _(
                            "{label}: ngày '{value}' không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2026-04-29)."
                        ).format(label=f.label, value=value),
                    }
                )
        elif f.type == "number":
            number = _number(value)
            if number is None:
                errors.append(
                    {
                        "field": path,
                        "message": _("{label}: '{value}' không phải là số.").format(
                            label=f.label, value=value
                        ),
                    }
                )
            else:
                clean[f.name] = number
        else:  # choice
            if value not in f.choices:
                errors.append(
                    {
                        "field": path,
                        "message": _("{label}: '{value}' không có trong danh sách: {options}.").format(
                            label=f.label, value=value, options=", ".join(f.choices)
                        ),
                    }
                )
            else:
                clean[f.name] = value
    for name in sorted(set(data) - known):
        errors.append(
            {
                "field": f"form.{name}",
                "message": _("Trường '{name}' không có trong tờ khai của thủ tục này.").format(name=name),
            }
        )
    return clean, errors


def _number(value: Any) -> int | str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else str(number)
