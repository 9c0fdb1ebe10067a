"""Executive task pages through Django's test client: a leader gives a task from a document with a
number of working days (the deadline on the working-day calendar), the assignee's specialist reports
progress and completes it; an official of another agency gets 404 and changes nothing; the services'
errors show in Vietnamese on the page with what was typed kept, and nothing is created or changed."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_TU_PHAP

from congso.core.audit.models import AuditEvent
from congso.core.calendar.workdays import add_working_days
from congso.modules.documents import executive, services
from congso.modules.documents.models import Document, Task, TaskStatus, TaskUpdate, TrailEntry

pytestmark = pytest.mark.django_db

LEADER = ("leader", "subtree")
SPECIALIST = ("specialist", "agency")
CLERK = ("clerk", "agency")
FRIDAY = dt.date(2026, 8, 28)  # before Mon 31/8 (day off in lieu of Sat 22/8) and 1–2/9 (Quốc khánh)
TITLE = "Rà soát thủ tục hành chính theo Công văn 125/UBND-VP"


def _html(response: Any) -> str:
    return response.content.decode()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def people(make_official: Any) -> dict[str, Any]:
    return {
        "leader": make_official("ld.bd", BA_DINH, LEADER),
        "bd_clerk": make_official("vt.bd", BA_DINH, CLERK),
        "centre": make_official("cv.centre", BA_DINH_CENTRE, SPECIALIST),
        "outsider": make_official("cv.tp", SO_TU_PHAP, SPECIALIST),
    }


@pytest.fixture
def on_friday(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    monkeypatch.setattr(executive, "today", lambda: FRIDAY)
    return FRIDAY


@pytest.fixture
def doc(people: dict[str, Any], agency: Any) -> Document:
    """A paper document registered at Ba Đình."""
    return services.document_receive(
        actor=people["bd_clerk"],
        agency=agency(BA_DINH),
        spec=services.IncomingSpec(
            doc_type="CV",
            number_notation="125/UBND-VP",
            issuer_name="UBND thành phố Hà Nội",
            summary="V/v rà soát thủ tục hành chính năm 2026",
            issued_on=dt.date(2026, 8, 20),
        ),
        file=services.Upload("scan.pdf", b"%PDF-1.4\n% scan\n%%EOF\n"),
        paper=True,
        register=True,
    )


def _state() -> tuple[Any, ...]:
    return (
        Task.objects.count(),
        TaskUpdate.objects.count(),
        AuditEvent.objects.count(),
        list(Task.objects.order_by("id").values_list("status", "progress", "deadline", "completed_at")),
    )


def _give(client: Any, agency: Any, people: dict[str, Any], **data: Any) -> Any:
    form = {
        "title": TITLE,
        "description": "Báo cáo kết quả về Văn phòng UBND phường.",
        "assignee_agency": str(agency(BA_DINH_CENTRE).pk),
        "assignee": str(people["centre"].pk),
        "deadline": "",
        "working_days": "",
        "document": "",
    }
    form.update({k: str(v) for k, v in data.items()})
    return client.post(reverse("documents:task_new"), form)


def test_leader_gives_a_task_from_a_document_and_the_specialist_completes_it(
    client: Any, people: dict[str, Any], agency: Any, doc: Document, on_friday: dt.date
) -> None:
    # The leader sees the offer on the document's page, and the form knows the document.
    client.force_login(people["leader"])
    page = _html(client.get(reverse("documents:detail", args=[doc.pk])))
    assert f'href="/van-ban/nhiem-vu/giao/?van_ban={doc.pk}">Giao nhiệm vụ từ văn bản này</a>' in page
    assert "Chưa có nhiệm vụ nào được giao từ văn bản này." in page
    form = client.get(reverse("documents:task_new"), {"van_ban": doc.pk})
    assert form.status_code == 200
    assert f'<input type="hidden" name="document" value="{doc.pk}" id="id_document">' in _html(form)
    assert "Nhiệm vụ từ văn bản: 125/UBND-VP — V/v rà soát thủ tục hành chính năm 2026" in _text(_html(form))

    response = _give(client, agency, people, working_days=3, document=doc.pk)
    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/van-ban/nhiem-vu/{task.pk}/"
    # Fri 28/8 + 3 working days: Mon 31/8 (nghỉ bù), 1–2/9 (Quốc khánh) are off → Thu 3, Fri 4, Mon 7/9.
    assert task.deadline == dt.date(2026, 9, 7)
    assert task.deadline == add_working_days(FRIDAY + dt.timedelta(days=1), 2)
    assert (task.document, task.agency.code, task.assignee_agency.code, task.assignee) == (
        doc,
        BA_DINH,
        BA_DINH_CENTRE,
        people["centre"],
    )
    assert (task.status, task.progress, task.created_by) == (TaskStatus.OPEN, 0, people["leader"])
    assert TrailEntry.objects.filter(document=doc, action="task").count() == 1
    detail = client.get(response["Location"])
    assert (
        "Đã giao nhiệm vụ cho Trung tâm Phục vụ hành chính công Phường Ba Đình, hạn hoàn thành 07/09/2026."
        in (_html(detail))
    )
    assert '<dd id="tk-deadline">07/09/2026</dd>' in _html(detail)
    # The leader manages it (extend, cancel) and, with tasks.update over the unit, may report too.
    for heading in ("Cập nhật tiến độ", "Hoàn thành nhiệm vụ", "Gia hạn", "Hủy nhiệm vụ"):
        assert f"<h3>{heading}</h3>" in _html(detail), heading
    # The document's page lists it; the leader's "given" list too.
    page = _html(client.get(reverse("documents:detail", args=[doc.pk])))
    assert f'<a href="/van-ban/nhiem-vu/{task.pk}/">{TITLE}</a>' in page
    assert TITLE in _html(client.get(reverse("documents:tasks_given")))

    # The centre's specialist: the task in their list, then progress 50, then done.
    client.force_login(people["centre"])
    mine = client.get(reverse("documents:tasks"))
    html = _html(mine)
    assert mine.status_code == 200
    assert f'<a href="/van-ban/nhiem-vu/{task.pk}/">{TITLE}</a>' in html
    assert '<progress max="100" value="0" aria-label="Tiến độ 0%">0%</progress>' in html
    assert '<a href="/van-ban/nhiem-vu/" aria-current="page">Nhiệm vụ</a>' in html
    detail = _html(client.get(reverse("documents:task_detail", args=[task.pk])))
    assert "Cập nhật tiến độ</h3>" in detail and "Hoàn thành nhiệm vụ</h3>" in detail
    assert "Hủy nhiệm vụ</h3>" not in detail and "Gia hạn</h3>" not in detail

    done = client.post(
        reverse("documents:task_act", args=[task.pk, "tien-do"]),
        {"progress": "50", "note": "Đã rà soát 12/24 thủ tục"},
    )
    assert (done.status_code, done["Location"]) == (302, f"/van-ban/nhiem-vu/{task.pk}/")
    task.refresh_from_db()
    assert (task.status, task.progress) == (TaskStatus.OPEN, 50)
    assert list(TaskUpdate.objects.values_list("progress", "note")) == [(50, "Đã rà soát 12/24 thủ tục")]
    detail = _html(client.get(reverse("documents:task_detail", args=[task.pk])))
    assert "Đã cập nhật tiến độ 50%." in detail
    assert '<progress max="100" value="50" aria-label="Tiến độ 50%">50%</progress>' in detail
    assert (
        'Cập nhật tiến độ</strong> <span class="tk-pct">50%</span> · Cv.Centre<p>Đã rà soát 12/24 thủ tục</p>'
        in (detail)
    )

    completed = client.post(
        reverse("documents:task_act", args=[task.pk, "hoan-thanh"]), {"note": "Đã gửi báo cáo"}
    )
    assert completed.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.progress, task.completed_at is not None) == (TaskStatus.DONE, 100, True)
    assert list(TaskUpdate.objects.order_by("id").values_list("progress", "note")) == [
        (50, "Đã rà soát 12/24 thủ tục"),
        (100, "Đã gửi báo cáo"),
    ]
    detail = _html(client.get(reverse("documents:task_detail", args=[task.pk])))
    assert "Đã hoàn thành nhiệm vụ." in detail
    assert '<span class="tag tag--done" id="tk-status">Đã hoàn thành</span>' in detail
    assert (
        '<strong>Hoàn thành</strong> <span class="tk-pct">100%</span> · Cv.Centre<p>Đã gửi báo cáo</p>'
        in detail
    )
    assert "Việc cần làm" not in detail  # a done task has no actions left
    assert TITLE not in _html(client.get(reverse("documents:tasks")))  # no longer open
    assert f'<a href="/van-ban/nhiem-vu/{task.pk}/">{TITLE}</a>' in _html(
        client.get(reverse("documents:tasks_done"))
    )


def test_official_of_another_agency_gets_404_and_nothing_changes(
    client: Any, people: dict[str, Any], agency: Any, doc: Document, on_friday: dt.date
) -> None:
    task = executive.task_create(
        actor=people["leader"],
        agency=agency(BA_DINH),
        title=TITLE,
        assignee_agency=agency(BA_DINH_CENTRE),
        working_days=3,
        document=doc,
    )
    before = _state()
    client.force_login(people["outsider"])
    page = client.get(reverse("documents:task_detail", args=[task.pk]))
    assert page.status_code == 404
    assert f"Không tìm thấy nhiệm vụ số {task.pk}." in _html(page)
    assert TITLE not in _html(page)
    for slug, data in [
        ("tien-do", {"progress": "50", "note": "x"}),
        ("hoan-thanh", {"note": "x"}),
        ("huy", {"reason": "x"}),
        ("gia-han", {"new_deadline": "2026-09-30", "reason": "x"}),
    ]:
        assert client.post(reverse("documents:task_act", args=[task.pk, slug]), data).status_code == 404, slug
    assert _state() == before
    for name in (
        "documents:tasks",
        "documents:tasks_overdue",
        "documents:tasks_done",
        "documents:tasks_given",
    ):
        assert TITLE not in _html(client.get(reverse(name))), name
    # Giving tasks is a leader's: the form is refused to a specialist.
    refused = client.get(reverse("documents:task_new"))
    assert refused.status_code == 403
    assert "Chỉ lãnh đạo cơ quan mới giao nhiệm vụ." in _html(refused)


def test_assignee_may_not_cancel_or_extend_and_nothing_changes(
    client: Any, people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    task = executive.task_create(
        actor=people["leader"],
        agency=agency(BA_DINH),
        title=TITLE,
        assignee_agency=agency(BA_DINH_CENTRE),
        working_days=3,
    )
    before = _state()
    client.force_login(people["centre"])
    refused = client.post(reverse("documents:task_act", args=[task.pk, "huy"]), {"reason": "Không làm nữa"})
    html = _html(refused)
    assert refused.status_code == 403
    assert "<h2>Chưa thực hiện được</h2>" in html
    assert "Bạn không có quyền thực hiện thao tác này đối với cơ quan, đơn vị này." in html
    extend = client.post(
        reverse("documents:task_act", args=[task.pk, "gia-han"]),
        {"new_deadline": "2026-09-30", "reason": "Cần thêm thời gian"},
    )
    assert extend.status_code == 403
    assert _state() == before
    assert client.post(reverse("documents:task_act", args=[task.pk, "xoa"])).status_code == 404
    assert client.get(reverse("documents:task_act", args=[task.pk, "tien-do"])).status_code == 405


def test_past_deadline_shows_the_vietnamese_error_keeps_the_values_and_creates_nothing(
    client: Any, people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    before = _state()
    client.force_login(people["leader"])
    response = _give(client, agency, people, deadline="2026-08-27")
    html = _html(response)
    assert response.status_code == 400
    assert "Chưa lưu được, vui lòng kiểm tra lại" in html
    assert "Hạn hoàn thành 27/08/2026 đã qua (hôm nay là 28/08/2026)." in html
    assert f'value="{TITLE}"' in html
    assert 'value="2026-08-27"' in html
    assert f'<option value="{agency(BA_DINH_CENTRE).pk}" selected>' in html
    assert f'<option value="{people["centre"].pk}" selected>' in html
    assert _state() == before

    # Neither a date nor a number of working days: said in full above the form.
    response = _give(client, agency, people)
    assert response.status_code == 400
    assert "Cần cho đúng một trong hai: hạn hoàn thành (ngày) hoặc số ngày làm việc." in _html(response)
    # A day off is refused too.
    response = _give(client, agency, people, deadline="2026-09-02")
    assert "Hạn hoàn thành 02/09/2026 không phải là ngày làm việc." in _html(response)
    assert _state() == before


def test_progress_errors_keep_the_typed_values_and_the_leader_extends_and_cancels(
    client: Any, people: dict[str, Any], agency: Any, on_friday: dt.date
) -> None:
    task = executive.task_create(
        actor=people["leader"],
        agency=agency(BA_DINH),
        title=TITLE,
        assignee_agency=agency(BA_DINH_CENTRE),
        assignee=people["centre"],
        working_days=3,
    )
    executive.task_update_progress(actor=people["centre"], task=task, progress=60)
    before = _state()
    client.force_login(people["centre"])
    lower = client.post(
        reverse("documents:task_act", args=[task.pk, "tien-do"]), {"progress": "30", "note": "Phải làm lại"}
    )
    html = _html(lower)
    assert lower.status_code == 400
    assert "Tiến độ không được giảm: hiện là 60%, báo cáo 30%. Hãy giải trình trong ghi chú." in html
    assert 'value="30"' in html and ">Phải làm lại</textarea>" in html
    bad = client.post(reverse("documents:task_act", args=[task.pk, "tien-do"]), {"progress": "năm mươi"})
    assert bad.status_code == 400
    assert "Tiến độ phải là số nguyên từ 0 đến 100." in _html(bad)
    assert _state() == before

    client.force_login(people["leader"])
    early = client.post(
        reverse("documents:task_act", args=[task.pk, "gia-han"]),
        {"new_deadline": "2026-09-04", "reason": "Chờ số liệu"},
    )
    assert early.status_code == 400
    assert "Hạn mới 04/09/2026 phải sau hạn hiện tại 07/09/2026." in _html(early)
    assert ">Chờ số liệu</textarea>" in _html(early)
    assert _state() == before
    extended = client.post(
        reverse("documents:task_act", args=[task.pk, "gia-han"]),
        {"new_deadline": "2026-09-14", "reason": "Chờ số liệu"},
    )
    assert extended.status_code == 302
    task.refresh_from_db()
    assert task.deadline == dt.date(2026, 9, 14)
    detail = _html(client.get(reverse("documents:task_detail", args=[task.pk])))
    assert "Đã gia hạn nhiệm vụ đến 14/09/2026." in detail
    assert "<strong>Gia hạn</strong> · Ld.Bd<p>Gia hạn đến 14/09/2026: Chờ số liệu</p>" in detail

    no_reason = client.post(reverse("documents:task_act", args=[task.pk, "huy"]), {"reason": " "})
    assert no_reason.status_code == 400
    assert "Cần ghi lý do hủy nhiệm vụ." in _html(no_reason)
    cancelled = client.post(
        reverse("documents:task_act", args=[task.pk, "huy"]), {"reason": "Đã có kế hoạch khác"}
    )
    assert cancelled.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED
    detail = _html(client.get(reverse("documents:task_detail", args=[task.pk])))
    assert '<span class="tag tag--cancelled" id="tk-status">Đã hủy</span>' in detail
    assert "Hủy nhiệm vụ</strong> · Ld.Bd<p>Đã có kế hoạch khác</p>" in detail


def test_overdue_tab_highlights_late_tasks(
    client: Any, people: dict[str, Any], agency: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(executive, "today", lambda: FRIDAY)
    task = executive.task_create(
        actor=people["leader"],
        agency=agency(BA_DINH),
        title=TITLE,
        assignee_agency=agency(BA_DINH_CENTRE),
        deadline=FRIDAY,
    )
    monkeypatch.setattr(executive, "today", lambda: dt.date(2026, 9, 8))
    client.force_login(people["centre"])
    html = _html(client.get(reverse("documents:tasks_overdue")))
    assert '<tr class="dc-late">' in html
    assert f'<a href="/van-ban/nhiem-vu/{task.pk}/">{TITLE}</a>' in html
    assert '<span class="tag tag--late">Quá hạn</span>' in html
    assert 'Quá hạn <span class="dc-count dc-count--hot">' in html
    # The leader's dashboard links the late task to its page.
    client.force_login(people["leader"])
    board = _html(client.get(reverse("documents:dashboard")))
    assert f'<th scope="row"><a href="/van-ban/nhiem-vu/{task.pk}/">{TITLE}</a></th>' in board
