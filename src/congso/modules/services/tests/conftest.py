from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import BA_DINH_CENTRE, SO_TU_PHAP


@pytest.fixture(autouse=True)
def _tasks_in_process(eager_tasks: Any) -> None:
    """Tasks run in-process in these tests (root conftest ``eager_tasks``)."""


@pytest.fixture
def catalogue(db: Any) -> None:
    from congso.modules.services.demo import seed_procedures

    seed_procedures()


@pytest.fixture
def citizen(db: Any) -> Any:
    return make_citizen("001090012345", "Nguyễn Văn An")


def make_citizen(national_id: str, full_name: str) -> Any:
    from congso.core.accounts.models import AccountKind, User

    return User.objects.create(
        username=f"cd{national_id}",
        kind=AccountKind.CITIZEN,
        national_id=national_id,
        full_name=full_name,
        email=f"{national_id}@example.vn",
        phone="0912345678",
    )


@pytest.fixture
def desk(make_official: Any) -> Any:
    """A one-stop clerk of Ba Đình ward's public-administration service centre."""
    return make_official("mc.badinh", BA_DINH_CENTRE, ("desk_officer", "agency"))


def publish_linked(*, code: str, name: str, online_level: str) -> None:
    """A test procedure checked at the ward and settled by the city's Department of Justice, 7
    working days: the desk 1, the ward's People's Committee 2, the department 3, its director 1."""
    import datetime as dt

    from congso.modules.services import services
    from congso.modules.services.catalogue import (
        FormField,
        ProcedureSpec,
        RequiredDocument,
        Step,
        VersionSpec,
    )

    services.procedure_publish(
        actor=None,
        spec=ProcedureSpec(
            code=code,
            name=name,
            field="Tư pháp",
            level="tinh",
            competent_kind="so",
            competent_agency_code=SO_TU_PHAP,
            online_level=online_level,
            version=VersionSpec(
                valid_from=dt.date(2025, 7, 1),
                processing_days=7,
                fee=50_000,
                documents=[
                    RequiredDocument("Tờ khai đề nghị"),
                    RequiredDocument("Bản sao giấy tờ liên quan", original=False, required=False),
                ],
                form_fields=[
                    FormField("noi_dung", "Nội dung đề nghị"),
                    FormField("dia_chi", "Địa chỉ thường trú"),
                ],
                steps=[
                    Step("desk_officer", "xa", 1, "Tiếp nhận, kiểm tra, chuyển hồ sơ"),
                    Step("specialist", "xa", 2, "Xác minh tại UBND phường"),
                    Step("specialist", "tinh", 3, "Thẩm định tại Sở"),
                    Step("leader", "tinh", 1, "Ký kết quả"),
                ],
            ),
        ),
    )


def dossier_state(d: Any) -> tuple[Any, ...]:
    """Everything a refused action must leave unchanged: the dossier's clock and place, its steps,
    and the counts of every row a processing action writes (tests compare before and after)."""
    from congso.core.audit.models import AuditEvent
    from congso.modules.services.models import Dossier, DossierEvent, DossierFile, DossierSlip, DossierStep

    d.refresh_from_db()
    return (
        d.status,
        d.due_at,
        d.paused_days,
        d.paused_at,
        d.current_agency_id,
        list(d.steps.values_list("order", "started_at", "due_at", "done_at", "official_id")),
        Dossier.objects.count(),
        DossierStep.objects.count(),
        DossierEvent.objects.count(),
        DossierSlip.objects.count(),
        DossierFile.objects.count(),
        AuditEvent.objects.count(),
    )
