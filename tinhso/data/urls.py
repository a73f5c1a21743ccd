from django.urls import path

from tinhso.data import ckan, views

app_name = "data"
urlpatterns = [
    # portal
    path("du-lieu/", views.dataset_list, name="list"),
    path("du-lieu/don-vi/<str:code>/", views.agency_detail, name="agency"),
    path("du-lieu/quan-ly/yeu-cau/", views.manage_requests, name="requests"),
    path("du-lieu/quan-ly/yeu-cau/<int:pk>/", views.request_decide, name="request_decide"),
    path("du-lieu/quan-ly/he-thong/", views.manage_clients, name="clients"),
    path("du-lieu/quan-ly/he-thong/<int:pk>/", views.client_detail, name="client"),
    path("du-lieu/quan-ly/quyen/<int:pk>/thu-hoi/", views.grant_revoke_view, name="grant_revoke"),
    path("du-lieu/quan-ly/su-dung/", views.usage, name="usage"),
    path("du-lieu/quan-ly/bo-du-lieu/", views.manage_datasets, name="manage"),
    path("du-lieu/quan-ly/bo-du-lieu/tao-moi/", views.dataset_create_view, name="create"),
    path("du-lieu/<slug:name>/", views.dataset_detail, name="detail"),
    path(
        "du-lieu/<slug:name>/yeu-cau-truy-cap/",
        views.access_request_view,
        name="request_access",
    ),
    path("du-lieu/<slug:name>/cap-quyen/", views.grant_create_view, name="grant_create"),
    path("du-lieu/<slug:name>/sua/", views.dataset_edit_view, name="edit"),
    path("du-lieu/<slug:name>/luu-tru/", views.dataset_archive_view, name="archive"),
    path("du-lieu/<slug:name>/xoa/", views.dataset_delete_view, name="delete"),
    path("du-lieu/<slug:name>/tai-nguyen/them/", views.resource_add_view, name="resource_add"),
    path("du-lieu/<slug:name>/nap/<uuid:load_id>/", views.load_status, name="load_status"),
    path(
        "du-lieu/<slug:name>/tai-nguyen/<uuid:rid>/thay-tep/",
        views.resource_replace_view,
        name="resource_replace",
    ),
    path(
        "du-lieu/<slug:name>/tai-nguyen/<uuid:rid>/xoa/",
        views.resource_delete_view,
        name="resource_delete",
    ),
    path(
        "du-lieu/<slug:name>/tai-nguyen/<uuid:rid>/tai-ve/",
        views.resource_download,
        name="download",
    ),
    # CKAN Action API (ckanapi uses /api/action/, CKAN documents /api/3/action/)
    path("api/3/action/<str:name>", ckan.action_view, name="ckan_action"),
    path("api/action/<str:name>", ckan.action_view, name="ckan_action_unversioned"),
    # DCAT-AP
    path("catalog.<str:fmt>", views.catalog_rdf, name="catalog"),
    path("dataset/<slug:name>.<str:fmt>", views.dataset_rdf, name="dataset_rdf"),
]
