from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "congso.modules.services"
    label = "services"
    verbose_name = "Thủ tục hành chính, một cửa, dịch vụ công trực tuyến"

    def ready(self) -> None:
        from congso.modules.services import policies  # noqa: F401 - registers the module's grants
