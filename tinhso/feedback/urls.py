from django.urls import path

from tinhso.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.public_list, name="public"),
    path("cong-khai/<str:number>/", views.public_detail, name="public_detail"),
    path("gui/", views.submit, name="submit"),
    path("da-gui/<str:number>/", views.sent, name="sent"),
    path("tra-cuu/", views.track, name="track"),
    path("cua-toi/", views.mine, name="mine"),
    path("cua-toi/<int:pk>/", views.mine_detail, name="mine_detail"),
    path("tep/<int:file_id>/", views.file_download, name="file"),
    path("xu-ly/", views.queue, name="queue"),
    path("xu-ly/<int:pk>/", views.handle, name="handle"),
    path("xu-ly/<int:pk>/<str:action>/", views.act, name="act"),
]
