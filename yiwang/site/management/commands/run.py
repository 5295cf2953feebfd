"""`yiwang run`: serve the web with gunicorn and run the worker, both supervised (`make run`).

This process prints the banner and then only watches: the web server (gunicorn with
threads, see ``yiwang.web.server``) and the worker are child processes, restarted with
backoff when they die (``yiwang.web.supervise``). Ctrl-C or SIGTERM stops both.
"""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from yiwang.web.server import DEFAULT_ADDRPORT, gunicorn_argv, parse_addrport, public_url_mismatch
from yiwang.web.supervise import Child, Supervisor


def children(addrport: str = DEFAULT_ADDRPORT) -> list[Child]:
    """The supervised processes: the web server first, then the worker."""
    address = parse_addrport(addrport)
    env = os.environ.copy()
    web = gunicorn_argv(
        address, workers=settings.YIWANG_WEB_WORKERS, threads=settings.YIWANG_WEB_THREADS
    )
    return [
        Child("web", web, env=env),
        Child("worker", [sys.executable, "-m", "yiwang.cli", "worker"], env=env),
    ]


class Command(BaseCommand):
    help = "Start web (http://127.0.0.1:8000) and worker; print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDRPORT)

    def handle(self, *args, addrport=DEFAULT_ADDRPORT, **options):
        from yiwang.demo import demo_logins

        address = parse_addrport(addrport)
        supervisor = Supervisor(children(addrport))
        self.stdout.write("\n一网 (yiwang) · 大埔县数字政府一体化平台")
        self.stdout.write(f"  网址 (web):   {address.url}")
        self.stdout.write("  演示账号 (demo logins), 密码 (password) Dabu@2026.gov:")
        for username, description in demo_logins():
            self.stdout.write(f"    {username:<22} {description}")
        self.stdout.write(
            "  标有“动态口令”的账号首次登录时用手机验证器 App 扫码绑定 "
            "(accounts marked 动态口令 set up an authenticator app at first login)"
        )
        self.stdout.write("")
        warning = public_url_mismatch(settings.YIWANG_PUBLIC_URL, address)
        if warning:
            self.stderr.write(self.style.WARNING(warning))
        self.stdout.flush()
        supervisor.install_signal_handlers()
        supervisor.run()
