from django.urls import include, path

from congso.core.api.root import api
from congso.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("congso.web.urls")),
]
