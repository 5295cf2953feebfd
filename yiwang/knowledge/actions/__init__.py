"""State changes of the knowledge base. Every change goes through here.

- ``create_article`` makes a draft; ``update_article`` edits (a published article stays
  published and is re-indexed at once); ``publish_article`` makes it visible (public
  pages, API and search) from its ``valid_from`` until its ``valid_until``;
  ``unpublish_article`` takes it back to draft and out of search (``articles``).
- ``create_category``, ``update_category`` and ``delete_category`` maintain the category
  tree (two levels at most, unique names under one parent, no cycles; a category still
  used by articles or subcategories cannot be deleted) (``categories``).
- ``add_glossary_term``, ``update_glossary_term`` and ``delete_glossary_term`` maintain the
  dialect glossary, copied into the shared search lexicon (``sync_lexicon``); the article
  index holds dialect terms as aliases and is rebuilt on commit of every change (``glossary``).

Permissions: see ``knowledge.permissions`` (authority, superusers, department
administrators; 12345 agents may not edit; categories: the authority only). Search is
updated on commit. Callers import from this package; its modules are split by concern.
"""

from __future__ import annotations

from .articles import (
    ARTICLE_FIELDS,
    MAX_ALIASES,
    MAX_ANSWER,
    count_view,
    create_article,
    publish_article,
    unpublish_article,
    update_article,
)
from .categories import (
    CATEGORY_FIELDS,
    MAX_CATEGORY_DEPTH,
    MAX_POSITION,
    category_in_use,
    create_category,
    delete_category,
    update_category,
)
from .glossary import (
    DEFAULT_DIALECT,
    GLOSSARY_FIELDS,
    add_glossary_term,
    delete_glossary_term,
    sync_lexicon,
    update_glossary_term,
)

__all__ = [
    "ARTICLE_FIELDS",
    "CATEGORY_FIELDS",
    "DEFAULT_DIALECT",
    "GLOSSARY_FIELDS",
    "MAX_ALIASES",
    "MAX_ANSWER",
    "MAX_CATEGORY_DEPTH",
    "MAX_POSITION",
    "add_glossary_term",
    "category_in_use",
    "count_view",
    "create_article",
    "create_category",
    "delete_category",
    "delete_glossary_term",
    "publish_article",
    "sync_lexicon",
    "unpublish_article",
    "update_article",
    "update_category",
    "update_glossary_term",
]
