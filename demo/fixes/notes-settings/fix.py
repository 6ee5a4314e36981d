"""Keep the damaged Notes settings as settings.json.damaged, and write the standard ones."""

import json
import os
import sys

STANDARD = {"theme": "system", "sync": True, "language": "system"}

if sys.platform == "darwin":
    base = os.path.expanduser("~/Library/Application Support")
else:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config")
path = os.path.join(base, "example-notes", "settings.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
if os.path.exists(path):
    os.replace(path, path + ".damaged")
    print(f"Kept the damaged file as {path}.damaged")
with open(path, "w", encoding="utf-8") as file:
    json.dump(STANDARD, file, indent=2)
print(f"Wrote the standard settings to {path}")
