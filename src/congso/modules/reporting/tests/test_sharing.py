"""Sharing upward: SDMX-CSV to the national system through the fake receiver, with retries,
a delivery log, no double sending, and administrators only."""

from __future__ import annotations

import pytest

from congso.core.audit.models import AuditEvent
from congso.modules.reporting import services
from congso.modules.reporting.models import DeliveryStatus, NationalDelivery
from congso.modules.reporting.services import ValueRow
from congso.modules.reporting.sharing import FakeNationalReceiver

CITY, SO_KHCN = "000.00.00.H26", "000.00.15.H26"


@pytest.fixture
def outbox(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    FakeNationalReceiver.fail_next(0)
    yield tmp_path / "national-outbox"
    FakeNationalReceiver.fail_next(0)


@pytest.fixture
def admin(db, make_official, outbox):
    services.indicator_create(
        actor=None,
        code="S_DN",
        name="Số doanh nghiệp CNTT",
        unit_of_measure="doanh nghiệp",
        national_code="QG.CNTT.01",
    )
    services.indicator_create(
        actor=None, code="S_LD", name="Số lao động CNTT", unit_of_measure="người", national_code="QG.CNTT.02"
    )
    services.indicator_create(actor=None, code="S_NOI_BO", name="Chỉ tiêu nội bộ", unit_of_measure="lượt")
    user = make_official("qt.share", CITY, ("admin", "subtree"))
    services.datavalues_import(
        actor=user,
        rows=[
            ValueRow("S_DN", SO_KHCN, "2021", "8476"),
            ValueRow("S_LD", SO_KHCN, "2021", "189500"),
            ValueRow("S_NOI_BO", SO_KHCN, "2021", "7"),
        ],
    )
    return user


def _token(user) -> str:
    from congso.core.accounts.services import api_token_create

    return api_token_create(actor=user, user=user, name="share").secret


def _publish(client, token: str, **body):
    return client.post(
        "/api/v1/reporting/publish/national",
        body or {"year": 2021},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_publish_retries_until_sent_and_never_sends_twice(
    admin, outbox, client, django_capture_on_commit_callbacks
) -> None:
    token = _token(admin)
    FakeNationalReceiver.fail_next(2)
    with django_capture_on_commit_callbacks(execute=True):
        resp = _publish(client, token)
    assert resp.status_code == 202, resp.content
    assert resp.json()["queued"] is True
    delivery = NationalDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.year) == (DeliveryStatus.SENT, 3, 2021)
    assert delivery.indicators == ["QG.CNTT.01", "QG.CNTT.02"] and delivery.periods == ["2021"]
    assert delivery.last_error.startswith("Hệ thống báo cáo Chính phủ (giả lập) tạm thời không phản hồi")
    files = sorted(outbox.iterdir())
    assert [f.name for f in files] == [f"{delivery.receipt}.csv"]
    assert files[0].read_bytes().decode().split("\r\n") == [
        "STRUCTURE,STRUCTURE_ID,ACTION,INDICATOR,REF_AREA,TIME_PERIOD,OBS_VALUE,UNIT_MEASURE",
        "dataflow,VN_HANOI:DF_CONGSO_QG(1.0),I,QG.CNTT.01,01,2021-A1,8476,doanh nghiệp",
        "dataflow,VN_HANOI:DF_CONGSO_QG(1.0),I,QG.CNTT.02,01,2021-A1,189500,người",
        "",
    ]
    import hashlib

    assert delivery.payload_hash == hashlib.sha256(files[0].read_bytes()).hexdigest()
    actions = list(
        AuditEvent.objects.filter(target_type="reporting.nationaldelivery")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "reporting.national.publish",
        "reporting.national.attempt_failed",
        "reporting.national.attempt_failed",
        "reporting.national.sent",
    ]

    # The same figures again: nothing is sent, nothing changes.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = _publish(client, token)
    assert again.status_code == 200 and again.json()["queued"] is False
    assert again.json()["delivery"]["id"] == delivery.pk and callbacks == []
    assert len(list(outbox.iterdir())) == 1
    assert NationalDelivery.objects.get().attempts == 3
    # Even a stray re-run of the task sends nothing once it is sent.
    from congso.modules.reporting.tasks import deliver_national

    assert deliver_national.delay(delivery.pk).get() == DeliveryStatus.SENT
    assert len(list(outbox.iterdir())) == 1 and NationalDelivery.objects.get().attempts == 3

    listing = client.get("/api/v1/reporting/deliveries", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert listing["count"] == 1
    assert {k: listing["items"][0][k] for k in ("status", "attempts", "receipt")} == {
        "status": "sent",
        "attempts": 3,
        "receipt": delivery.receipt,
    }


def test_changed_figures_make_a_new_delivery(
    admin, outbox, client, django_capture_on_commit_callbacks
) -> None:
    token = _token(admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert _publish(client, token).status_code == 202
    services.datavalues_import(actor=admin, rows=[ValueRow("S_DN", SO_KHCN, "2021", "8500")])
    with django_capture_on_commit_callbacks(execute=True):
        assert _publish(client, token).status_code == 202
    assert list(NationalDelivery.objects.order_by("id").values_list("status", "attempts")) == [
        ("sent", 1),
        ("sent", 1),
    ]
    assert len(list(outbox.iterdir())) == 2


def test_a_delivery_that_keeps_failing_is_marked_failed_then_can_be_republished(
    admin, outbox, client, django_capture_on_commit_callbacks
) -> None:
    token = _token(admin)
    FakeNationalReceiver.fail_next(100)
    with django_capture_on_commit_callbacks(execute=True):
        assert _publish(client, token).status_code == 202
    delivery = NationalDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 7)  # the first try and 6 retries
    assert not outbox.exists() or list(outbox.iterdir()) == []
    FakeNationalReceiver.fail_next(0)
    with django_capture_on_commit_callbacks(execute=True):
        resp = _publish(client, token)
    assert resp.status_code == 202
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 8)
    assert len(list(outbox.iterdir())) == 1


def test_only_administrators_publish(
    admin, outbox, make_official, client, django_capture_on_commit_callbacks
) -> None:
    leader = make_official("ld.khcn.share", SO_KHCN, ("leader", "subtree"), ("specialist", "agency"))
    token = _token(leader)
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        resp = _publish(client, token)
    assert resp.status_code == 403
    assert resp["Content-Type"].startswith("application/problem+json")
    assert callbacks == []
    assert NationalDelivery.objects.count() == 0
    assert AuditEvent.objects.count() == events
    assert not outbox.exists()
    assert client.get("/api/v1/reporting/deliveries", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 403
    assert (
        client.post(
            "/api/v1/reporting/publish/national", {"year": 2021}, content_type="application/json"
        ).status_code
        == 401
    )
    assert NationalDelivery.objects.count() == 0


def test_publishing_needs_shared_indicators_and_periods_of_the_year(admin, client) -> None:
    token = _token(admin)
    resp = _publish(client, token, year=2021, periods=["2022M01"])
    assert resp.status_code == 400 and "không thuộc năm 2021" in resp.json()["detail"]
    assert NationalDelivery.objects.count() == 0


def test_demo_seed_carries_the_seed_figures_and_is_idempotent(
    db, outbox, make_official, django_capture_on_commit_callbacks
) -> None:
    import datetime as dt
    from decimal import Decimal

    from congso.modules.reporting import selectors
    from congso.modules.reporting.demo import seed_reporting
    from congso.modules.reporting.models import Form, Indicator

    first = seed_reporting(scale="hanoi")
    assert (Indicator.objects.count(), Form.objects.count()) == (2136, 134)
    assert first.values == 15
    again = seed_reporting(scale="hanoi")
    assert (again.indicators, again.forms, again.values) == (0, 0, 15)
    assert (Indicator.objects.count(), Form.objects.count()) == (2136, 134)
    assert Indicator.objects.exclude(national_code="").count() == 8
    admin = make_official("qt.demo", CITY, ("admin", "subtree"))
    result = selectors.rollup(
        actor=admin,
        indicator_code="TTTT.CNTT.DTBQ",
        period_codes=["2021"],
        hierarchy_as_of=dt.date(2025, 8, 1),
        level=1,
    )
    assert list(result.total.values()) == [(Decimal(321315) / Decimal(8476)).quantize(Decimal("0.0001"))]
    with django_capture_on_commit_callbacks(execute=True):
        from congso.modules.reporting.sharing import publish_national

        delivery, queued = publish_national(actor=admin, year=2021)
    delivery.refresh_from_db()
    assert queued and delivery.status == "sent"
    assert delivery.payload.count("\r\n") == 1 + 7  # the 2021 figures of 7 of the 8 shared indicators
    assert "QG.TTTT.06,01,2021-A1,12300000,thuê bao" in delivery.payload
