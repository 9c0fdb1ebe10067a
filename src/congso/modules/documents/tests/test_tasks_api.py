"""Executive tasks over the HTTP API with API tokens: a leader gives a task from a document with a
number of working days, the assignee's specialist reports progress and completes it; the list's
filters; a task of another agency is 404 and an action without the right 403 — neither changes
anything; the services' errors as problem+json in Vietnamese."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_TU_PHAP

from congso.core.accounts.services import api_token_create
from congso.core.audit.models import AuditEvent
from congso.modules.documents import executive, services
from congso.modules.documents.models import Document, Task, TaskUpdate

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 8, 28)
TITLE = "Rà soát thủ tục hành chính theo Công văn 125/UBND-VP"
URL = "/api/v1/documents/tasks"


def _client(user: Any) -> Client:
    token = api_token_create(actor=user, user=user, name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def people(make_official: Any) -> dict[str, Any]:
    return {
        "leader": make_official("ld.bd", BA_DINH, ("leader", "subtree")),
        "bd_clerk": make_official("vt.bd", BA_DINH, ("clerk", "agency")),
        "centre": make_official("cv.centre", BA_DINH_CENTRE, ("specialist", "agency")),
        "outsider": make_official("cv.tp", SO_TU_PHAP, ("specialist", "agency")),
    }


@pytest.fixture
def clients(people: dict[str, Any]) -> dict[str, Client]:
    return {name: _client(user) for name, user in people.items()}


@pytest.fixture
def doc(people: dict[str, Any], agency: Any) -> Document:
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


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> list[dt.date]:
    """``today[0]`` is the services' and the API's today (Friday 28/8/2026 to begin with)."""
    day = [FRIDAY]
    monkeypatch.setattr(executive, "today", lambda: day[0])
    return day


def _state() -> tuple[Any, ...]:
    return (
        Task.objects.count(),
        TaskUpdate.objects.count(),
        AuditEvent.objects.count(),
        list(Task.objects.order_by("id").values_list("status", "progress", "deadline", "completed_at")),
    )


def _stable(body: dict[str, Any]) -> dict[str, Any]:
    """The body without the moments (checked for shape only)."""
    out = {k: v for k, v in body.items() if k not in {"created_at", "completed_at", "updates"}}
    if "updates" in body:
        out["updates"] = [{k: v for k, v in u.items() if k != "at"} for u in body["updates"]]
    return out


def test_task_flow_over_the_api(
    clients: dict[str, Client], people: dict[str, Any], doc: Document, today: list[dt.date]
) -> None:
    r = _post(
        clients["leader"],
        URL,
        {
            "title": TITLE,
            "description": "Báo cáo kết quả về Văn phòng UBND phường.",
            "assignee_agency": BA_DINH_CENTRE,
            "assignee": "cv.centre",
            "working_days": 3,
            "document": doc.pk,
        },
    )
    assert r.status_code == 201, r.content
    created = r.json()
    pk = created["id"]
    assert created["created_at"] is not None and created["completed_at"] is None
    expected = {
        "id": pk,
        "title": TITLE,
        "description": "Báo cáo kết quả về Văn phòng UBND phường.",
        "status": "open",
        "status_label": "Đang thực hiện",
        "progress": 0,
        # Fri 28/8 + 3 working days: 31/8 (nghỉ bù), 1–2/9 (Quốc khánh) off → Thu 3, Fri 4, Mon 7/9.
        "deadline": "2026-09-07",
        "overdue": False,
        "agency_code": BA_DINH,
        "agency_name": "Ủy ban nhân dân Phường Ba Đình",
        "assignee_agency_code": BA_DINH_CENTRE,
        "assignee_agency_name": "Trung tâm Phục vụ hành chính công Phường Ba Đình",
        "assignee": "cv.centre",
        "assignee_name": "Cv.Centre",
        "document": doc.pk,
        "created_by": "ld.bd",
        "updates": [],
    }
    assert _stable(created) == expected
    assert executive.deadline_from_working_days(FRIDAY, 3) == dt.date(2026, 9, 7)

    # The centre's specialist finds it among theirs, and the leader among what they see.
    mine = clients["centre"].get(URL, {"mine": "true"}).json()
    assert (mine["count"], mine["page"], mine["page_size"]) == (1, 1, 20)
    assert [_stable(i) for i in mine["items"]] == [{k: v for k, v in expected.items() if k != "updates"}]
    assert clients["leader"].get(URL, {"mine": "true"}).json()["count"] == 0  # given, not assigned to them
    assert [i["id"] for i in clients["leader"].get(URL).json()["items"]] == [pk]

    r = _post(clients["centre"], f"{URL}/{pk}/progress", {"progress": 50, "note": "Đã rà soát 12/24 thủ tục"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["progress"]) == ("open", 50)
    assert _stable(r.json())["updates"] == [
        {"actor": "Cv.Centre", "progress": 50, "note": "Đã rà soát 12/24 thủ tục"}
    ]

    r = _post(clients["centre"], f"{URL}/{pk}/complete", {"note": "Đã gửi báo cáo"})
    assert r.status_code == 200, r.content
    done = r.json()
    assert (done["status"], done["status_label"], done["progress"]) == ("done", "Đã hoàn thành", 100)
    assert done["completed_at"] is not None
    assert [(u["progress"], u["note"]) for u in done["updates"]] == [
        (50, "Đã rà soát 12/24 thủ tục"),
        (100, "Đã gửi báo cáo"),
    ]
    assert clients["centre"].get(f"{URL}/{pk}").json() == done
    assert [i["id"] for i in clients["leader"].get(URL, {"status": "done"}).json()["items"]] == [pk]
    assert clients["leader"].get(URL, {"status": "open"}).json()["count"] == 0

    # Done is final: a Conflict.
    again = _post(clients["leader"], f"{URL}/{pk}/cancel", {"reason": "Nhầm"})
    assert again.status_code == 409
    assert again["Content-Type"].startswith("application/problem+json")
    assert again.json()["detail"] == "Nhiệm vụ đang ở trạng thái 'Đã hoàn thành', không thể thay đổi."


def test_denied_requests_change_nothing(
    clients: dict[str, Client], people: dict[str, Any], agency: Any, today: list[dt.date]
) -> None:
    task = executive.task_create(
        actor=people["leader"],
        agency=agency(BA_DINH),
        title=TITLE,
        assignee_agency=agency(BA_DINH_CENTRE),
        working_days=3,
    )
    before = _state()
    # Another agency's official: the task does not exist for them.
    assert clients["outsider"].get(URL).json() == {"count": 0, "page": 1, "page_size": 20, "items": []}
    for path, body in [
        ("", None),
        ("/progress", {"progress": 50}),
        ("/complete", {}),
        ("/cancel", {"reason": "x"}),
        ("/extend", {"new_deadline": "2026-09-30", "reason": "x"}),
    ]:
        client = clients["outsider"]
        r = client.get(f"{URL}/{task.pk}") if body is None else _post(client, f"{URL}/{task.pk}{path}", body)
        assert r.status_code == 404, path
        assert r["Content-Type"].startswith("application/problem+json")
        assert r.json()["detail"] == f"Không tìm thấy nhiệm vụ số {task.pk}."
    # The assignee's specialist sees it but may not cancel or extend it, nor give tasks.
    for path, body in [
        ("/cancel", {"reason": "x"}),
        ("/extend", {"new_deadline": "2026-09-30", "reason": "x"}),
    ]:
        r = _post(clients["centre"], f"{URL}/{task.pk}{path}", body)
        assert r.status_code == 403, path
        assert r.json()["detail"] == "Bạn không có quyền thực hiện thao tác này đối với cơ quan, đơn vị này."
    r = _post(clients["centre"], URL, {"title": "x", "assignee_agency": BA_DINH_CENTRE, "working_days": 1})
    assert r.status_code == 403
    r = _post(clients["outsider"], f"{URL}/{task.pk}/progress", {"progress": 50})
    assert r.status_code == 404
    # Without a token at all.
    assert Client().get(URL).status_code == 401
    assert _state() == before


def test_errors_are_problems_in_vietnamese_and_create_nothing(
    clients: dict[str, Client], people: dict[str, Any], agency: Any, today: list[dt.date]
) -> None:
    before = _state()
    body = {"title": TITLE, "assignee_agency": BA_DINH_CENTRE, "deadline": "2026-08-27"}
    r = _post(clients["leader"], URL, body)
    assert r.status_code == 400
    assert r["Content-Type"].startswith("application/problem+json")
    assert r.json()["detail"] == "Hạn hoàn thành 27/08/2026 đã qua (hôm nay là 28/08/2026)."
    assert r.json()["errors"] == [
        {"field": "deadline", "message": "Hạn hoàn thành 27/08/2026 đã qua (hôm nay là 28/08/2026)."}
    ]
    r = _post(clients["leader"], URL, {**body, "deadline": None, "working_days": 0})
    assert (r.status_code, r.json()["detail"]) == (400, "Số ngày làm việc phải từ 1 đến 365.")
    r = _post(clients["leader"], URL, {**body, "deadline": "2026-09-03", "assignee_agency": SO_TU_PHAP})
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"field": "assignee_agency", "message": "Sở Tư pháp không thuộc Ủy ban nhân dân Phường Ba Đình."}
    ]
    r = _post(clients["leader"], URL, {**body, "deadline": "2026-09-03", "assignee": "khong.co"})
    assert (r.status_code, r.json()["detail"]) == (400, "Không có cán bộ có tên đăng nhập khong.co.")
    assert clients["leader"].get(URL, {"status": "xong"}).status_code == 400
    assert _state() == before

    task = executive.task_create(
        actor=people["leader"],
        agency=agency(BA_DINH),
        title=TITLE,
        assignee_agency=agency(BA_DINH_CENTRE),
        working_days=3,
    )
    _post(clients["centre"], f"{URL}/{task.pk}/progress", {"progress": 60})
    before = _state()
    r = _post(clients["centre"], f"{URL}/{task.pk}/progress", {"progress": 30})
    assert (r.status_code, r.json()["detail"]) == (
        400,
        "Tiến độ không được giảm: hiện là 60%, báo cáo 30%. Hãy giải trình trong ghi chú.",
    )
    r = _post(clients["leader"], f"{URL}/{task.pk}/extend", {"new_deadline": "2026-09-04", "reason": "Chờ"})
    assert (r.status_code, r.json()["detail"]) == (
        400,
        "Hạn mới 04/09/2026 phải sau hạn hiện tại 07/09/2026.",
    )
    assert _state() == before

    # Overdue once today passes the deadline; extending makes it current again.
    today[0] = dt.date(2026, 9, 8)
    late = clients["leader"].get(URL, {"overdue": "true"}).json()
    assert [(i["id"], i["overdue"]) for i in late["items"]] == [(task.pk, True)]
    r = _post(
        clients["leader"], f"{URL}/{task.pk}/extend", {"new_deadline": "2026-09-14", "reason": "Chờ số liệu"}
    )
    assert r.status_code == 200, r.content
    assert (r.json()["deadline"], r.json()["overdue"]) == ("2026-09-14", False)
    assert r.json()["updates"][-1]["note"] == "Gia hạn đến 14/09/2026: Chờ số liệu"
    assert clients["leader"].get(URL, {"overdue": "true"}).json()["count"] == 0
    r = _post(clients["leader"], f"{URL}/{task.pk}/cancel", {"reason": "Đã có kế hoạch khác"})
    assert (r.status_code, r.json()["status"]) == (200, "cancelled")
