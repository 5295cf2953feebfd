"""An isolated URLconf for the workdays page tests.

The real ``yiwang.workdays.urls`` is mounted at ``/workdays/`` as in production;
every other ``{% url %}`` that ``web/base.html`` needs gets a stub, so these
tests do not depend on the state of the other apps' views.
"""

import re
from collections import defaultdict
from pathlib import Path

from django.http import HttpResponse
from django.urls import include, path

import yiwang.web

BASE_TEMPLATE = Path(yiwang.web.__file__).parent / "templates" / "web" / "base.html"
URL_TAG = re.compile(r"""{%\s*url\s+['"]([\w-]+):([\w-]+)['"]""")


def stub(request, *args, **kwargs):
    return HttpResponse("stub")


def _needed_names() -> dict[str, set[str]]:
    names: dict[str, set[str]] = defaultdict(set)
    names["accounts"].add("login")  # settings.LOGIN_URL
    for namespace, name in URL_TAG.findall(BASE_TEMPLATE.read_text(encoding="utf-8")):
        if namespace != "workdays":
            names[namespace].add(name)
    return names


urlpatterns = [path("workdays/", include("yiwang.workdays.urls"))]
for namespace, names in sorted(_needed_names().items()):
    patterns = [path(f"{name}/", stub, name=name) for name in sorted(names)]
    urlpatterns.append(path(f"__stub__/{namespace}/", include((patterns, namespace))))
