#!/usr/bin/env python
"""Django's command-line utility for the helpdesk-tray demo desk."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> None:
    """Run a Django management command against the demo desk site."""
    here = Path(__file__).resolve().parent
    if str(here) not in sys.path:
        sys.path.insert(0, str(here))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desksite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
