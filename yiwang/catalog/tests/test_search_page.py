"""The public search page at a real county's size: real counts, honest empty answers,
namesakes told apart, results opened through the click counter."""

import pytest
from django.urls import reverse
from django.utils import translation

from yiwang.audit.actors import SystemActor
from yiwang.catalog.models import ServiceItem
from yiwang.demo import loader, real_catalogue
from yiwang.search.models import QueryCount

pytestmark = pytest.mark.django_db

DEMO = SystemActor("demo")


@pytest.fixture
def real(django_capture_on_commit_callbacks):
    """The demo county with the 1,135 items of a real district, without aliases."""
    loader.load_regions(DEMO)
    loader.load_orgs(DEMO)
    with django_capture_on_commit_callbacks(execute=True):
        real_catalogue.load()
    return ServiceItem.objects.published()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def search(client, q, **params):
    response = client.get(reverse("catalog:index"), {"q": q, **params})
    assert response.status_code == 200
    return response


def test_count_is_the_real_number_of_matches_not_a_cap(client, real):
    response = search(client, "许可证")
    page = response.context["page"]
    expected = real.filter(name__contains="许可证").count()
    assert expected > 20  # more than one page
    assert page.paginator.count >= expected
    assert len(page.object_list) == 20
    assert f"{page.paginator.count} services match" in response.content.decode()


def test_the_dog_licence_is_found_from_everyday_words(client, real):
    names = [i.name for i in search(client, "养狗要办证吗").context["page"].object_list]
    assert names[0] == "犬类准养证核发"
    names = [i.name for i in search(client, "養狗要辦證嗎").context["page"].object_list]
    assert names[0] == "犬类准养证核发"


def test_a_question_without_a_service_is_answered_honestly(client, real):
    response = search(client, "手机屏幕碎了去哪修")
    assert response.context["page"].paginator.count == 0
    body = response.content.decode()
    assert 'data-testid="no-match"' in body
    assert reverse("catalog:themes") in body
    assert reverse("hotline:report") in body
    assert reverse("knowledge:index") + "?q=" in body
    # Counted for the search report as a search that found nothing.
    row = QueryCount.objects.get(query="手机屏幕碎了去哪修")
    assert (row.count, row.empty) == (1, 1)


def test_filters_narrow_the_matches_and_the_empty_answer_offers_to_drop_them(client, real):
    everywhere = search(client, "犬类准养证").context["page"].paginator.count
    dog = real.get(name="犬类准养证核发")
    other = real.exclude(department=dog.department).values_list("department", flat=True).first()
    response = search(client, "犬类准养证", department=other)
    assert everywhere >= 1 and response.context["page"].paginator.count == 0
    assert "Search again without the filters" in response.content.decode()


def test_namesakes_are_one_line_with_the_others_told_apart(
    client, real, django_capture_on_commit_callbacks
):
    # A second copy of the catalogue in the towns: every name now exists at two levels.
    with django_capture_on_commit_callbacks(execute=True):
        real_catalogue.load(multiple=2)
    county, town = ServiceItem.objects.filter(name="犬类准养证核发").order_by("level_code")
    response = search(client, "犬类准养证核发")
    lines = [i for i in response.context["page"].object_list if i.name == "犬类准养证核发"]
    assert [line.pk for line in lines] == [county.pk]
    assert [other.pk for other in lines[0].others] == [town.pk]
    body = response.content.decode()
    assert 'data-testid="item-others"' in body
    assert town.region.name in body and town.level_label in body
    assert reverse("catalog:open", args=[town.pk]) in body

    # The town's item marked as the one to show citizens leads instead.
    ServiceItem.objects.filter(pk=town.pk).update(preferred=True)
    lines = search(client, "犬类准养证核发").context["page"].object_list
    assert lines[0].pk == town.pk and [o.pk for o in lines[0].others] == [county.pk]
    assert 'data-testid="item-preferred"' in search(client, "犬类准养证核发").content.decode()


def test_results_open_through_the_click_counter(client, real):
    response = search(client, "养狗要办证吗")
    dog = response.context["page"].object_list[0]
    opened = reverse("catalog:open", args=[dog.pk]) + "?q="
    assert opened in response.content.decode()


def test_the_first_page_counts_one_search_however_many_pages_are_read(client, real):
    search(client, "许可证核发")
    search(client, "许可证核发", page=2)
    assert QueryCount.objects.get(query="许可证核发").count == 1


def test_query_count_does_not_grow_with_the_matches(client, real, django_assert_max_num_queries):
    search(client, "许可")  # loads the process's index once
    with django_assert_max_num_queries(12):
        search(client, "许可")
