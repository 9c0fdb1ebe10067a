"""Validation rules (left side, operator, right side) over one agency's values for one period.

``validation_rule_create`` adds a rule (catalogue administrators); ``validation_check`` evaluates
the rules of a form against what an agency entered, and the submission is refused while any rule
is broken. Both sides are formulas (``congso.modules.reporting.formula``), so the same safe parser
applies; ``{CODE}`` is the indicator's total over its options, ``{CODE.OPTION}`` one option.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from congso.core.audit.services import audit_record
from congso.core.errors import Conflict, InvalidInput
from congso.core.policy import authorize
from congso.modules.reporting.formula import parse_formula
from congso.modules.reporting.models import (
    DataValue,
    Form,
    Indicator,
    RuleOperator,
    Submission,
    ValidationRule,
)

_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    left: Decimal
    right: Decimal
    operator: str


def validation_rule_create(
    *,
    actor: Any,
    code: str,
    name: str,
    left: str,
    operator: str,
    right: str,
    message: str,
    form: Form | None = None,
) -> ValidationRule:
    if actor is not None:
        authorize(actor, "reporting.catalogue.manage", globally=True)
    if operator not in RuleOperator.values:
        raise InvalidInput(f"Toán tử '{operator}' không hợp lệ: dùng ==, !=, <, <=, > hoặc >=.")
    if not message.strip():
        raise InvalidInput("Quy tắc kiểm tra cần thông báo lỗi cho người nhập.")
    references = set(parse_formula(left).references) | set(parse_formula(right).references)
    codes = {r.split(".", 1)[0] for r in references}
    known = set(Indicator.objects.filter(code__in=codes).values_list("code", flat=True))
    if codes - known:
        raise InvalidInput(f"Quy tắc tham chiếu chỉ tiêu chưa có: {', '.join(sorted(codes - known))}.")
    with transaction.atomic():
        if ValidationRule.objects.filter(code=code).exists():
            raise Conflict(f"Mã quy tắc {code} đã có.")
        rule = ValidationRule.objects.create(
            code=code, name=name, left=left, operator=operator, right=right, message=message, form=form
        )
        audit_record(
            actor=actor,
            action="reporting.rule.create",
            target=rule,
            after={"code": code, "left": left, "operator": operator, "right": right},
        )
    return rule


def validation_check(*, submission: Submission) -> list[Violation]:
    """The rules of the submission's form (and the rules of no form) that its values break. A rule
    whose values are missing is not judged: completeness is the required-fields check's job."""
    rules = list(ValidationRule.objects.filter(Q(form=submission.form) | Q(form__isnull=True)))
    if not rules:
        return []
    values: dict[str, Decimal] = {}
    for code, option, value in DataValue.objects.filter(
        agency=submission.agency, period=submission.period
    ).values_list("indicator__code", "option_combo__code", "value"):
        values[f"{code}.{option}"] = value
        values[code] = values.get(code, Decimal(0)) + value
    broken = []
    for rule in rules:
        left = parse_formula(rule.left).evaluate(values)
        right = parse_formula(rule.right).evaluate(values)
        if left is None or right is None:
            continue
        if not _OPS[rule.operator](left, right):
            broken.append(Violation(rule.code, rule.message, left, right, rule.operator))
    return broken
