"""Background jobs of the knowledge base, run by `yiwang worker`."""

from django_tasks import task

from . import indexing


@task()
def sync_article_validity() -> dict:
    """Drop expired articles from search and add those that became valid (run daily)."""
    result = indexing.sync_validity()
    return {"indexed": result.indexed, "removed": result.removed}
