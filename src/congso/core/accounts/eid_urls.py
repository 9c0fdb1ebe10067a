"""Citizen login with the national e-ID (OpenID Connect relying party), mounted at /eid/."""

from django.urls import path

from congso.core.accounts import eid_views

app_name = "eid"
urlpatterns = [
    path("login/", eid_views.login, name="login"),
    path("callback/", eid_views.callback, name="callback"),
]
