"""Maintaining the category tree and the dialect glossary: actions and back-office pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from yiwang.audit.models import AuditEntry
from yiwang.knowledge import actions, indexing, queries
from yiwang.knowledge.models import GlossaryTerm, KnowledgeCategory
from yiwang.search.lexicon import expansions
from yiwang.search.models import SearchDocument

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

BUILDING = "农村自建房要办哪些手续？"


@pytest.fixture(autouse=True)
def english(settings):
    """Assertions read the English messages; one test checks the Chinese catalogue."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def audits(action):
    return list(AuditEntry.objects.filter(action=f"knowledge.{action}"))


def message(exc, field=None):
    errors = exc.value.message_dict[field] if field else exc.value.messages
    return " ".join(errors)


def aliases_of(title):
    from yiwang.knowledge.models import Article

    article = Article.objects.get(title=title)
    return SearchDocument.objects.get(kind="article", key=str(article.pk)).aliases.split()


@pytest.fixture
def tree(authority):
    social = actions.create_category(actor=authority, name="社会保障", position=20)
    return {
        "social": social,
        "medical": actions.create_category(actor=authority, name="医疗保障", parent=social),
        "housing": actions.create_category(actor=authority, name="住房城乡建设", position=30),
    }


# --- category actions ------------------------------------------------------------------------


def test_update_category_renames_moves_and_audits(authority, tree):
    housing = actions.update_category(
        actor=authority, category=tree["housing"], name="住房保障", parent=tree["social"].pk
    )
    housing.refresh_from_db()
    assert (housing.name, housing.parent, housing.position) == ("住房保障", tree["social"], 30)
    (entry,) = audits("update_category")
    assert entry.object_id == str(housing.pk)
    assert entry.summary == {
        "before": {"name": "住房城乡建设", "parent": None},
        "after": {"name": "住房保障", "parent": tree["social"].pk},
    }
    # Back to the top level, and an unchanged save writes nothing.
    actions.update_category(actor=authority, category=housing, parent=None, position="5")
    actions.update_category(actor=authority, category=housing, position=5)
    housing.refresh_from_db()
    assert housing.parent is None and housing.position == 5
    assert len(audits("update_category")) == 2


@pytest.mark.parametrize(
    "change, field, text",
    [
        ({"name": " "}, "name", "1 to 60 characters"),
        ({"name": "长" * 61}, "name", "1 to 60 characters"),
        ({"name": "社会保障"}, "name", "already exists here"),  # sibling at the top level
        ({"position": "first"}, "position", "whole number from 0 to 32767"),
        ({"position": -1}, "position", "whole number from 0 to 32767"),
        ({"parent": 999999}, "parent", "Category 999999 does not exist"),
    ],
)
def test_update_category_bad_input_changes_nothing(authority, tree, change, field, text):
    housing = tree["housing"]
    with pytest.raises(ValidationError) as exc:
        # A valid change rides along: it must not be saved either.
        actions.update_category(actor=authority, category=housing, **{"position": 7, **change})
    assert text in message(exc, field)
    housing.refresh_from_db()
    assert (housing.name, housing.parent_id, housing.position) == ("住房城乡建设", None, 30)
    assert audits("update_category") == []


def test_category_tree_has_no_cycles_and_two_levels(authority, tree):
    social, medical = tree["social"], tree["medical"]
    with pytest.raises(ValidationError) as exc:
        actions.update_category(actor=authority, category=social, parent=social)
    assert "under itself or under one of its own subcategories" in message(exc, "parent")
    with pytest.raises(ValidationError) as exc:
        actions.update_category(actor=authority, category=social, parent=medical)
    assert "under itself or under one of its own subcategories" in message(exc, "parent")
    with pytest.raises(ValidationError) as exc:
        actions.update_category(actor=authority, category=social, parent=tree["housing"])
    assert "“社会保障” has subcategories" in message(exc, "parent")
    with pytest.raises(ValidationError) as exc:
        actions.create_category(actor=authority, name="门诊报销", parent=medical)
    assert "“医疗保障” is itself a subcategory" in message(exc, "parent")
    # Names are unique under one parent, not across the tree.
    with pytest.raises(ValidationError) as exc:
        actions.update_category(
            actor=authority, category=tree["housing"], name="医疗保障", parent=social
        )
    assert "“医疗保障” already exists here" in message(exc, "name")
    actions.update_category(actor=authority, category=tree["housing"], name="医疗保障")
    assert KnowledgeCategory.objects.filter(name="医疗保障").count() == 2
    assert social.children.count() == 1 and KnowledgeCategory.objects.count() == 3


