"""Units and agencies asked as of a date, across the 1 July 2025 reorganisation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from congso.core.org import selectors
from congso.core.org.models import AdministrativeUnit, UnitLink

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def test_hanoi_has_30_districts_on_2024_06_30() -> None:
    children = selectors.units_as_of(as_of=D("2024-06-30"), parent_code="01")
    assert children.count() == 30
    assert {u.level for u in children} == {2}
    kinds = sorted({u.kind for u in children})
    assert kinds == ["huyen", "quan", "thi_xa"]
    assert children.filter(name="Quận Ba Đình").count() == 1


@pytest.mark.parametrize("day", ["2025-07-01", "2025-12-31", "2026-11-23"])
def test_hanoi_has_126_communes_and_wards_from_2025_07_01(day: str) -> None:
    children = selectors.units_as_of(as_of=D(day), parent_code="01")
    assert children.count() == 126
    assert {u.level for u in children} == {3}


def test_the_day_before_the_reform_still_has_526_legacy_wards() -> None:
    wards = AdministrativeUnit.objects.filter(level=3, parent__parent__code="01")
    on_june_30 = wards.filter(selectors.valid_on(D("2025-06-30")))
    assert on_june_30.count() == 526
    assert wards.filter(selectors.valid_on(D("2025-07-01"))).count() == 0


def test_code_reuse_is_resolved_by_date() -> None:
    # 00004 was Phường Trúc Bạch (Ba Đình district) and is Phường Ba Đình since 1 July 2025.
    assert selectors.unit_get(code="00004", as_of=D("2025-06-30")).name == "Phường Trúc Bạch"
    assert selectors.unit_get(code="00004", as_of=D("2025-07-01")).name == "Phường Ba Đình"


def test_new_ward_links_to_its_predecessors_with_shares() -> None:
    ba_dinh = selectors.unit_get(code="00004", as_of=D("2025-07-01"))
    preds = {
        link.predecessor.name: (link.share, link.share_basis) for link in selectors.unit_predecessors(ba_dinh)
    }
    # Trúc Bạch went wholly into the new ward; Điện Biên (00019) was divided among four new wards.
    assert preds["Phường Trúc Bạch"] == (Decimal("1.000000"), "whole")
    assert preds["Phường Điện Biên"] == (Decimal("0.250000"), "equal")
    assert all(
        link.event.legal_basis.startswith("Nghị quyết 1656/NQ-UBTVQH15")
        for link in selectors.unit_predecessors(ba_dinh)
    )


def test_shares_of_every_legacy_hanoi_ward_sum_to_one_within_the_city() -> None:
    legacy = AdministrativeUnit.objects.filter(level=3, parent__parent__code="01", valid_from__isnull=True)
    totals: dict[int, Decimal] = {}
    for pred_id, share in UnitLink.objects.filter(predecessor__in=legacy).values_list(
        "predecessor_id", "share"
    ):
        totals[pred_id] = totals.get(pred_id, Decimal(0)) + share
    assert len(totals) == 526  # every old ward has a successor
    assert all(abs(total - 1) < Decimal("0.00001") for total in totals.values())


def test_province_level_is_63_then_34() -> None:
    assert selectors.units_as_of(as_of=D("2024-06-30"), level=1).count() == 63
    assert selectors.units_as_of(as_of=D("2025-07-01"), level=1).count() == 34
    # Hà Nội continues as one unit; Hải Dương merged into Hải Phòng.
    assert selectors.unit_get(code="01", as_of=D("2020-01-01")).valid_to is None
    hai_phong = selectors.unit_get(code="31", as_of=D("2025-07-01"))
    assert sorted(link.predecessor.name for link in selectors.unit_predecessors(hai_phong)) == [
        "Thành phố Hải Phòng",
        "Tỉnh Hải Dương",
    ]
    assert selectors.units_as_of(as_of=D("2025-07-01"), level=3).count() == 3321


def test_search_is_accent_insensitive() -> None:
    found = selectors.units_as_of(as_of=D("2025-07-01"), parent_code="01", q="hoan kiem")
    assert [u.name for u in found] == ["Phường Hoàn Kiếm"]


def test_agencies_of_both_eras() -> None:
    assert selectors.agencies_as_of(as_of=D("2024-06-30")).count() == 633
    assert selectors.agencies_as_of(as_of=D("2025-07-01")).count() == 293
    assert (
        selectors.agencies_as_of(as_of=D("2024-06-30"), q="uy ban nhan dan quan ba dinh").get().name
        == "Ủy ban nhân dân Quận Ba Đình"
    )
    assert not selectors.agencies_as_of(as_of=D("2025-07-01"), q="quan ba dinh").exists()


def test_department_merger_of_march_2025_is_linked() -> None:
    old = selectors.agency_get(code="000.00.11.H26", as_of=D("2025-02-28"))
    assert old.name == "Sở Thông tin và Truyền thông"
    assert [link.successor.name for link in selectors.agency_successors(old)] == ["Sở Khoa học và Công nghệ"]
    with pytest.raises(Exception, match=r"Không có cơ quan mã 000\.00\.11\.H26 vào ngày 01/03/2025"):
        selectors.agency_get(code="000.00.11.H26", as_of=D("2025-03-01"))


def test_unknown_unit_code_is_a_clear_not_found() -> None:
    from congso.core.errors import NotFound

    with pytest.raises(NotFound, match="Không có đơn vị hành chính mã 99999"):
        selectors.unit_get(code="99999")


def test_loading_again_adds_nothing() -> None:
    from congso.core.seed import demo

    before = (AdministrativeUnit.objects.count(), UnitLink.objects.count())
    report = demo.seed_units()
    assert (report.units_created, report.units_updated, report.links_created) == (0, 0, 0)
    assert (AdministrativeUnit.objects.count(), UnitLink.objects.count()) == before
    assert demo.seed_agencies() == 887
