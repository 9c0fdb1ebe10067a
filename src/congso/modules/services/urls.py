"""Pages of the services module (dịch vụ công), mounted at /dich-vu-cong/."""

from django.urls import path

from congso.modules.services import views

app_name = "services"
urlpatterns = [
    path("", views.catalogue_view, name="catalogue"),
    path("thu-tuc/<str:code>/", views.procedure_view, name="procedure"),
    path("thu-tuc/<str:code>/nop/", views.submit_view, name="submit"),
    path("ho-so/", views.dossier_list_view, name="dossiers"),
    path("ho-so/<str:code>/", views.dossier_view, name="dossier"),
    path("ho-so/<str:code>/tep/<str:sha256>/", views.dossier_file_view, name="dossier_file"),
    path("tra-cuu/", views.track_view, name="track"),
]

# The one-stop desk and processing, for officials (views_desk.py).
from congso.modules.services import views_desk  # noqa: E402

urlpatterns += [
    path("mot-cua/", views_desk.desk_queue_view, name="desk"),
    path("mot-cua/thong-ke/", views_desk.desk_statistics_view, name="desk_statistics"),
    path("mot-cua/tiep-nhan/", views_desk.desk_entry_view, name="desk_entry"),
    path("mot-cua/ho-so/<str:code>/", views_desk.desk_dossier_view, name="desk_dossier"),
    path("mot-cua/ho-so/<str:code>/thao-tac/<slug:slug>/", views_desk.desk_act_view, name="desk_act"),
    path("mot-cua/ho-so/<str:code>/phieu/<slug:kind>/", views_desk.desk_slip_view, name="desk_slip"),
]

# The applicant's actions on their own dossier's page (views.py).
urlpatterns += [
    path("ho-so/<str:code>/bo-sung/", views.dossier_supplement_view, name="dossier_supplement"),
    path("ho-so/<str:code>/thanh-toan/", views.dossier_pay_view, name="dossier_pay"),
    path("ho-so/<str:code>/thanh-toan/mo-phong/", views.dossier_pay_demo_view, name="dossier_pay_demo"),
    path("ho-so/<str:code>/giay-to/<slug:kind>/", views.dossier_paper_view, name="dossier_paper"),
    path("ho-so/<str:code>/danh-gia/", views.dossier_rate_view, name="dossier_rate"),
    path("ho-so/<str:code>/rut-ho-so/", views.dossier_withdraw_view, name="dossier_withdraw"),
]
