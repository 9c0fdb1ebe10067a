from django.urls import path

from congso.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("co-quan/", views.agencies, name="agencies"),
    path("co-quan/them/", views.agency_create, name="agency_create"),
    path("co-quan/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("co-quan/<int:pk>/sua/", views.agency_edit, name="agency_edit"),
    path("tai-khoan/", views.officials, name="officials"),
    path("tai-khoan/them/", views.official_create, name="official_create"),
    path("tai-khoan/<str:username>/", views.official_detail, name="official_detail"),
    path("tai-khoan/<str:username>/sua/", views.official_edit, name="official_edit"),
    path("tai-khoan/<str:username>/trang-thai/", views.official_active, name="official_active"),
    path("tai-khoan/<str:username>/mat-khau/", views.official_password, name="official_password"),
    path("don-vi-hanh-chinh/", views.units, name="units"),
    path("don-vi-hanh-chinh/<str:code>/", views.unit_detail, name="unit_detail"),
]
