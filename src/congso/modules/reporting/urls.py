"""Reporting pages, mounted at /bao-cao/."""

from django.urls import path

from congso.modules.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("mo/", views.submission_open, name="open"),
    path("<int:pk>/", views.entry, name="entry"),
    path("<int:pk>/o/", views.cell_save, name="cell"),
    path("<int:pk>/duyet/", views.approve, name="approve"),
    path("<int:pk>/tra-lai/", views.return_, name="return"),
    path("<int:pk>/mo-lai/", views.reopen, name="reopen"),
    path("chua-bao-cao/", views.not_reported_pick, name="not_reported_pick"),
    path("bieu/<str:code>/chua-bao-cao/", views.not_reported, name="not_reported"),
    path("tong-hop/", views.pivot, name="pivot"),
]