def test_delete_category_only_when_unused(authority, tree, articles, category):
    social, medical = tree["social"], tree["medical"]
    with pytest.raises(ValidationError) as exc:
        actions.delete_category(actor=authority, category=social)
    assert message(exc) == "“社会保障” still has 1 subcategory: delete or move it first."
    assert exc.value.error_list[0].code == "in_use"
    with pytest.raises(ValidationError) as exc:
        actions.delete_category(actor=authority, category=category)
    assert f"“{category.name}” still has {len(articles)} articles" in message(exc)
    assert KnowledgeCategory.objects.filter(pk__in=[social.pk, category.pk]).count() == 2
    assert audits("delete_category") == []

    actions.delete_category(actor=authority, category=medical)
    actions.delete_category(actor=authority, category=social)
    assert not KnowledgeCategory.objects.filter(pk__in=[social.pk, medical.pk]).exists()
    entries = audits("delete_category")
    assert [e.summary["before"]["name"] for e in entries] == ["医疗保障", "社会保障"]
    assert entries[0].summary["before"]["parent"] == social.pk


def test_refusal_is_translated(authority, tree):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        actions.delete_category(actor=authority, category=tree["social"])
    assert message(exc) == "“社会保障”下还有 1 个下级分类：请先删除或移走它们。"


def test_only_the_authority_changes_categories(admin_scj, agent, citizen, tree):
    for actor in (admin_scj, agent, citizen):
        for call in (
            lambda actor=actor: actions.create_category(actor=actor, name="城市管理"),
            lambda actor=actor: actions.update_category(
                actor=actor, category=tree["housing"], name="住房"
            ),
            lambda actor=actor: actions.delete_category(actor=actor, category=tree["housing"]),
        ):
            with pytest.raises(PermissionDenied, match="Only the data authority"):
                call()
    assert KnowledgeCategory.objects.filter(name="住房城乡建设").exists()
    assert not KnowledgeCategory.objects.filter(name__in=["城市管理", "住房"]).exists()
    assert audits("update_category") == audits("delete_category") == []


# --- glossary actions ------------------------------------------------------------------------


def test_update_and_delete_glossary_term_audit(authority, admin_scj):
    entry = actions.add_glossary_term(actor=authority, term="起屋", standard="建房", note="旧")
    actions.update_glossary_term(actor=admin_scj, entry=entry, standard="建房，盖房", note="建房子")
    entry.refresh_from_db()
    assert (entry.term, entry.standard, entry.dialect, entry.note) == (
        "起屋",
        "建房 盖房",
        "客家话",
        "建房子",
    )
    (update,) = audits("update_glossary_term")
    assert update.object_id == str(entry.pk) and update.actor_id == admin_scj.pk
    assert update.summary == {
        "before": {"standard": "建房", "note": "旧"},
        "after": {"standard": "建房 盖房", "note": "建房子"},
    }
    actions.delete_glossary_term(actor=admin_scj, entry=entry)
    assert not GlossaryTerm.objects.exists()
    (deleted,) = audits("delete_glossary_term")
    assert deleted.object_id == str(entry.pk)
    assert deleted.summary["before"]["term"] == "起屋"


@pytest.mark.parametrize(
    "change, field, text",
    [
        ({"term": ""}, "term", "one word of 1 to 30 characters"),
        ({"term": "起 屋"}, "term", "one word of 1 to 30 characters"),
        ({"standard": " , "}, "standard", "standard word(s) it means"),
        ({"standard": "起屋"}, "standard", "must differ from the dialect word"),
        ({"dialect": "方" * 21}, "dialect", "at most 20 characters"),
        ({"note": "注" * 201}, "note", "at most 200 characters"),
        ({"term": "睇病"}, "term", "“睇病” is already in the 客家话 glossary"),
    ],
)
def test_update_glossary_term_bad_input_changes_nothing(authority, change, field, text):
    entry = actions.add_glossary_term(actor=authority, term="起屋", standard="建房")
    actions.add_glossary_term(actor=authority, term="睇病", standard="看病")
    with pytest.raises(ValidationError) as exc:
        actions.update_glossary_term(actor=authority, entry=entry, **{"note": "改", **change})
    assert text in message(exc, field)
    entry.refresh_from_db()
    assert (entry.term, entry.standard, entry.note) == ("起屋", "建房", "")
    assert audits("update_glossary_term") == []


