"""Formulas of computed indicators, parsed safely — never ``eval``.

Syntax: indicator codes in braces, numbers, + - * / and parentheses, comparisons, and the
functions ``if(condition, then, else)``, ``min``, ``max``, ``abs``, ``round``. Example:
``{DT_CNTT} / {DN_CNTT}`` or ``if({DS} > 0, {TB} / {DS} * 100, 0)``.

The text is turned into a Python expression tree by the standard library's ``ast`` parser, then
every node is checked against a short whitelist and evaluated by walking the tree here: there is
no name lookup, attribute access, call of arbitrary functions or code execution.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Any

from congso.core.errors import InvalidInput

_REF = re.compile(r"\{([A-Za-z0-9_.\-]+)\}")
_BINARY: dict[type, Callable[[Decimal, Decimal], Decimal]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE: dict[type, Callable[[Decimal, Decimal], bool]] = {
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS = {"if", "min", "max", "abs", "round"}


@dataclass(frozen=True)
class Formula:
    text: str
    tree: ast.Expression
    references: tuple[str, ...]  # indicator codes, in order of first use
    names: dict[str, str]  # safe identifier -> indicator code

    def evaluate(self, values: Mapping[str, Decimal | None]) -> Decimal | None:
        """The formula's value; None when a referenced value is missing or a division by zero."""
        env = {name: values.get(code) for name, code in self.names.items()}
        try:
            result = _eval(self.tree.body, env)
        except (ZeroDivisionError, DivisionByZero, InvalidOperation, _Missing):
            return None
        return result if isinstance(result, Decimal) else Decimal(int(result))


class _Missing(Exception):
    pass


def parse_formula(text: str) -> Formula:
    names: dict[str, str] = {}
    order: list[str] = []

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code not in order:
            order.append(code)
        name = f"ref_{order.index(code)}"
        names[name] = code
        return name

    source = _REF.sub(replace, text or "").replace("if(", "if_(")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise InvalidInput(f"Công thức '{text}' sai cú pháp (vị trí {exc.offset}).") from None
    for node in ast.walk(tree):
        _check(node, text, names)
    if not order:
        raise InvalidInput(
            f"Công thức '{text}' không tham chiếu chỉ tiêu nào (viết mã trong ngoặc nhọn: {{MA}})."
        )
    return Formula(text=text, tree=tree, references=tuple(order), names=names)


def _check(node: ast.AST, text: str, names: dict[str, str]) -> None:
    allowed = (
        ast.Expression,
        ast.BinOp,
        ast.UnaryOp,
        ast.USub,
        ast.UAdd,
        ast.Constant,
        ast.Name,
        ast.Load,
        ast.Call,
        ast.Compare,
        ast.BoolOp,
        ast.And,
        ast.Or,
        *_BINARY,
        *_COMPARE,
    )
    if not isinstance(node, allowed):
        raise InvalidInput(f"Công thức '{text}' dùng thành phần không được phép ({type(node).__name__}).")
    if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
        raise InvalidInput(f"Công thức '{text}' chỉ được chứa số và mã chỉ tiêu.")
    if isinstance(node, ast.Name) and node.id not in names and node.id.rstrip("_") not in _FUNCTIONS:
        raise InvalidInput(f"Công thức '{text}': '{node.id}' không phải mã chỉ tiêu (viết trong ngoặc nhọn).")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id.rstrip("_") not in _FUNCTIONS or node.keywords:
            raise InvalidInput(f"Công thức '{text}' gọi hàm không được phép.")
        if node.func.id == "if_" and len(node.args) != 3:
            raise InvalidInput(
                f"Công thức '{text}': if cần đúng 3 đối số: if(điều kiện, giá trị đúng, giá trị sai)."
            )


def _eval(node: ast.AST, env: Mapping[str, Decimal | None]) -> Any:
    if isinstance(node, ast.Constant):
        return Decimal(str(node.value))
    if isinstance(node, ast.Name):
        value = env.get(node.id)
        if value is None:
            raise _Missing
        return value
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, env)
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_num(_eval(node.left, env)), _num(_eval(node.right, env)))
    if isinstance(node, ast.Compare):
        left = _num(_eval(node.left, env))
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _num(_eval(comparator, env))
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        results = [_eval(v, env) for v in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.Call):
        name = node.func.id.rstrip("_")  # type: ignore[attr-defined]
        if name == "if":
            return _eval(node.args[1], env) if _eval(node.args[0], env) else _eval(node.args[2], env)
        args = [_num(_eval(a, env)) for a in node.args]
        if name == "min":
            return min(args)
        if name == "max":
            return max(args)
        if name == "abs":
            return abs(args[0])
        return round(args[0], int(args[1]) if len(args) > 1 else 0)
    raise InvalidInput("Công thức không hợp lệ.")


def _num(value: Decimal | bool) -> Decimal:
    return Decimal(int(value)) if isinstance(value, bool) else value
