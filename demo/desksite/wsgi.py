"""WSGI entry point of the demo desk (``runserver`` uses it too, via ``WSGI_APPLICATION``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.wsgi import get_wsgi_application

_DEMO_DIR = Path(__file__).resolve().parent.parent
if str(_DEMO_DIR) not in sys.path:
    sys.path.insert(0, str(_DEMO_DIR))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "desksite.settings")

# After the settings module is known (the API reads its limits from it).
from tray_api.views import max_request_bytes  # noqa: E402
from tray_api.wsgi import complete_bodies  # noqa: E402

application = complete_bodies(get_wsgi_application(), max_request_bytes())
