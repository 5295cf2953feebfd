"""Back-office and search forms. They only parse input; ``knowledge.actions`` validates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yiwang.catalog.models import ServiceItem
from yiwang.orgs.choices import use_grouped_departments
from yiwang.web.params import ModelMultipleIdField

from .models import KnowledgeCategory


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search questions"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. 社保卡丢了怎么办")}),
    )


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    question = forms.CharField(
        label=_("Question as citizens ask it"),
        max_length=500,
        required=False,
        help_text=_("How callers put it, e.g. 开饭店要办什么证？"),
    )
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Plain text. A blank line starts a new paragraph, lines starting with “- ” or “1. ” "
            "become lists, **text** is bold."
        ),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=KnowledgeCategory.objects.select_related("parent").order_by(
            "parent_id", "position", "id"
        ),
        empty_label=_("No category"),
    )
    department: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Responsible department"),
        required=False,
        queryset=None,
        empty_label=_("County-wide (data authority)"),
    )
    aliases = forms.CharField(
        label=_("Aliases and everyday words"),
        required=False,
        max_length=1000,
        help_text=_("Separated by commas or spaces, e.g. 开饭店, 开餐馆."),
    )
    service_items = ModelMultipleIdField(
        label=_("Related service items"),
        required=False,
        queryset=ServiceItem.objects.published().order_by("name", "id"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty when the answer does not expire."),
    )
    public = forms.BooleanField(
        label=_("Public (shown on the FAQ pages)"),
        required=False,
        initial=True,
        help_text=_("Unticked: internal answer for 12345 agents only."),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        use_grouped_departments(self.fields["department"])  # county first, then by town

    def article_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["service_items"] = list(data.get("service_items") or [])
        return data

    @classmethod
    def initial_for(cls, article) -> dict:
        return {
            "title": article.title,
            "question": article.question,
            "answer": article.answer,
            "category": article.category_id,
            "department": article.department_id,
            "aliases": article.aliases,
            "service_items": [i.pk for i in article.service_items.all()],
            "valid_from": article.valid_from,
            "valid_until": article.valid_until,
            "public": article.public,
        }


class GlossaryForm(forms.Form):
    term = forms.CharField(label=_("Dialect term"), max_length=30, required=False)
    standard = forms.CharField(
        label=_("Standard term(s)"),
        max_length=100,
        required=False,
        help_text=_("One or more standard words separated by commas or spaces, e.g. 建房 盖房."),
    )
    dialect = forms.CharField(label=_("Dialect"), max_length=20, required=False, initial="客家话")
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CategoryForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=60, required=False, help_text=_("e.g. 社会保障")
    )
    parent = forms.ModelChoiceField(
        label=_("Parent category"),
        required=False,
        queryset=KnowledgeCategory.objects.none(),
        empty_label=_("None (top level)"),
        help_text=_("Categories have two levels: a top-level category and its subcategories."),
    )
    # Parsed by the action, which explains a bad number better than a form field would.
    position = forms.CharField(
        label=_("Position"),
        max_length=5,
        required=False,
        initial=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("Smaller numbers come first."),
    )

    def __init__(self, *args, category=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = KnowledgeCategory.objects.filter(parent__isnull=True).order_by("position", "id")
        if category is not None:
            parents = parents.exclude(pk=category.pk)
        self.fields["parent"].queryset = parents

    @classmethod
    def initial_for(cls, category) -> dict:
        return {"name": category.name, "parent": category.parent_id, "position": category.position}
