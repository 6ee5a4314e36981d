"""The user's desk credential, kept in the OS keyring by a short-lived helper process.

Why a process: the keyring may show an unlock prompt and wait for the user
(Secret Service), and its libraries weigh 10+ MB; neither belongs in a tray
app that runs all day. The helper is this same program started with
``--keyring-helper`` (see :mod:`client.adapters.keyring_store`).
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence

from client import KEYRING_HELPER_FLAG
from client.core.errors import SecretStoreError

logger = logging.getLogger(__name__)

#: How long the keyring may take; it can be waiting for the user to unlock it.
DEFAULT_TIMEOUT_S = 120.0


def helper_command() -> list[str]:
    """How to start the helper: the frozen executable, or this Python with ``-m client``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, KEYRING_HELPER_FLAG]
    return [sys.executable, "-m", "client", KEYRING_HELPER_FLAG]


class HelperSecretStore:
    """``SecretStore`` that asks the keyring helper process, one request per process."""

    def __init__(self, command: Sequence[str], timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self._command = list(command)
        self._timeout = timeout

    def _ask(self, request: dict[str, object]) -> dict[str, object]:
        # Deferred: subprocess is only needed on a worker thread, not for the icon to
        # appear (start-up budget, docs/performance.md).
        import subprocess

        try:
            result = subprocess.run(  # noqa: S603 - our own executable, fixed arguments
                self._command,
                input=json.dumps(request),
                capture_output=True,
                text=True,
                timeout=self._timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SecretStoreError(
                f"the keyring did not answer within {self._timeout:.0f} s"
            ) from exc
        except OSError as exc:
            raise SecretStoreError(f"the keyring helper did not start: {exc}") from exc
        try:
            answer = json.loads(result.stdout)
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
            raise SecretStoreError(f"the keyring helper failed ({result.returncode}): {tail[0]}")
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
