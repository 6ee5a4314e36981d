"""The user's desk credential, kept in the OS keyring by a short-lived helper process.

Why a process: the keyring may show an unlock prompt and wait for the user
(Secret Service), and its libraries weigh 10+ MB; neither belongs in a tray
app that runs all day. The helper is this same program started with
``--keyring-helper`` (see :mod:`client.adapters.keyring_store`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from typing import Any

from client import KEYRING_HELPER_FLAG
from client.adapters.helper_process import helper_command, start_helper
from client.core.errors import SecretStoreError

logger = logging.getLogger(__name__)

#: How long the keyring may take; it can be waiting for the user to unlock it.
DEFAULT_TIMEOUT_S = 120.0


def keyring_helper_command() -> list[str]:
    """How to start the keyring helper."""
    return helper_command(KEYRING_HELPER_FLAG)


class HelperSecretStore:
    """``SecretStore`` that asks the keyring helper process, one request per process."""

    def __init__(self, command: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self._command = list(command)
        self._timeout = timeout
        self._running: set[Any] = set()
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Stop a helper that is still waiting (the app is quitting)."""
        with self._lock:
            running = list(self._running)
        for process in running:
            process.kill()

    def _ask(self, request: dict[str, object]) -> dict[str, object]:
        import subprocess  # deferred (start_helper): for TimeoutExpired

        try:
            process = start_helper(self._command, text=True, keep_stderr=True)
        except OSError as exc:
            raise SecretStoreError(f"the keyring helper did not start: {exc}") from exc
        with self._lock:
            self._running.add(process)
        try:
            stdout, stderr = process.communicate(json.dumps(request), timeout=self._timeout)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            process.communicate()
            waited = f"{self._timeout:.0f} s"
            raise SecretStoreError(f"the keyring did not answer within {waited}") from exc
        finally:
            with self._lock:
                self._running.discard(process)
        try:
            answer = json.loads(stdout)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            tail = stderr.strip().splitlines()[-1:] or ["no output"]
            raise SecretStoreError(f"the keyring helper failed ({process.returncode}): {tail[0]}")
        if not answer.get("ok"):
            raise SecretStoreError(str(answer.get("error", "unknown keyring error")))
        return answer

    def get(self, account: str) -> str | None:
        """The stored credential, or ``None``."""
        secret = self._ask({"op": "get", "account": account}).get("secret")
        return secret if isinstance(secret, str) else None

    def set(self, account: str, secret: str) -> None:
        """Store the credential."""
        self._ask({"op": "set", "account": account, "secret": secret})

    def delete(self, account: str) -> None:
        """Forget the credential."""
        self._ask({"op": "delete", "account": account})
