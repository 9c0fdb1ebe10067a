from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "congso.modules.documents"
    label = "documents"
    verbose_name = "Quản lý văn bản và điều hành"

    def ready(self) -> None:
        from congso.modules.documents import policies  # noqa: F401 - registers the module's grants
