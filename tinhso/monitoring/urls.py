from django.urls import path

from tinhso.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("don-vi/<int:pk>/", views.unit_page, name="unit"),
    path("chi-tieu/<str:code>/", views.indicator_detail, name="indicator"),
    path("chi-so/<str:code>/", views.ranking, name="ranking"),
    path("chi-so/ket-qua/<int:pk>/", views.index_detail, name="index_detail"),
    # Public page; the footer links to /minh-bach/ (a root-level route is for the lead).
    path("minh-bach/", views.transparency, name="transparency"),
    path("nhiem-vu/", views.tasks, name="tasks"),
    path("nhiem-vu/moi/", views.task_new, name="task_new"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task"),
    path("nhiem-vu/<int:pk>/cap-nhat/", views.task_update, name="task_update"),
    path("chi-tieu-giao/", views.targets, name="targets"),
    path("chi-tieu-giao/<int:unit_pk>/<str:code>/", views.target_edit, name="target_edit"),
    path("dan-so/", views.population, name="population"),
    path("bao-cao/", views.reports, name="reports"),
    path("bao-cao/tre-han/", views.late, name="late"),
    path("bao-cao/nhap/<str:code>/", views.report_new, name="report_new"),
    path("bao-cao/<int:pk>/", views.report_detail, name="report"),
    path("bao-cao/<int:pk>/<slug:action>/", views.report_action, name="report_action"),
    path("minh-chung/<int:pk>/", views.evidence_download, name="evidence"),
    path("xuat/<int:year>.xlsx", views.export_xlsx, name="export_xlsx"),
    path("xuat/<int:year>.pdf", views.export_pdf, name="export_pdf"),
    path("nhap-excel/", views.import_xlsx, name="import_xlsx"),
]
