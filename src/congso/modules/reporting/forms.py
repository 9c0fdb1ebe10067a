"""Web forms of the reporting module: they check the shape of input; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

PERIOD_TYPE_CHOICES = [
    ("M", _("Tháng")),
    ("Q", _("Quý")),
    ("S", _("6 tháng")),
    ("Y", _("Năm")),
    ("M-ND09", _("Tháng (Nghị định 09/2019)")),
    ("Q-ND09", _("Quý (Nghị định 09/2019)")),
    ("S-ND09", _("6 tháng (Nghị định 09/2019)")),
    ("Y-ND09", _("Năm (Nghị định 09/2019)")),
]

LEVEL_CHOICES = [
    (1, _("Tỉnh, thành phố")),
    (2, _("Quận, huyện, thị xã")),
    (3, _("Phường, xã")),
]


class OpenReportForm(forms.Form):
    """Open (or find) the report of an assigned form for one period."""

    assignment = forms.TypedChoiceField(label=_("Biểu mẫu được giao"), coerce=int, choices=[])
    period = forms.CharField(
        label=_("Kỳ báo cáo"),
        max_length=20,
        help_text=_("Ví dụ 2024M01 (tháng 1), 2024Q1 (quý 1), 2024S1 (6 tháng đầu năm), 2024 (cả năm)."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args: Any, assignments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = assignments  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    """The comment of a return or the reason of a re-opening (the services require it)."""

    comment = forms.CharField(
        label=_("Ý kiến"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PivotForm(forms.Form):
    chi_tieu = forms.CharField(
        label=_("Chỉ tiêu"),
        max_length=40,
        help_text=_("Gõ mã hoặc chọn trong danh sách gợi ý."),
        widget=forms.TextInput(attrs={"list": "rp-indicators", "autocomplete": "off", "spellcheck": "false"}),
    )
    nam = forms.IntegerField(
        label=_("Năm"),
        min_value=1990,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    loai_ky = forms.ChoiceField(label=_("Loại kỳ"), choices=PERIOD_TYPE_CHOICES, initial="M")
    ngay = forms.DateField(
        label=_("Tổng hợp theo địa giới ngày"),
        required=False,
        help_text=_("Số liệu của đơn vị cũ được quy về đơn vị tồn tại vào ngày này."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cap = forms.TypedChoiceField(label=_("Cấp đơn vị"), coerce=int, choices=LEVEL_CHOICES, initial=1)

    def clean_chi_tieu(self) -> str:
        return self.cleaned_data["chi_tieu"].strip().split(" ")[0]

    def hierarchy_day(self, today: dt.date) -> dt.date:
        return self.cleaned_data.get("ngay") or today