def test_same_term_may_exist_in_another_dialect(authority):
    entry = actions.add_glossary_term(actor=authority, term="睇", standard="看", dialect="粤语")
    actions.add_glossary_term(actor=authority, term="睇病", standard="看病")
    actions.update_glossary_term(actor=authority, entry=entry, term="睇病")
    assert GlossaryTerm.objects.filter(term="睇病").count() == 2


def test_agents_and_citizens_may_not_change_the_glossary(authority, agent, citizen):
    entry = actions.add_glossary_term(actor=authority, term="起屋", standard="建房")
    for actor in (agent, citizen):
        with pytest.raises(PermissionDenied, match="department administrators"):
            actions.update_glossary_term(actor=actor, entry=entry, term="做屋")
        with pytest.raises(PermissionDenied, match="department administrators"):
            actions.delete_glossary_term(actor=actor, entry=entry)
    entry.refresh_from_db()
    assert entry.term == "起屋"
    assert audits("update_glossary_term") == audits("delete_glossary_term") == []


def test_edited_term_changes_what_a_dialect_search_finds(
    articles, authority, django_capture_on_commit_callbacks
):
    # Entered as the Teochew 起厝, corrected to a Hakka 整屋 (same meaning: 建房); neither is
    # in the shipped lexicon, so what finds the article is the glossary alone.
    with django_capture_on_commit_callbacks(execute=True):
        entry = actions.add_glossary_term(
            actor=authority, term="起厝", standard="建房", dialect="潮汕话"
        )
    assert expansions().by_term.get("起厝") == ("建房",)
    assert queries.suggest_articles("起厝")[0].title == BUILDING
    assert queries.suggest_articles("整屋") == []

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        actions.update_glossary_term(actor=authority, entry=entry, term="整屋", dialect="客家话")
    # the article index is rebuilt on commit, once
    assert [cb for cb in callbacks if cb is indexing.sync_validity] == [indexing.sync_validity]
    assert "起厝" not in expansions().by_term
    assert expansions().by_term.get("整屋") == ("建房",)
    assert queries.suggest_articles("起厝") == []
    assert queries.suggest_articles("整屋")[0].title == BUILDING
    assert "整屋" in aliases_of(BUILDING) and "起厝" not in aliases_of(BUILDING)

    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_glossary_term(actor=authority, entry=entry)
    assert "整屋" not in expansions().by_term
    assert queries.suggest_articles("整屋") == []
    assert "整屋" not in aliases_of(BUILDING)


def test_note_only_change_does_not_rebuild_the_index(authority, django_capture_on_commit_callbacks):
    entry = actions.add_glossary_term(actor=authority, term="起屋", standard="建房")
    with django_capture_on_commit_callbacks() as callbacks:
        actions.update_glossary_term(actor=authority, entry=entry, note="建房子")
    assert callbacks == []


# --- pages -----------------------------------------------------------------------------------


def test_manage_index_links_categories(client, authority):
    login(client, authority)
    html = client.get(reverse("knowledge:manage")).content.decode()
    assert reverse("knowledge:manage_categories") in html


def test_categories_page_lists_tree_with_counts(
    client, authority, tree, articles, category, django_assert_max_num_queries
):
    login(client, authority)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("knowledge:manage_categories"))
    assert response.status_code == 200
    rows = {c.name: c for c in response.context["rows"]}
    assert [c.name for c in response.context["rows"]][:3] == [category.name, "社会保障", "医疗保障"]
    assert rows[category.name].article_count == len(articles)
    assert rows[category.name].published_count == len(articles)
    assert rows["社会保障"].child_count == 1 and not rows["社会保障"].deletable
    assert rows["医疗保障"].depth == 1 and rows["医疗保障"].deletable
    html = response.content.decode()
    assert reverse("knowledge:manage_category_edit", args=[tree["medical"].pk]) in html
    assert reverse("knowledge:manage_category_delete", args=[tree["medical"].pk]) in html
    assert reverse("knowledge:manage_category_delete", args=[category.pk]) not in html


def test_create_edit_and_delete_category_pages(client, authority, tree):
    login(client, authority)
    url = reverse("knowledge:manage_categories")
    response = client.post(url, {"name": "城市管理", "parent": "", "position": "40"})
    assert response.status_code == 302
    created = KnowledgeCategory.objects.get(name="城市管理")
    assert created.position == 40 and len(audits("create_category")) == 4

    edit = reverse("knowledge:manage_category_edit", args=[created.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"name": "城管执法", "parent": tree["social"].pk, "position": "1"})
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.name, created.parent, created.position) == ("城管执法", tree["social"], 1)

    delete = reverse("knowledge:manage_category_delete", args=[created.pk])
    response = client.get(delete)
    assert response.status_code == 200 and "城管执法" in response.content.decode()
    assert KnowledgeCategory.objects.filter(pk=created.pk).exists()  # GET only asks
    assert client.post(delete).status_code == 302
    assert not KnowledgeCategory.objects.filter(pk=created.pk).exists()
    assert len(audits("delete_category")) == 1


