"""The user's desk credential, kept in the OS keyring by a short-lived helper process.

Why a process: the keyring may show an unlock prompt and wait for the user
(Secret Service), and its libraries weigh 10+ MB; neither belongs in a tray
app that runs all day. The helper is this same program started with
``--keyring-helper`` (see :mod:`client.adapters.keyring_store`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from client import KEYRING_HELPER_FLAG
from client.adapters.helper_process import HelperProblem, OneShotHelper, helper_command
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
        self._helper = OneShotHelper(command, timeout, "the keyring helper")

    def cancel(self) -> None:
        """Stop a helper that is still waiting (the app is quitting)."""
        self._helper.cancel()

    def _ask(self, request: dict[str, object]) -> dict[str, object]:
        try:
            answer = self._helper.ask(request)
        except HelperProblem as exc:
            raise SecretStoreError(str(exc)) from exc
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
