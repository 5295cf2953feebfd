"""Masks for personal data shown on screen (GB/T 37964 style)."""


def mask_id_number(value: str) -> str:
    """``441422199001011234`` → ``441422********1234``."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * (len(value) - 2)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """``13800135678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """``张三`` → ``张*``."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
