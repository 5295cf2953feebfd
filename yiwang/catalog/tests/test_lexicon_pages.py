"""The search lexicon's back-office pages and their audited actions: the data authority adds,
changes, switches off and deletes entries, and the next search uses the change."""

import re
from urllib.parse import unquote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.audit.models import AuditEntry
from yiwang.catalog import lexicon_actions
from yiwang.search import api, lexicon
from yiwang.search.models import LexiconEntry, LexiconSource
from yiwang.testing import county as build

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db
LIST = reverse("catalog:lexicon")
ADD = reverse("catalog:lexicon_add")


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _found(query):
    return [int(hit.key) for hit in api.find(query, kind="item").hits]


def _add(authority, term="卖盒饭", official="食品经营 不存在的词", note=""):
    return lexicon_actions.add_lexicon_entry(
        actor=authority, term=term, official=official, note=note
    )


def _glossary_entry():
    lexicon.replace_source(LexiconSource.GLOSSARY, {"起屋": ["建房", "宅基地"]})
    return LexiconEntry.objects.get(source=LexiconSource.GLOSSARY, term="起屋")


def test_the_shipped_lexicon_is_listed_with_filters(client, authority):
    _login(client, authority)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["page"].paginator.per_page == 50
    assert response.context["page"].paginator.count == LexiconEntry.objects.count() > 100
    response = client.get(LIST, {"q": "熟食"})
    terms = [entry.term for entry, _words in response.context["rows"]]
    assert "熟食" in terms
    assert all("熟食" in e.term or "熟食" in e.official for e, _w in response.context["rows"])
    _add(authority)
    response = client.get(LIST, {"source": "admin"})
    assert [e.term for e, _w in response.context["rows"]] == ["卖盒饭"]
    lexicon_actions.set_lexicon_entry_active(
        actor=authority, entry=LexiconEntry.objects.get(term="熟食"), active=False
    )
    response = client.get(LIST, {"active": "no"})
    assert [e.term for e, _w in response.context["rows"]] == ["熟食"]


def test_each_official_word_shows_how_many_published_items_it_finds(
    client, authority, published_food
):
    _add(authority)
    _login(client, authority)
    html = client.get(LIST, {"source": "admin"}).content.decode()
    reach = dict(re.findall(r'data-word="([^"]+)" data-count="(\d+)"', html))
    assert reach == {"食品经营": "1", "不存在的词": "0"}


def test_the_list_reads_a_constant_number_of_queries(client, authority, published_food):
    _login(client, authority)
    client.get(LIST, {"q": "熟食"})  # warm caches
    with CaptureQueriesContext(connection) as few:
        small = client.get(LIST, {"q": "熟食"})
    with CaptureQueriesContext(connection) as many:
        full = client.get(LIST)
    assert len(small.context["rows"]) < 5
    assert len(full.context["rows"]) == 50
    assert len(many) == len(few)


def test_an_added_entry_applies_to_the_next_search(
    client, authority, published_food, django_capture_on_commit_callbacks
):
    assert published_food.pk not in _found("卖盒饭")
    _login(client, authority)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ADD, {"term": "卖盒饭", "official": "食品经营", "note": "快餐"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    entry = LexiconEntry.objects.get(term="卖盒饭")
    assert (entry.source, entry.official, entry.note, entry.active) == (
        "admin",
        "食品经营",
        "快餐",
        True,
    )
    assert _found("卖盒饭")[0] == published_food.pk
    response = client.get(reverse("catalog:index"), {"q": "卖盒饭"})
    assert published_food in response.context["page"].object_list
    audit = AuditEntry.objects.get(action="catalog.add_lexicon_entry")
    assert audit.actor_id == authority.pk
    assert audit.summary["after"]["term"] == "卖盒饭"


def test_the_add_form_is_prefilled_from_the_search_report(client, authority):
    _login(client, authority)
    response = client.get(ADD, {"term": "开网吧"})
    assert response.status_code == 200
    assert response.context["form"].initial["term"] == "开网吧"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"term": "", "official": "食品经营"}, "term"),
        ({"term": "卖盒饭", "official": ""}, "official"),
        ({"term": "卖盒饭", "official": "卖盒饭"}, "official"),  # the word itself
        ({"term": "卖 盒饭", "official": "食品经营"}, "term"),
        ({"term": "很" * 31, "official": "食品经营"}, "term"),
        ({"term": "卖盒饭", "official": " ".join(f"词{n}" for n in range(13))}, "official"),
    ],
)
def test_bad_entries_are_refused_next_to_the_field(client, authority, data, field):
    _login(client, authority)
    before = LexiconEntry.objects.count()
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert LexiconEntry.objects.count() == before


def test_a_duplicate_entry_is_refused(client, authority):
    _add(authority)
    _login(client, authority)
    response = client.post(ADD, {"term": "卖盒饭", "official": "快餐"})
    assert response.status_code == 200
    assert response.context["form"].errors["term"]
    assert LexiconEntry.objects.filter(term="卖盒饭").count() == 1
    # a shipped word may get an administrator's entry of its own (both apply)
    response = client.post(ADD, {"term": "熟食", "official": "食品小作坊"})
    assert response.status_code == 302
    assert LexiconEntry.objects.filter(term="熟食").count() == 2


