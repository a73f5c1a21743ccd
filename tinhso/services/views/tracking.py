"""Public tracking of a dossier by its number (and tracking code)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tinhso.services.forms import (
    TrackForm,
)
from tinhso.services.selectors import (
    dossier_track,
    dossier_track_throttled,
    track_answer,
)
from tinhso.services.views.common import _client_ip


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    result = None
    searched = False
    if form.is_valid():
        number, code = form.cleaned_data["so"], form.cleaned_data["ma"]
        if dossier_track_throttled(client=_client_ip(request), number=number, code=code):
            form.add_error(None, _("Tra cứu quá nhiều lần, vui lòng thử lại sau."))
            response = render(request, "services/track.html", {"form": form}, status=429)
            response["Retry-After"] = "60"
            return response
        searched = True
        result = dossier_track(number=number, code=code)
    context = {
        "form": form,
        "searched": searched,
        # the answer in the API's shape; the e-form's rows only with the tracking code
        "result": track_answer(result) if result is not None else None,
        "form_rows": result.form if result is not None else None,
    }
    return render(request, "services/track.html", context)
