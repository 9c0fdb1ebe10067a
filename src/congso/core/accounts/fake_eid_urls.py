from django.urls import path  # noqa: F401

app_name = "fake_eid"
urlpatterns: list = []
