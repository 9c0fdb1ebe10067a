from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "congso.core.audit"
    label = "audit"
    verbose_name = "Nhật ký kiểm toán"
