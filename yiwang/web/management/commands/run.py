"""`yiwang run`: start the web server and the worker together (for `make run`)."""

import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start web (http://127.0.0.1:8000) and worker; print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport="127.0.0.1:8000", **options):
        from yiwang.demo import demo_logins

        self.stdout.write("\n一网 (yiwang) · 大埔县数字政府一体化平台")
        self.stdout.write(f"  网址 (web):   http://{addrport}/")
        self.stdout.write("  演示账号 (demo logins), 密码 (password) Dabu@2026:")
        for username, description in demo_logins():
            self.stdout.write(f"    {username:<22} {description}")
        self.stdout.write("")
        worker = subprocess.Popen(
            [sys.executable, "-m", "yiwang.cli", "worker"], env=os.environ.copy()
        )
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
