"""What applicants are told about their dossiers, by e-mail and text message.

Each ``notify_*`` takes a dossier, writes the message and schedules it through core.notify for when
the caller's transaction commits (nothing goes out if it rolls back); it returns the channels
scheduled (``["email", "sms"]``, fewer when the dossier has no address or number). The texts are
Vietnamese only, on purpose: the language of the official whose action triggers a message says
nothing about the citizen who reads it. Text messages are written with diacritics and leave without
them unless ``SMS_UNACCENTED`` is off (core.notify).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from congso.core.notify import email_after_commit, sms_after_commit
from congso.modules.services.models import Channel, Dossier

# The public tracking page with the code filled in; the token is typed there (it never travels in
# a URL, which would leave it in browser histories and server logs).
TRACKING_PATH = "/dich-vu-cong/tra-cuu/?ma={code}"
FOOTER = "Thư này được gửi tự động, vui lòng không trả lời."


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    sms: str


def tracking_url(code: str) -> str:
    return settings.PUBLIC_URL + TRACKING_PATH.format(code=quote(code, safe=""))


def when(moment: dt.datetime) -> str:
    """ "17:00 ngày 06/05/2026", local time."""
    local = timezone.localtime(moment)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def day(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y}"


def money(amount: int) -> str:
    """ "100.000 đồng"."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def _sentence(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters ("..."), ending with a full stop."""
    text = " ".join(text.split())
    if len(text) > limit:
        return text[: limit - 3].rstrip(" ,;:.") + "..."
    return text if text.endswith((".", "!", "?", "...")) else text + "."


def _letter(dossier: Dossier, *paragraphs: str) -> str:
    return "\n\n".join(
        (
            f"Kính gửi ông/bà {dossier.applicant_name},",
            *paragraphs,
            f"{dossier.receiving_agency.name}\n{FOOTER}",
        )
    )


def _send(dossier: Dossier, message: Message) -> list[str]:
    channels = []
    if email_after_commit(dossier.applicant_email, message.subject, message.body):
        channels.append("email")
    if sms_after_commit(dossier.applicant_phone, message.sms):
        channels.append("sms")
    return channels


# --- Messages ------------------------------------------------------------------------------------


def submitted_message(dossier: Dossier, *, tracking_token: str | None = None) -> Message:
    online = dossier.channel == Channel.ONLINE
    url = tracking_url(dossier.code)
    version = dossier.version
    if online:
        opening = (
            f'Hồ sơ "{dossier.procedure.name}" của ông/bà đã được nộp trực tuyến đến '
            f"{dossier.receiving_agency.name} lúc {when(dossier.received_at)}."
        )
        due_label = "Ngày hẹn trả kết quả (dự kiến)"
    else:
        opening = (
            f'{dossier.receiving_agency.name} đã tiếp nhận hồ sơ "{dossier.procedure.name}" '
            f"của ông/bà lúc {when(dossier.received_at)}."
        )
        due_label = "Ngày hẹn trả kết quả"
    facts = [f"Mã hồ sơ: {dossier.code}"]
    if tracking_token:
        facts.append(f"Mã tra cứu: {tracking_token}")
    facts.append(f"{due_label}: {when(dossier.due_at)}")
    if version.fee:
        facts.append(
            f"Phí, lệ phí: {money(version.fee)}" + (f"/{version.fee_unit}" if version.fee_unit else "")
        )
    facts.append(f"Tra cứu tình trạng hồ sơ: {url}")
    return Message(
        subject=f"Hồ sơ {dossier.code} đã được {'nộp thành công' if online else 'tiếp nhận'}",
        body=_letter(
            dossier,
            opening,
            "\n".join(facts),
            "Vui lòng giữ mã hồ sơ và mã tra cứu để theo dõi, bổ sung và nhận kết quả.",
        ),
        sms=(
            f"Hồ sơ {dossier.code} đã {'nộp thành công' if online else 'được tiếp nhận'}, "
            f"hẹn trả kết quả {day(dossier.due_at)}. "
            + (f"Mã tra cứu: {tracking_token}. " if tracking_token else "")
            + f"Tra cứu: {url}"
        ),
    )


