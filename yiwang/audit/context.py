"""Request context (client IP) available to actions without threading it through.

``client_ip`` is the one place that decides which address a request comes from. Audit
entries, throttles and anything else keyed by address call it (directly or through
``current_ip``, which ``RequestContextMiddleware`` sets), so they can never disagree.

Behind a reverse proxy every request arrives from the proxy's address. The proxy's
``X-Forwarded-For`` header says who its client was, but any client can also send that
header itself, so it is believed only when the request comes from an address listed in
``YIWANG_TRUSTED_PROXIES``; the client is then the right-most address in the header that
is not itself a trusted proxy (entries to its left were written by the client and may be
forged).
"""

from __future__ import annotations

import ipaddress
import logging
from contextvars import ContextVar
from functools import lru_cache

from django.conf import settings

current_ip: ContextVar[str | None] = ContextVar("current_ip", default=None)

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_address(value: str | None) -> Address | None:
    """An address from a header or ``REMOTE_ADDR`` (``[v6]:port`` and ``v4:port`` accepted)."""
    text = (value or "").strip().strip('"')
    if not text:
        return None
    if text.startswith("["):  # [2001:db8::1]:443
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def _networks(setting: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for item in setting:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            logger.error("YIWANG_TRUSTED_PROXIES: %r is not an IP address or network", item)
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    value = getattr(settings, "YIWANG_TRUSTED_PROXIES", ())
    if isinstance(value, str):
        value = value.split(",")
    return _networks(tuple(item for item in value if item and item.strip()))


def _is_trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The address of the client behind ``request``, or ``None`` when unknown."""
    remote = parse_address(request.META.get("REMOTE_ADDR"))
    if remote is None:
        return None
    networks = trusted_proxies()
    if not networks or not _is_trusted(remote, networks):
        return str(remote)
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    nearest = remote
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # A trusted proxy never writes garbage: the client did. Stop at the last
            # address a trusted proxy vouched for.
            break
        if not _is_trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)
