"""Demo data for 大埔县 (regions, departments, halls, people) and its loader."""


def demo_logins(include_extra: bool = False) -> list[tuple[str, str]]:
    """(username, description) of the demo logins; password ``Dabu@2026.gov`` for all."""
    from .people import demo_logins as _demo_logins

    return _demo_logins(include_extra)
