"""The JSON API (/api/v1/): one ninja router per app, errors as RFC 9457 problem+json."""

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from yiwang.cases.api import router as cases_router
from yiwang.catalog.api import router as catalog_router
from yiwang.datahub.api import router as datahub_router
from yiwang.exchange.api import router as exchange_router
from yiwang.grid.api import router as grid_router
from yiwang.hotline.api import router as hotline_router
from yiwang.knowledge.api import router as knowledge_router
from yiwang.licences.api import router as licences_router
from yiwang.web.errors import register_format

api = NinjaAPI(
    title="一网 API",
    version="1",
    description="一网 (yiwang) county digital-government platform",
    urls_namespace="api",
)


def problem(request: HttpRequest, status: int, code: str, title: str, detail: str = "", **extra):
    body = {"type": f"about:blank#{code}", "title": title, "status": status, "code": code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return problem(request, 422, "invalid_input", "输入有误", errors=exc.errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return problem(request, 401, "unauthenticated", "请先登录")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return problem(request, exc.status_code, getattr(exc, "code", "error"), str(exc))


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return problem(request, 404, "not_found", _("Not found."))


def _problem_for_error(request: HttpRequest, status: int, code: str, messages: list[str]):
    """Errors raised outside the routers (unknown paths, refused input, 500s) as problem+json."""
    if len(messages) > 1:
        return problem(request, status, code, messages[0], errors=messages)
    return problem(request, status, code, messages[0])


register_format(lambda: reverse("api:api-root"), _problem_for_error)


api.add_router("/catalog/", catalog_router)
api.add_router("/cases/", cases_router)
api.add_router("/knowledge/", knowledge_router)
api.add_router("/hotline/", hotline_router)
api.add_router("/grid/", grid_router)
api.add_router("/data/", datahub_router)
api.add_router("/exchange/", exchange_router)
api.add_router("/licences/", licences_router)

__all__ = ["api", "django_auth", "problem"]