def test_switching_a_shipped_entry_off_and_on_applies_at_once(client, authority, published_food):
    entry = LexiconEntry.objects.get(term="熟食", source=LexiconSource.SHIPPED)
    assert published_food.pk in _found("熟食")
    _login(client, authority)
    toggle = reverse("catalog:lexicon_toggle", args=[entry.pk])
    response = client.post(toggle, {"active": "0", "next": f"{LIST}?q=熟食"})
    assert response.status_code == 302
    assert unquote(response["Location"]) == f"{LIST}?q=熟食"
    entry.refresh_from_db()
    assert not entry.active
    assert published_food.pk not in _found("熟食")
    client.post(toggle, {"active": "1", "next": "https://evil.example/"})
    entry.refresh_from_db()
    assert entry.active
    assert published_food.pk in _found("熟食")
    actions = list(
        AuditEntry.objects.filter(action="catalog.set_lexicon_entry_active")
        .order_by("seq")
        .values_list("summary", flat=True)
    )
    assert [a["after"]["active"] for a in actions] == [False, True]


def test_the_switch_returns_to_the_list_only(client, authority):
    entry = LexiconEntry.objects.get(term="熟食", source=LexiconSource.SHIPPED)
    _login(client, authority)
    toggle = reverse("catalog:lexicon_toggle", args=[entry.pk])
    for target in ("https://evil.example/", "//evil.example/", "/accounts/logout/", ""):
        response = client.post(toggle, {"active": "0", "next": target})
        assert response["Location"] == LIST, target
    assert client.get(toggle).status_code == 405


def test_changing_a_shipped_entry(client, authority, published_food):
    entry = LexiconEntry.objects.get(term="熟食", source=LexiconSource.SHIPPED)
    _login(client, authority)
    edit = reverse("catalog:lexicon_edit", args=[entry.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"official": "不存在的词", "note": "改"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.term, entry.official, entry.note) == ("熟食", "不存在的词", "改")
    assert published_food.pk not in _found("熟食")
    audit = AuditEntry.objects.get(action="catalog.change_lexicon_entry")
    assert audit.summary["before"]["official"] == "食品经营 食品小经营店"
    response = client.post(edit, {"official": "", "note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["official"]


def test_deleting_an_administrators_entry_only(client, authority, published_food):
    entry = _add(authority, official="食品经营")
    shipped = LexiconEntry.objects.get(term="熟食", source=LexiconSource.SHIPPED)
    _login(client, authority)
    assert client.get(reverse("catalog:lexicon_delete", args=[entry.pk])).status_code == 200
    response = client.post(reverse("catalog:lexicon_delete", args=[entry.pk]))
    assert response.status_code == 302
    assert not LexiconEntry.objects.filter(pk=entry.pk).exists()
    assert published_food.pk not in _found("卖盒饭")
    assert AuditEntry.objects.filter(action="catalog.delete_lexicon_entry").count() == 1
    response = client.post(reverse("catalog:lexicon_delete", args=[shipped.pk]))
    assert response.status_code == 200
    assert 'data-testid="lexicon-delete-errors"' in response.content.decode()
    assert LexiconEntry.objects.filter(pk=shipped.pk).exists()


def test_glossary_entries_are_read_only_here(client, authority):
    entry = _glossary_entry()
    _login(client, authority)
    html = client.get(LIST, {"source": "glossary"}).content.decode()
    assert reverse("knowledge:manage_glossary") in html
    assert reverse("catalog:lexicon_edit", args=[entry.pk]) not in html
    edit = reverse("catalog:lexicon_edit", args=[entry.pk])
    assert 'data-testid="lexicon-readonly"' in client.get(edit).content.decode()
    client.post(edit, {"official": "别的词"})
    client.post(reverse("catalog:lexicon_toggle", args=[entry.pk]), {"active": "0"})
    client.post(reverse("catalog:lexicon_delete", args=[entry.pk]))
    entry.refresh_from_db()
    assert (entry.official, entry.active) == ("建房 宅基地", True)
    for change in (
        lambda: lexicon_actions.change_lexicon_entry(actor=authority, entry=entry, official="词"),
        lambda: lexicon_actions.set_lexicon_entry_active(
            actor=authority, entry=entry, active=False
        ),
        lambda: lexicon_actions.delete_lexicon_entry(actor=authority, entry=entry),
    ):
        with pytest.raises(ValidationError) as caught:
            change()
        assert caught.value.code == "glossary"


def test_department_admins_and_others_may_not_maintain_the_lexicon(
    client, authority, admin_scj, reviewer_scj
):
    entry = _add(authority)
    get_pages = [
        LIST,
        ADD,
        reverse("catalog:lexicon_edit", args=[entry.pk]),
        reverse("catalog:lexicon_delete", args=[entry.pk]),
    ]
    toggle = reverse("catalog:lexicon_toggle", args=[entry.pk])
    for url in get_pages:
        assert client.get(url).status_code == 302  # anonymous: to the login page
    for user in (admin_scj, reviewer_scj, build.make_citizen()):
        client.force_login(user)
        for url in get_pages:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(ADD, {"term": "开网吧", "official": "上网服务"}).status_code == 403
        assert client.post(toggle, {"active": "0"}).status_code == 403
        assert client.post(get_pages[3]).status_code == 403
    entry.refresh_from_db()
    assert entry.active
    assert not LexiconEntry.objects.filter(term="开网吧").exists()
    for change in (
        lambda: _add(admin_scj, term="开网吧"),
        lambda: lexicon_actions.change_lexicon_entry(actor=admin_scj, entry=entry, official="词"),
        lambda: lexicon_actions.set_lexicon_entry_active(
            actor=admin_scj, entry=entry, active=False
        ),
        lambda: lexicon_actions.delete_lexicon_entry(actor=admin_scj, entry=entry),
        lambda: lexicon_actions.delete_lexicon_entry(actor=None, entry=entry),
    ):
        with pytest.raises(PermissionDenied):
            change()
    assert not AuditEntry.objects.filter(action__contains="lexicon", actor=admin_scj).exists()
