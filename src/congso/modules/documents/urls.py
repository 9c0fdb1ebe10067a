"""Document pages, mounted at /van-ban/."""

from django.urls import path

from congso.modules.documents import views, views_tasks

app_name = "documents"
urlpatterns = [
    path("", views.home, name="home"),
    path("cho-vao-so/", views.queue, name="queue"),
    path("viec-cua-toi/", views.mine, name="mine"),
    path("den/", views.incoming, name="incoming"),
    path("di/", views.outgoing, name="outgoing"),
    path("qua-han/", views.overdue, name="overdue"),
    path("tim-kiem/", views.search, name="search"),
    path("bang-dieu-hanh/", views.dashboard, name="dashboard"),
    path("so/", views.registers, name="registers"),
    path("soan/", views.draft_new, name="draft_new"),
    path("tiep-nhan/", views.incoming_new, name="incoming_new"),
    path("nhiem-vu/", views_tasks.task_list, name="tasks"),
    path("nhiem-vu/da-giao/", views_tasks.task_list_given, name="tasks_given"),
    path("nhiem-vu/qua-han/", views_tasks.task_list_overdue, name="tasks_overdue"),
    path("nhiem-vu/da-hoan-thanh/", views_tasks.task_list_done, name="tasks_done"),
    path("nhiem-vu/giao/", views_tasks.task_new, name="task_new"),
    path("nhiem-vu/<int:pk>/", views_tasks.task_detail, name="task_detail"),
    path("nhiem-vu/<int:pk>/<slug:slug>/", views_tasks.task_act, name="task_act"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/tep/", views.file, name="file"),
    path("<int:pk>/<slug:slug>/", views.act, name="act"),
]
