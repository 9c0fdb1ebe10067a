"""The procedure catalogue: the demo seed (counts and values), idempotency, frozen versions, and
the check of a filled form against a version's fields."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from congso.core.audit.models import AuditEvent
from congso.core.errors import Conflict, Forbidden
from congso.modules.services import demo, services
from congso.modules.services.catalogue import FormField, validate_form
from congso.modules.services.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db


def test_seed_counts_and_idempotent() -> None:
    assert demo.seed_procedures() == 35
    assert Procedure.objects.count() == 35
    assert Procedure.objects.filter(level="xa").count() == 27
    assert Procedure.objects.filter(level="tinh").count() == 8
    assert Procedure.objects.filter(online_level="toan_trinh").count() == 17
    assert ProcedureVersion.objects.count() == 35
    assert sorted(ProcedureVersion.objects.values_list("fee", flat=True))[-3:] == [
        360_000,
        700_000,
        1_200_000,
    ]
    assert sum(ProcedureVersion.objects.values_list("processing_days", flat=True)) == 244
    events = AuditEvent.objects.filter(action="services.procedure.publish").count()
    assert events == 35
    # A second run publishes nothing and records nothing.
    assert demo.seed_procedures() == 0
    assert (Procedure.objects.count(), ProcedureVersion.objects.count()) == (35, 35)
    assert AuditEvent.objects.filter(action="services.procedure.publish").count() == 35


def _version(code: str) -> ProcedureVersion:
    return ProcedureVersion.objects.select_related("procedure").get(procedure__code=code)


def test_seed_values(catalogue: None) -> None:
    birth = _version("1.001193")
    assert (birth.procedure.name, birth.procedure.field, birth.procedure.level) == (
        "Đăng ký khai sinh",
        "Hộ tịch",
        "xa",
    )
    assert (birth.procedure.online_level, birth.procedure.competent_kind) == ("toan_trinh", "ubnd")
    assert (birth.number, birth.valid_from, birth.processing_days, birth.fee) == (
        1,
        dt.date(2025, 7, 1),
        1,
        0,
    )
    assert [(d["name"], d["state_held"]) for d in birth.documents] == [
        ("Tờ khai đăng ký khai sinh", ""),
        ("Giấy chứng sinh", ""),
        ("Căn cước / căn cước công dân của người nộp hồ sơ", "citizen_id"),
        ("Giấy tờ chứng minh nơi cư trú", "residence"),
    ]
    assert [f["name"] for f in birth.form_fields] == [
        "ho_ten_tre",
        "ngay_sinh",
        "gioi_tinh",
        "noi_sinh",
        "dan_toc",
        "ho_ten_me",
        "ho_ten_cha",
        "quan_he",
    ]
    assert [(s["role"], s["days"]) for s in birth.steps] == [
        ("desk_officer", 0),
        ("specialist", 1),
        ("leader", 0),
    ]

    household = _version("2.000720")
    assert (household.procedure.name, household.processing_days, household.fee, household.fee_unit) == (
        "Đăng ký thành lập hộ kinh doanh",
        3,
        100_000,
        "",
    )
    permit = _version("1.009994")
    assert (permit.procedure.name, permit.processing_days, permit.fee) == (
        "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        15,
        75_000,
    )
    assert [(s["role"], s["days"]) for s in permit.steps] == [
        ("desk_officer", 1),
        ("specialist", 13),
        ("leader", 1),
    ]
    copies = _version("2.000815")
    assert (copies.processing_days, copies.fee, copies.fee_unit) == (0, 2_000, "trang")
    record = _version("2.000505")
    assert (record.procedure.level, record.procedure.competent_agency_code, record.fee) == (
        "tinh",
        "000.00.03.H26",
        200_000,
    )


def test_published_version_is_frozen_and_new_versions_number_on(catalogue: None) -> None:
    entry = next(e for e in demo.ENTRIES if e.code == "2.000720")
    changed = demo.spec_of(dataclasses.replace(entry, fee=120_000))
    before = AuditEvent.objects.count()
    with pytest.raises(Conflict) as exc:
        services.procedure_publish(actor=None, spec=changed)
    assert str(exc.value.detail) == (
        "Thủ tục 2.000720 đã có phiên bản hiệu lực từ 01/07/2025; phiên bản đã công bố không sửa được, "
        "hãy công bố phiên bản mới với ngày hiệu lực khác."
    )
    assert _version("2.000720").fee == 100_000
    assert AuditEvent.objects.count() == before

    changed.version.valid_from = dt.date(2026, 1, 1)
    version, created = services.procedure_publish(actor=None, spec=changed)
    assert (created, version.number, version.fee) == (True, 2, 120_000)
    assert ProcedureVersion.objects.filter(procedure__code="2.000720").count() == 2


def test_publishing_needs_the_catalogue_right(catalogue: None, make_official: Any) -> None:
    clerk = make_official("vt.tp", "000.00.03.H26", ("clerk", "agency"))
    entry = next(e for e in demo.ENTRIES if e.code == "2.000720")
    spec = demo.spec_of(entry)
    spec.version.valid_from = dt.date(2026, 1, 1)
    with pytest.raises(Forbidden):
        services.procedure_publish(actor=clerk, spec=spec)
    assert ProcedureVersion.objects.filter(procedure__code="2.000720").count() == 1


FIELDS = [
    FormField("ho_ten", "Họ và tên"),
    FormField("ngay_sinh", "Ngày sinh", "date"),
    FormField("von", "Vốn kinh doanh (đồng)", "number"),
    FormField("gioi_tinh", "Giới tính", "choice", choices=("Nam", "Nữ")),
    FormField("ghi_chu", "Ghi chú", required=False),
]


def test_form_validation_errors_are_exact() -> None:
    clean, errors = validate_form(
        FIELDS,
        {"ho_ten": "  ", "ngay_sinh": "30/04/2026", "von": "nhiều", "gioi_tinh": "Khác", "la": "x"},
    )
    assert clean == {}
    assert errors == [
        {"field": "form.ho_ten", "message": "Họ và tên: bắt buộc phải nhập."},
        {
            "field": "form.ngay_sinh",
            "message": "Ngày sinh: ngày '30/04/2026' không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2026-04-29).",
        },
        {"field": "form.von", "message": "Vốn kinh doanh (đồng): 'nhiều' không phải là số."},
        {"field": "form.gioi_tinh", "message": "Giới tính: 'Khác' không có trong danh sách: Nam, Nữ."},
        {"field": "form.la", "message": "Trường 'la' không có trong tờ khai của thủ tục này."},
    ]


def test_form_validation_cleans_values() -> None:
    clean, errors = validate_form(
        FIELDS,
        {"ho_ten": " Trần Thị Bình ", "ngay_sinh": "2026-04-29", "von": "50000000", "gioi_tinh": "Nữ"},
    )
    assert errors == []
    assert clean == {
        "ho_ten": "Trần Thị Bình",
        "ngay_sinh": "2026-04-29",
        "von": 50_000_000,
        "gioi_tinh": "Nữ",
    }
    assert validate_form(FIELDS, ["not", "a", "dict"]) == (
        {},
        [{"field": "form", "message": "Tờ khai phải là một đối tượng JSON."}],
    )
    assert validate_form([FormField("dt", "Diện tích", "number")], {"dt": "72,5"}) == ({"dt": "72.5"}, [])
