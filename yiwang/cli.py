"""The `yiwang` command: Django's management commands under the project's name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yiwang.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "yiwang"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
