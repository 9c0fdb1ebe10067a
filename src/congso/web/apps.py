from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "congso.web"
    label = "web"
    verbose_name = "Giao diện web"
