"""The audit log's browsing page (namespace ``audit``). It lives in ``web`` because it asks the
permission layer (``accounts``) which units the user may see, and ``audit`` is below it."""

from django.urls import path

from tinhso.web import audit_views

app_name = "audit"
urlpatterns = [path("", audit_views.entry_list, name="list")]
