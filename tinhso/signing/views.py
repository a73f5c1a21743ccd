from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from tinhso.signing import conf
from tinhso.signing.forms import VerifyForm
from tinhso.signing.pki import CA_CERT
from tinhso.signing.selectors import pdf_verify


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Public: upload a PDF, see whether its signature is intact, who signed, when, and
    whether it matches a result issued by the platform."""
    result = None
    status = 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            result = pdf_verify(pdf_bytes=form.cleaned_data["file"])
            form = VerifyForm()
        else:
            status = 400
    else:
        form = VerifyForm()
    return render(request, "signing/verify.html", {"form": form, "result": result}, status=status)


@require_GET
def ca_certificate(request: HttpRequest) -> HttpResponse:
    """The province root certificate (public), to configure other verifiers."""
    path = conf.signing_dir() / CA_CERT
    if not path.is_file():
        raise Http404
    response = HttpResponse(path.read_bytes(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="ca-tinh-so.pem"'
    return response
