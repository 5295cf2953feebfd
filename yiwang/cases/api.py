"""Cases API: the applicant's cases and the staff inbox (read side)."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth

from . import queries
from .models import Case

router = Router(auth=django_auth, tags=["cases"])
MAX_LIMIT = 100


class CaseOut(Schema):
    id: int
    number: str | None
    item: str
    department: str
    status: str
    status_display: str
    current_step: str
    deadline_status: str
    due_at: date | None
    submitted_at: datetime | None
    materials_required: int = Field(description="Required materials when submitted")
    materials_obtained: int = Field(
        description="Of those, obtained from e-licences or shared data instead of an upload"
    )

    @staticmethod
    def resolve_item(obj: Case) -> str:
        return obj.item.name

    @staticmethod
    def resolve_department(obj: Case) -> str:
        return obj.department.name

    @staticmethod
    def resolve_status_display(obj: Case) -> str:
        return str(obj.get_status_display())


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: int | None


def _page(qs, cursor: int | None, limit: int) -> dict:
    limit = max(1, min(limit, MAX_LIMIT))
    if cursor:
        qs = qs.filter(pk__lt=cursor)
    rows = list(qs.select_related("item", "department").order_by("-pk")[: limit + 1])
    return {"items": rows[:limit], "next_cursor": rows[limit - 1].pk if len(rows) > limit else None}


@router.get("/mine", response=CasePage, summary="The logged-in applicant's cases")
def my_cases(request, cursor: int | None = None, limit: int = 20):
    return _page(Case.objects.filter(applicant=request.user).exclude(status="draft"), cursor, limit)


@router.get("/inbox", response=CasePage, summary="Cases waiting for the logged-in staff member")
def inbox(request, cursor: int | None = None, limit: int = 20):
    if request.user.kind != "staff":
        raise HttpError(403, "仅限工作人员")
    return _page(queries.inbox(request.user), cursor, limit)


@router.get("/{case_id}", response=CaseOut, summary="One case")
def case_detail(request, case_id: int):
    case = get_object_or_404(Case.objects.select_related("item", "department"), pk=case_id)
    if case.applicant_id == request.user.pk and case.status != "draft":
        return case
    if (
        request.user.kind == "staff"
        and queries.visible_cases(request.user).filter(pk=case_id).exists()
    ):
        return case
    raise HttpError(404, "办件不存在或无权查看")
