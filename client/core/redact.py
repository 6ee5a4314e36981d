"""Removing secrets from text before it is logged or sent anywhere."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[redacted]"

# Each pattern keeps its first group (the label) and masks what follows.
_PATTERNS = (
    # HTTP headers, in a dump or a repr of a dict: Authorization, Cookie, tokens.
    re.compile(
        r"""((?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|"""
        r"""private-token|session-token|app-token)['"]?\s*[:=]\s*['"]?)[^'"\r\n,}]+""",
        re.IGNORECASE,
    ),
    # Auth schemes written inline.
    re.compile(r"""(\b(?:token|bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}""", re.IGNORECASE),
    # key=value and "key": "value" forms of anything that smells secret.
    re.compile(
        r"""((?:token|password|passwd|secret|api[_-]?key|access[_-]?key|sessionid|csrftoken)"""
        r"""['"]?\s*[:=]\s*['"]?)[^'"\s&,;}]+""",
        re.IGNORECASE,
    ),
)


class Redactor:
    """Masks well-known secret shapes plus the exact secrets it was told about.

    The app tells it about the user's real credential as soon as it is loaded,
    so even an odd log line that quotes it verbatim is masked.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Replaced, never changed in place: log calls on other threads iterate it.
        self._secrets: tuple[str, ...] = ()
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str) -> None:
        """Mask this exact value from now on (ignored when too short to be a secret).

        Safe to call from any thread while others log.
        """
        if len(secret) >= 6:
            # Longest first, so a secret that contains another is masked whole.
            self._secrets = tuple(sorted({*self._secrets, secret}, key=len, reverse=True))

    def redact(self, text: str) -> str:
        """``text`` with every secret masked."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text
