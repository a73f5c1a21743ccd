from django.urls import path

from tinhso.services import draft_views, views

app_name = "services"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    path("thu-tuc/<str:code>/nop/", draft_views.submit_start, name="submit"),
    path("thu-tuc/<str:code>/luu-nhap/", draft_views.draft_autosave, name="draft_autosave"),
    path("ho-so/<int:pk>/khai-lai/", draft_views.draft_edit, name="draft_edit"),
    path("ho-so/<int:pk>/xoa-nhap/", draft_views.draft_delete, name="draft_delete"),
    path("ho-so/<int:pk>/rut/", draft_views.dossier_withdraw, name="withdraw"),
    path("ho-so/<int:pk>/so-hoa/", draft_views.dossier_digitise_view, name="digitise"),
    path("kho-du-lieu/", draft_views.store, name="store"),
    path("kho-du-lieu/<int:pk>/tep/", draft_views.store_file, name="store_file"),
    path("ho-so/<int:pk>/xem-lai/", views.review, name="review"),
    path("ho-so/<int:pk>/", views.dossier_detail, name="dossier"),
    path("ho-so/<int:pk>/thao-tac/", views.dossier_action, name="action"),
    path("ho-so/<int:pk>/tep/<int:file_id>/", views.dossier_file, name="file"),
    path("ho-so/<int:pk>/giay-hen.pdf", views.dossier_receipt, name="receipt"),
    path("ho-so/<int:pk>/nop-phi/", views.dossier_pay, name="pay"),
    path("ho-so/<int:pk>/thu-phi-tai-quay/", views.dossier_fee_counter, name="fee_counter"),
    path(
        "ho-so/<int:pk>/du-thao-ket-qua/", views.dossier_result_prepare_view, name="result_prepare"
    ),
    path("ho-so/<int:pk>/phe-duyet-ky-so/", views.dossier_approve_sign_view, name="approve_sign"),
    path("ho-so/<int:pk>/ket-qua.pdf", views.dossier_result_file, name="result"),
    path("ho-so/<int:pk>/gui-buu-chinh/", views.dossier_post_view, name="result_post"),
    path("ho-so/<int:pk>/danh-gia/", views.dossier_rate_view, name="rate"),
    path("ho-so-cua-toi/", views.my_dossiers, name="mine"),
    path("xu-ly/", views.queue, name="queue"),
    path("xu-ly/tiep-nhan/", views.register_in_person, name="register"),
    path("tra-cuu/", views.track, name="track"),
    path("ra-soat-thoi-han/", views.catalogue_review, name="catalogue_review"),
]

from tinhso.services.studio import views as studio_views  # noqa: E402

urlpatterns += [
    path("studio/", studio_views.studio_index, name="studio"),
    path("san-sang/", studio_views.readiness, name="readiness"),
    path("studio/<str:code>/", studio_views.studio_editor, name="studio_editor"),
    path("studio/<str:code>/them-truong/", studio_views.studio_field_add, name="studio_field_add"),
    path(
        "studio/<str:code>/truong/<slug:name>/",
        studio_views.studio_field_change,
        name="studio_field_change",
    ),
    path("studio/<str:code>/cong-bo/", studio_views.studio_publish, name="studio_publish"),
    path(
        "studio/<str:code>/mau-ket-qua/",
        studio_views.studio_result_template,
        name="studio_result_template",
    ),
    path("studio/<str:code>/cau-hinh.json", studio_views.studio_export, name="studio_export"),
    path("studio/<str:code>/nhap-cau-hinh/", studio_views.studio_import, name="studio_import"),
    path("studio/<str:code>/quy-trinh/", studio_views.studio_process, name="studio_process"),
    path("studio/<str:code>/cac-buoc/", studio_views.studio_steps, name="studio_steps"),
    path("studio/<str:code>/phi/", studio_views.studio_fee, name="studio_fee"),
    path("studio/<str:code>/ket-qua.pdf", studio_views.studio_result_pdf, name="studio_result_pdf"),
    path("studio/<str:code>/xem-truoc/", studio_views.studio_preview, name="studio_preview"),
    path(
        "studio/<str:code>/phien-ban/<int:number>/",
        studio_views.studio_revision,
        name="studio_revision",
    ),
]
