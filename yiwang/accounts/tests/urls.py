"""URLconf for the accounts view tests.

The real accounts URLs plus stand-ins for the names ``web/base.html`` links to, so
these tests do not depend on other apps' views being importable.
"""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def _stub(request, *args, **kwargs):
    return HttpResponse("stub")


def _ns(app_name: str, names: list[str]):
    return ([path(f"{name}/", _stub, name=name) for name in names], app_name)


urlpatterns = [
    path(
        "",
        include(([path("", _stub, name="home"), path("elder-mode", _stub, name="elder")], "web")),
    ),
    path("accounts/", include("yiwang.accounts.urls")),
    path("services/", include(_ns("catalog", ["index"]))),
    path("cases/", include(_ns("cases", ["workbench", "intake", "mine"]))),
    path("notices/", include(_ns("notify", ["inbox"]))),
    path("admin/", admin.site.urls),
]
