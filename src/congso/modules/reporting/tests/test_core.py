"""Periods, formulas, all-or-nothing entry, roll-ups across the 2025 reorganisation, workflow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from congso.core.audit.models import AuditEvent
from congso.core.errors import Conflict, Forbidden, InvalidInput
from congso.core.org.models import AdministrativeUnit, Agency, UnitLink
from congso.modules.reporting import selectors, services
from congso.modules.reporting.formula import parse_formula
from congso.modules.reporting.models import DataValue, SubmissionStatus
from congso.modules.reporting.periods import period_parse
from congso.modules.reporting.services import SectionSpec, ValueRow

D = dt.date.fromisoformat
CITY, SO_KHCN, SO_TU_PHAP = "000.00.00.H26", "000.00.15.H26", "000.00.03.H26"


# --- Periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2024M01", "2024-01-01", "2024-01-31"),
        ("2024M02", "2024-02-01", "2024-02-29"),
        ("2024Q4", "2024-10-01", "2024-12-31"),
        ("2024S1", "2024-01-01", "2024-06-30"),
        ("2024", "2024-01-01", "2024-12-31"),
        ("2024M01-ND09", "2023-12-15", "2024-01-14"),
        ("2024Q1-ND09", "2023-12-15", "2024-03-14"),
        ("2024S2-ND09", "2024-06-15", "2024-12-14"),
        ("2024-ND09", "2023-12-15", "2024-12-14"),
    ],
)
def test_periods(code: str, start: str, end: str) -> None:
    period = period_parse(code)
    assert (period.start, period.end, period.code) == (D(start), D(end), code)


def test_bad_period_is_explained() -> None:
    with pytest.raises(InvalidInput, match="Kỳ báo cáo '2024-13' không đúng dạng"):
        period_parse("2024-13")
    with pytest.raises(InvalidInput, match="Kỳ số 13 không có"):
        period_parse("2024M13")


def test_sdmx_period_notation() -> None:
    assert [period_parse(c).sdmx for c in ("2024M03", "2024Q2", "2024S1", "2024")] == [
        "2024-M03",
        "2024-Q2",
        "2024-S1",
        "2024-A1",
    ]


# --- Formulas ----------------------------------------------------------------------------------


def test_formula_arithmetic_and_if() -> None:
    f = parse_formula("if({DS} > 0, {TB} / {DS} * 100, 0)")
    assert f.references == ("DS", "TB")
    assert f.evaluate({"DS": Decimal(8), "TB": Decimal(6)}) == Decimal(75)
    assert f.evaluate({"DS": Decimal(0), "TB": Decimal(6)}) == Decimal(0)
    assert f.evaluate({"DS": None, "TB": Decimal(6)}) is None
    assert parse_formula("{A} / {B}").evaluate({"A": Decimal(1), "B": Decimal(0)}) is None


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('x')", "{A}.real", "open('f')", "{A} ** 1000000", "lambda: 1", "{A}[0]", "'x'"],
)
def test_formula_refuses_anything_but_arithmetic(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_formula(text)


# --- Entry -------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    services.indicator_create(
        actor=None,
        code="DN_CNTT",
        name="Số doanh nghiệp CNTT",
        unit_of_measure="doanh nghiệp",
        value_type="integer",
    )
    services.indicator_create(actor=None, code="DT_CNTT", name="Doanh thu CNTT", unit_of_measure="tỷ đồng")
    services.indicator_create(
        actor=None,
        code="DT_BQ",
        name="Doanh thu bình quân một doanh nghiệp",
        unit_of_measure="tỷ đồng",
        formula="{DT_CNTT} / {DN_CNTT}",
    )
    return services.form_create(
        actor=None,
        code="TTTT01",
        name="Biểu 01: Công nghiệp CNTT",
        period_type="M",
        sections=[SectionSpec("A", "Doanh nghiệp", ["DN_CNTT", "DT_CNTT"])],
        agency_codes=[SO_KHCN],
    )


def test_import_rejects_the_whole_file_and_names_every_bad_row(catalogue, make_official) -> None:
    clerk = make_official("vt.khcn", SO_KHCN, ("clerk", "agency"))
    rows = [
        ValueRow("DN_CNTT", SO_KHCN, "2024M01", "120", ref="dòng 2"),
        ValueRow("DN_CNTT", SO_KHCN, "2024M02", "12.5", ref="dòng 3"),
        ValueRow("KHONG_CO", SO_KHCN, "2024M01", "1", ref="dòng 4"),
        ValueRow("DT_CNTT", SO_KHCN, "2024M13", "1", ref="dòng 5"),
        ValueRow("DT_CNTT", SO_TU_PHAP, "2024M01", "1", ref="dòng 6"),
        ValueRow("DT_BQ", SO_KHCN, "2024M01", "1", ref="dòng 7"),
        ValueRow("DT_CNTT", SO_KHCN, "2024M01", "abc", ref="dòng 8"),
    ]
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.datavalues_import(actor=clerk, rows=rows)
    assert [(e["row"], e["field"]) for e in exc.value.errors] == [
        ("dòng 3", "value"),
        ("dòng 4", "indicator"),
        ("dòng 5", "period"),
        ("dòng 6", "agency"),
        ("dòng 7", "indicator"),
        ("dòng 8", "value"),
    ]
    assert exc.value.errors[0]["message"] == "Giá trị DN_CNTT nhận số nguyên, không nhận 12.5."
    assert str(exc.value).startswith("Tệp có 6 lỗi, chưa nhập giá trị nào.")
    assert DataValue.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_import_is_idempotent_and_audited(catalogue, make_official) -> None:
    clerk = make_official("vt.khcn2", SO_KHCN, ("clerk", "agency"))
    rows = [
        ValueRow("DN_CNTT", SO_KHCN, "2024M01", "8476"),
        ValueRow("DT_CNTT", SO_KHCN, "2024M01", "321315,0"),
    ]
    report = services.datavalues_import(actor=clerk, rows=rows, source="test")
    assert (report.saved, report.periods) == (2, ["2024M01"])
    services.datavalues_import(actor=clerk, rows=rows, source="test")
    assert sorted(DataValue.objects.values_list("indicator__code", "value")) == [
        ("DN_CNTT", Decimal("8476.0000")),
        ("DT_CNTT", Decimal("321315.0000")),
    ]
    assert AuditEvent.objects.filter(action="reporting.datavalues.import").count() == 2
    assert services.datavalues_import(actor=clerk, rows=rows, dry_run=True).saved == 2


# --- Roll-ups ----------------------------------------------------------------------------------


def _legacy_ward_agencies(district_code: str) -> list[Agency]:
    return list(
        Agency.objects.filter(
            kind="ubnd", level=3, valid_to=D("2025-07-01"), unit__parent__code=district_code
        ).select_related("unit")
    )


def test_2024_ward_data_rolls_up_by_todays_wards(catalogue, make_official) -> None:
    """Values reported in 2024 by the old wards of Ba Đình district, asked by the wards of 2025."""
    admin = make_official("qt.rep", CITY, ("admin", "subtree"))
    wards = _legacy_ward_agencies("001")
    assert len(wards) == 13
    rows, expected_by_old_unit = [], {}
    for i, agency in enumerate(wards):
        for month, factor in (("2024M01", 1), ("2024M02", 2)):
            value = Decimal(100 + 10 * i) * factor
            rows.append(ValueRow("DT_CNTT", agency.code, month, str(value)))
            expected_by_old_unit[agency.unit_id] = (
                expected_by_old_unit.get(agency.unit_id, Decimal(0)) + value
            )
    services.datavalues_import(actor=admin, rows=rows)

    # Independently: each new ward gets share × value of each predecessor.
    expected: dict[int, Decimal] = {}
    links = list(
        UnitLink.objects.filter(predecessor_id__in=expected_by_old_unit).values_list(
            "predecessor_id", "successor_id", "share"
        )
    )
    share_sums: dict[int, Decimal] = {}
    for pred, _, share in links:
        share_sums[pred] = share_sums.get(pred, Decimal(0)) + share
    for pred, succ, share in links:
        # Stored shares are rounded to 6 places (1/3 -> 0.333333); a complete split is renormalised.
        expected[succ] = (
            expected.get(succ, Decimal(0)) + expected_by_old_unit[pred] * share / share_sums[pred]
        )
    result = selectors.rollup(
        actor=admin,
        indicator_code="DT_CNTT",
        period_codes=["2024M01", "2024M02"],
        hierarchy_as_of=D("2025-07-01"),
        level=3,
    )
    assert result.total == {k: v.quantize(Decimal("0.0001")) for k, v in expected.items()}
    ba_dinh = AdministrativeUnit.objects.get(code="00004", valid_from=D("2025-07-01"))
    assert result.total[ba_dinh.pk] == expected[ba_dinh.pk]

    # The same data by the hierarchy of its own time: one district, the plain sum.
    by_2024 = selectors.rollup(
        actor=admin,
        indicator_code="DT_CNTT",
        period_codes=["2024M01", "2024M02"],
        hierarchy_as_of=D("2024-06-30"),
        level=2,
    )
    district = AdministrativeUnit.objects.get(code="001")
    assert by_2024.total == {district.pk: sum(expected_by_old_unit.values())}
    # And city-wide, in either hierarchy, nothing is lost or double-counted.
    city = AdministrativeUnit.objects.get(code="01")
    for day in ("2024-06-30", "2026-01-01"):
        total = selectors.rollup(
            actor=admin,
            indicator_code="DT_CNTT",
            period_codes=["2024M01", "2024M02"],
            hierarchy_as_of=D(day),
            level=1,
        ).total
        assert total == {city.pk: sum(expected_by_old_unit.values())}


def test_rollup_is_immediate_and_computed_indicators_follow(catalogue, make_official) -> None:
    clerk = make_official("vt.khcn3", SO_KHCN, ("clerk", "agency"))
    city = AdministrativeUnit.objects.get(code="01")

    def city_total(code: str) -> Decimal | None:
        return selectors.rollup(
            actor=clerk, indicator_code=code, period_codes=["2024M01"], hierarchy_as_of=D("2025-01-01")
        ).total.get(city.pk)

    services.datavalues_import(
        actor=clerk,
        rows=[
            ValueRow("DN_CNTT", SO_KHCN, "2024M01", "8476"),
            ValueRow("DT_CNTT", SO_KHCN, "2024M01", "321315"),
        ],
    )
    assert city_total("DT_BQ") == Decimal("37.9088")  # 321315 / 8476, to 4 places
    services.datavalues_import(actor=clerk, rows=[ValueRow("DT_CNTT", SO_KHCN, "2024M01", "300000")])
    assert city_total("DT_CNTT") == Decimal("300000.0000")  # no lag: the very next question sees it


def test_formula_versions_keep_history(catalogue, make_official) -> None:
    admin = make_official("qt.rep2", CITY, ("admin", "subtree"))
    services.datavalues_import(
        actor=admin,
        rows=[
            ValueRow("DN_CNTT", SO_KHCN, "2024M01", "10"),
            ValueRow("DT_CNTT", SO_KHCN, "2024M01", "50"),
            ValueRow("DN_CNTT", SO_KHCN, "2025M01", "10"),
            ValueRow("DT_CNTT", SO_KHCN, "2025M01", "50"),
        ],
    )
    from congso.modules.reporting.models import Indicator

    services.indicator_formula_set(
        actor=admin,
        indicator=Indicator.objects.get(code="DT_BQ"),
        expression="{DT_CNTT} / {DN_CNTT} * 1000",
        valid_from=D("2025-01-01"),
    )
    city = AdministrativeUnit.objects.get(code="01")
    old = selectors.rollup(
        actor=admin, indicator_code="DT_BQ", period_codes=["2024M01"], hierarchy_as_of=D("2026-01-01")
    )
    new = selectors.rollup(
        actor=admin, indicator_code="DT_BQ", period_codes=["2025M01"], hierarchy_as_of=D("2026-01-01")
    )
    assert (old.total[city.pk], new.total[city.pk]) == (Decimal("5.0000"), Decimal("5000.0000"))


# --- Workflow ----------------------------------------------------------------------------------


def test_submit_approve_locks_and_reopen_is_audited(catalogue, make_official, agency) -> None:
    clerk = make_official("vt.khcn4", SO_KHCN, ("clerk", "agency"))
    leader = make_official("ld.city", CITY, ("leader", "subtree"))
    outsider = make_official("ld.tp", SO_TU_PHAP, ("leader", "subtree"))
    sub = services.submission_open(actor=clerk, form=catalogue, agency=agency(SO_KHCN), period_code="2024M01")
    assert sub.deadline == D("2024-02-07")  # 5 working days after 31/01/2024
    services.datavalues_import(actor=clerk, rows=[ValueRow("DN_CNTT", SO_KHCN, "2024M01", "10")])
    sub = services.submission_submit(actor=clerk, submission=sub)
    with pytest.raises(Forbidden):
        services.submission_approve(actor=outsider, submission=sub)
    with pytest.raises(Forbidden):
        services.submission_approve(actor=clerk, submission=sub)
    sub = services.submission_approve(actor=leader, submission=sub, comment="Đạt")
    assert sub.status == SubmissionStatus.APPROVED
    with pytest.raises(InvalidInput, match="đã được duyệt và khoá"):
        services.datavalues_import(actor=clerk, rows=[ValueRow("DN_CNTT", SO_KHCN, "2024M01", "11")])
    assert DataValue.objects.get(indicator__code="DN_CNTT").value == Decimal("10.0000")
    with pytest.raises(Conflict):
        services.submission_submit(actor=clerk, submission=sub)
    with pytest.raises(InvalidInput, match="cần ghi rõ lý do"):
        services.submission_reopen(actor=leader, submission=sub, reason=" ")
    sub = services.submission_reopen(actor=leader, submission=sub, reason="Sửa số liệu tháng 1")
    services.datavalues_import(actor=clerk, rows=[ValueRow("DN_CNTT", SO_KHCN, "2024M01", "11")])
    actions = list(
        AuditEvent.objects.filter(target_type="reporting.submission")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "reporting.submission.open",
        "reporting.submission.submit",
        "reporting.submission.approve",
        "reporting.submission.reopen",
    ]


def test_analytics_api(catalogue, make_official, client) -> None:
    from congso.core.accounts.services import api_token_create

    clerk = make_official("vt.khcn5", SO_KHCN, ("clerk", "agency"))
    services.datavalues_import(
        actor=clerk, rows=[ValueRow("DN_CNTT", SO_KHCN, f"2024M{m:02d}", str(m)) for m in range(1, 13)]
    )
    token = api_token_create(actor=clerk, user=clerk, name="t").secret
    body = client.get(
        "/api/v1/reporting/analytics",
        {"indicator": "DN_CNTT", "year": 2024, "unit": "01"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    assert body["rows"] == [
        {"unit_code": "01", "unit_name": "Thành phố Hà Nội", "period": None, "value": 78.0}
    ]
    assert len(body["periods"]) == 12
    resp = client.get(
        "/api/v1/reporting/analytics",
        {"indicator": "NOPE", "year": 2024},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert resp.status_code == 404


def test_outliers_against_the_agencys_own_history(catalogue, make_official, agency) -> None:
    clerk = make_official("vt.khcn6", SO_KHCN, ("clerk", "agency"))
    history = ["100", "104", "98", "101", "99", "102"]
    services.datavalues_import(
        actor=clerk,
        rows=[ValueRow("DT_CNTT", SO_KHCN, f"2024M{m:02d}", v) for m, v in enumerate(history, start=1)]
        + [ValueRow("DT_CNTT", SO_KHCN, "2024M07", "1000"), ValueRow("DN_CNTT", SO_KHCN, "2024M07", "5")],
    )
    found = selectors.outliers(actor=clerk, agency_id=agency(SO_KHCN).pk, period_code="2024M07")
    assert [(o.indicator_code, o.value, o.mean) for o in found] == [
        ("DT_CNTT", Decimal("1000.0000"), Decimal("100.6667"))
    ]
    assert found[0].z > 3


def test_workflow_and_catalogue_over_the_api(catalogue, make_official, client) -> None:
    from congso.core.accounts.services import api_token_create

    clerk = make_official("vt.api", SO_KHCN, ("clerk", "agency"))
    leader = make_official("ld.api", CITY, ("leader", "subtree"))
    outsider = make_official("cv.api.tp", SO_TU_PHAP, ("specialist", "agency"))

    def auth(user):
        return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(actor=user, user=user, name='t').secret}"}

    a_clerk, a_leader, a_out = auth(clerk), auth(leader), auth(outsider)
    indicators = client.get("/api/v1/reporting/indicators", {"q": "doanh thu"}, **a_clerk).json()
    assert [i["code"] for i in indicators["items"]] == ["DT_BQ", "DT_CNTT"]
    assert indicators["items"][0]["formula"] == "{DT_CNTT} / {DN_CNTT}"
    sub = client.post(
        "/api/v1/reporting/submissions",
        {"form": "TTTT01", "agency": SO_KHCN, "period": "2024M03"},
        content_type="application/json",
        **a_clerk,
    ).json()
    assert (sub["status"], sub["deadline"]) == ("draft", "2024-04-05")
    assert [s["id"] for s in client.get("/api/v1/reporting/inbox", **a_clerk).json()] == [sub["id"]]
    assert client.get("/api/v1/reporting/inbox", **a_out).json() == []
    url = f"/api/v1/reporting/submissions/{sub['id']}"
    assert client.post(f"{url}/submit", {}, content_type="application/json", **a_out).status_code == 404
    assert (
        client.post(f"{url}/submit", {}, content_type="application/json", **a_clerk).json()["status"]
        == "submitted"
    )
    resp = client.post(f"{url}/return", {"comment": ""}, content_type="application/json", **a_leader)
    assert resp.status_code == 400
    back = client.post(
        f"{url}/return", {"comment": "Thiếu số liệu tháng 3"}, content_type="application/json", **a_leader
    ).json()
    assert (back["status"], back["comment"]) == ("returned", "Thiếu số liệu tháng 3")
    assert client.post(f"{url}/fly", {}, content_type="application/json", **a_leader).status_code == 400


def test_city_wide_by_todays_hierarchy_is_grouped_in_the_database(catalogue) -> None:
    """Every agency's unit reaches Hà Nội with weight exactly 1 (divided wards included), so the
    roll-up takes the path where the database groups by target."""
    from congso.modules.reporting.hierarchy import unit_mapper

    mapper = unit_mapper(D("2026-01-01"), 1)
    plain = mapper.plain_targets()
    city = AdministrativeUnit.objects.get(code="01")
    assert plain is not None and set(plain.values()) == {city.pk}
    assert unit_mapper(D("2026-01-01"), 3).plain_targets() is None  # divided wards: weights < 1
