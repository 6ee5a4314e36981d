"""Keyring backends for the helper-process tests (selected with PYTHON_KEYRING_BACKEND).

``FileKeyring`` keeps entries in the JSON file named by ``HELPDESK_TRAY_TEST_KEYRING``;
``LockedKeyring`` refuses like a locked Secret Service; ``StuckKeyring`` waits
forever, like an unlock prompt nobody answers.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import keyring.backend
import keyring.errors


class FileKeyring(keyring.backend.KeyringBackend):
    priority = 1

    @property
    def _path(self) -> Path:
        return Path(os.environ["HELPDESK_TRAY_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        try:
            entries: dict[str, str] = json.loads(self._path.read_text())
            return entries
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = self._load()
        entries[f"{service}/{username}"] = password
        self._path.write_text(json.dumps(entries))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._load()
        if entries.pop(f"{service}/{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("no such entry")
        self._path.write_text(json.dumps(entries))


class LockedKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("Prompt dismissed.")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


class StuckKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        threading.Event().wait()  # an unlock prompt nobody answers
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        threading.Event().wait()

    def delete_password(self, service: str, username: str) -> None:
        threading.Event().wait()
