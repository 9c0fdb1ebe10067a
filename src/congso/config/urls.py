from django.conf import settings
from django.urls import include, path

from congso.core.api.root import api
from congso.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Citizens log in with the national e-ID (OpenID Connect).
    path("eid/", include("congso.core.accounts.eid_urls")),
]
if settings.EID_FAKE_PROVIDER:
    # A stand-in VNeID provider for development and tests; off in production.
    urlpatterns.append(path("dev/eid/", include("congso.core.accounts.fake_eid_urls")))
urlpatterns.append(path("bao-cao/", include("congso.modules.reporting.urls")))
urlpatterns.append(path("van-ban/", include("congso.modules.documents.urls", namespace="documents")))
urlpatterns.append(path("dich-vu-cong/", include("congso.modules.services.urls", namespace="services")))
urlpatterns.append(path("", include("congso.web.urls")))
