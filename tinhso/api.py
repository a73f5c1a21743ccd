"""The JSON API: one NinjaAPI, each app adds its router. OpenAPI at /api/docs."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from tinhso.apierrors import ApiError

api = NinjaAPI(
    title="Tỉnh Số API",
    version="1",
    description=(
        "API của nền tảng Tỉnh Số: danh mục thủ tục, hồ sơ, thanh toán, kết quả ký số, "
        "chỉ số chuyển đổi số, dữ liệu dùng chung. Lỗi trả về JSON với `code` ổn định và "
        "`message` tiếng Việt, hoặc tiếng Anh khi đã chọn English (cookie "
        "`tinhso_language=en`) hoặc khi gửi `Accept-Language: en`."
    ),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _error(status: int, code: str, message: str, details: object = None) -> dict:
    body: dict[str, object] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return body


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(
        request, _error(exc.status, exc.code, exc.message, exc.details), status=exc.status
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    message = "; ".join(exc.messages) or _("Dữ liệu không hợp lệ.")
    return api.create_response(request, _error(422, "invalid", message, details), status=422)


@api.exception_handler(NinjaValidationError)
def _schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return api.create_response(
        request,
        _error(422, "invalid_request", _("Dữ liệu gửi lên không hợp lệ."), exc.errors),
        status=422,
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request,
        _error(403, "forbidden", str(exc) or _("Bạn không có quyền thực hiện thao tác này.")),
        status=403,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, _error(401, "unauthenticated", _("Vui lòng đăng nhập.")), status=401
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, _error(404, "not_found", _("Không tìm thấy.")), status=404)


@api.exception_handler(DataError)
@api.exception_handler(OverflowError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    # a value the database cannot hold (an integer beyond bigint, …): the client's input
    return api.create_response(
        request,
        _error(422, "invalid_request", _("Dữ liệu gửi lên không hợp lệ."), str(exc)[:200]),
        status=422,
    )


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # anything else: logged with its traceback, answered in JSON like every API error
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", request.path, exc_info=exc
    )
    return api.create_response(
        request, _error(500, "server_error", _("Lỗi máy chủ, vui lòng thử lại sau.")), status=500
    )


def _add_routers() -> None:
    from tinhso.accounts.api import router as accounts_router
    from tinhso.data.api import router as data_router
    from tinhso.feedback.api import router as feedback_router
    from tinhso.monitoring.api import router as monitoring_router
    from tinhso.orgs.api import router as orgs_router
    from tinhso.payments.api import router as payments_router
    from tinhso.services.api import router as services_router
    from tinhso.signing.api import router as signing_router

    api.add_router("/v1/orgs", orgs_router)
    api.add_router("/v1/accounts", accounts_router)
    api.add_router("/v1", services_router)
    api.add_router("/v1/payments", payments_router)
    api.add_router("/v1/signing", signing_router)
    api.add_router("/v1/monitoring", monitoring_router)
    api.add_router("/v1/data", data_router)
    api.add_router("/v1/feedback", feedback_router)


_add_routers()
