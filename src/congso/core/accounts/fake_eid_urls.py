"""The development stand-in for VNeID, mounted at /dev/eid/ while EID_FAKE_PROVIDER is on."""

from django.urls import path

from congso.core.accounts import fake_eid

app_name = "fake_eid"
urlpatterns = [
    path(".well-known/openid-configuration", fake_eid.discovery, name="discovery"),
    path("authorize", fake_eid.authorize, name="authorize"),
    path("token", fake_eid.token, name="token"),
    path("jwks", fake_eid.jwks, name="jwks"),
    path("userinfo", fake_eid.userinfo, name="userinfo"),
]
