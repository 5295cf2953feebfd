"""The region-tree helpers of ``yiwang.orgs.scope`` and ``Region.town``."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from yiwang.orgs import scope
from yiwang.orgs.models import Post
from yiwang.regions.models import Region
from yiwang.testing import county as build
from yiwang.testing.county import BUILDER


@pytest.fixture
def places(db):
    return build.build_regions(BUILDER, villages=["chengdong", "gaobei_sq"])


def codes(q: Q) -> set[str]:
    return set(Region.objects.filter(q).values_list("code", flat=True))


def test_subtree_q_matches_each_root_and_everything_below(places):
    huliao, gaobei = places["huliao"], places["gaobei"]
    assert codes(scope.subtree_q([huliao.path], field="path")) == {"441422100", "441422100001"}
    both = scope.subtree_q([huliao.path, gaobei.path, places["chengdong"].path], field="path")
    assert codes(both) == {"441422100", "441422100001", "441422103", "441422103001"}
    # a root inside another adds no second prefix scan
    assert str(both).count("startswith") == 2
    assert codes(scope.subtree_q([], field="path")) == set()


def test_posts_subtree_q_follows_the_posts_of_the_roles_asked(places):
    depts = build.build_departments(BUILDER, places, ["scj"])
    dispatcher = build.make_staff(BUILDER, "d", "dispatcher", depts["scj"], places["gaobei"])
    q = scope.posts_subtree_q(dispatcher, ["dispatcher"], field="path")
    # whatever the post's department: the whole town
    assert codes(q) == {"441422103", "441422103001"}
    assert codes(scope.posts_subtree_q(dispatcher, ["leader"], field="path")) == set()
    assert scope.posts_subtree_q(None, ["dispatcher"]) == Q(pk__in=[])
    root = build.make_superuser()
    assert scope.posts_subtree_q(root, ["dispatcher"]) == Q()


def test_covers(places):
    worker = build.make_staff(BUILDER, "w", "grid_worker", None, places["huliao"])
    assert scope.covers(worker, ["grid_worker"], places["chengdong"])
    assert not scope.covers(worker, ["grid_worker"], places["gaobei_sq"])
    assert not scope.covers(worker, ["dispatcher"], places["chengdong"])
    assert not scope.covers(worker, ["grid_worker"], None)
    worker.is_active = False
    assert not scope.covers(worker, ["grid_worker"], places["chengdong"])


def test_ancestor_paths_and_subtree_or_ancestors(places):
    town = places["huliao"]
    assert scope.ancestor_paths(town) == ["440000/", "440000/441400/", "440000/441400/441422/"]
    assert scope.ancestor_paths("440000/") == []
    q = scope.subtree_or_ancestors_q(town, field="path")
    assert codes(q) == {"440000", "441400", "441422", "441422100", "441422100001"}
    posts = Post.objects.filter(scope.subtree_or_ancestors_q(town))
    assert str(posts.query).count("LIKE") == 1  # one prefix scan, the rest by equality


def test_county_region_and_its_regions(places, settings):
    assert scope.county_region() == places["county"]
    assert [r.code for r in scope.county_regions()] == [
        "441422",
        "441422100",
        "441422100001",
        "441422103",
        "441422103001",
    ]
    settings.YIWANG_COUNTY_CODE = "441423"
    with pytest.raises(ValidationError) as exc:
        scope.county_region()
    assert exc.value.code == "no_county"
    assert not scope.county_regions().exists()


def test_region_town(places):
    assert places["chengdong"].town == places["huliao"]
    assert places["huliao"].town == places["huliao"]
    assert places["county"].town is None
