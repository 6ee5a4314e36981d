"""Removing secrets (and names the user keeps private) from text before it is logged or sent."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

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

    @property
    def secrets(self) -> tuple[str, ...]:
        """The exact secrets masked so far, longest first (for a helper that redacts for us)."""
        return self._secrets

    def redact(self, text: str) -> str:
        """``text`` with every secret masked."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + MASK, text)
        return text


class NameMask:
    """Replaces names, in any case, with placeholders in every string of a JSON-like value.

    One pass over each text, longest name first: a name that contains another
    (a computer named after its user) is replaced whole, and a placeholder is
    never masked again. Which names, and whether a short one is worth masking,
    is the caller's decision.
    """

    def __init__(self, placeholders: Mapping[str, str]) -> None:
        names = sorted((name for name in placeholders if name), key=len, reverse=True)
        self._placeholders = [placeholders[name] for name in names]
        alternatives = "|".join(f"({re.escape(name)})" for name in names)
        self._pattern = re.compile(alternatives, re.IGNORECASE) if names else None

    def text(self, text: str) -> str:
        """``text`` with every name replaced."""
        if self._pattern is None:
            return text
        return self._pattern.sub(lambda m: self._placeholders[(m.lastindex or 1) - 1], text)

    def value(self, value: Any) -> Any:
        """A copy of ``value`` with every string in it (at any depth) masked; keys are kept."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {key: self.value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        return value
