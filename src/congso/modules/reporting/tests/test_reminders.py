from __future__ import annotations

import datetime as dt

from django.core import mail

from congso.modules.reporting import services
from congso.modules.reporting.reminders import deadline_reminders_send
from congso.modules.reporting.services import SectionSpec


def test_reminders_go_once_to_the_agencys_reporters(
    db, make_official, agency, django_capture_on_commit_callbacks
):
    services.indicator_create(actor=None, code="R1", name="Chỉ tiêu nhắc", unit_of_measure="cái")
    form = services.form_create(
        actor=None,
        code="RM01",
        name="Biểu nhắc",
        sections=[SectionSpec("A", "A", ["R1"])],
        agency_codes=["000.00.15.H26"],
    )
    clerk = make_official("vt.remind", "000.00.15.H26", ("clerk", "agency"))
    clerk.email = "vt.remind@hanoi.gov.vn"
    clerk.save()
    make_official("cv.other", "000.00.03.H26", ("clerk", "agency"))
    sub = services.submission_open(
        actor=clerk, form=form, agency=agency("000.00.15.H26"), period_code="2026M10"
    )
    assert sub.deadline == dt.date(2026, 11, 6)
    with django_capture_on_commit_callbacks(execute=True):
        too_early = deadline_reminders_send(today=dt.date(2026, 11, 2))
        report = deadline_reminders_send(today=dt.date(2026, 11, 4))
        again = deadline_reminders_send(today=dt.date(2026, 11, 4))
    assert (too_early.reminded, report.reminded, report.mails, again.reminded) == (0, 1, 1, 0)
    assert [m.to for m in mail.outbox] == [["vt.remind@hanoi.gov.vn"]]
    assert "hạn 06/11/2026" in mail.outbox[0].subject


def test_the_reminder_task_is_scheduled_daily(settings):
    from congso.config.celery import app
    from congso.modules.reporting.tasks import send_deadline_reminders

    entry = settings.CELERY_BEAT_SCHEDULE["reporting-deadline-reminders"]
    assert (entry["task"], entry["schedule"]) == ("reporting.send_deadline_reminders", 86400)
    assert (
        app.tasks[entry["task"]].name == send_deadline_reminders.name == "reporting.send_deadline_reminders"
    )
