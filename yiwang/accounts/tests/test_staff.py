import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yiwang.accounts import actions
from yiwang.accounts.models import Kind, User
from yiwang.audit.actors import SYSTEM
from yiwang.audit.models import AuditEntry
from yiwang.orgs import scope
from yiwang.orgs.models import Hall, Post, Window

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def make(actor, username, posts, **kw):
    return actions.create_staff(
        actor=actor,
        username=username,
        password=PASSWORD,
        real_name=kw.pop("real_name", "工作人员"),
        posts=posts,
        **kw,
    )


def test_create_staff_with_posts(regions, departments):
    hall = Hall.objects.create(name="湖寮镇便民服务中心", region=regions["huliao"])
    window = Window.objects.create(hall=hall, number="1", name="综合受理")
    user = make(
        SYSTEM,
        "window_huliao",
        [
            {"role": "window", "department": None, "region": regions["huliao"], "window": window},
            {"role": "reviewer", "department": departments["scj"], "region": regions["huliao"]},
        ],
        phone="13700137000",
    )
    assert user.kind == Kind.STAFF
    posts = scope.posts_of(user)
    assert [(p.role, p.hall_id, p.window_id) for p in posts] == [
        ("window", hall.pk, window.pk),
        ("reviewer", None, None),
    ]
    entry = AuditEntry.objects.get(action="accounts.staff_created")
    assert len(entry.summary["after"]["posts"]) == 2


def test_invalid_posts_are_refused_and_nothing_written(regions, departments):
    hall = Hall.objects.create(name="县政务服务中心", region=regions["county"])
    other = Hall.objects.create(name="湖寮镇便民服务中心", region=regions["huliao"])
    window = Window.objects.create(hall=other, number="1", name="综合受理")
    with pytest.raises(ValidationError) as exc:
        make(
            SYSTEM,
            "bad",
            [
                {"role": "cook", "department": None, "region": regions["county"]},
                {"role": "window", "department": None, "region": None},
                {
                    "role": "window",
                    "department": None,
                    "region": regions["county"],
                    "hall": hall,
                    "window": window,
                },
            ],
        )
    messages = exc.value.message_dict["posts"]
    assert len(messages) == 3
    assert "cook" in messages[0]
    assert not User.objects.filter(username="bad").exists()
    assert not Post.objects.exists()


def test_only_administrators_create_staff(regions, departments, citizen, staff):
    post = {"role": "reviewer", "department": departments["scj"], "region": regions["huliao"]}
    for actor in (citizen, staff, None, "system"):  # no actor is no administrator
        with pytest.raises(PermissionDenied):
            make(actor, "nope", [post])
    authority = make(
        SYSTEM,
        "authority",
        [{"role": "authority", "department": None, "region": regions["county"]}],
    )
    assert make(authority, "ok1", [post]).kind == Kind.STAFF


def test_department_admin_staffs_only_own_department_and_area(regions, departments):
    admin_scj = make(
        SYSTEM,
        "admin_scj",
        [{"role": "dept_admin", "department": departments["scj"], "region": regions["county"]}],
    )
    make(
        admin_scj,
        "reviewer_huliao",
        [{"role": "reviewer", "department": departments["scj"], "region": regions["huliao"]}],
    )
    with pytest.raises(PermissionDenied):
        make(
            admin_scj,
            "reviewer_mzj",
            [{"role": "reviewer", "department": departments["mzj"], "region": regions["huliao"]}],
        )
    with pytest.raises(PermissionDenied):
        make(
            admin_scj,
            "all_depts",
            [{"role": "window", "department": None, "region": regions["huliao"]}],
        )
    assert not User.objects.filter(username__in=["reviewer_mzj", "all_depts"]).exists()
