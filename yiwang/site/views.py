from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from yiwang.cases.queries import most_used_item_ids
from yiwang.catalog.queries import featured_items
from yiwang.search.popular import popular_queries

#: The popular lists change slowly; the home page is the busiest page: read them at most this often.
POPULAR_CACHE_SECONDS = 600


def home(request: HttpRequest) -> HttpResponse:
    """热门服务: the items most applied for lately (catalogue order when nothing was applied for);
    热门搜索: what people searched for most (the popular services' names until enough did)."""
    ranked = cache.get_or_set("yiwang:home:most-used", most_used_item_ids, POPULAR_CACHE_SECONDS)
    searches = cache.get_or_set("yiwang:home:searches", popular_queries, POPULAR_CACHE_SECONDS)
    items = featured_items(limit=8, ranked_ids=ranked or ())
    hints = searches or [item.name for item in items[:4]]
    return render(request, "site/home.html", {"items": items, "search_hints": hints})
