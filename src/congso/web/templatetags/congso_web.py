"""Small template helpers for the web shell."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def get(mapping: Any, key: Any) -> Any:
    """``{{ labels|get:obj.kind }}``: a dictionary lookup by a variable key."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key


@register.filter
def percent(share: Any) -> str:
    """A share (0–1) as a percentage: 0.25 -> "25%", 1 -> "100%"."""
    if share is None:
        return ""
    value = Decimal(share) * 100
    places = 0 if value == value.to_integral() else 1
    return f"{number_format(value, places)}%"
