"""URLconf for the audit and notify view tests.

The real audit and notify URLs plus stand-ins for the other names
``web/base.html`` links to, so these tests do not depend on other apps' views.
"""

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
    path("accounts/", include(_ns("accounts", ["login", "logout"]))),
    path("services/", include(_ns("catalog", ["index"]))),
    path("cases/", include(_ns("cases", ["workbench", "intake", "mine"]))),
    path("notices/", include("yiwang.notify.urls")),
    path("audit/", include("yiwang.audit.urls")),
]
