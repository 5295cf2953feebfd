"""The 大埔县 demo data set and its loaders.

The data is in ``data/*.json`` (regions, orgs, people, items, knowledge, hotline, grid); the
modules of the same names load it through each app's actions (``loader.load_demo`` runs them
all, ``yiwang demo`` is the command). No other app imports this one.
"""


def demo_logins(include_extra: bool = False) -> list[tuple[str, str]]:
    """(username, description) of the demo logins; password ``Dabu@2026.gov`` for all."""
    from .people import demo_logins as _demo_logins

    return _demo_logins(include_extra)
