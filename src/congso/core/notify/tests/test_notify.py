"""core.notify: e-mail through Django's mail framework, text messages through the configured sink,
both sent by a task after the transaction commits and never when it rolls back."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import django
import pytest
from django.db import transaction

from congso.core import notify
from congso.core.notify import sms, tasks
from congso.core.notify.sms import MemorySmsBackend, normalise_phone, unaccent


@pytest.fixture
def sms_file(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path
    settings.SMS_BACKEND = "file"
    settings.SMS_UNACCENTED = True
    return tmp_path / "sms.jsonl"


@pytest.fixture
def sms_memory(settings: Any) -> Any:
    settings.SMS_BACKEND = "memory"
    settings.SMS_UNACCENTED = True
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- E-mail --------------------------------------------------------------------------------------


def test_send_email(mailoutbox: list[Any]) -> None:
    assert notify.send_email("an@example.vn", "Hồ sơ đã có kết quả", "Kính gửi ông/bà …") == 1
    assert notify.send_email(["  ", ""], "x", "y") == 0
    assert [(m.to, m.subject, m.body, m.from_email) for m in mailoutbox] == [
        (["an@example.vn"], "Hồ sơ đã có kết quả", "Kính gửi ông/bà …", "congso <no-reply@congso.local>")
    ]


def test_send_email_to_files_locally(settings: Any, tmp_path: Path) -> None:
    backend = "django.core.mail.backends.filebased.EmailBackend"
    if django.VERSION >= (6, 1):
        settings.MAILERS = {"default": {"BACKEND": backend, "OPTIONS": {"file_path": str(tmp_path / "mail")}}}
    else:
        settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = backend, str(tmp_path / "mail")
    assert notify.send_email(["an@example.vn", "binh@example.vn"], "Thông báo", "Nội dung thư") == 1
    (written,) = (tmp_path / "mail").iterdir()
    text = written.read_text(encoding="utf-8")
    assert "To: an@example.vn, binh@example.vn" in text
    assert "Subject: =?utf-8?q?Th=C3=B4ng_b=C3=A1o?=" in text


def test_the_default_sink_writes_one_readable_json_line_per_message(settings: Any, tmp_path: Path) -> None:
    from django.core.mail import EmailMessage

    from congso.core.notify import mailsink

    backend = "congso.core.notify.mailsink.EmailBackend"
    settings.DATA_DIR = tmp_path
    if django.VERSION >= (6, 1):
        settings.MAILERS = {"default": {"BACKEND": backend, "OPTIONS": {}}}
    else:
        settings.EMAIL_BACKEND = backend
    assert (
        notify.send_email(["an@example.vn", "binh@example.vn"], "Hồ sơ đã có kết quả", "Kính gửi ông/bà …")
        == 1
    )
    with_file = EmailMessage(
        "Biên nhận", "Xem tệp đính kèm.", "motcua@badinh.hanoi.gov.vn", ["an@example.vn"]
    )
    with_file.attach("bien-nhan.pdf", b"%PDF-1.4", "application/pdf")
    nobody = EmailMessage("Không ai nhận", "…", None, [])
    assert mailsink.EmailBackend().send_messages([with_file, nobody]) == 1
    (first, second) = _lines(tmp_path / "mail.jsonl")
    assert {k: v for k, v in first.items() if k != "at"} == {
        "from": "congso <no-reply@congso.local>",
        "to": ["an@example.vn", "binh@example.vn"],
        "cc": [],
        "bcc": [],
        "subject": "Hồ sơ đã có kết quả",
        "body": "Kính gửi ông/bà …",
        "attachments": [],
    }
    assert (second["from"], second["subject"], second["attachments"]) == (
        "motcua@badinh.hanoi.gov.vn",
        "Biên nhận",
        ["bien-nhan.pdf"],
    )


def test_the_default_sink_refuses_a_header_with_a_newline_and_writes_nothing(
    settings: Any, tmp_path: Path
) -> None:
    from django.core.mail import EmailMessage

    from congso.core.notify import mailsink

    settings.DATA_DIR = tmp_path
    injected = EmailMessage("Thông báo\nBcc: ke.xau@example.com", "…", None, ["an@example.vn"])
    fine = EmailMessage("Thông báo", "…", None, ["an@example.vn"])
    with pytest.raises(ValueError, match="xuống dòng"):
        mailsink.EmailBackend().send_messages([fine, injected])
    assert not (tmp_path / "mail.jsonl").exists()


# --- Text messages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "number"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("+84 912-345-678", "+84912345678"),
    ],
)
def test_normalise_phone(given: str, number: str) -> None:
    assert normalise_phone(given) == number


@pytest.mark.parametrize("given", ["", "091234567", "09123456789", "abc", "+1 202 555 0100"])
def test_normalise_phone_refuses(given: str) -> None:
    with pytest.raises(ValueError, match="Số điện thoại không hợp lệ"):
        normalise_phone(given)


def test_unaccent() -> None:
    assert unaccent("Hồ sơ ĐÃ được tiếp nhận, hẹn trả kết quả") == "Ho so DA duoc tiep nhan, hen tra ket qua"


def test_send_sms_to_the_file_sink(sms_file: Path) -> None:
    assert notify.send_sms("0912 345 678", "Hồ sơ đã có kết quả") == "+84912345678"
    assert notify.send_sms("0987654321", "Lần hai") == "+84987654321"
    lines = _lines(sms_file)
    assert [(line["to"], line["text"]) for line in lines] == [
        ("+84912345678", "Ho so da co ket qua"),
        ("+84987654321", "Lan hai"),
    ]
    assert all(line["at"].endswith("+00:00") for line in lines)


def test_send_sms_keeps_diacritics_when_asked(sms_file: Path, settings: Any) -> None:
    settings.SMS_UNACCENTED = False
    notify.send_sms("0912345678", "Hồ sơ")
    assert [line["text"] for line in _lines(sms_file)] == ["Hồ sơ"]


def test_send_sms_refuses_a_bad_number(sms_file: Path) -> None:
    with pytest.raises(ValueError):
        notify.send_sms("12345", "x")
    assert not sms_file.exists()


def test_console_sink(settings: Any, capsys: Any) -> None:
    settings.SMS_BACKEND = "console"
    notify.send_sms("0912345678", "Đã nhận phí")
    assert capsys.readouterr().out == "[SMS → +84912345678] Da nhan phi\n"


class Recorder:
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))


def test_backend_by_dotted_path(settings: Any) -> None:
    settings.SMS_BACKEND = f"{__name__}.Recorder"
    Recorder.sent.clear()
    notify.send_sms("0912345678", "Xin chào")
    assert Recorder.sent == [("+84912345678", "Xin chao")]
    assert isinstance(sms.backend(), Recorder)


# --- After commit, through the tasks --------------------------------------------------------------


def test_tasks_are_named() -> None:
    assert (tasks.send_email_task.name, tasks.send_sms_task.name) == ("notify.send_email", "notify.send_sms")


def test_sent_after_commit(
    db: Any,
    eager_tasks: Any,
    mailoutbox: list[Any],
    sms_memory: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        assert notify.email_after_commit("an@example.vn", "Tiêu đề", "Nội dung") is True
        assert notify.sms_after_commit("0912345678", "Tin nhắn") is True
        # Nothing has gone out inside the transaction.
        assert (len(mailoutbox), len(sms_memory)) == (0, 0)
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    assert [(m.to, m.subject, m.body) for m in mailoutbox] == [(["an@example.vn"], "Tiêu đề", "Nội dung")]
    assert [(m["to"], m["text"]) for m in sms_memory] == [("+84912345678", "Tin nhan")]


def test_nothing_sent_when_the_transaction_rolls_back(
    db: Any,
    eager_tasks: Any,
    mailoutbox: list[Any],
    sms_memory: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify.email_after_commit("an@example.vn", "Tiêu đề", "Nội dung")
        notify.sms_after_commit("0912345678", "Tin nhắn")
        raise RuntimeError("rolled back")
    assert (callbacks, mailoutbox, sms_memory) == ([], [], [])


def test_missing_or_bad_recipients_schedule_nothing(
    db: Any, sms_memory: list[Any], django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, caplog.at_level(logging.WARNING):
        assert notify.email_after_commit("", "x", "y") is False
        assert notify.email_after_commit([], "x", "y") is False
        assert notify.sms_after_commit("", "x") is False
        assert notify.sms_after_commit("12345", "x") is False
    assert callbacks == []
    assert [r.getMessage() for r in caplog.records] == [
        "Không gửi tin nhắn: số điện thoại không hợp lệ '12345'"
    ]


def test_a_broker_outage_is_logged_not_raised(
    db: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    def down(*args: Any) -> None:
        raise ConnectionError("broker down")

    from congso.config.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)  # a broker is configured …
    monkeypatch.setattr(tasks.send_sms_task, "delay", down)  # … and down
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        notify.sms_after_commit("0912345678", "x")
    assert [r.getMessage() for r in caplog.records] == ["Không xếp được thông báo sms vào hàng đợi"]


def test_in_process_a_failed_send_is_logged_not_raised(
    db: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    from congso.config.celery import app

    def broken(*args: Any) -> None:
        raise OSError("the mail directory is not writable")

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setattr(notify, "send_email", broken)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        assert notify.email_after_commit("an@example.vn", "Chủ đề", "Nội dung") is True
    assert [r.getMessage() for r in caplog.records] == ["Không gửi được thông báo email"]
