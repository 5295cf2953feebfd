"""Staff scope: department × region subtree (ARCHITECTURE rule 2).

The rows being scoped here are ``Post`` rows of other people (a Post has a department
and a region, which is all ``scope_q`` needs); cases use the same call.
"""

import pytest
from django.db.models import Q

from yiwang.accounts import actions
from yiwang.accounts.models import User
from yiwang.audit.actors import SYSTEM
from yiwang.orgs import scope
from yiwang.orgs.models import Post
from yiwang.testing import county as build
from yiwang.testing.county import PASSWORD


@pytest.fixture
def world(db):
    places = build.build_regions(SYSTEM, villages=["huangsha"])
    places["village"] = places.pop("huangsha")
    return {**places, **build.build_departments(SYSTEM, places, ["scj", "mzj"])}


def staff(username, *posts):
    return actions.create_staff(
        actor=SYSTEM, username=username, password=PASSWORD, real_name=username, posts=list(posts)
    )


@pytest.fixture
def rows(world):
    """Target rows: one per department × place."""
    holder = staff("holder")
    made = {}
    for dept in ("scj", "mzj"):
        for place in ("county", "huliao", "gaobei", "village"):
            made[(dept, place)] = Post.objects.create(
                user=holder, role="window", department=world[dept], region=world[place]
            )
    return made


def visible(user, roles=("reviewer",)):
    q = scope_q = scope.scope_q(
        user, roles=roles, department_field="department", region_path_field="region__path"
    )
    assert isinstance(scope_q, Q)
    return set(Post.objects.filter(user__username="holder").filter(q).values_list("pk", flat=True))


def keys(rows, *wanted):
    return {rows[k].pk for k in wanted}


def test_town_reviewer_sees_own_department_in_own_town_and_its_villages_only(world, rows):
    user = staff(
        "reviewer_scj_huliao",
        {"role": "reviewer", "department": world["scj"], "region": world["huliao"]},
    )
    assert visible(user) == keys(rows, ("scj", "huliao"), ("scj", "village"))
    # Another department, another town, and the county level are all out of scope.
    assert not scope.can_act(
        user, roles=["reviewer"], department=world["mzj"], region=world["huliao"]
    )
    assert not scope.can_act(
        user, roles=["reviewer"], department=world["scj"], region=world["gaobei"]
    )
    assert not scope.can_act(
        user, roles=["reviewer"], department=world["scj"], region=world["county"]
    )
    assert scope.can_act(user, roles=["reviewer"], department=world["scj"], region=world["village"])
    assert scope.can_act(
        user, roles=["reviewer"], department=world["scj"].pk, region=world["huliao"]
    )


def test_other_role_grants_nothing(world, rows):
    user = staff(
        "approver", {"role": "approver", "department": world["scj"], "region": world["county"]}
    )
    assert visible(user, roles=["reviewer"]) == set()
    assert not scope.can_act(
        user, roles=["reviewer"], department=world["scj"], region=world["huliao"]
    )
    assert visible(user, roles=["approver", "reviewer"]) == keys(
        rows, ("scj", "county"), ("scj", "huliao"), ("scj", "gaobei"), ("scj", "village")
    )


def test_post_without_department_sees_all_departments_in_its_subtree(world, rows):
    user = staff("window_huliao", {"role": "window", "department": None, "region": world["huliao"]})
    assert visible(user, roles=["window"]) == keys(
        rows, ("scj", "huliao"), ("scj", "village"), ("mzj", "huliao"), ("mzj", "village")
    )
    assert scope.can_act(user, roles=["window"], department=world["mzj"], region=world["village"])
    assert scope.can_act(user, roles=["window"], department=None, region=world["huliao"])
    assert not scope.can_act(
        user, roles=["window"], department=world["mzj"], region=world["gaobei"]
    )


def test_several_posts_are_ored(world, rows):
    user = staff(
        "multi",
        {"role": "reviewer", "department": world["scj"], "region": world["gaobei"]},
        {"role": "reviewer", "department": world["mzj"], "region": world["village"]},
    )
    assert visible(user) == keys(rows, ("scj", "gaobei"), ("mzj", "village"))


def test_inactive_posts_and_users_without_posts_see_nothing(world, rows):
    user = staff(
        "gone", {"role": "reviewer", "department": world["scj"], "region": world["county"]}
    )
    Post.objects.filter(user=user).update(active=False)
    user = User.objects.get(pk=user.pk)
    assert visible(user) == set()
    assert scope.posts_of(user) == []
    assert not scope.has_role(user, "reviewer")
    citizen = actions.create_citizen(
        actor=None,
        username="citizen",
        password=PASSWORD,
        real_name="李梅",
        id_number="441422199001011232",
        phone="13800138001",
    )
    assert visible(citizen) == set()
    assert not scope.can_act(
        citizen, roles=["reviewer"], department=world["scj"], region=world["huliao"]
    )


def test_superuser_sees_everything(world, rows):
    admin = User.objects.create_superuser("admin", password=PASSWORD)
    assert (
        scope.scope_q(
            admin,
            roles=["reviewer"],
            department_field="department",
            region_path_field="region__path",
        )
        == Q()
    )
    assert visible(admin) == {r.pk for r in rows.values()}
    assert scope.can_act(admin, roles=["reviewer"], department=world["mzj"], region=world["gaobei"])
    assert scope.has_role(admin, "auditor")


def test_posts_are_loaded_once_per_user_object(world, django_assert_num_queries):
    user = staff(
        "cached",
        {"role": "reviewer", "department": world["scj"], "region": world["county"]},
        {"role": "approver", "department": world["scj"], "region": world["county"]},
    )
    user = User.objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        assert [p.role for p in scope.posts_of(user)] == ["reviewer", "approver"]
        assert [p.role for p in scope.posts_of(user, ["approver"])] == ["approver"]
        assert scope.has_role(user, "reviewer")
        assert scope.can_act(
            user, roles="approver", department=world["scj"], region=world["huliao"]
        )
        assert scope.posts_of(user)[0].region.path == world["county"].path  # select_related
    scope.clear_cache(user)
    with django_assert_num_queries(1):
        scope.posts_of(user)
