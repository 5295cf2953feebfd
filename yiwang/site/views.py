from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.cases.queries import most_used_item_ids
from yiwang.catalog.queries import featured_items
from yiwang.search.popular import popular_documents, popular_queries

#: The popular lists change slowly; the home page is the busiest page: read them at most this often.
POPULAR_CACHE_SECONDS = 600
#: Items taken from each source of use before merging them.
POPULAR_CANDIDATES = 16
#: Reciprocal rank fusion's constant: the larger, the less the first places outweigh the next.
FUSION_K = 10


def popular_item_ids(limit: int = POPULAR_CANDIDATES) -> list[int]:
    """Ids of the items used most over the last 30 days, most used first (``featured_items``
    keeps the published ones).

    Two rankings: the items most applied for (cases submitted online and at the windows,
    ``cases.queries.most_used_item_ids``) and the guides most read (views plus results
    opened from a search, ``search.popular.popular_documents``). They are merged by
    reciprocal rank fusion: an item scores 1 / (FUSION_K + its place) in each list it is in,
    so an item high in both comes first and neither list's raw numbers (reading is far more
    common than applying) drowns the other. Ties go to the items applied for.
    """
    applied = most_used_item_ids(limit=limit)
    read = [int(key) for key in popular_documents("item", limit=limit) if key.isdigit()]
    score: dict[int, float] = {}
    for ranking in (applied, read):
        for place, pk in enumerate(ranking, start=1):
            score[pk] = score.get(pk, 0.0) + 1 / (FUSION_K + place)
    order = {pk: i for i, pk in enumerate(applied)}
    return sorted(score, key=lambda pk: (-score[pk], order.get(pk, len(order)), pk))[:limit]


def home(request: HttpRequest) -> HttpResponse:
    """热门服务: the items most used lately (``popular_item_ids``; catalogue order when nothing
    was used); 热门搜索: what people searched for most (the popular services' names until
    enough did)."""
    ranked = cache.get_or_set("yiwang:home:most-used", popular_item_ids, POPULAR_CACHE_SECONDS)
    searches = cache.get_or_set("yiwang:home:searches", popular_queries, POPULAR_CACHE_SECONDS)
    items = featured_items(limit=8, ranked_ids=ranked or ())
    hints = searches or [item.name for item in items[:4]]
    return render(request, "site/home.html", {"items": items, "search_hints": hints})
