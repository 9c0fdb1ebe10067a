"""What applicants are told, word for word, and that it leaves only after the change commits."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from tests.conftest import BA_DINH_CENTRE

from congso.core.notify.sms import MemorySmsBackend
from congso.modules.services import notifications, services
from congso.modules.services.models import Dossier
from congso.modules.services.tests.test_dossiers import household

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
FILED = dt.datetime(2026, 4, 29, 10, 0, tzinfo=VN)
CENTRE = "Trung tâm Phục vụ hành chính công Phường Ba Đình"
TRACK = "https://dichvucong.hanoi.example/dich-vu-cong/tra-cuu/?ma=001.01.90.H26-260429-0001"
CLOSING = f"{CENTRE}\nThư này được gửi tự động, vui lòng không trả lời."


@pytest.fixture(autouse=True)
def sinks(settings: Any) -> Any:
    settings.PUBLIC_URL = "https://dichvucong.hanoi.example"
    settings.SMS_BACKEND = "memory"
    settings.SMS_UNACCENTED = True
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def online(catalogue: None, citizen: Any, monkeypatch: Any) -> Dossier:
    monkeypatch.setattr(services, "_now", lambda: FILED)
    return services.dossier_submit(actor=citizen, spec=household(agency_code=BA_DINH_CENTRE)).dossier


def test_submitted_online_with_the_tracking_token(online: Dossier) -> None:
    m = notifications.submitted_message(online, tracking_token="tok_ABC-123")
    assert m.subject == "Hồ sơ 001.01.90.H26-260429-0001 đã được nộp thành công"
    assert m.body == (
        "Kính gửi ông/bà Nguyễn Văn An,\n\n"
        f'Hồ sơ "Đăng ký thành lập hộ kinh doanh" của ông/bà đã được nộp trực tuyến đến {CENTRE} '
        "lúc 10:00 ngày 29/04/2026.\n\n"
        "Mã hồ sơ: 001.01.90.H26-260429-0001\n"
        "Mã tra cứu: tok_ABC-123\n"
        "Ngày hẹn trả kết quả (dự kiến): 17:00 ngày 06/05/2026\n"
        "Phí, lệ phí: 100.000 đồng\n"
        f"Tra cứu tình trạng hồ sơ: {TRACK}\n\n"
        "Vui lòng giữ mã hồ sơ và mã tra cứu để theo dõi, bổ sung và nhận kết quả.\n\n"
        f"{CLOSING}"
    )
    assert m.sms == (
        "Hồ sơ 001.01.90.H26-260429-0001 đã nộp thành công, hẹn trả kết quả 06/05/2026. "
        f"Mã tra cứu: tok_ABC-123. Tra cứu: {TRACK}"
    )


def test_submitted_at_the_desk(catalogue: None, desk: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services, "_now", lambda: FILED)
    d = services.dossier_submit(actor=desk, spec=household()).dossier
    m = notifications.submitted_message(d)
    assert m.subject == "Hồ sơ 001.01.90.H26-260429-0001 đã được tiếp nhận"
    assert m.body.splitlines()[2:7] == [
        f'{CENTRE} đã tiếp nhận hồ sơ "Đăng ký thành lập hộ kinh doanh" của ông/bà '
        "lúc 10:00 ngày 29/04/2026.",
        "",
        "Mã hồ sơ: 001.01.90.H26-260429-0001",
        "Ngày hẹn trả kết quả: 17:00 ngày 06/05/2026",
        "Phí, lệ phí: 100.000 đồng",
    ]
    assert m.sms == (
        f"Hồ sơ 001.01.90.H26-260429-0001 đã được tiếp nhận, hẹn trả kết quả 06/05/2026. Tra cứu: {TRACK}"
    )


def test_supplement_request(online: Dossier) -> None:
    reason = (
        "Thiếu bản sao Giấy chứng nhận quyền sử dụng đất của địa điểm kinh doanh; "
        "đề nghị nộp bản sao có chứng thực."
    )
    m = notifications.supplement_message(online, reason=reason)
    assert m.subject == "Hồ sơ 001.01.90.H26-260429-0001 cần bổ sung, hoàn thiện"
    assert m.body == (
        "Kính gửi ông/bà Nguyễn Văn An,\n\n"
        'Hồ sơ "Đăng ký thành lập hộ kinh doanh" (mã 001.01.90.H26-260429-0001) của ông/bà cần được bổ '
        "sung, hoàn thiện:\n\n"
        f"{reason}\n\n"
        "Thời hạn giải quyết tạm dừng từ khi có yêu cầu này và tiếp tục khi ông/bà nộp đủ hồ sơ bổ sung, "
        f"trực tuyến hoặc tại {CENTRE}.\n\n"
        f"Tra cứu tình trạng hồ sơ: {TRACK}\n\n"
        f"{CLOSING}"
    )
    assert m.sms == (
        "Hồ sơ 001.01.90.H26-260429-0001 cần bổ sung: Thiếu bản sao Giấy chứng nhận quyền sử dụng đất của "
        f"địa điểm kinh doanh; đề n... Chi tiết: {TRACK}"
    )
    short = notifications.supplement_message(online, reason="Thiếu ảnh 4x6")
    assert short.sms == f"Hồ sơ 001.01.90.H26-260429-0001 cần bổ sung: Thiếu ảnh 4x6. Chi tiết: {TRACK}"


def test_payment_received(online: Dossier) -> None:
    m = notifications.payment_message(
        online,
        amount=100_000,
        reference="0010190H262604290001K7QM",
        paid_at=dt.datetime(2026, 4, 29, 3, 5, tzinfo=dt.UTC),
    )
    assert m.subject == "Đã nhận phí, lệ phí hồ sơ 001.01.90.H26-260429-0001"
    assert m.body == (
        "Kính gửi ông/bà Nguyễn Văn An,\n\n"
        'Đã nhận 100.000 đồng phí, lệ phí của hồ sơ "Đăng ký thành lập hộ kinh doanh" '
        "(mã 001.01.90.H26-260429-0001) lúc 10:05 ngày 29/04/2026.\n\n"
        "Mã thanh toán: 0010190H262604290001K7QM\n"
        f"Tra cứu tình trạng hồ sơ: {TRACK}\n\n"
        f"{CLOSING}"
    )
    assert m.sms == (
        "Đã nhận 100.000 đồng phí, lệ phí hồ sơ 001.01.90.H26-260429-0001 "
        "(mã thanh toán 0010190H262604290001K7QM)."
    )


def test_result_ready(online: Dossier) -> None:
    m = notifications.result_message(online)
    assert m.subject == "Hồ sơ 001.01.90.H26-260429-0001 đã có kết quả"
    assert m.body == (
        "Kính gửi ông/bà Nguyễn Văn An,\n\n"
        'Hồ sơ "Đăng ký thành lập hộ kinh doanh" (mã 001.01.90.H26-260429-0001) của ông/bà đã có kết quả '
        "giải quyết.\n\n"
        f"Mời ông/bà nhận kết quả tại {CENTRE} (mang theo giấy tiếp nhận hồ sơ và hẹn trả kết quả) "
        "hoặc theo hình thức nhận kết quả đã đăng ký.\n\n"
        f"Tra cứu tình trạng hồ sơ: {TRACK}\n\n"
        f"{CLOSING}"
    )
    assert m.sms == f"Hồ sơ 001.01.90.H26-260429-0001 đã có kết quả. Mời ông/bà nhận kết quả tại {CENTRE}."


def test_late(online: Dossier) -> None:
    m = notifications.late_message(
        online,
        new_due_at=dt.datetime(2026, 5, 8, 17, 0, tzinfo=VN),
        reason="Cần xác minh địa điểm kinh doanh.",
    )
    assert m.subject == "Xin lỗi ông/bà: hồ sơ 001.01.90.H26-260429-0001 chưa có kết quả đúng hẹn"
    assert m.body == (
        "Kính gửi ông/bà Nguyễn Văn An,\n\n"
        f"{CENTRE} thành thật xin lỗi ông/bà: hồ sơ "
        '"Đăng ký thành lập hộ kinh doanh" (mã 001.01.90.H26-260429-0001) hẹn trả kết quả '
        "17:00 ngày 06/05/2026 nhưng chưa giải quyết xong.\n\n"
        "Lý do: Cần xác minh địa điểm kinh doanh.\n"
        "Ngày hẹn trả kết quả mới: 17:00 ngày 08/05/2026\n"
        f"Tra cứu tình trạng hồ sơ: {TRACK}\n\n"
        "Mong ông/bà thông cảm.\n\n"
        f"{CLOSING}"
    )
    assert m.sms == (
        "Xin lỗi ông/bà: hồ sơ 001.01.90.H26-260429-0001 chưa có kết quả đúng hẹn 06/05/2026, "
        f"hẹn lại 08/05/2026. Tra cứu: {TRACK}"
    )
    bare = notifications.late_message(online)
    assert "Lý do" not in bare.body and "Ngày hẹn trả kết quả mới" not in bare.body
    assert bare.sms == (
        "Xin lỗi ông/bà: hồ sơ 001.01.90.H26-260429-0001 chưa có kết quả đúng hẹn 06/05/2026. "
        f"Tra cứu: {TRACK}"
    )


def test_every_notice_goes_out_after_commit_by_email_and_sms(
    online: Dossier,
    eager_tasks: Any,
    mailoutbox: list[Any],
    sinks: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    sends = [
        lambda d: notifications.notify_submitted(d, tracking_token="tok"),
        lambda d: notifications.notify_supplement_requested(d, reason="Thiếu ảnh"),
        lambda d: notifications.notify_payment_received(d, amount=100_000, reference="R", paid_at=FILED),
        notifications.notify_result_ready,
        lambda d: notifications.notify_late(d, new_due_at=FILED + dt.timedelta(days=9)),
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        for send in sends:
            assert send(online) == ["email", "sms"]
        assert (mailoutbox, sinks) == ([], [])
    for callback in callbacks:
        callback()
    assert [m.subject for m in mailoutbox] == [
        "Hồ sơ 001.01.90.H26-260429-0001 đã được nộp thành công",
        "Hồ sơ 001.01.90.H26-260429-0001 cần bổ sung, hoàn thiện",
        "Đã nhận phí, lệ phí hồ sơ 001.01.90.H26-260429-0001",
        "Hồ sơ 001.01.90.H26-260429-0001 đã có kết quả",
        "Xin lỗi ông/bà: hồ sơ 001.01.90.H26-260429-0001 chưa có kết quả đúng hẹn",
    ]
    assert {tuple(m.to) for m in mailoutbox} == {("001090012345@example.vn",)}
    assert [s["to"] for s in sinks] == ["+84912345678"] * 5
    # Text messages leave without diacritics.
    assert sinks[3]["text"] == (
        "Ho so 001.01.90.H26-260429-0001 da co ket qua. Moi ong/ba nhan ket qua tai "
        "Trung tam Phuc vu hanh chinh cong Phuong Ba Dinh."
    )


def test_no_address_no_message(online: Dossier, django_capture_on_commit_callbacks: Any) -> None:
    Dossier.objects.filter(pk=online.pk).update(applicant_email="", applicant_phone="")
    online.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert notifications.notify_result_ready(online) == []
    assert callbacks == []
    Dossier.objects.filter(pk=online.pk).update(applicant_phone="0912 345 678")
    online.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert notifications.notify_result_ready(online) == ["sms"]
    assert len(callbacks) == 1


def test_filing_online_tells_the_applicant_once_committed_with_the_token(
    catalogue: None,
    citizen: Any,
    monkeypatch: Any,
    eager_tasks: Any,
    mailoutbox: list[Any],
    sinks: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(services, "_now", lambda: FILED)
    with django_capture_on_commit_callbacks(execute=True):
        filed = services.dossier_submit(actor=citizen, spec=household(agency_code=BA_DINH_CENTRE))
        assert (mailoutbox, sinks) == ([], [])
    assert [m.subject for m in mailoutbox] == ["Hồ sơ 001.01.90.H26-260429-0001 đã được nộp thành công"]
    assert f"Mã tra cứu: {filed.tracking_token}\n" in mailoutbox[0].body
    assert [s["to"] for s in sinks] == ["+84912345678"]
    assert f"Ma tra cuu: {filed.tracking_token}. " in sinks[0]["text"]


def test_an_overdue_dossier_is_told_once_and_a_paused_or_finished_one_not_at_all(
    catalogue: None,
    desk: Any,
    monkeypatch: Any,
    eager_tasks: Any,
    mailoutbox: list[Any],
    sinks: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from congso.modules.services import deadlines
    from congso.modules.services.models import DossierStatus

    monkeypatch.setattr(services, "_now", lambda: FILED)
    contact = {"applicant_phone": "0912 345 678", "applicant_email": "binh@example.vn"}
    late, paused, done = (
        services.dossier_submit(actor=desk, spec=household(**contact)).dossier for _ in range(3)
    )
    Dossier.objects.filter(pk=paused.pk).update(status=DossierStatus.SUPPLEMENT_REQUESTED)
    Dossier.objects.filter(pk=done.pk).update(status=DossierStatus.DONE)
    assert late.due_at == dt.datetime(2026, 5, 6, 17, 0, tzinfo=VN)
    # On the due date itself nothing is late yet.
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.dossiers_notify_overdue(now=late.due_at - dt.timedelta(minutes=1)) == 0
    assert mailoutbox == []
    next_morning = dt.datetime(2026, 5, 7, 7, 15, tzinfo=VN)
    for _ in range(2):  # the task runs twice (a retry, a second scheduler): one notice
        with django_capture_on_commit_callbacks(execute=True):
            deadlines.dossiers_notify_overdue(now=next_morning)
    assert [m.subject for m in mailoutbox] == [f"Xin lỗi ông/bà: hồ sơ {late.code} chưa có kết quả đúng hẹn"]
    assert [s["to"] for s in sinks] == ["+84912345678"]
    assert list(Dossier.objects.exclude(late_notified_at=None).values_list("code", flat=True)) == [late.code]
