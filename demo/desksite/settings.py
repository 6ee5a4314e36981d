"""Settings of the demo desk: django-helpdesk 2.6.1 plus ``tray_api`` on SQLite.

Everything that differs between runs comes from the environment:

``DEMO_DESK_DATA``
    Directory holding ``db.sqlite3``, ``media/`` (uploaded attachments) and the
    server's log and pid files. Default: ``demo/.data``.
``DEMO_DESK_SECRET_KEY``
    Django's secret key. The default is a fixed string: this site only ever
    listens on the loopback interface and holds demo data.
``DEMO_DESK_DEBUG``
    ``1``/``true``/``yes`` turns Django's debug mode on. Default: off.
``TRAY_API_MAX_UPLOAD_BYTES``
    Largest total size of the files of one tray request. Default: 25 MiB.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

DEMO_DIR = Path(__file__).resolve().parent.parent


def _env_flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("DEMO_DESK_DATA") or DEMO_DIR / ".data").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get(
    "DEMO_DESK_SECRET_KEY",
    "helpdesk-tray-demo-desk-loopback-only-not-a-secret-0f6c2d9e8b7a",
)
DEBUG = _env_flag("DEMO_DESK_DEBUG")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.sites",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
    "tray_api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "desksite.urls"
WSGI_APPLICATION = "desksite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "db.sqlite3",
        "OPTIONS": {
            # runserver is threaded: take the write lock when a transaction
            # starts instead of failing on a read-to-write upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("nl", _("Dutch"))]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"

SITE_ID = 1
LOGIN_URL = "/helpdesk/login/"
LOGIN_REDIRECT_URL = "/helpdesk/"
LOGOUT_REDIRECT_URL = "/helpdesk/login/"

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEFAULT_FROM_EMAIL = "Demo Service Desk <servicedesk@example.org>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Uploads: the tray sends a screenshot and a diagnostics bundle with a report.
TRAY_API_MAX_UPLOAD_BYTES = int(os.environ.get("TRAY_API_MAX_UPLOAD_BYTES", str(25 * 1024 * 1024)))
# Non-file form fields (title, description, reply text) of one request.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Files bigger than this are spooled to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "formatter": "plain",
        },
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        # runserver's per-request lines: keep only 4xx/5xx.
        "django.server": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
    },
}

# --- django-helpdesk --------------------------------------------------------
# pinax-teams is not installed, so teams mode (on by default) must be off.
HELPDESK_TEAMS_MODE_ENABLED = False
# The knowledge base stays on (empty): with it off, helpdesk/urls.py of 2.6.1
# fails to import (it builds the KB url patterns unconditionally).
HELPDESK_KB_ENABLED = True
# Agents work in the staff UI; nobody submits through the public web form.
HELPDESK_SUBMIT_A_TICKET_PUBLIC = False
HELPDESK_VIEW_A_TICKET_PUBLIC = False
HELPDESK_REDIRECT_TO_LOGIN_BY_DEFAULT = True
HELPDESK_ENABLE_PASSWORD_RESET = False
HELPDESK_ENABLE_ATTACHMENTS = True
HELPDESK_STAFF_ONLY_TICKET_OWNERS = True
HELPDESK_STAFF_ONLY_TICKET_CC = True
HELPDESK_USE_CDN = False
HELPDESK_TRANSLATE_TICKET_COMMENTS = False
# What the tray attaches: screenshots, logs, diagnostics bundles, documents.
HELPDESK_VALID_EXTENSIONS = [
    ".txt", ".log", ".asc", ".csv", ".json", ".xml", ".yaml", ".yml", ".ini",
    ".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ods", ".pptx",
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp",
    ".zip", ".gz", ".eml",
]  # fmt: skip
