"""WSGI entry point of the demo desk, for servers other than ``runserver``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.wsgi import get_wsgi_application

_DEMO_DIR = Path(__file__).resolve().parent.parent
if str(_DEMO_DIR) not in sys.path:
    sys.path.insert(0, str(_DEMO_DIR))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desksite.settings")

application = get_wsgi_application()
