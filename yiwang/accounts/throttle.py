"""Per-client-address rate limits kept in the cache (fixed windows)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    window_seconds: int

    def _key(self, ip: str | None) -> str:
        return f"yiwang:throttle:{self.name}:{ip or 'unknown'}"

    def blocked(self, ip: str | None) -> bool:
        return int(cache.get(self._key(ip), 0)) >= self.limit

    def hit(self, ip: str | None) -> int:
        key = self._key(ip)
        cache.add(key, 0, timeout=self.window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=self.window_seconds)
            return 1

    def reset(self, ip: str | None) -> None:
        cache.delete(self._key(ip))

    @property
    def minutes(self) -> int:
        return max(1, self.window_seconds // 60)


LOGIN_FAILURES = Limit(
    "login-failures",
    getattr(settings, "YIWANG_LOGIN_IP_MAX_FAILURES", 20),
    getattr(settings, "YIWANG_LOGIN_IP_WINDOW_SECONDS", 600),
)
SMS_REQUESTS = Limit("sms-requests", getattr(settings, "YIWANG_SMS_IP_MAX_REQUESTS", 20), 3600)
REGISTRATIONS = Limit("registrations", getattr(settings, "YIWANG_REGISTER_IP_MAX", 10), 3600)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")
