"""URLs for benchmarks: the application's own, plus a bare Django view as the peer to compare with
(same server, same middleware, no database, no framework on top)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from congso.config.urls import urlpatterns as app_urlpatterns


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("_bench/bare", bare), *app_urlpatterns]