def test_category_pages_show_specific_errors(client, authority, tree):
    login(client, authority)
    url = reverse("knowledge:manage_categories")
    response = client.post(url, {"name": "社会保障", "parent": "", "position": "x"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "The position must be a whole number from 0 to 32767" in " ".join(
        form.errors["position"]
    )
    assert KnowledgeCategory.objects.count() == 3

    edit = reverse("knowledge:manage_category_edit", args=[tree["social"].pk])
    response = client.post(edit, {"name": "社保", "parent": tree["housing"].pk, "position": "0"})
    assert "“社会保障” has subcategories" in " ".join(response.context["form"].errors["parent"])
    tree["social"].refresh_from_db()
    assert tree["social"].name == "社会保障"

    delete = reverse("knowledge:manage_category_delete", args=[tree["social"].pk])
    html = client.get(delete).content.decode()
    assert "still has 1 subcategory" in html and 'class="btn btn-danger"' not in html
    response = client.post(delete)
    assert response.status_code == 200 and "still has 1 subcategory" in response.content.decode()
    assert KnowledgeCategory.objects.filter(pk=tree["social"].pk).exists()


def test_category_pages_permissions(client, admin_scj, agent, tree):
    housing = tree["housing"]
    login(client, admin_scj)  # back office yes, categories read-only
    response = client.get(reverse("knowledge:manage_categories"))
    assert response.status_code == 200 and response.context["form"] is None
    assert reverse("knowledge:manage_category_edit", args=[housing.pk]) not in (
        response.content.decode()
    )
    for response in (
        client.post(reverse("knowledge:manage_categories"), {"name": "城市管理"}),
        client.get(reverse("knowledge:manage_category_edit", args=[housing.pk])),
        client.post(reverse("knowledge:manage_category_delete", args=[housing.pk])),
    ):
        assert response.status_code == 403
        assert "Only the data authority can change the categories." in response.content.decode()
    login(client, agent)
    response = client.get(reverse("knowledge:manage_categories"))
    assert response.status_code == 403 and "back office" in response.content.decode()
    assert KnowledgeCategory.objects.count() == 3 and audits("delete_category") == []


def test_glossary_edit_and_delete_pages(
    client, admin_scj, articles, django_capture_on_commit_callbacks
):
    entry = actions.add_glossary_term(actor=admin_scj, term="起屋", standard="建房")
    login(client, admin_scj)
    html = client.get(reverse("knowledge:manage_glossary")).content.decode()
    edit = reverse("knowledge:manage_glossary_edit", args=[entry.pk])
    delete = reverse("knowledge:manage_glossary_delete", args=[entry.pk])
    assert edit in html and delete in html
    assert edit not in client.get(reverse("knowledge:glossary")).content.decode()

    response = client.post(edit, {"term": "起 屋", "standard": "建房", "dialect": "客家话"})
    assert "one word of 1 to 30 characters" in " ".join(response.context["form"].errors["term"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit, {"term": "做屋", "standard": "建房", "dialect": "客家话"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.term == "做屋"
    # The public FAQ search follows at once.
    found = client.get(reverse("knowledge:index"), {"q": "做屋"}).context["page"].object_list
    assert found and found[0].title == BUILDING

    assert client.get(delete).status_code == 200
    assert GlossaryTerm.objects.filter(pk=entry.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(delete).status_code == 302
    assert not GlossaryTerm.objects.exists() and len(audits("delete_glossary_term")) == 1


def test_glossary_pages_permissions(client, authority, agent):
    entry = actions.add_glossary_term(actor=authority, term="起屋", standard="建房")
    login(client, agent)
    for response in (
        client.get(reverse("knowledge:manage_glossary_edit", args=[entry.pk])),
        client.post(
            reverse("knowledge:manage_glossary_edit", args=[entry.pk]),
            {"term": "做屋", "standard": "建房"},
        ),
        client.post(reverse("knowledge:manage_glossary_delete", args=[entry.pk])),
    ):
        assert response.status_code == 403 and "back office" in response.content.decode()
    client.logout()
    response = client.post(reverse("knowledge:manage_glossary_delete", args=[entry.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    entry.refresh_from_db()
    assert entry.term == "起屋"
