"""The exchange benchmark's baseline: the same key lookup with no governance at all.

No signature, grant, projection check, masking, quota or evidence: the hub read alone, as
a minimal internal view would serve it. bench/datahub.py compares the exchange API with it.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, JsonResponse

from yiwang.datahub.hub import read
from yiwang.datahub.models import Resource


def lookup(request: HttpRequest, code: str, key: str) -> JsonResponse:
    resource = Resource.objects.select_related("current_version").get(code=code)
    fields = [f for f in request.GET.get("fields", "").split(",") if f] or None
    row = read.lookup(resource, key, fields)
    if row is None:
        raise Http404
    row.pop("_id", None)
    return JsonResponse({"row": row}, encoder=DjangoJSONEncoder)
