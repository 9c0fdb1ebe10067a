from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "congso.modules.reporting"
    label = "reporting"
    verbose_name = "Hệ thống thông tin báo cáo"

    def ready(self) -> None:
        from congso.modules.reporting import policies  # noqa: F401 - registers the module's grants
