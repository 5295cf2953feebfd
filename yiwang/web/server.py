"""How `yiwang run` serves the web: gunicorn with threads, not Django's development server.

The embedded installation is meant to be reachable on a county's intranet, so `make run`
starts the same server a production deployment uses (``yiwang.wsgi`` under gunicorn,
static files by WhiteNoise from the installed packages, no ``collectstatic`` needed).
"""

from __future__ import annotations

import ipaddress
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.management.base import CommandError

DEFAULT_ADDRPORT = "127.0.0.1:8000"
ANY_ADDRESS = {"0.0.0.0", "::"}  # noqa: S104 - compared, not bound
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    @property
    def bind(self) -> str:
        """Gunicorn's ``--bind`` form (IPv6 in brackets)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.bind}/"


def parse_addrport(value: str = DEFAULT_ADDRPORT) -> Address:
    """``8000``, ``0.0.0.0:8000``, ``[::1]:8000`` or ``localhost:8000`` → an Address."""
    value = (value or DEFAULT_ADDRPORT).strip()
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", value
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f'"{value}" is not an address:port (e.g. 127.0.0.1:8000 or 8000).')
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise CommandError(f'"{value}": {host} is not an IPv6 address.') from None
    return Address(host, int(port))


def gunicorn_argv(address: Address, *, workers: int, threads: int) -> list[str]:
    """The command line of the web server child process."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "yiwang.wsgi:application",
        "--bind",
        address.bind,
        "--workers",
        str(max(1, workers)),
        "--threads",
        str(max(1, threads)),
        "--worker-class",
        "gthread",
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        # Recycle processes now and then, so a slow leak never takes the county down.
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--access-logfile",
        "-",
        "--no-control-socket",
    ]


def public_url_mismatch(public_url: str, address: Address) -> str | None:
    """A warning when YIWANG_PUBLIC_URL (printed in QR codes) cannot reach this server.

    Only for a plain-http public URL: an https one is served by a reverse proxy, whose
    address is naturally different.
    """
    parts = urlsplit(public_url)
    if parts.scheme != "http" or not parts.hostname:
        return None
    port = parts.port or 80
    host_ok = (
        address.host in ANY_ADDRESS
        or parts.hostname == address.host
        or {parts.hostname, address.host} <= LOOPBACK
    )
    if port == address.port and host_ok:
        return None
    return (
        f"YIWANG_PUBLIC_URL is {public_url} but the server listens on {address.url}: "
        "QR codes on receipts and documents will point elsewhere."
    )
