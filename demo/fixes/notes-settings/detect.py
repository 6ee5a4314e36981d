"""Exit 1 when the Notes settings file is missing keys or is not valid JSON; 0 when it is sound."""

import json
import os
import sys

REQUIRED = ("theme", "sync", "language")


def settings_path():
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    else:
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
    return os.path.join(base, "example-notes", "settings.json")


path = settings_path()
if not os.path.exists(path):
    print(f"No settings file at {path}: Notes starts with its standard settings.")
    sys.exit(0)
try:
    with open(path, encoding="utf-8") as file:
        settings = json.load(file)
except (OSError, ValueError) as error:
    print(f"{path} cannot be read: {error}")
    sys.exit(1)
missing = [key for key in REQUIRED if not isinstance(settings, dict) or key not in settings]
if missing:
    print(f"{path} lacks: {', '.join(missing)}")
    sys.exit(1)
print(f"{path} is sound.")
sys.exit(0)
