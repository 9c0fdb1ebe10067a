from __future__ import annotations

import pytest

from congso.core.errors import InvalidInput
from congso.modules.reporting import services
from congso.modules.reporting.models import SubmissionStatus
from congso.modules.reporting.rules import validation_check, validation_rule_create
from congso.modules.reporting.services import SectionSpec, ValueRow

SO_KHCN = "000.00.15.H26"


def test_a_broken_rule_blocks_submission_until_fixed(db, make_official, agency):
    services.combo_ensure(actor=None, code="GT", name="Giới tính", options=[("NAM", "Nam"), ("NU", "Nữ")])
    services.indicator_create(
        actor=None,
        code="LD",
        name="Lao động CNTT",
        unit_of_measure="người",
        combo_code="GT",
        value_type="integer",
    )
    services.indicator_create(actor=None, code="LD_DT", name="Lao động có đào tạo", unit_of_measure="người")
    form = services.form_create(
        actor=None,
        code="QT01",
        name="Biểu quy tắc",
        sections=[SectionSpec("A", "A", ["LD", "LD_DT"])],
        agency_codes=[SO_KHCN],
    )
    with pytest.raises(InvalidInput, match="Toán tử"):
        validation_rule_create(
            actor=None, code="X", name="x", left="{LD}", operator="=<", right="{LD}", message="m"
        )
    validation_rule_create(
        actor=None,
        code="R1",
        name="Đào tạo không vượt tổng",
        left="{LD_DT}",
        operator="<=",
        right="{LD}",
        message="Lao động có đào tạo không được lớn hơn tổng lao động",
        form=form,
    )
    clerk = make_official("vt.rule", SO_KHCN, ("clerk", "agency"))
    sub = services.submission_open(actor=clerk, form=form, agency=agency(SO_KHCN), period_code="2024M01")
    services.datavalues_import(
        actor=clerk,
        rows=[
            ValueRow("LD", SO_KHCN, "2024M01", "60", option="NAM"),
            ValueRow("LD", SO_KHCN, "2024M01", "40", option="NU"),
            ValueRow("LD_DT", SO_KHCN, "2024M01", "120"),
        ],
    )
    assert [(v.rule, v.left, v.right) for v in validation_check(submission=sub)] == [("R1", 120, 100)]
    with pytest.raises(InvalidInput) as exc:
        services.submission_submit(actor=clerk, submission=sub)
    assert exc.value.errors == [
        {
            "field": "R1",
            "message": "Lao động có đào tạo không được lớn hơn tổng lao động (120 <= 100 không đúng)",
        }
    ]
    sub.refresh_from_db()
    assert sub.status == SubmissionStatus.DRAFT
    services.datavalues_import(actor=clerk, rows=[ValueRow("LD_DT", SO_KHCN, "2024M01", "90")])
    assert services.submission_submit(actor=clerk, submission=sub).status == SubmissionStatus.SUBMITTED
