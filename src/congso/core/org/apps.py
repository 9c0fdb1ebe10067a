from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "congso.core.org"
    label = "org"
    verbose_name = "Tổ chức và đơn vị hành chính"
