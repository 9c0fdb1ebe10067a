from django.urls import path

from congso.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("co-quan/", views.agencies, name="agencies"),
    path("tai-khoan/", views.officials, name="officials"),
    path("don-vi-hanh-chinh/", views.units, name="units"),
]
