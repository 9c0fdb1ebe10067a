from django.apps import AppConfig


class WorkCalendarConfig(AppConfig):
    name = "congso.core.calendar"
    # Not "calendar": that would clash with the standard library module in app-label lookups.
    label = "workcal"
    verbose_name = "Lịch làm việc"
