"""The OS keyring through the ``keyring`` library, and the helper process that uses it.

The tray never imports this module: it asks a short-lived helper process
(:mod:`client.adapters.secrets`), so a keyring that hangs on an unlock prompt
cannot freeze it and the keyring's libraries never sit in its memory. The
command-line tools use :class:`KeyringStore` directly.
"""

from __future__ import annotations

import json
import logging
from typing import TextIO

import keyring
import keyring.errors

from client.core.errors import SecretStoreError

logger = logging.getLogger(__name__)

SERVICE = "helpdesk-tray"


class KeyringStore:
    """``SecretStore`` on the ``keyring`` library (Secret Service, Keychain, Credential Manager)."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service

    def get(self, account: str) -> str | None:
        """The stored credential, or ``None`` when there is none."""
        try:
            return keyring.get_password(self._service, account)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"{type(exc).__name__}: {exc}") from exc

    def set(self, account: str, secret: str) -> None:
        """Store the credential."""
        try:
            keyring.set_password(self._service, account, secret)
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"{type(exc).__name__}: {exc}") from exc

    def cancel(self) -> None:
        """Nothing to give up on: calls here run on the caller's thread."""

    def delete(self, account: str) -> None:
        """Forget the credential; a missing one is not an error."""
        try:
            keyring.delete_password(self._service, account)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            raise SecretStoreError(f"{type(exc).__name__}: {exc}") from exc


def serve(stdin: TextIO, stdout: TextIO, store: KeyringStore | None = None) -> int:
    """Answer one request of the tray (the helper process's main loop, once).

    Request: ``{"op": "get"|"set"|"delete", "account": ..., "secret": ...}``;
    answer: ``{"ok": true, "secret": ...}`` or ``{"ok": false, "error": ...}``.
    Secrets travel only through the pipes, never through arguments.
    """
    store = store or KeyringStore()
    try:
        request = json.loads(stdin.read())
        op, account = request["op"], str(request["account"])
        if op == "get":
            answer: dict[str, object] = {"ok": True, "secret": store.get(account)}
        elif op == "set":
            store.set(account, str(request["secret"]))
            answer = {"ok": True}
        elif op == "delete":
            store.delete(account)
            answer = {"ok": True}
        else:
            answer = {"ok": False, "error": f"unknown operation {op!r}"}
    except SecretStoreError as exc:
        answer = {"ok": False, "error": exc.detail}
    except (ValueError, KeyError, TypeError) as exc:
        answer = {"ok": False, "error": f"bad request: {type(exc).__name__}"}
    stdout.write(json.dumps(answer))
    stdout.flush()
    return 0
