"""Every page of the Django admin answers without a server error on the demo data: each
registered model's list, add and change page, and an empty "add" form posted to each (a
refusal is a form error, ``audit.adminaudit.ServiceErrorsAdmin``)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from tinhso.services.tests.conftest import (  # noqa: F401  (fixtures reused)
    birth,
    services_demo,
    submit_birth,
)

pytestmark = pytest.mark.django_db

# load_demo's order, without the generated history (thousands of dossiers)
DEMO_APPS = ["signing", "services.studio", "feedback", "monitoring", "data", "web"]


@pytest.fixture
def everything(user_named: Any, submit_birth: Any) -> None:  # noqa: F811
    import importlib

    for app in DEMO_APPS:
        importlib.import_module(f"tinhso.{app}.demo").demo_load(stdout=io.StringIO())
    submit_birth()  # one dossier with its events
    from tinhso.feedback.services import FeedbackInput, feedback_submit

    feedback_submit(
        user=user_named("congdan"),
        data=FeedbackInput(category="platform", subject="Góp ý", text="Trang chậm."),
        files=(),
        client_key="10.0.0.9",
    )


@pytest.fixture
def root(user_named: Any) -> Client:
    client = Client()  # raises the view's exception instead of answering 500
    client.force_login(user_named("admin"))
    return client


def _url(model: Any, view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _status(call: Any, *args: Any) -> int | str:
    try:
        return int(call(*args).status_code)
    except Exception as exc:  # collected: one report for every page
        return f"{type(exc).__name__}: {exc}"[:300]


def test_every_admin_page_answers(everything, root, user_named):
    request = RequestFactory().get("/admin/")
    request.user = user_named("admin")
    failures: list[str] = []
    changed: set[str] = set()
    for model, model_admin in admin.site._registry.items():
        urls = [_url(model, "changelist")]
        obj = model_admin.get_queryset(request).order_by("-pk").first()
        if obj is not None:
            urls.append(_url(model, "change", obj.pk))
            changed.add(model._meta.label)
        urls.append(_url(model, "add"))
        if model_admin.search_fields:
            urls.append(_url(model, "changelist") + "?q=a")
        for url in urls:
            status = _status(root.get, url)
            # 200, a redirect, or 403 where adding is not allowed; never a 404 or a 5xx
            if not isinstance(status, int) or status >= 500 or status == 404:
                failures.append(f"GET {url} → {status}")
    assert failures == []
    # the walk reached the change pages of the demo's main rows
    main = {"orgs.OrgUnit", "accounts.User", "accounts.Membership", "services.Procedure"}
    main |= {"services.Process", "feedback.Feedback", "data.Dataset", "audit.AuditEntry"}
    assert main <= changed, main - changed


def test_an_empty_add_form_is_refused_not_a_server_error(everything, root):
    failures: list[str] = []
    for model in admin.site._registry:
        url = _url(model, "add")
        status = _status(root.post, url, {})
        # 200: the form again with its errors; 403: adding is not allowed here
        if status not in (200, 403):
            failures.append(f"POST {url} → {status}")
    assert failures == []


def test_a_refused_delete_is_a_message_and_changes_nothing(root, user_named, monkeypatch):
    """A service refusing a delete (one row or the bulk action) rolls back and says why."""
    from django.core.exceptions import ValidationError

    from tinhso.accounts import admin as accounts_admin
    from tinhso.accounts.models import Membership

    def refuse(**kwargs: Any) -> None:
        kwargs["membership"].delete()  # written, then refused: must be rolled back
        raise ValidationError("Không thu hồi được vai trò này.")

    monkeypatch.setattr(accounts_admin, "membership_remove", refuse)
    m = Membership.objects.filter(user=user_named("canbo.dian")).first()
    assert m is not None
    url = _url(Membership, "delete", m.pk)
    r = root.post(url, {"post": "yes"}, follow=True)
    assert r.status_code == 200 and "Không thu hồi được vai trò này." in r.content.decode()
    assert Membership.objects.filter(pk=m.pk).exists()
    r = root.post(
        _url(Membership, "changelist"),
        {"action": "delete_selected", "_selected_action": [str(m.pk)], "post": "yes"},
        follow=True,
    )
    assert r.status_code == 200 and "Không thu hồi được vai trò này." in r.content.decode()
    assert Membership.objects.filter(pk=m.pk).exists()