def supplement_message(dossier: Dossier, *, reason: str) -> Message:
    url = tracking_url(dossier.code)
    return Message(
        subject=f"Hồ sơ {dossier.code} cần bổ sung, hoàn thiện",
        body=_letter(
            dossier,
            f'Hồ sơ "{dossier.procedure.name}" (mã {dossier.code}) của ông/bà cần được bổ sung, hoàn thiện:',
            reason.strip(),
            (
                "Thời hạn giải quyết tạm dừng từ khi có yêu cầu này và tiếp tục khi ông/bà nộp đủ hồ sơ "
                f"bổ sung, trực tuyến hoặc tại {dossier.receiving_agency.name}."
            ),
            f"Tra cứu tình trạng hồ sơ: {url}",
        ),
        sms=f"Hồ sơ {dossier.code} cần bổ sung: {_sentence(reason, 80)} Chi tiết: {url}",
    )


def payment_message(dossier: Dossier, *, amount: int, reference: str, paid_at: dt.datetime) -> Message:
    return Message(
        subject=f"Đã nhận phí, lệ phí hồ sơ {dossier.code}",
        body=_letter(
            dossier,
            (
                f'Đã nhận {money(amount)} phí, lệ phí của hồ sơ "{dossier.procedure.name}" '
                f"(mã {dossier.code}) lúc {when(paid_at)}."
            ),
            f"Mã thanh toán: {reference}\nTra cứu tình trạng hồ sơ: {tracking_url(dossier.code)}",
        ),
        sms=f"Đã nhận {money(amount)} phí, lệ phí hồ sơ {dossier.code} (mã thanh toán {reference}).",
    )


def result_message(dossier: Dossier) -> Message:
    where = dossier.receiving_agency.name
    return Message(
        subject=f"Hồ sơ {dossier.code} đã có kết quả",
        body=_letter(
            dossier,
            f'Hồ sơ "{dossier.procedure.name}" (mã {dossier.code}) của ông/bà đã có kết quả giải quyết.',
            (
                f"Mời ông/bà nhận kết quả tại {where} (mang theo giấy tiếp nhận hồ sơ và hẹn trả kết quả) "
                "hoặc theo hình thức nhận kết quả đã đăng ký."
            ),
            f"Tra cứu tình trạng hồ sơ: {tracking_url(dossier.code)}",
        ),
        sms=f"Hồ sơ {dossier.code} đã có kết quả. Mời ông/bà nhận kết quả tại {where}.",
    )


def late_message(dossier: Dossier, *, new_due_at: dt.datetime | None = None, reason: str = "") -> Message:
    facts = []
    if reason.strip():
        facts.append(f"Lý do: {reason.strip()}")
    if new_due_at is not None:
        facts.append(f"Ngày hẹn trả kết quả mới: {when(new_due_at)}")
    facts.append(f"Tra cứu tình trạng hồ sơ: {tracking_url(dossier.code)}")
    later = f", hẹn lại {day(new_due_at)}" if new_due_at is not None else ""
    return Message(
        subject=f"Xin lỗi ông/bà: hồ sơ {dossier.code} chưa có kết quả đúng hẹn",
        body=_letter(
            dossier,
            (
                f"{dossier.receiving_agency.name} thành thật xin lỗi ông/bà: hồ sơ "
                f'"{dossier.procedure.name}" (mã {dossier.code}) hẹn trả kết quả {when(dossier.due_at)} '
                "nhưng chưa giải quyết xong."
            ),
            "\n".join(facts),
            "Mong ông/bà thông cảm.",
        ),
        sms=(
            f"Xin lỗi ông/bà: hồ sơ {dossier.code} chưa có kết quả đúng hẹn {day(dossier.due_at)}{later}. "
            f"Tra cứu: {tracking_url(dossier.code)}"
        ),
    )


# --- Sending (after commit) ----------------------------------------------------------------------


def notify_submitted(dossier: Dossier, *, tracking_token: str | None = None) -> list[str]:
    """The receipt: code, tracking link (with the token when the caller still has it), due date."""
    return _send(dossier, submitted_message(dossier, tracking_token=tracking_token))


def notify_supplement_requested(dossier: Dossier, *, reason: str) -> list[str]:
    return _send(dossier, supplement_message(dossier, reason=reason))


def notify_payment_received(
    dossier: Dossier, *, amount: int, reference: str, paid_at: dt.datetime
) -> list[str]:
    return _send(dossier, payment_message(dossier, amount=amount, reference=reference, paid_at=paid_at))


def notify_result_ready(dossier: Dossier) -> list[str]:
    return _send(dossier, result_message(dossier))


def notify_late(dossier: Dossier, *, new_due_at: dt.datetime | None = None, reason: str = "") -> list[str]:
    """The apology for a dossier past its due date, with the new date when there is one."""
    return _send(dossier, late_message(dossier, new_due_at=new_due_at, reason=reason))
