"""Filing dossiers through the service: codes and sequences, routing as of the filing date,
deadlines on the working-day calendar, idempotent retries, who may file and who may see."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from tests.conftest import BA_DINH, BA_DINH_CENTRE, SO_TU_PHAP

from congso.core.audit.models import AuditEvent
from congso.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from congso.modules.services import selectors, services
from congso.modules.services.models import Dossier, DossierCounter, IdempotencyKey
from congso.modules.services.services import Attachment, SubmissionSpec
from congso.modules.services.tests.conftest import make_citizen

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOUSEHOLD = "2.000720"  # Đăng ký thành lập hộ kinh doanh: 3 working days
BIRTH = "1.001193"  # Đăng ký khai sinh: 1 working day
PDF = b"%PDF-1.4 demo"


def at(monkeypatch: Any, *args: int) -> dt.datetime:
    moment = dt.datetime(*args, tzinfo=VN)
    monkeypatch.setattr(services, "_now", lambda: moment)
    return moment


def household(**overrides: Any) -> SubmissionSpec:
    spec = SubmissionSpec(
        procedure_code=HOUSEHOLD,
        form={
            "ten_ho_kinh_doanh": "Hộ kinh doanh Phở Bình",
            "dia_chi_kinh_doanh": "12 Phan Đình Phùng, phường Ba Đình, Hà Nội",
            "nganh_nghe": "Dịch vụ ăn uống",
            "von_kinh_doanh": "200000000",
        },
        attachments=[Attachment("Giấy đề nghị đăng ký hộ kinh doanh", "de-nghi.pdf", PDF)],
        applicant_name="Trần Văn Bình",
        applicant_id_number="001085004321",
    )
    for key, value in overrides.items():
        setattr(spec, key, value)
    return spec


def state() -> tuple[int, int, int, int]:
    return (
        Dossier.objects.count(),
        IdempotencyKey.objects.count(),
        AuditEvent.objects.count(),
        sum(DossierCounter.objects.values_list("last", flat=True)),
    )


def test_desk_filing_code_sequence_routing_and_deadline(catalogue: None, desk: Any, monkeypatch: Any) -> None:
    # Wednesday 29 April 2026, 10:00: then 30/4 and 1/5 are holidays, 2–3/5 a weekend.
    at(monkeypatch, 2026, 4, 29, 10, 0)
    first = services.dossier_submit(actor=desk, spec=household())
    d = first.dossier
    assert d.code == "001.01.90.H26-260429-0001"
    assert (d.channel, d.status, d.get_status_display()) == ("desk", "accepted", "Đã tiếp nhận")
    assert (d.receiving_agency.code, d.competent_agency.code, d.current_agency.code) == (
        BA_DINH_CENTRE,
        BA_DINH,
        BA_DINH_CENTRE,
    )
    assert d.received_at == dt.datetime(2026, 4, 29, 10, 0, tzinfo=VN)
    assert d.due_at == dt.datetime(2026, 5, 6, 17, 0, tzinfo=VN)
    assert d.form_data == {
        "ten_ho_kinh_doanh": "Hộ kinh doanh Phở Bình",
        "dia_chi_kinh_doanh": "12 Phan Đình Phùng, phường Ba Đình, Hà Nội",
        "nganh_nghe": "Dịch vụ ăn uống",
        "von_kinh_doanh": 200_000_000,
    }
    assert (d.applicant_id, d.applicant_name, d.applicant_id_number) == (
        None,
        "Trần Văn Bình",
        "001085004321",
    )
    assert [(f.document, f.name, f.size) for f in d.files.all()] == [
        ("Giấy đề nghị đăng ký hộ kinh doanh", "de-nghi.pdf", len(PDF))
    ]
    assert d.version.number == 1
    # The token is random and only its hash is kept.
    assert first.tracking_token and len(first.tracking_token) == 24
    assert first.tracking_token not in d.tracking_digest
    event = AuditEvent.objects.get(action="services.dossier.submit")
    assert (event.target_id, event.agency_code, event.after["code"]) == (str(d.pk), BA_DINH_CENTRE, d.code)

    assert services.dossier_submit(actor=desk, spec=household()).dossier.code == "001.01.90.H26-260429-0002"
    # The sequence restarts each day.
    at(monkeypatch, 2026, 5, 4, 8, 0)
    assert services.dossier_submit(actor=desk, spec=household()).dossier.code == "001.01.90.H26-260504-0001"


def test_received_on_a_holiday_counts_from_the_next_working_day(
    catalogue: None, citizen: Any, monkeypatch: Any
) -> None:
    # Thursday 30 April 2026 (Ngày Chiến thắng): counted as received on Monday 4 May; 1 working day.
    at(monkeypatch, 2026, 4, 30, 9, 30)
    spec = SubmissionSpec(
        procedure_code=BIRTH,
        agency_code=BA_DINH_CENTRE,
        form={
            "ho_ten_tre": "Nguyễn Minh Khang",
            "ngay_sinh": "2026-04-20",
            "gioi_tinh": "Nam",
            "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
            "dan_toc": "Kinh",
            "ho_ten_me": "Lê Thị Hoa",
            "quan_he": "Cha",
        },
        attachments=[
            Attachment("Tờ khai đăng ký khai sinh", "to-khai.pdf", PDF),
            Attachment("Giấy chứng sinh", "chung-sinh.pdf", PDF + b"2"),
        ],
    )
    d = services.dossier_submit(actor=citizen, spec=spec).dossier
    assert d.code == "001.01.90.H26-260430-0001"
    assert (d.channel, d.status, d.applicant_id, d.applicant_name, d.applicant_id_number) == (
        "online",
        "submitted",
        citizen.pk,
        "Nguyễn Văn An",
        "001090012345",
    )
    assert d.due_at == dt.datetime(2026, 5, 5, 17, 0, tzinfo=VN)
    assert d.competent_agency.code == BA_DINH


def test_after_the_cutoff_and_before_a_weekend(catalogue: None, desk: Any, monkeypatch: Any) -> None:
    # Friday 8 May 2026 at 16:30 (after 16:00): received Monday 11 May; +3 working days = Thursday 14 May.
    at(monkeypatch, 2026, 5, 8, 16, 30)
    d = services.dossier_submit(actor=desk, spec=household()).dossier
    assert (d.code, d.due_at) == ("001.01.90.H26-260508-0001", dt.datetime(2026, 5, 14, 17, 0, tzinfo=VN))


def test_province_procedure_is_routed_to_the_department(catalogue: None, desk: Any, monkeypatch: Any) -> None:
    at(monkeypatch, 2026, 3, 2, 9, 0)
    spec = SubmissionSpec(
        procedure_code="2.000505",
        form={"loai_phieu": "Phiếu số 1", "muc_dich": "Bổ sung hồ sơ xin việc", "so_ban": 2},
        applicant_name="Phạm Thu Trang",
        applicant_id_number="001195007788",
    )
    d = services.dossier_submit(actor=desk, spec=spec).dossier
    assert (d.receiving_agency.code, d.competent_agency.code, d.competent_agency.name) == (
        BA_DINH_CENTRE,
        SO_TU_PHAP,
        "Sở Tư pháp",
    )
    # 10 working days from Monday 2 March 2026: Monday 16 March.
    assert d.due_at == dt.datetime(2026, 3, 16, 17, 0, tzinfo=VN)


def test_online_filing_lists_every_error_and_changes_nothing(catalogue: None, citizen: Any) -> None:
    before = state()
    spec = household(
        agency_code=BA_DINH_CENTRE,
        form={"ten_ho_kinh_doanh": "Phở Bình", "von_kinh_doanh": "hai trăm triệu", "mau_sac": "đỏ"},
        attachments=[Attachment("Sổ hộ khẩu", "so-ho-khau.pdf", b"")],
    )
    with pytest.raises(InvalidInput) as exc:
        services.dossier_submit(actor=citizen, spec=spec)
    assert str(exc.value.detail) == "Hồ sơ có 7 lỗi, vui lòng kiểm tra lại."
    assert exc.value.errors == [
        {"field": "form.dia_chi_kinh_doanh", "message": "Địa chỉ trụ sở hộ kinh doanh: bắt buộc phải nhập."},
        {"field": "form.nganh_nghe", "message": "Ngành, nghề kinh doanh: bắt buộc phải nhập."},
        {
            "field": "form.von_kinh_doanh",
            "message": "Vốn kinh doanh (đồng): 'hai trăm triệu' không phải là số.",
        },
        {"field": "form.mau_sac", "message": "Trường 'mau_sac' không có trong tờ khai của thủ tục này."},
        {
            "field": "attachments",
            "message": "Tệp 'so-ho-khau.pdf': 'Sổ hộ khẩu' không thuộc thành phần hồ sơ của thủ tục.",
        },
        {"field": "attachments", "message": "Tệp 'so-ho-khau.pdf' rỗng."},
        {"field": "attachments", "message": "Thiếu thành phần hồ sơ: Giấy đề nghị đăng ký hộ kinh doanh."},
    ]
    assert state() == before


def test_desk_needs_the_applicant_and_a_one_stop_unit(catalogue: None, desk: Any) -> None:
    before = state()
    with pytest.raises(InvalidInput) as exc:
        services.dossier_submit(actor=desk, spec=household(applicant_name="", applicant_id_number="12345"))
    assert exc.value.errors == [
        {"field": "applicant_name", "message": "Họ tên người nộp: bắt buộc phải nhập."},
        {"field": "applicant_id_number", "message": "Số định danh cá nhân: phải gồm đúng 12 chữ số."},
    ]
    with pytest.raises(InvalidInput) as exc:
        services.dossier_submit(actor=desk, spec=household(procedure_code="9.999999"))
    assert str(exc.value.detail) == "Không có thủ tục mã 9.999999 trong danh mục."
    assert state() == before


def test_a_desk_files_only_where_it_receives(catalogue: None, make_official: Any, citizen: Any) -> None:
    outsider = make_official("cv.tp", SO_TU_PHAP, ("specialist", "agency"))
    other_desk = make_official("mc.khac", "002.01.90.H26", ("desk_officer", "agency"))
    before = state()
    with pytest.raises(Forbidden):
        services.dossier_submit(actor=outsider, spec=household(agency_code=BA_DINH_CENTRE))
    with pytest.raises(Forbidden):
        services.dossier_submit(actor=other_desk, spec=household(agency_code=BA_DINH_CENTRE))
    # A citizen may not file a dossier at an agency that is not a one-stop unit.
    with pytest.raises(InvalidInput) as exc:
        services.dossier_submit(actor=citizen, spec=household(agency_code=BA_DINH))
    assert (
        str(exc.value.detail)
        == "Ủy ban nhân dân Phường Ba Đình không phải bộ phận một cửa, không tiếp nhận hồ sơ."
    )
    assert state() == before


def test_retry_with_the_same_key_returns_the_first_dossier(catalogue: None, desk: Any) -> None:
    first = services.dossier_submit(actor=desk, spec=household(), idempotency_key="k-7f3a")
    after_first = state()
    again = services.dossier_submit(actor=desk, spec=household(), idempotency_key="k-7f3a")
    assert (again.replayed, again.dossier.pk, again.tracking_token) == (
        True,
        first.dossier.pk,
        first.tracking_token,
    )
    assert state() == after_first
    assert after_first[0] == 1 and after_first[3] == 1
    # The same key with another body is refused and changes nothing.
    with pytest.raises(Conflict) as exc:
        services.dossier_submit(
            actor=desk, spec=household(applicant_name="Trần Văn Bính"), idempotency_key="k-7f3a"
        )
    assert str(exc.value.detail) == (
        "Khóa Idempotency-Key 'k-7f3a' đã được dùng cho một yêu cầu nộp hồ sơ khác. Mỗi hồ sơ cần một "
        "khóa riêng; gửi lại đúng nội dung cũ để nhận lại hồ sơ đã nộp."
    )
    assert state() == after_first
    # Keys belong to an account: another desk officer's identical key files a new dossier.
    other = services.dossier_submit(actor=desk, spec=household(), idempotency_key="k-7f3b")
    assert other.dossier.pk != first.dossier.pk


def test_who_sees_a_dossier(catalogue: None, desk: Any, citizen: Any, make_official: Any) -> None:
    d = services.dossier_submit(actor=desk, spec=household(applicant_id_number=citizen.national_id)).dossier
    # The paper dossier is linked to the citizen's account by the identification number.
    assert d.applicant_id == citizen.pk
    ward_specialist = make_official("cv.bd", BA_DINH, ("specialist", "agency"))
    outsider = make_official("cv.tp", SO_TU_PHAP, ("specialist", "agency"))
    stranger = make_citizen("001199001111", "Hoàng Thị Mai")
    for who in (desk, citizen, ward_specialist):
        assert selectors.dossier_get(actor=who, code=d.code).pk == d.pk
    for who in (outsider, stranger):
        with pytest.raises(NotFound) as exc:
            selectors.dossier_get(actor=who, code=d.code)
        assert str(exc.value.detail) == f"Không tìm thấy hồ sơ {d.code}."
        assert list(selectors.dossier_list(actor=who)) == []


def test_tracking_needs_the_token(catalogue: None, desk: Any) -> None:
    result = services.dossier_submit(actor=desk, spec=household())
    assert selectors.dossier_track(code=result.dossier.code, token=result.tracking_token or "").pk == (
        result.dossier.pk
    )
    for code, token in ((result.dossier.code, "sai"), (result.dossier.code, ""), ("không-có", "x")):
        with pytest.raises(NotFound) as exc:
            selectors.dossier_track(code=code, token=token)
        assert str(exc.value.detail) == "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập."


def test_a_version_published_or_a_desk_renamed_after_a_filing_is_used_by_the_next(
    catalogue: None, desk: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The procedure in force and the agencies are kept per process (core/localcache.py); a write
    through the services drops them when it commits, so the next filing sees it."""
    import dataclasses

    from congso.core.org.selectors import agency_get
    from congso.core.org.services import agency_update
    from congso.core.policy.system import SystemActor
    from congso.modules.services.demo import ENTRIES, _steps, spec_of

    at(monkeypatch, 2026, 4, 29, 10, 0)
    first = services.dossier_submit(actor=desk, spec=household()).dossier
    assert (first.version.number, first.version.processing_days) == (1, 3)
    assert first.due_at == dt.datetime(2026, 5, 6, 17, 0, tzinfo=VN)

    entry = next(e for e in ENTRIES if e.code == HOUSEHOLD)
    spec = spec_of(entry)
    spec.version = dataclasses.replace(
        spec.version, valid_from=dt.date(2026, 4, 29), processing_days=5, steps=_steps(entry.level, 5)
    )
    # The test runs inside one transaction: run what the writes leave for their commit.
    with django_capture_on_commit_callbacks(execute=True):
        services.procedure_publish(actor=None, spec=spec)
        agency_update(
            actor=SystemActor("test"),
            agency=agency_get(code=BA_DINH_CENTRE),
            name="Trung tâm Phục vụ hành chính công phường Ba Đình (đổi tên)",
        )

    second = services.dossier_submit(actor=desk, spec=household()).dossier
    assert (second.version.number, second.version.processing_days) == (2, 5)
    # 5 working days from Wednesday 29/4: 30/4, 1/5 holidays, 2–3/5 weekend → Friday 8/5.
    assert second.due_at == dt.datetime(2026, 5, 8, 17, 0, tzinfo=VN)
    assert second.receiving_agency.name == "Trung tâm Phục vụ hành chính công phường Ba Đình (đổi tên)"
    assert second.code == "001.01.90.H26-260429-0002"
