#!/usr/bin/env python
"""Django's command-line utility; `yiwang` is the same entry point, installed."""

from yiwang.cli import main

if __name__ == "__main__":
    main()
