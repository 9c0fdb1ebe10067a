"""Forms parse and check the shape of input; the services decide what is allowed and record it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from congso.web.labels import (
    AGENCY_KIND_LABELS,
    LEVEL_LABELS,
    ROLE_LABELS,
    ROLE_ORDER,
    SCOPE_LABELS,
    translate_detail,
)


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    totp = forms.CharField(
        label=_("Mã xác thực 6 số"),
        required=False,
        max_length=8,
        help_text=_(
            "Bắt buộc với Lãnh đạo và Quản trị: mã 6 số trong ứng dụng xác thực trên điện thoại của bạn."
        ),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"[0-9 ]*"}
        ),
    )


class AgencyEditForm(forms.Form):
    name = forms.CharField(label=_("Tên cơ quan"), max_length=200)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=80, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class AgencyCreateForm(AgencyEditForm):
    code = forms.CharField(label=_("Mã cơ quan"), max_length=20, help_text=_("Dạng 000.00.00.H26."))
    kind = forms.ChoiceField(label=_("Loại cơ quan"), choices=list(AGENCY_KIND_LABELS.items()))
    level = forms.TypedChoiceField(label=_("Cấp"), coerce=int, choices=list(LEVEL_LABELS.items()))
    parent_code = forms.CharField(
        label=_("Mã cơ quan cấp trên"),
        max_length=20,
        help_text=_("Cơ quan cấp trên phải thuộc phạm vi bạn quản trị."),
    )
    unit_code = forms.CharField(
        label=_("Mã đơn vị hành chính"),
        max_length=10,
        required=False,
        help_text=_("Không bắt buộc, ví dụ 00004."),
    )
    valid_from = forms.DateField(
        label=_("Hiệu lực từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    field_order = [
        "code",
        "name",
        "short_name",
        "kind",
        "level",
        "parent_code",
        "unit_code",
        "valid_from",
        "email",
        "phone",
    ]


ROLE_SCOPE_CHOICES = [("", _("Không cấp")), *SCOPE_LABELS.items()]


class OfficialEditForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    position = forms.CharField(label=_("Chức vụ"), max_length=120, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )


class OfficialCreateForm(OfficialEditForm):
    agency = forms.TypedChoiceField(label=_("Cơ quan"), coerce=int, choices=[])
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        help_text=_("Chữ thường không dấu, số, dấu chấm hoặc gạch; từ 3 ký tự."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        strip=False,
        min_length=10,
        help_text=_("Ít nhất 10 ký tự. Người dùng nên đổi sau lần đăng nhập đầu."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["agency", "username", "full_name", "position", "email", "phone", "password"]

    def __init__(self, *args: Any, agencies: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = agencies  # type: ignore[attr-defined]
        for role in ROLE_ORDER:
            self.fields[f"role_{role}"] = forms.ChoiceField(
                label=ROLE_LABELS[role], choices=ROLE_SCOPE_CHOICES, required=False
            )

    def role_fields(self) -> list[forms.BoundField]:
        return [self[f"role_{role}"] for role in ROLE_ORDER]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.field_order]

    def roles(self) -> list[tuple[str, str]]:
        return [
            (role, self.cleaned_data[f"role_{role}"])
            for role in ROLE_ORDER
            if self.cleaned_data.get(f"role_{role}")
        ]


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        min_length=10,
        help_text=_("Ít nhất 10 ký tự."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def apply_domain_errors(form: forms.Form, errors: list[dict[str, Any]], detail: Any) -> None:
    """Attach a service's ``InvalidInput.errors`` to the form's fields (or to the form as a whole)."""
    placed = False
    for problem in errors:
        field = problem.get("field")
        if field in form.fields:
            form.add_error(field, translate_detail(problem.get("message", "")))
            placed = True
    if not placed:
        form.add_error(None, translate_detail(detail))
