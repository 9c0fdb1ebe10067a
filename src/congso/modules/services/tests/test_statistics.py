"""Satisfaction ratings (ratings.py) and dossier statistics (statistics.py): exact figures for
dossiers in known states, who may rate and see what (a refusal changes nothing), and the
publication to the reporting module (idempotent, rolled up for the city at once)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from tests.conftest import BA_DINH, BA_DINH_CENTRE, CITY, SO_TU_PHAP

from congso.core.accounts.services import api_token_create
from congso.core.audit.models import AuditEvent
from congso.core.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from congso.core.org.models import AdministrativeUnit
from congso.modules.reporting import selectors as reporting_selectors
from congso.modules.reporting.models import DataValue
from congso.modules.services import ratings, services, statistics, tasks
from congso.modules.services.catalogue import ProcedureSpec, RequiredDocument, Step, VersionSpec
from congso.modules.services.models import (
    Dossier,
    DossierRating,
    Payment,
    ProcedureVersion,
)
from congso.modules.services.services import Attachment, SubmissionSpec
from congso.modules.services.tests.conftest import make_citizen
from congso.modules.services.tests.test_processing import LINKED, linked  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
API = "/api/v1/services"
WARD_PROC = "9.990002"  # a test procedure settled by the ward's People's Committee
OTHER_WARD = "002.00.90.H26"
OTHER_CENTRE = "002.01.90.H26"
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=VN)  # the morning after November 2026


def vn(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def pct(part: int, whole: int) -> Decimal:
    """An independent percentage, half up to two decimals."""
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


@pytest.fixture
def clock(monkeypatch: Any) -> Any:
    def set_to(moment: dt.datetime) -> dt.datetime:
        monkeypatch.setattr(services, "_now", lambda: moment)
        return moment

    set_to(NOW)
    return set_to


@pytest.fixture
def ward_proc(db: Any) -> None:
    services.procedure_publish(
        actor=None,
        spec=ProcedureSpec(
            code=WARD_PROC,
            name="Xác nhận tình trạng hôn nhân (thử nghiệm)",
            field="Hộ tịch",
            level="xa",
            competent_kind="ubnd",
            competent_agency_code="",
            online_level="toan_trinh",
            version=VersionSpec(
                valid_from=dt.date(2025, 7, 1),
                processing_days=3,
                fee=20_000,
                documents=[RequiredDocument("Tờ khai")],
                form_fields=[],
                steps=[Step("desk_officer", "xa", 1, "Tiếp nhận"), Step("leader", "xa", 2, "Ký")],
            ),
        ),
    )


_seq = iter(range(1, 10_000))


def dossier(
    agency: Any,
    proc: str,
    competent: str,
    receiving: str,
    channel: str,
    status: str,
    received: dt.datetime,
    *,
    due: dt.datetime | None = None,
    returned: dt.datetime | None = None,
    on_time: bool | None = None,
    applicant: Any = None,
) -> Dossier:
    """A dossier row in a known state, written directly (test setup, not the code under test)."""
    version = ProcedureVersion.objects.select_related("procedure").get(procedure__code=proc)
    recv = agency(receiving)
    return Dossier.objects.create(
        code=f"T-{next(_seq):05d}",
        procedure=version.procedure,
        version=version,
        channel=channel,
        status=status,
        applicant=applicant,
        applicant_name="Người nộp thử",
        receiving_agency=recv,
        competent_agency=agency(competent),
        current_agency=recv,
        received_at=received,
        due_at=due or received + dt.timedelta(days=10),
        returned_at=returned,
        decided_at=returned,
        on_time=on_time,
        tracking_digest="0" * 64,
    )


def pay(d: Dossier, amount: int, at: dt.datetime, status: str = "paid") -> None:
    Payment.objects.create(
        dossier=d,
        amount=amount,
        reference=f"R{d.pk:06d}{status[:2].upper()}",
        status=status,
        provider="fake",
        qr_payload="-",
        created_at=at,
        expires_at=at + dt.timedelta(hours=24),
        paid_at=at if status == "paid" else None,
    )


def rate(d: Dossier, score: int, at: dt.datetime) -> None:
    DossierRating.objects.create(dossier=d, score=score, created_at=at)


@pytest.fixture
def city(linked: None, ward_proc: None, agency: Any, citizen: Any) -> dict[str, Dossier]:  # noqa: F811
    """November 2026. Sở Tư pháp (procedure LINKED, all received at Ba Đình's centre):
    A1 online, returned on time; A2 online, returned late; A3 at the desk, in progress, overdue.
    Phường Ba Đình (WARD_PROC, received at its centre): B1 received 31/10 23:00, returned on time in
    November; B2 online at 23:30 on 30/11, submitted; B3 at 07:00 on 1/12 (December); B4 online,
    waiting for a supplement past its due date (the clock stands still: not overdue); B5 at the
    desk, withdrawn; B6 a draft. Phường 002 (WARD_PROC at its own centre): C1 online, returned on
    time; C2 received in October, in progress, overdue.
    Fees paid: A1 50,000 (2/11), A3 50,000 (5/11), C1 20,000 (15/11); B1 20,000 on 28/10 (October)
    and A2's pending payment do not count. Ratings: A1 5, A2 2, B1 4 in November; C1 4 on 1/12."""
    T, ON, D = "returned", "online", "desk"
    d = {
        "A1": dossier(agency, LINKED, SO_TU_PHAP, BA_DINH_CENTRE, ON, T, vn(2026, 11, 2, 9, 0),
                      returned=vn(2026, 11, 10, 9, 0), on_time=True, applicant=citizen),
        "A2": dossier(agency, LINKED, SO_TU_PHAP, BA_DINH_CENTRE, ON, T, vn(2026, 11, 3, 9, 0),
                      returned=vn(2026, 11, 20, 9, 0), on_time=False),
        "A3": dossier(agency, LINKED, SO_TU_PHAP, BA_DINH_CENTRE, D, "in_progress", vn(2026, 11, 5, 9, 0),
                      due=vn(2026, 11, 20, 17, 0)),
        "B1": dossier(agency, WARD_PROC, BA_DINH, BA_DINH_CENTRE, D, T, vn(2026, 10, 31, 23, 0),
                      returned=vn(2026, 11, 4, 9, 0), on_time=True),
        "B2": dossier(agency, WARD_PROC, BA_DINH, BA_DINH_CENTRE, ON, "submitted", vn(2026, 11, 30, 23, 30),
                      due=vn(2026, 12, 4, 17, 0)),
        "B3": dossier(agency, WARD_PROC, BA_DINH, BA_DINH_CENTRE, D, "accepted", vn(2026, 12, 1, 7, 0)),
        "B4": dossier(agency, WARD_PROC, BA_DINH, BA_DINH_CENTRE, ON, "supplement_requested",
                      vn(2026, 11, 10, 9, 0), due=vn(2026, 11, 13, 17, 0)),
        "B5": dossier(agency, WARD_PROC, BA_DINH, BA_DINH_CENTRE, D, "withdrawn", vn(2026, 11, 12, 9, 0)),
        "B6": dossier(agency, WARD_PROC, BA_DINH, BA_DINH_CENTRE, ON, "draft", vn(2026, 11, 12, 9, 0)),
        "C1": dossier(agency, WARD_PROC, OTHER_WARD, OTHER_CENTRE, ON, T, vn(2026, 11, 15, 9, 0),
                      returned=vn(2026, 11, 25, 9, 0), on_time=True),
        "C2": dossier(agency, WARD_PROC, OTHER_WARD, OTHER_CENTRE, D, "in_progress", vn(2026, 10, 1, 9, 0),
                      due=vn(2026, 10, 6, 17, 0)),
    }  # fmt: skip
    pay(d["A1"], 50_000, vn(2026, 11, 2, 10, 0))
    pay(d["A3"], 50_000, vn(2026, 11, 5, 10, 0))
    pay(d["C1"], 20_000, vn(2026, 11, 15, 10, 0))
    pay(d["B1"], 20_000, vn(2026, 10, 28, 10, 0))
    pay(d["A2"], 50_000, vn(2026, 11, 3, 10, 0), status="pending")
    rate(d["A1"], 5, vn(2026, 11, 11, 9, 0))
    rate(d["A2"], 2, vn(2026, 11, 21, 9, 0))
    rate(d["B1"], 4, vn(2026, 11, 5, 9, 0))
    rate(d["C1"], 4, vn(2026, 12, 1, 7, 0))
    return d


def figures(c: statistics.Counts) -> dict[str, Any]:
    return c.as_dict()


def expect(
    received: int,
    online: int,
    resolved: int,
    on_time: int,
    late: int,
    in_progress: int,
    overdue: int,
    fees: int,
    n_ratings: int,
    points: int,
) -> dict[str, Any]:
    return {
        "received": received,
        "received_online": online,
        "received_desk": received - online,
        "online_rate": pct(online, received) if received else None,
        "resolved": resolved,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "on_time_rate": pct(on_time, resolved) if resolved else None,
        "in_progress": in_progress,
        "overdue": overdue,
        "fees": fees,
        "ratings": n_ratings,
        "satisfaction": (Decimal(points) / n_ratings).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        if n_ratings
        else None,
    }


# Hand-counted from the fixture's docstring.
SO_TP = expect(3, 2, 2, 1, 1, 1, 1, 100_000, 2, 7)
WARD = expect(3, 2, 1, 1, 0, 2, 0, 0, 1, 4)  # B2, B4, B5 received; B1 resolved; B2, B4 open
WARD_002 = expect(1, 1, 1, 1, 0, 1, 1, 20_000, 0, 0)  # C1; C2 open and overdue
TOTAL = expect(7, 5, 4, 3, 1, 4, 2, 120_000, 3, 11)


@pytest.fixture
def admin(make_official: Any) -> Any:
    return make_official("qt.city", CITY, ("admin", "subtree"))


@pytest.fixture
def city_leader(make_official: Any) -> Any:
    """A leader of the City People's Committee over the whole city ("services.view" everywhere)."""
    return make_official("ld.city", CITY, ("leader", "subtree"))


# --- Statistics ------------------------------------------------------------------------------------


def test_figures_per_competent_agency(city: dict[str, Dossier], city_leader: Any, clock: Any) -> None:
    stats = statistics.dossier_statistics(actor=city_leader, period="2026M11")
    assert (stats.period.code, stats.by, stats.as_of) == ("2026M11", "competent", NOW)
    assert [(r.key, figures(r.counts)) for r in stats.rows] == [
        (SO_TU_PHAP, SO_TP),
        (BA_DINH, WARD),
        (OTHER_WARD, WARD_002),
    ]
    assert figures(stats.total) == TOTAL
    # The figures the brief names, spelled out.
    assert (SO_TP["received"], SO_TP["received_online"], SO_TP["online_rate"]) == (3, 2, Decimal("66.67"))
    assert (SO_TP["resolved_late"], SO_TP["on_time_rate"], SO_TP["satisfaction"]) == (
        1,
        Decimal("50.00"),
        Decimal("3.50"),
    )
    assert (TOTAL["online_rate"], TOTAL["on_time_rate"], TOTAL["satisfaction"]) == (
        Decimal("71.43"),
        Decimal("75.00"),
        Decimal("3.67"),
    )
    assert stats.rows[0].name == "Sở Tư pháp"


def test_figures_per_receiving_agency_and_procedure(
    city: dict[str, Dossier], city_leader: Any, clock: Any
) -> None:
    by_desk = statistics.dossier_statistics(actor=city_leader, period="2026M11", by="receiving")
    centre = expect(6, 4, 3, 2, 1, 3, 1, 100_000, 3, 11)  # A* and B*
    assert [(r.key, figures(r.counts)) for r in by_desk.rows] == [
        (BA_DINH_CENTRE, centre),
        (OTHER_CENTRE, WARD_002),
    ]
    by_procedure = statistics.dossier_statistics(actor=city_leader, period="2026M11", by="procedure")
    ward_proc = expect(4, 3, 2, 2, 0, 3, 1, 20_000, 1, 4)  # B* and C*
    assert [(r.key, figures(r.counts)) for r in by_procedure.rows] == [
        (LINKED, SO_TP),
        (WARD_PROC, ward_proc),
    ]
    assert figures(by_desk.total) == figures(by_procedure.total) == TOTAL


def test_filters_by_agency_subtree_and_procedure(
    city: dict[str, Dossier], city_leader: Any, clock: Any
) -> None:
    # The ward's People's Committee: what it (or its centre, under it) received or settled.
    ward = statistics.dossier_statistics(actor=city_leader, period="2026M11", agency=BA_DINH)
    assert [(r.key, figures(r.counts)) for r in ward.rows] == [(SO_TU_PHAP, SO_TP), (BA_DINH, WARD)]
    dept = statistics.dossier_statistics(actor=city_leader, period="2026M11", agency=SO_TU_PHAP)
    assert [(r.key, figures(r.counts)) for r in dept.rows] == [(SO_TU_PHAP, SO_TP)]
    one = statistics.dossier_statistics(
        actor=city_leader, period="2026M11", procedure=WARD_PROC, by="receiving"
    )
    assert [r.key for r in one.rows] == [BA_DINH_CENTRE, OTHER_CENTRE]
    assert figures(one.rows[0].counts) == WARD
    with pytest.raises(InvalidInput):
        statistics.dossier_statistics(actor=city_leader, period="2026M11", by="ward")
    with pytest.raises(InvalidInput):
        statistics.dossier_statistics(actor=city_leader, period="tháng 11")


def test_quarter_and_year(city: dict[str, Dossier], city_leader: Any, clock: Any) -> None:
    # The fourth quarter adds October's B1 (received 31/10 23:00, its fee paid 28/10) and C2
    # (received 1/10), and December's B3 (received and open) and C1's rating (1/12).
    q4 = statistics.dossier_statistics(actor=city_leader, period="2026Q4")
    assert figures(q4.total) == expect(10, 5, 4, 3, 1, 5, 2, 140_000, 4, 15)
    year = statistics.dossier_statistics(actor=city_leader, period="2026")
    assert figures(year.total) == figures(q4.total)
    october = statistics.dossier_statistics(actor=city_leader, period="2026M10")
    # The open ones received by the end of October: C2 only (overdue); B1 was returned since.
    assert figures(october.total) == expect(2, 0, 0, 0, 0, 1, 1, 20_000, 0, 0)


def test_statistics_are_scoped(
    city: dict[str, Dossier], make_official: Any, citizen: Any, clock: Any
) -> None:
    desk = make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency"))
    seen = statistics.dossier_statistics(actor=desk, period="2026M11")
    assert [(r.key, figures(r.counts)) for r in seen.rows] == [(SO_TU_PHAP, SO_TP), (BA_DINH, WARD)]
    other = make_official("cv.khac", OTHER_WARD, ("specialist", "agency"))
    assert [r.key for r in statistics.dossier_statistics(actor=other, period="2026M11").rows] == [OTHER_WARD]
    with pytest.raises(Forbidden):
        statistics.dossier_statistics(actor=citizen, period="2026M11")


def test_statistics_use_grouped_queries(
    city: dict[str, Dossier], city_leader: Any, clock: Any, django_assert_max_num_queries: Any
) -> None:
    statistics.dossier_statistics(actor=city_leader, period="2026M11")  # warm the grants' cache
    copy = city["A3"]
    for i in range(20):  # more dossiers: the same number of queries
        copy.pk, copy.code = None, f"X-{i:03d}"
        copy.save()
    with django_assert_max_num_queries(6):
        stats = statistics.dossier_statistics(actor=city_leader, period="2026M11")
    assert stats.total.received == 27


# --- Ratings ----------------------------------------------------------------------------------------


@pytest.fixture
def returned(linked: None, citizen: Any, clock: Any) -> Dossier:  # noqa: F811
    """A dossier filed online through the service, then (test setup) marked as returned."""
    clock(vn(2026, 11, 2, 9, 0))
    spec = SubmissionSpec(
        procedure_code=LINKED,
        agency_code=BA_DINH_CENTRE,
        form={"noi_dung": "Xác nhận thông tin cư trú", "dia_chi": "12 Phan Đình Phùng"},
        attachments=[Attachment("Tờ khai đề nghị", "to-khai.pdf", b"%PDF-1.4 demo")],
    )
    d = services.dossier_submit(actor=citizen, spec=spec).dossier
    Dossier.objects.filter(pk=d.pk).update(
        status="returned", decided_at=vn(2026, 11, 9, 9, 0), returned_at=vn(2026, 11, 10, 9, 0), on_time=True
    )
    d.refresh_from_db()
    clock(vn(2026, 11, 12, 10, 0))
    return d


def changes() -> tuple[Any, ...]:
    return (
        list(DossierRating.objects.values_list("dossier_id", "score", "comment", "created_at")),
        AuditEvent.objects.count(),
    )


def test_applicant_rates_once(returned: Dossier, citizen: Any) -> None:
    before = AuditEvent.objects.count()
    r = ratings.dossier_rate(actor=citizen, dossier=returned, score=4, comment="  Cán bộ nhiệt tình.  ")
    assert (r.dossier_id, r.score, r.comment, r.created_at) == (
        returned.pk,
        4,
        "Cán bộ nhiệt tình.",
        vn(2026, 11, 12, 10, 0),
    )
    event = AuditEvent.objects.get(action="services.dossier.rate")
    assert (event.actor_id, event.agency_code, event.target_id, event.after["score"]) == (
        citizen.pk,
        BA_DINH_CENTRE,
        str(returned.pk),
        4,
    )
    assert AuditEvent.objects.count() == before + 1
    # A second rating: Conflict, in Vietnamese, and nothing changes.
    state = changes()
    with pytest.raises(Conflict) as exc:
        ratings.dossier_rate(actor=citizen, dossier=returned, score=1, comment="Đổi ý")
    assert "đã được đánh giá lúc 10:00 ngày 12/11/2026" in str(exc.value.detail)
    assert changes() == state


def test_only_the_applicant_rates(returned: Dossier, make_official: Any) -> None:
    desk = make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency"))
    stranger = make_citizen("001090099999", "Trần Thị Bình")
    state = changes()
    for someone in (desk, stranger):
        with pytest.raises(Forbidden) as exc:
            ratings.dossier_rate(actor=someone, dossier=returned, score=5)
        assert "Chỉ người nộp hồ sơ" in str(exc.value.detail)
    with pytest.raises(Unauthenticated):
        ratings.dossier_rate(actor=None, dossier=returned, score=5)
    assert changes() == state


def test_rating_needs_a_returned_dossier_and_a_valid_score(returned: Dossier, citizen: Any) -> None:
    state = changes()
    for status in ("in_progress", "done", "refused"):
        Dossier.objects.filter(pk=returned.pk).update(status=status)
        with pytest.raises(Conflict) as exc:
            ratings.dossier_rate(actor=citizen, dossier=returned, score=5)
        assert "chỉ đánh giá được sau khi đã nhận kết quả" in str(exc.value.detail)
    Dossier.objects.filter(pk=returned.pk).update(status="returned")
    for score in (0, 6, True, "5"):
        with pytest.raises(InvalidInput):
            ratings.dossier_rate(actor=citizen, dossier=returned, score=score)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        ratings.dossier_rate(actor=citizen, dossier=returned, score=5, comment="x" * 1001)
    assert changes() == state
    ratings.dossier_rate(actor=citizen, dossier=returned, score=5, comment="x" * 1000)
    assert DossierRating.objects.get().comment == "x" * 1000


def _client(user: Any) -> Client:
    token = api_token_create(actor=user, user=user, name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_rating_api(returned: Dossier, citizen: Any, make_official: Any) -> None:
    url = f"{API}/dossiers/{returned.code}/rating"
    applicant = _client(citizen)
    desk = _client(make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency")))
    stranger = _client(make_citizen("001090099999", "Trần Thị Bình"))
    state = changes()
    r = desk.post(url, {"score": 5}, content_type="application/json")
    assert (r.status_code, r["Content-Type"].split(";")[0]) == (403, "application/problem+json")
    assert stranger.post(url, {"score": 5}, content_type="application/json").status_code == 404
    assert applicant.post(url, {"score": 9}, content_type="application/json").status_code == 400
    assert applicant.get(url).status_code == 404
    assert changes() == state

    r = applicant.post(url, {"score": 5, "comment": "Nhanh, đúng hẹn"}, content_type="application/json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["dossier_code"], body["score"], body["score_label"], body["comment"]) == (
        returned.code,
        5,
        "Rất hài lòng",
        "Nhanh, đúng hẹn",
    )
    state = changes()
    again = applicant.post(url, {"score": 1}, content_type="application/json")
    assert again.status_code == 409
    assert "mỗi hồ sơ chỉ được đánh giá một lần" in again.json()["detail"]
    assert changes() == state
    assert desk.get(url).json()["score"] == 5


def test_statistics_api(city: dict[str, Dossier], city_leader: Any, citizen: Any, clock: Any) -> None:
    leader = _client(city_leader)
    r = leader.get(f"{API}/statistics", {"period": "2026M11"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["period"], body["period_start"], body["period_end"], body["count"]) == (
        "2026M11",
        "2026-11-01",
        "2026-11-30",
        3,
    )
    assert body["total"] == {k: float(v) if isinstance(v, Decimal) else v for k, v in TOTAL.items()}
    assert [(i["code"], i["received"], i["online_rate"]) for i in body["items"]] == [
        (SO_TU_PHAP, 3, 66.67),
        (BA_DINH, 3, 66.67),
        (OTHER_WARD, 1, 100.0),
    ]
    page2 = leader.get(f"{API}/statistics", {"period": "2026M11", "page": 2, "page_size": 2}).json()
    assert ([i["code"] for i in page2["items"]], page2["count"]) == ([OTHER_WARD], 3)
    assert leader.get(f"{API}/statistics", {"period": "2026M11", "by": "x"}).status_code == 400
    assert leader.get(f"{API}/statistics", {"period": "2026M11", "agency": "khong-co"}).status_code == 404
    assert _client(citizen).get(f"{API}/statistics", {"period": "2026M11"}).status_code == 403


# --- Publishing to the reporting module --------------------------------------------------------------


def published() -> list[tuple[str, str, str, Decimal]]:
    return sorted(
        DataValue.objects.filter(indicator__code__startswith="DVC.").values_list(
            "indicator__code", "agency__code", "period", "value"
        )
    )


def test_publish_is_idempotent_and_rolls_up(city: dict[str, Dossier], admin: Any, clock: Any) -> None:
    report = statistics.statistics_publish(period="2026M11")
    assert (report.period, report.agencies, report.skipped) == (
        "2026M11",
        [SO_TU_PHAP, BA_DINH, OTHER_WARD],
        [],
    )
    assert sorted(report.indicators_created) == sorted(s.code for s in statistics.INDICATORS)
    raw = [s for s in statistics.INDICATORS if s.figure]
    assert report.values == len(raw) * 3 == 33
    first = published()
    assert len(first) == 33
    cells = {(i, a): v for i, a, _, v in first}
    assert (cells["DVC.TIEP_NHAN", SO_TU_PHAP], cells["DVC.TRUC_TUYEN", SO_TU_PHAP]) == (3, 2)
    assert (cells["DVC.TRE_HAN", SO_TU_PHAP], cells["DVC.PHI", SO_TU_PHAP]) == (1, 100_000)
    assert (cells["DVC.DANG_GIAI_QUYET", BA_DINH], cells["DVC.QUA_HAN", BA_DINH]) == (2, 0)
    assert (cells["DVC.DANH_GIA", BA_DINH], cells["DVC.DIEM_DANH_GIA", BA_DINH]) == (1, 4)
    assert AuditEvent.objects.filter(action="services.statistics.publish").count() == 1

    # Again: the same cells, the same values, no new indicators.
    again = statistics.statistics_publish(period="2026M11")
    assert (again.values, again.indicators_created) == (33, [])
    assert published() == first

    # The city's figures, rolled up at once by the reporting module (computed rates: ratios of sums).
    city_unit = AdministrativeUnit.objects.get(code="01")

    def city_value(code: str) -> Decimal | None:
        return reporting_selectors.rollup(
            actor=admin, indicator_code=code, period_codes=["2026M11"], hierarchy_as_of=dt.date(2026, 11, 30)
        ).total.get(city_unit.pk)

    assert city_value("DVC.TIEP_NHAN") == TOTAL["received"] == 7
    assert city_value("DVC.TRUC_TUYEN") == 5
    assert city_value("DVC.DUNG_HAN") == 3
    assert city_value("DVC.TRE_HAN") == 1
    assert city_value("DVC.PHI") == 120_000
    assert city_value("DVC.TL_TRUC_TUYEN") == (Decimal(500) / 7).quantize(Decimal("0.0001"))  # 71.4286
    assert city_value("DVC.TL_DUNG_HAN") == Decimal("75.0000")
    assert city_value("DVC.HAI_LONG") == (Decimal(11) / 3).quantize(Decimal("0.0001"))  # 3.6667

    # A change, published again: the same cells are overwritten.
    Dossier.objects.filter(pk=city["A3"].pk).update(
        status="returned",
        returned_at=vn(2026, 11, 28, 9, 0),
        decided_at=vn(2026, 11, 27, 9, 0),
        on_time=False,
    )
    statistics.statistics_publish(period="2026M11")
    after = published()
    assert len(after) == 33
    cells = {(i, a): v for i, a, _, v in after}
    assert (cells["DVC.TRE_HAN", SO_TU_PHAP], cells["DVC.DANG_GIAI_QUYET", SO_TU_PHAP]) == (2, 0)
    assert city_value("DVC.TL_DUNG_HAN") == pct(3, 5).quantize(Decimal("0.0001"))  # 60.0000


def test_monthly_task(city: dict[str, Dossier], clock: Any, monkeypatch: Any) -> None:
    assert statistics.previous_month(dt.date(2026, 12, 1)) == "2026M11"
    assert statistics.previous_month(dt.date(2027, 1, 15)) == "2026M12"
    entry = settings.CELERY_BEAT_SCHEDULE["services-monthly-statistics"]
    assert entry["task"] == tasks.publish_statistics.name == "services.publish_statistics"
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: dt.date(2026, 12, 1))
    assert tasks.publish_statistics.delay().get() == 33
    assert {p for _, _, p, _ in published()} == {"2026M11"}
    assert tasks.publish_statistics.delay("2026Q4").get() == 33
    assert {p for _, _, p, _ in published()} == {"2026M11", "2026Q4"}
